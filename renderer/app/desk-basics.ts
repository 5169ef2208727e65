import type { SiberiaBridge } from '../../contracts/bridge';
import type { MixAction, MixState } from '../state/mix';
import type { Store } from '../state/store';
import type { Notices } from './notices';

/** What every part of the desk is built with: main's bridge, the mix, and the way to tell the musician. */
export type DeskBasics = {
  bridge: SiberiaBridge;
  mix: Store<MixState, MixAction>;
  notices: Notices;
};
