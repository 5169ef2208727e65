import { isAppUrl } from './renderer-files';

/** Who sent an IPC call: the web contents, the frame inside it, and that frame's URL at the time. */
export type IpcSender = { contents: unknown; frame: unknown; frameUrl: string | null };
/** Our window: its web contents, their main frame, and the origin the renderer is served from. */
export type TrustedWindow = { contents: unknown; mainFrame: unknown; origin: string };

/**
 * Only our window's main frame, showing our renderer, may use the bridge: not another window, not a
 * subframe, not our frame after it was navigated elsewhere. No window (closed, not yet made): no one.
 */
export function isTrustedSender(sender: IpcSender, window: TrustedWindow | null): boolean {
  return (
    window !== null &&
    sender.contents === window.contents &&
    sender.frame !== null &&
    sender.frame !== undefined &&
    sender.frame === window.mainFrame &&
    sender.frameUrl !== null &&
    isAppUrl(sender.frameUrl, window.origin)
  );
}
