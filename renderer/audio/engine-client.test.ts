import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT } from '../../contracts/export';
import { EngineClient } from './engine-client';
import type { FromEngine, ToEngine } from './protocol';

/**
 * A stand-in for the engine Worker that posts `count` stems for a stems render, each only after the
 * desk said it took the previous one, as the real Worker does.
 */
function stemWorker(count: number) {
  const log: string[] = [];
  let terminated = false;
  let render: { id: number; next: number } | null = null;
  const worker = {
    onmessage: null as ((e: MessageEvent<FromEngine>) => void) | null,
    onerror: null,
    postMessage(message: ToEngine) {
      if (terminated) throw new Error('posted to a terminated worker');
      log.push(message.type);
      if (message.type === 'render') {
        render = { id: message.id, next: 0 };
        send();
      } else if (message.type === 'stemTaken' && render?.id === message.id) send();
    },
    terminate() {
      terminated = true;
      log.push('terminated');
    },
  };
  const send = () => {
    if (!render) return;
    const { id } = render;
    const index = render.next++;
    const deliver = (m: FromEngine) => queueMicrotask(() => worker.onmessage?.({ data: m } as MessageEvent));
    if (index < count)
      deliver({ type: 'stem', id, trackId: `t${index}`, index, count, bytes: new Uint8Array([index]) });
    else deliver({ type: 'stemsDone', id, clipping: { samples: 0, peak: 0.5 } });
  };
  return { worker: worker as unknown as Worker, log, isTerminated: () => terminated };
}

const mix = { tracks: [], master: { gainDb: 0 } as never, sampleRate: 48000 };

describe('engine client: stems, one at a time', () => {
  it('hands each stem over and asks for the next only once it is taken', async () => {
    const fake = stemWorker(3);
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const taken: string[] = [];
    const result = await client.renderStems(
      mix,
      DEFAULT_EXPORT,
      () => {},
      async (stem) => {
        // While a stem is being written, the Worker has not been asked for the next.
        expect(fake.log.filter((t) => t === 'stemTaken')).toHaveLength(stem.index);
        taken.push(`${stem.trackId}:${stem.index + 1}/${stem.count}:${stem.bytes[0]}`);
      },
    );
    expect(taken).toEqual(['t0:1/3:0', 't1:2/3:1', 't2:3/3:2']);
    expect(result).toEqual({ clipping: { samples: 0, peak: 0.5 } });
    expect(fake.log).toEqual(['render', 'stemTaken', 'stemTaken', 'stemTaken']);
  });

  it('a stem that cannot be written stops the Worker and fails the render with that error', async () => {
    const fake = stemWorker(3);
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const refused = new Error('disk full');
    const written: number[] = [];
    await expect(
      client.renderStems(
        mix,
        { ...DEFAULT_EXPORT, stems: true },
        () => {},
        async (stem) => {
          if (stem.index === 1) throw refused;
          written.push(stem.index);
        },
      ),
    ).rejects.toBe(refused);
    expect(written).toEqual([0]);
    expect(fake.isTerminated()).toBe(true);
    expect(fake.log).toEqual(['render', 'stemTaken', 'terminated']);
  });
});
