import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyProject } from '../state/mix';
import { Autosaver } from './autosave';

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves only the last of a burst of changes', async () => {
    const saved: string[] = [];
    const autosaver = new Autosaver(async (p) => {
      saved.push(p.name);
      return { ok: true };
    }, 1000);
    for (const name of ['a', 'b', 'c']) autosaver.schedule({ ...emptyProject(), name });
    await vi.runAllTimersAsync();
    expect(saved).toEqual(['c']);
  });

  it('does not save the project it restored', async () => {
    const save = vi.fn(async () => ({ ok: true }));
    const autosaver = new Autosaver(save, 1000);
    const restored = emptyProject();
    autosaver.skip(restored);
    autosaver.schedule(restored);
    await vi.runAllTimersAsync();
    expect(save).not.toHaveBeenCalled();
  });

  it('a failed save is tried again with the next change, and never throws', async () => {
    let fail = true;
    const saved: string[] = [];
    const autosaver = new Autosaver(async (p) => {
      if (fail) throw new Error('main is gone');
      saved.push(p.name);
      return { ok: true };
    }, 1000);
    autosaver.schedule({ ...emptyProject(), name: 'x' });
    await vi.runAllTimersAsync();
    fail = false;
    autosaver.schedule({ ...emptyProject(), name: 'y' });
    await vi.runAllTimersAsync();
    expect(saved).toEqual(['y']);
  });
});
