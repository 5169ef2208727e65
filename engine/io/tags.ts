import type { ExportTags } from '../../contracts/export';

/** UTF-8 bytes of a string (the engine has no TextEncoder in its types: it runs in a Worker and Node alike). */
export function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
const hasTags = (tags: ExportTags | undefined): tags is ExportTags => Boolean(tags?.title || tags?.artist);

/** A size in ID3v2's "synchsafe" form: 7 bits a byte, so no byte looks like an MPEG sync. */
function synchsafe(n: number): number[] {
  return [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f];
}

/** An ID3v2.4 tag (TIT2 title, TPE1 artist, UTF-8) for the front of an MP3; empty without tags. */
export function id3v2(tags: ExportTags | undefined): Uint8Array {
  if (!hasTags(tags)) return new Uint8Array(0);
  const frames: number[] = [];
  for (const [id, text] of [
    ['TIT2', tags.title],
    ['TPE1', tags.artist],
  ] as const) {
    if (!text) continue;
    const body = [0x03, ...utf8(text)];
    frames.push(...utf8(id), ...synchsafe(body.length), 0, 0, ...body);
  }
  return Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, ...synchsafe(frames.length), ...frames]);
}

/** A RIFF LIST/INFO chunk (INAM title, IART artist) for the end of a WAV; empty without tags. */
export function riffInfo(tags: ExportTags | undefined): Uint8Array {
  if (!hasTags(tags)) return new Uint8Array(0);
  const parts: number[] = [...utf8('INFO')];
  for (const [id, text] of [
    ['INAM', tags.title],
    ['IART', tags.artist],
  ] as const) {
    if (!text) continue;
    // Zero-terminated, and padded to an even size as every RIFF chunk.
    const body = [...utf8(text), 0];
    if (body.length & 1) body.push(0);
    const size = body.length;
    parts.push(...utf8(id), size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24, ...body);
  }
  const size = parts.length;
  return Uint8Array.from([
    ...utf8('LIST'),
    size & 0xff,
    (size >> 8) & 0xff,
    (size >> 16) & 0xff,
    size >>> 24,
    ...parts,
  ]);
}
