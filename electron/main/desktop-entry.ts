/**
 * Quotes a path as one argument of a desktop entry's Exec key, per the Desktop Entry Specification:
 * inside double quotes, `"`, `` ` ``, `$` and `\` take a backslash; `%` is doubled (a lone `%` starts
 * a field code); then the string-value rule doubles every backslash again. Control characters cannot
 * be written there at all, so a path holding one is refused.
 */
export function quoteExecArgument(arg: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(arg))
    throw new Error('a path with control characters cannot go in a desktop entry');
  const quoted = `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replaceAll('%', '%%')}"`;
  return quoted.replaceAll('\\', '\\\\');
}

/**
 * An AppImage is not installed, so nothing tells the desktop it handles our scheme: main writes a
 * user-level desktop entry pointing at the AppImage's current path.
 */
export function linuxSchemeDesktopEntry(appImagePath: string, scheme: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Siberia Mix',
    `Exec=${quoteExecArgument(appImagePath)} %u`,
    'Terminal=false',
    'NoDisplay=true',
    `MimeType=x-scheme-handler/${scheme};`,
    '',
  ].join('\n');
}

export const linuxDesktopFileName = (scheme: string): string => `${scheme}-url-handler.desktop`;
