/**
 * What a musician sees when the app cannot start: what went wrong in one line and what to do, in
 * a dialog shown before the app exits (so no invisible process keeps the single-instance lock).
 */
export function startupFailureText(error: unknown, userData: string): { title: string; content: string } {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    title: 'Siberia Mix could not start',
    content: [
      `Siberia Mix stopped while starting: ${reason.slice(0, 300)}`,
      '',
      'What to do: start Siberia Mix again. If this keeps happening, move the folder',
      `${userData}`,
      'somewhere else (it holds the app’s settings; your projects are elsewhere) and start again,',
      'or reinstall Siberia Mix.',
    ].join('\n'),
  };
}
