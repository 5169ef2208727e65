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

/** A Worker stand-in that records what it is posted and answers a store with empty peaks. */
function recordingWorker() {
  const posted: { message: ToEngine; transfer: Transferable[] }[] = [];
  const worker = {
    onmessage: null as ((e: MessageEvent<FromEngine>) => void) | null,
    onerror: null,
    postMessage(message: ToEngine, transfer: Transferable[] = []) {
      posted.push({ message, transfer });
      if (message.type === 'store' && message.id > 0) {
        const answer: FromEngine = { type: 'stored', id: message.id, peaks: { frames: 0, levels: [] } };
        queueMicrotask(() => worker.onmessage?.({ data: answer } as MessageEvent));
      }
    },
    terminate() {},
  };
  return { worker: worker as unknown as Worker, posted };
}

describe('engine client: one shared copy of each source', () => {
  const shared = {
    sampleRate: 48000,
    frames: 4,
    channels: [new Int16Array(new SharedArrayBuffer(8)), new Int16Array(new SharedArrayBuffer(8))],
  };

  it('stores and, after a restart, resupplies the very same shared views: nothing copied or transferred', async () => {
    const workers = [recordingWorker(), recordingWorker()];
    let spawned = 0;
    const held = new Map([['t1', shared]]);
    const client = new EngineClient(
      () => workers[spawned++]?.worker as Worker,
      () => [...held].map(([trackId, source]) => ({ trackId, source })),
    );
    await client.store('t1', shared);
    const stored = workers[0]?.posted.find((p) => p.message.type === 'store');
    expect(stored?.transfer).toEqual([]);
    const sent = stored?.message as Extract<ToEngine, { type: 'store' }>;
    expect(sent.source.channels[0]).toBe(shared.channels[0]);
    expect(sent.source.channels[1]).toBe(shared.channels[1]);
    client.cancel();
    client.forget(['t1']); // No Worker now: nothing to tell.
    await client.store('t2', shared);
    const again = workers[1]?.posted[0];
    expect(again?.message).toMatchObject({ type: 'store', trackId: 't1' });
    expect(again?.transfer).toEqual([]);
    const resupplied = again?.message as Extract<ToEngine, { type: 'store' }>;
    expect(resupplied.source.channels[0]).toBe(shared.channels[0]);
  });

  it('not isolated (ordinary memory), sends copies it transfers and keeps its own', async () => {
    const fake = recordingWorker();
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const own = { sampleRate: 48000, frames: 2, channels: [Float32Array.of(0.5, -0.5)] };
    await client.store('t', own);
    const { message, transfer } = fake.posted[0] as { message: ToEngine; transfer: Transferable[] };
    const copy = (message as Extract<ToEngine, { type: 'store' }>).source.channels[0];
    expect(copy).not.toBe(own.channels[0]);
    expect(copy).toEqual(own.channels[0]);
    expect(transfer).toEqual([copy?.buffer]);
  });

  it('tells a running Worker which tracks’ sources the desk let go of', async () => {
    const fake = recordingWorker();
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    await client.store('t', shared);
    client.forget([]);
    client.forget(['t', 'u']);
    expect(fake.posted.map((p) => p.message)).toContainEqual({ type: 'forget', trackIds: ['t', 'u'] });
    expect(fake.posted.filter((p) => p.message.type === 'forget')).toHaveLength(1);
  });
});
