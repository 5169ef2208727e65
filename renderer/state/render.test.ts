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
    let s: RenderState = {
      phase: 'rendering',
      kind: 'export',
      job: 2,
      progress: 0.4,
      grantId: 'g',
      stem: null,
    };
    expect(renderReducer(s, { type: 'progress', job: 1, fraction: 0.9 })).toBe(s);
    expect(renderReducer(s, { type: 'progress', job: 2, fraction: 0.1 })).toBe(s);
    s = renderReducer(s, { type: 'progress', job: 2, fraction: 7 });
    expect(s).toMatchObject({ progress: 1 });
  });

  it('an export has no report', () => {
    const s: RenderState = {
      phase: 'rendering',
      kind: 'export',
      job: 1,
      progress: 1,
      grantId: 'g',
      stem: null,
    };
    expect(renderReducer(s, { type: 'report', job: 1, report })).toBe(s);
  });

  it('an export is chosen in its dialog before it renders; stems say which one is under way', () => {
    let s: RenderState = renderReducer({ phase: 'idle' }, { type: 'authorize', kind: 'export' });
    s = renderReducer(s, { type: 'choose', grantId: 'g', lastPath: null });
    expect(s).toEqual({ phase: 'choosing', grantId: 'g', lastPath: null });
    // Another grant's start, or a master, does not leave the dialog.
    expect(renderReducer(s, { type: 'start', kind: 'export', job: 1, grantId: 'other' })).toBe(s);
    expect(renderReducer(s, { type: 'start', kind: 'master', job: 1, grantId: 'g' })).toBe(s);
    s = renderReducer(s, { type: 'start', kind: 'export', job: 1, grantId: 'g' });
    expect(s).toMatchObject({ phase: 'rendering', stem: null });
    s = renderReducer(s, { type: 'stem', job: 1, index: 2, count: 3 });
    expect(s).toMatchObject({ stem: { index: 2, count: 3 } });
    expect(renderReducer(s, { type: 'stem', job: 9, index: 3, count: 3 })).toBe(s);
    // A master's grant never opens the export dialog.
    const master = renderReducer({ phase: 'idle' }, { type: 'authorize', kind: 'master' });
    expect(renderReducer(master, { type: 'choose', grantId: 'g', lastPath: null })).toBe(master);
  });

  it('the A/B plays level-matched until asked otherwise', () => {
    let s: RenderState = renderReducer({ phase: 'idle' }, { type: 'authorize', kind: 'master' });
    s = renderReducer(s, { type: 'start', kind: 'master', job: 1, grantId: 'g' });
    s = renderReducer(s, { type: 'report', job: 1, report });
    expect(s).toMatchObject({ phase: 'report', matched: true });
    s = renderReducer(s, { type: 'match', matched: false });
    expect(s).toMatchObject({ matched: false });
    expect(renderReducer(s, { type: 'match', matched: false })).toBe(s);
  });
});
