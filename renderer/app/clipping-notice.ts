import type { Clipping } from '../../engine/io/wav';
import {
  clippingNotice,
  clippingOffer,
  type LowerMaster,
  loweredMaster,
  loweredNotice,
} from '../state/clipping-offer';
import type { DeskBasics } from './desk-basics';

type Deps = Pick<DeskBasics, 'mix' | 'notices'>;

/**
 * After a saved export: when the engine counted clipped samples, a notice that stays says how many
 * and how loud, and offers to lower the master by what keeps the peak at −0.1 dBFS.
 */
export function reportClipping(deps: Deps, clipping: Clipping, what: 'mix' | 'stems'): void {
  const offer = clippingOffer(clipping, deps.mix.getState().present.master.gainDb);
  if (!offer) return;
  const notice = clippingNotice(offer, what, deps.notices.locale);
  deps.notices.offer('warning', notice.texts, notice.action && { type: 'lowerMaster', ...notice.action });
}

/**
 * The notice's button: the master fader comes down by the offer, as one undo step, and the desk says
 * where it is and to export again. Nothing is said when the fader had nowhere left to go.
 */
export function lowerMasterForClipping(deps: Deps, offer: LowerMaster): void {
  const before = deps.mix.getState().present.master.gainDb;
  const after = loweredMaster(before, offer.byDb);
  if (after >= before) return;
  // No gesture: a step of its own, never merged into a fader drag.
  deps.mix.dispatch({ type: 'setMaster', patch: { gainDb: after } });
  deps.notices.notify('info', loweredNotice(offer, before, after, deps.notices.locale), true);
}
