import { describe, expect, it } from 'vitest';
import { type RenderState, renderReducer } from './render';

const report = {
  targetLufs: -14,
  ceilingDbtp: -1,
  before: { integratedLufs: -20, loudnessRangeLu: 3, truePeakDbtp: -6 },
  after: { integratedLufs: -14, loudnessRangeLu: 3, truePeakDbtp: -1.2 },
  gainAppliedDb: 6,
};

describe('render flow', () => {
  it('goes authorize → render → report → saving → idle for a master', () => {
    let s: RenderState = { phase: 'idle' };
    s = renderReducer(s, { type: 'authorize', kind: 'master' });
    s = renderReducer(s, { type: 'start', kind: 'master', job: 1, grantId: 'g' });
    s = renderReducer(s, { type: 'progress', job: 1, fraction: 0.5 });
    expect(s).toMatchObject({ phase: 'rendering', progress: 0.5 });
    s = renderReducer(s, { type: 'report', job: 1, report });
    expect(s).toMatchObject({ phase: 'report', grantId: 'g', listening: 'B' });
    s = renderReducer(s, { type: 'listen', side: 'A' });
    expect(s).toMatchObject({ listening: 'A' });
    s = renderReducer(s, { type: 'saving', job: 1, kind: 'master' });
    expect(s.phase).toBe('saving');
    expect(renderReducer(s, { type: 'done' })).toEqual({ phase: 'idle' });
  });

  it('one job at a time: a second authorize while busy changes nothing', () => {
    const s = renderReducer({ phase: 'idle' }, { type: 'authorize', kind: 'export' });
    expect(renderReducer(s, { type: 'authorize', kind: 'master' })).toBe(s);
  });

  it('ignores progress of another job and never goes backwards', () => {
    let s: RenderState = { phase: 'rendering', kind: 'export', job: 2, progress: 0.4, grantId: 'g' };
    expect(renderReducer(s, { type: 'progress', job: 1, fraction: 0.9 })).toBe(s);
    expect(renderReducer(s, { type: 'progress', job: 2, fraction: 0.1 })).toBe(s);
    s = renderReducer(s, { type: 'progress', job: 2, fraction: 7 });
    expect(s).toMatchObject({ progress: 1 });
  });

  it('an export has no report', () => {
    const s: RenderState = { phase: 'rendering', kind: 'export', job: 1, progress: 1, grantId: 'g' };
    expect(renderReducer(s, { type: 'report', job: 1, report })).toBe(s);
  });
});
