/**
 * A name suggested across a boundary (the renderer's export name, a track's name as a stem file),
 * never a place: path parts and control characters are dropped. One rule for main and the CLI.
 */
export function safeFileName(name: string, fallback = 'render.wav'): string {
  const parts = name.replaceAll('\\', '/').split('/');
  const base = (parts[parts.length - 1] ?? '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\x00-\x1f<>:"|?*]/g, '_')
    .trim();
  return base && base !== '.' && base !== '..' ? base : fallback;
}
