import { describe, expect, it } from 'vitest';
import { canUndo, emptyProject, initialMix, mixReducer } from '../state/mix';
import { initialSession, sessionReducer } from '../state/session';
import { createStore } from '../state/store';
import { lowerMasterForClipping, reportClipping } from './clipping-notice';
import { Notices } from './notices';

function desk(locale: 'en' | 'fr' = 'en', masterDb = 0) {
  const session = createStore(sessionReducer, initialSession(locale));
  const project = emptyProject();
  const mix = createStore(
    mixReducer,
    initialMix({ ...project, master: { ...project.master, gainDb: masterDb } }),
  );
  return { session, mix, notices: new Notices(session) };
}

describe('the clipping notice on the desk', () => {
  it('a clean export says nothing', () => {
    const d = desk();
    reportClipping(d, { samples: 0, peak: 0.9 }, 'mix');
    expect(d.session.getState().notices).toEqual([]);
  });

  it('a clipped mix: a notice that stays, with its button; the button lowers the master as one undo step', () => {
    const d = desk('en', 1.5);
    reportClipping(d, { samples: 48000, peak: 1.3 }, 'mix');
    const [notice] = d.session.getState().notices;
    expect(notice).toEqual({
      id: 1,
      level: 'warning',
      text: 'The mix was saved, but 48,000 samples clipped (peak +2.3\u00a0dBFS).',
      stays: true,
      action: { type: 'lowerMaster', byDb: 2.4, enough: true, label: 'Lower the master by 2.4\u00a0dB' },
    });
    lowerMasterForClipping(d, notice?.action as { byDb: number; enough: boolean });
    expect(d.mix.getState().present.master.gainDb).toBe(-0.9);
    expect(d.session.getState().notices.at(-1)).toMatchObject({
      level: 'info',
      text: 'Master lowered by 2.4\u00a0dB, to -0.9\u00a0dB. Export again for a file that does not clip.',
      undo: true,
    });
    d.mix.dispatch({ type: 'undo' });
    expect(d.mix.getState().present.master.gainDb).toBe(1.5);
    expect(canUndo(d.mix.getState())).toBe(false);
  });

  it('in French, stems; the fader at its bottom gets no button and the press does nothing there', () => {
    const d = desk('fr', -96);
    reportClipping(d, { samples: 3, peak: 1.05 }, 'stems');
    const [notice] = d.session.getState().notices;
    expect(notice?.text).toBe(
      'Les stems ont été enregistrés, mais 3 échantillons ont saturé (crête +0,5\u00a0dBFS). Le fader du master est déjà au plus bas : baissez les pistes, ou exportez en WAV 32 bits flottant.',
    );
    expect(notice?.action).toBeUndefined();
    expect(notice?.stays).toBe(true);
    lowerMasterForClipping(d, { byDb: 0.6, enough: true });
    expect(canUndo(d.mix.getState())).toBe(false);
    expect(d.session.getState().notices).toHaveLength(1);
  });
});
