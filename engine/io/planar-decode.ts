import { parseAudioFile } from './decode';
import { bytesPerFrame, bytesSource, decodeFrames, type PcmLayout } from './pcm';
import type { PlanarAudio, PlanarChannel } from './planar';

/** Where a channel's samples go: an ArrayBuffer, or a SharedArrayBuffer other threads read too. */
export type MakeBuffer = (byteLength: number) => ArrayBufferLike;

const ordinary: MakeBuffer = (n) => new ArrayBuffer(n);

/**
 * Reads a WAV or AIFF file as decodeAudioFile does, keeping it at the file's own precision where
 * that is exact: 16-bit and 8-bit integer PCM as Int16Array (8-bit shifted up: the same values
 * over 32768), everything else as Float32Array (24-bit exactly; 32-bit integer and 64-bit float
 * rounded as decodeAudioFile rounds them). The channels' memory comes from `makeBuffer`.
 */
export function decodePlanar(bytes: Uint8Array, makeBuffer: MakeBuffer = ordinary): PlanarAudio {
  const layout = parseAudioFile(bytesSource(bytes));
  const data = bytes.subarray(layout.dataOffset, layout.dataOffset + layout.frames * bytesPerFrame(layout));
  const channels = isInt16(layout)
    ? decodeInt16(layout, data, makeBuffer)
    : decodeFloat(layout, data, makeBuffer);
  const audio: PlanarAudio = { sampleRate: layout.sampleRate, channels };
  if (layout.notice) audio.notice = layout.notice;
  if (layout.recovered) audio.recovered = layout.recovered;
  return audio;
}

const isInt16 = (layout: PcmLayout) => !layout.float && (layout.bits === 16 || layout.bits === 8);

function decodeFloat(layout: PcmLayout, data: Uint8Array, makeBuffer: MakeBuffer): PlanarChannel[] {
  const channels = Array.from(
    { length: layout.channels },
    () => new Float32Array(makeBuffer(4 * layout.frames)),
  );
  decodeFrames(layout, data, layout.frames, channels, 0);
  return channels;
}

function decodeInt16(layout: PcmLayout, data: Uint8Array, makeBuffer: MakeBuffer): PlanarChannel[] {
  const { frames, channels: count } = layout;
  const channels = Array.from({ length: count }, () => new Int16Array(makeBuffer(2 * frames)));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (layout.bits === 8) {
    for (let c = 0; c < count; c++) {
      const ch = channels[c] as Int16Array;
      for (let i = 0, p = c; i < frames; i++, p += count)
        ch[i] = layout.unsigned8 ? (view.getUint8(p) - 128) << 8 : view.getInt8(p) << 8;
    }
    return channels;
  }
  const little = !layout.bigEndian;
  for (let c = 0; c < count; c++) {
    const ch = channels[c] as Int16Array;
    for (let i = 0, p = 2 * c; i < frames; i++, p += 2 * count) ch[i] = view.getInt16(p, little);
  }
  return channels;
}
