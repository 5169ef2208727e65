import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT } from '../../contracts/export';
import { EngineClient } from './engine-client';
import type { FromEngine, ToEngine } from './protocol';

/**
 * A stand-in for the engine Worker that posts, for a render, each of `handed(id)` in turn, the next
 * only after the desk said it took the previous one (as the real Worker does), then `done(id)`.
 */
function handingWorker(handed: (id: number) => FromEngine[], done: (id: number) => FromEngine) {
  const log: string[] = [];
  /** What each `taken` gave back, and what it transferred. */
  const returned: { buffer?: ArrayBuffer; transfer: Transferable[] }[] = [];
  let terminated = false;
  let render: { id: number; next: number } | null = null;
  const worker = {
    onmessage: null as ((e: MessageEvent<FromEngine>) => void) | null,
    onerror: null,
    postMessage(message: ToEngine, transfer: Transferable[] = []) {
      if (terminated) throw new Error('posted to a terminated worker');
      log.push(message.type);
      if (message.type === 'taken') returned.push({ buffer: message.buffer, transfer });
      if (message.type === 'render') {
        render = { id: message.id, next: 0 };
        send();
      } else if (message.type === 'taken' && render?.id === message.id) send();
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
    const items = handed(id);
    deliver(index < items.length ? (items[index] as FromEngine) : done(id));
  };
  return { worker: worker as unknown as Worker, log, returned, isTerminated: () => terminated };
}

function stemWorker(count: number) {
  return handingWorker(
    (id) =>
      Array.from({ length: count }, (_, index) => ({
        type: 'stem' as const,
        id,
        trackId: `t${index}`,
        index,
        count,
        bytes: new Uint8Array([index]),
        more: false,
      })),
    (id) => ({ type: 'stemsDone', id, clipping: { samples: 0, peak: 0.5 } }),
  );
}

/** The mix in three pieces, then the header written over the first bytes, as the Worker posts a WAV. */
function pieceWorker() {
  return handingWorker(
    (id) => [
      { type: 'piece', id, bytes: new Uint8Array([1, 1, 1]) },
      { type: 'piece', id, bytes: new Uint8Array([2, 2]) },
      { type: 'piece', id, bytes: new Uint8Array([3]) },
      { type: 'piece', id, bytes: new Uint8Array([9]), at: 0 },
    ],
    (id) => ({ type: 'rendered', id, size: 6, clipping: { samples: 3, peak: 1.5 } }),
  );
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
        expect(fake.log.filter((t) => t === 'taken')).toHaveLength(stem.index);
        taken.push(`${stem.trackId}:${stem.index + 1}/${stem.count}:${stem.bytes[0]}`);
      },
    );
    expect(taken).toEqual(['t0:1/3:0', 't1:2/3:1', 't2:3/3:2']);
    expect(result).toEqual({ clipping: { samples: 0, peak: 0.5 } });
    expect(fake.log).toEqual(['render', 'taken', 'taken', 'taken']);
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
    expect(fake.log).toEqual(['render', 'taken', 'terminated']);
  });
});

describe('engine client: the mix, a piece at a time', () => {
  it('hands each piece over in order, patch last, and asks for more only once it is written', async () => {
    const fake = pieceWorker();
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const file: number[] = [];
    let handed = 0;
    const result = await client.render(
      mix,
      DEFAULT_EXPORT,
      () => {},
      async ({ bytes, at }) => {
        // While a piece is being written, the Worker has not been told to go on.
        expect(fake.log.filter((t) => t === 'taken')).toHaveLength(handed++);
        if (at === undefined) file.push(...bytes);
        else file.splice(at, bytes.length, ...bytes);
        await new Promise((r) => setTimeout(r, 1));
      },
    );
    expect(file).toEqual([9, 1, 1, 2, 2, 3]);
    expect(result).toEqual({ size: 6, clipping: { samples: 3, peak: 1.5 } });
    expect(fake.log).toEqual(['render', 'taken', 'taken', 'taken', 'taken']);
  });

  it('gives each piece’s buffer back to the Worker once it is written, transferred', async () => {
    const fake = pieceWorker();
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const lent: ArrayBuffer[] = [];
    await client.render(
      mix,
      DEFAULT_EXPORT,
      () => {},
      async ({ bytes }) => {
        lent.push(bytes.buffer as ArrayBuffer);
        // Not before the piece is written: the Worker would fill it again under the write.
        expect(fake.returned).toHaveLength(lent.length - 1);
      },
    );
    expect(lent).toHaveLength(4);
    expect(fake.returned.map((r) => r.buffer)).toEqual(lent);
    for (const [i, r] of fake.returned.entries()) {
      expect(r.buffer).toBe(lent[i]);
      expect(r.transfer).toEqual([lent[i]]);
    }
  });

  it('gives each stem piece’s buffer back too, but none of a piece that could not be written', async () => {
    const fake = stemWorker(3);
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const lent: ArrayBuffer[] = [];
    await expect(
      client.renderStems(
        mix,
        DEFAULT_EXPORT,
        () => {},
        async (stem) => {
          lent.push(stem.bytes.buffer as ArrayBuffer);
          if (stem.index === 2) throw new Error('disk full');
        },
      ),
    ).rejects.toThrow('disk full');
    expect(lent).toHaveLength(3);
    expect(fake.returned.map((r) => r.buffer)).toEqual(lent.slice(0, 2));
    expect(fake.log).toEqual(['render', 'taken', 'taken', 'terminated']);
  });

  it('a piece that cannot be written (thrown at once or later) stops the Worker and fails the render', async () => {
    for (const how of ['rejects', 'throws'] as const) {
      const fake = pieceWorker();
      const client = new EngineClient(
        () => fake.worker,
        () => [],
      );
      const refused = new Error('disk full');
      let pieces = 0;
      await expect(
        client.render(mix, DEFAULT_EXPORT, () => {}, ((_piece: unknown) => {
          if (++pieces < 2) return Promise.resolve();
          if (how === 'throws') throw refused;
          return Promise.reject(refused);
        }) as never),
      ).rejects.toBe(refused);
      expect(pieces).toBe(2);
      expect(fake.isTerminated()).toBe(true);
      expect(fake.log).toEqual(['render', 'taken', 'terminated']);
      // Only the written piece's buffer went back; the Worker that would have reused it is gone.
      expect(fake.returned).toHaveLength(1);
    }
  });
});

/** A Worker stand-in that records what it is posted and answers a store with empty peaks. */
function recordingWorker() {
  const posted: { message: ToEngine; transfer: Transferable[] }[] = [];
  const state = { terminated: false };
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
    terminate() {
      state.terminated = true;
    },
  };
  return { worker: worker as unknown as Worker, posted, state };
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

  it('tells a busy Worker which tracks’ sources the desk let go of', async () => {
    const fake = recordingWorker();
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    await client.store('t', shared);
    // A decode under way (never answered here): the Worker is busy and must not be stopped.
    void client.decode('v', new ArrayBuffer(8)).catch(() => undefined);
    client.forget([]);
    client.forget(['t', 'u']);
    expect(fake.posted.map((p) => p.message)).toContainEqual({ type: 'forget', trackIds: ['t', 'u'] });
    expect(fake.posted.filter((p) => p.message.type === 'forget')).toHaveLength(1);
    expect(fake.state.terminated).toBe(false);
  });

  it('stops an idle Worker instead (its thread collects lazily); the next one gets what the desk holds', async () => {
    const workers = [recordingWorker(), recordingWorker()];
    let spawned = 0;
    const held = new Map([
      ['t1', shared],
      ['t2', shared],
    ]);
    const client = new EngineClient(
      () => workers[spawned++]?.worker as Worker,
      () => [...held].map(([trackId, source]) => ({ trackId, source })),
    );
    await client.store('t1', shared);
    held.delete('t2');
    client.forget(['t2']);
    expect(workers[0]?.state.terminated).toBe(true);
    expect(workers[0]?.posted.some((p) => p.message.type === 'forget')).toBe(false);
    await client.store('t3', shared);
    expect(spawned).toBe(2);
    expect(workers[1]?.posted.map((p) => (p.message as { trackId?: string }).trackId)).toEqual(['t1', 't3']);
  });

  it('keeps a Worker that holds a master for Save, and tells it; stops it once the master is dropped', async () => {
    const fake = recordingWorker();
    const client = new EngineClient(
      () => fake.worker,
      () => [],
    );
    const mastering = client.master(
      { tracks: [], master: { gainDb: 0 } as never, reverb: {} as never, sampleRate: 48000 },
      DEFAULT_EXPORT,
      () => undefined,
    );
    const asked = fake.posted.find((p) => p.message.type === 'master')?.message as { id: number };
    const answer: FromEngine = {
      type: 'mastered',
      id: asked.id,
      report: {} as never,
      sampleRate: 48000,
      original: [],
      mastered: [],
    };
    (fake.worker.onmessage as (e: MessageEvent) => void)({ data: answer } as MessageEvent);
    await mastering;
    client.forget(['t']);
    expect(fake.state.terminated).toBe(false);
    expect(fake.posted.map((p) => p.message.type)).toContain('forget');
    client.dropMaster(asked.id);
    client.forget(['u']);
    expect(fake.state.terminated).toBe(true);
  });
});
