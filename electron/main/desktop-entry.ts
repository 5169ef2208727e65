/**
 * An AppImage is not installed, so nothing tells the desktop it handles our scheme: main writes a
 * user-level desktop entry pointing at the AppImage's current path.
 */
export function linuxSchemeDesktopEntry(appImagePath: string, scheme: string): string {
  // Desktop entry Exec quoting: backslash, double quote, backtick and dollar are escaped.
  const quoted = `"${appImagePath.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Siberia Mix',
    `Exec=${quoted} %u`,
    'Terminal=false',
    'NoDisplay=true',
    `MimeType=x-scheme-handler/${scheme};`,
    '',
  ].join('\n');
}

export const linuxDesktopFileName = (scheme: string): string => `${scheme}-url-handler.desktop`;
