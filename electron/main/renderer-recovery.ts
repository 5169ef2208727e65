/**
 * What main says when the desk's renderer stops: it crashed or was killed (often for memory, on a
 * large stem), or it stopped answering. Reloading restores the session from the autosave, which the
 * desk keeps as the musician works.
 */
export type RecoveryPrompt = {
  type: 'warning' | 'error';
  message: string;
  detail: string;
  buttons: string[];
  /** The button that reloads the desk; the other one closes the app, or waits. */
  reload: number;
};

/** For 'render-process-gone'; null when the renderer ended on purpose. */
export function rendererGonePrompt(reason: string): RecoveryPrompt | null {
  if (reason === 'clean-exit') return null;
  const why =
    reason === 'oom'
      ? 'ran out of memory'
      : reason === 'killed'
        ? 'was stopped by the system'
        : reason === 'crashed'
          ? 'crashed'
          : `stopped (${reason})`;
  return {
    type: 'error',
    message: `The mixing desk ${why}.`,
    detail: 'Reload it to carry on from your last autosave. Your files on disk are not affected.',
    buttons: ['Reload', 'Quit'],
    reload: 0,
  };
}

/** For 'unresponsive': waiting is offered first, since a long render may end on its own. */
export function rendererUnresponsivePrompt(): RecoveryPrompt {
  return {
    type: 'warning',
    message: 'The mixing desk is not responding.',
    detail: 'You can wait for it, or reload it and carry on from your last autosave.',
    buttons: ['Wait', 'Reload'],
    reload: 1,
  };
}
