import path from 'node:path';

/** The renderer suggests a name, never a place: path parts and control characters are dropped. */
export function safeFileName(name: string): string {
  const base = path
    .basename(name.replaceAll('\\', '/'))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\x00-\x1f<>:"|?*]/g, '_')
    .trim();
  return base && base !== '.' && base !== '..' ? base : 'render.wav';
}
