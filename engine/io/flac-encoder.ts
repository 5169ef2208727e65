import type { ExportTags } from '../../contracts/export';
import { BitWriter } from './bit-writer';
import { Md5 } from './md5';
import { utf8 } from './tags';

/**
 * The engine's own FLAC encoder: fixed predictors of order 0 to 4 chosen per subframe, the stereo
 * decorrelation (left/side, side/right, mid/side) that costs least, constant subframes for silence,
 * partitioned Rice coding, blocks of 4096 frames. LPC would pack a few percent smaller; fixed
 * predictors keep the encoder short and fast, and the file is exactly the same PCM either way.
 *
 * It takes the PCM as interleaved little-endian bytes (what the WAV writer produces, dithered the
 * same way), so a FLAC and a WAV of one mix at one bit depth and dither seed hold identical samples,
 * and the STREAMINFO MD5 is the MD5 of those very bytes.
 */
export const FLAC_BLOCK = 4096;

export type FlacSpec = {
  sampleRate: number;
  channelCount: number;
  bits: 16 | 24;
  /** Total frames when known: written up front (and checked again in the patch at the end). */
  frames?: number;
  tags?: ExportTags;
};

/** Where the header's STREAMINFO body sits in the file, to be patched when the totals are known. */
export const STREAMINFO_OFFSET = 8;

const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  let c16 = i << 8;
  for (let b = 0; b < 8; b++) {
    c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
    c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
  }
  CRC8[i] = c8;
  CRC16[i] = c16;
}

const RATE_CODES: Record<number, number> = {
  88200: 1,
  176400: 2,
  192000: 3,
  8000: 4,
  16000: 5,
  22050: 6,
  24000: 7,
  32000: 8,
  44100: 9,
  48000: 10,
  96000: 11,
};

const utf8Bytes = utf8;

function vorbisComment(tags: ExportTags | undefined): Uint8Array {
  const vendor = utf8Bytes('Siberia Mix');
  const comments = [tags?.title ? `TITLE=${tags.title}` : '', tags?.artist ? `ARTIST=${tags.artist}` : '']
    .filter(Boolean)
    .map(utf8Bytes);
  const size = 4 + vendor.byteLength + 4 + comments.reduce((s, c) => s + 4 + c.byteLength, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  view.setUint32(o, vendor.byteLength, true);
  out.set(vendor, o + 4);
  o += 4 + vendor.byteLength;
  view.setUint32(o, comments.length, true);
  o += 4;
  for (const c of comments) {
    view.setUint32(o, c.byteLength, true);
    out.set(c, o + 4);
    o += 4 + c.byteLength;
  }
  return out;
}

function streamInfo(
  spec: FlacSpec,
  totals: { frames: number; minFrame: number; maxFrame: number; md5: Uint8Array | null },
): Uint8Array {
  const w = new BitWriter(64);
  const lastBlock = Math.min(FLAC_BLOCK, Math.max(totals.frames, 16));
  w.write(totals.frames > 0 && totals.frames < FLAC_BLOCK ? lastBlock : FLAC_BLOCK, 16);
  w.write(totals.frames > 0 && totals.frames < FLAC_BLOCK ? lastBlock : FLAC_BLOCK, 16);
  w.write(totals.minFrame, 24);
  w.write(totals.maxFrame, 24);
  w.write(spec.sampleRate, 20);
  w.write(spec.channelCount - 1, 3);
  w.write(spec.bits - 1, 5);
  w.write(Math.floor(totals.frames / 2 ** 32) & 0xf, 4);
  w.write(totals.frames >>> 0, 32);
  const out = new Uint8Array(34);
  out.set(w.bytes.subarray(0, 18));
  if (totals.md5) out.set(totals.md5, 18);
  return out;
}

function blockHeader(last: boolean, type: number, length: number): Uint8Array {
  return Uint8Array.of((last ? 0x80 : 0) | type, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

/** Sum of |residual| of each fixed predictor order over x[0, n): the cheapest order and its cost. */
function bestFixedOrder(x: Int32Array, n: number): { order: number; cost: number } {
  if (n < 5) return { order: 0, cost: x.subarray(0, n).reduce((s, v) => s + Math.abs(v), 0) };
  let e0 = 0;
  let e1 = 0;
  let e2 = 0;
  let e3 = 0;
  let e4 = 0;
  let p0 = x[3] as number;
  let p1 = p0 - (x[2] as number);
  let p2 = p1 - ((x[2] as number) - (x[1] as number));
  let p3 = p2 - ((x[2] as number) - 2 * (x[1] as number) + (x[0] as number));
  for (let i = 4; i < n; i++) {
    const v = x[i] as number;
    const d1 = v - p0;
    const d2 = d1 - p1;
    const d3 = d2 - p2;
    const d4 = d3 - p3;
    e0 += Math.abs(v);
    e1 += Math.abs(d1);
    e2 += Math.abs(d2);
    e3 += Math.abs(d3);
    e4 += Math.abs(d4);
    p0 = v;
    p1 = d1;
    p2 = d2;
    p3 = d3;
  }
  const costs = [e0, e1, e2, e3, e4];
  let order = 0;
  for (let o = 1; o < 5; o++) if ((costs[o] as number) < (costs[order] as number)) order = o;
  return { order, cost: costs[order] as number };
}

function fixedResidual(x: Int32Array, n: number, order: number, out: Float64Array): void {
  for (let i = order; i < n; i++) {
    const a = x[i] as number;
    let r: number;
    switch (order) {
      case 0:
        r = a;
        break;
      case 1:
        r = a - (x[i - 1] as number);
        break;
      case 2:
        r = a - 2 * (x[i - 1] as number) + (x[i - 2] as number);
        break;
      case 3:
        r = a - 3 * (x[i - 1] as number) + 3 * (x[i - 2] as number) - (x[i - 3] as number);
        break;
      default:
        r =
          a -
          4 * (x[i - 1] as number) +
          6 * (x[i - 2] as number) -
          4 * (x[i - 3] as number) +
          (x[i - 4] as number);
    }
    // Zig-zag: 0, -1, 1, -2 … → 0, 1, 2, 3 …
    out[i - order] = r >= 0 ? 2 * r : -2 * r - 1;
  }
}

/** The Rice parameter (and estimated bits) for `count` values summing to `sum`. */
function riceParam(sum: number, count: number, maxParam: number): { k: number; bits: number } {
  let best = { k: 0, bits: Number.POSITIVE_INFINITY };
  const mean = count > 0 ? sum / count : 0;
  const guess = mean > 1 ? Math.floor(Math.log2(mean)) : 0;
  for (let k = Math.max(0, guess - 1); k <= Math.min(maxParam, guess + 1); k++) {
    const bits = count * (k + 1) + Math.floor(sum / 2 ** k);
    if (bits < best.bits) best = { k, bits };
  }
  return best;
}

const MAX_PARTITION_ORDER = 8;

/** Writes one subframe of x[0, n) at `bps` bits. */
function writeSubframe(w: BitWriter, x: Int32Array, n: number, bps: number, scratch: Float64Array): void {
  let constant = true;
  for (let i = 1; i < n && constant; i++) if (x[i] !== x[0]) constant = false;
  const mask = bps >= 32 ? 0xffffffff : 2 ** bps - 1;
  const signed = (v: number) => (v < 0 ? v + mask + 1 : v);
  if (constant) {
    w.write(0, 8);
    w.write(signed(x[0] as number), bps);
    return;
  }
  const { order } = bestFixedOrder(x, n);
  fixedResidual(x, n, order, scratch);
  // Partitions: the finest sums first, coarser ones by adding neighbours.
  let bestOrder = 0;
  let bestBits = Number.POSITIVE_INFINITY;
  let bestParams: number[] = [];
  const maxParam = bps > 16 ? 30 : 14;
  for (let p = 0; p <= MAX_PARTITION_ORDER; p++) {
    if (n % (1 << p) !== 0 || n >> p <= order) break;
    const size = n >> p;
    let bits = 0;
    const params: number[] = [];
    for (let part = 0; part < 1 << p; part++) {
      const from = part === 0 ? 0 : part * size - order;
      const to = (part + 1) * size - order;
      let sum = 0;
      for (let i = from; i < to; i++) sum += scratch[i] as number;
      const r = riceParam(sum, to - from, maxParam);
      params.push(r.k);
      bits += r.bits + 5;
    }
    if (bits < bestBits) {
      bestBits = bits;
      bestOrder = p;
      bestParams = params;
    }
  }
  if (bestBits > n * bps) {
    // Noise the predictors cannot shrink: stored as is.
    w.write(0b00000010, 8);
    for (let i = 0; i < n; i++) w.write(signed(x[i] as number), bps);
    return;
  }
  w.reserve(Math.ceil(bestBits / 8) + 64 + order * 4);
  w.write(0b00010000 | (order << 1), 8);
  for (let i = 0; i < order; i++) w.write(signed(x[i] as number), bps);
  const rice2 = bestParams.some((k) => k > 14);
  w.write(rice2 ? 1 : 0, 2);
  w.write(bestOrder, 4);
  const size = n >> bestOrder;
  for (let part = 0; part < bestParams.length; part++) {
    const k = bestParams[part] as number;
    w.write(k, rice2 ? 5 : 4);
    const from = part === 0 ? 0 : part * size - order;
    const to = (part + 1) * size - order;
    const div = 2 ** k;
    for (let i = from; i < to; i++) {
      const u = scratch[i] as number;
      const q = Math.floor(u / div);
      w.unary(q);
      if (k > 0) w.write(u - q * div, k);
    }
  }
}

/** Streams FLAC: header(), then PCM bytes as they come, then finish() with the STREAMINFO patch. */
export class FlacWriter {
  private readonly spec: FlacSpec;
  private readonly block: Int32Array[];
  private readonly side = new Int32Array(FLAC_BLOCK);
  private readonly mid = new Int32Array(FLAC_BLOCK);
  private readonly scratch = new Float64Array(FLAC_BLOCK);
  private readonly writer: BitWriter;
  private readonly md5 = new Md5();
  private filled = 0;
  private frameNumber = 0;
  private frames = 0;
  private minFrame = Number.POSITIVE_INFINITY;
  private maxFrame = 0;
  private out: Uint8Array[] = [];

  constructor(spec: FlacSpec) {
    if (spec.channelCount < 1 || spec.channelCount > 8) throw new RangeError('FLAC holds 1 to 8 channels.');
    this.spec = spec;
    this.block = Array.from({ length: spec.channelCount }, () => new Int32Array(FLAC_BLOCK));
    this.writer = new BitWriter(FLAC_BLOCK * spec.channelCount * 4 + 1024);
  }

  header(): Uint8Array {
    const comment = vorbisComment(this.spec.tags);
    const info = streamInfo(this.spec, {
      frames: this.spec.frames ?? 0,
      minFrame: 0,
      maxFrame: 0,
      md5: null,
    });
    const out = new Uint8Array(4 + 4 + 34 + 4 + comment.byteLength);
    out.set([0x66, 0x4c, 0x61, 0x43]);
    out.set(blockHeader(false, 0, 34), 4);
    out.set(info, STREAMINFO_OFFSET);
    out.set(blockHeader(true, 4, comment.byteLength), 42);
    out.set(comment, 46);
    return out;
  }

  /** Interleaved little-endian PCM (16 or 24-bit); returns the frames completed (concatenated). */
  push(pcm: Uint8Array, count: number): Uint8Array {
    this.md5.update(pcm.subarray(0, count * this.spec.channelCount * (this.spec.bits / 8)));
    const channels = this.spec.channelCount;
    const bytes = this.spec.bits / 8;
    this.out = [];
    for (let i = 0; i < count; ) {
      const take = Math.min(count - i, FLAC_BLOCK - this.filled);
      for (let c = 0; c < channels; c++) {
        const dst = this.block[c] as Int32Array;
        let p = (i * channels + c) * bytes;
        const stride = channels * bytes;
        if (bytes === 2)
          for (let f = 0; f < take; f++, p += stride)
            dst[this.filled + f] = (((pcm[p + 1] as number) << 24) >> 16) | (pcm[p] as number);
        else
          for (let f = 0; f < take; f++, p += stride)
            dst[this.filled + f] =
              (((pcm[p + 2] as number) << 24) >> 8) | ((pcm[p + 1] as number) << 8) | (pcm[p] as number);
      }
      this.filled += take;
      i += take;
      if (this.filled === FLAC_BLOCK) this.flushBlock();
    }
    return concat(this.out);
  }

  /** The last, shorter block, and the STREAMINFO to write over the header's at STREAMINFO_OFFSET. */
  finish(): { tail: Uint8Array; streamInfo: Uint8Array } {
    this.out = [];
    if (this.filled > 0) this.flushBlock();
    const tail = concat(this.out);
    const info = streamInfo(this.spec, {
      frames: this.frames,
      minFrame: Number.isFinite(this.minFrame) ? this.minFrame : 0,
      maxFrame: this.maxFrame,
      md5: this.md5.digest(),
    });
    return { tail, streamInfo: info };
  }

  private flushBlock(): void {
    const n = this.filled;
    const w = this.writer;
    const { bits, channelCount } = this.spec;
    w.reset();
    w.reserve(n * channelCount * 4 + 64);
    // Which pair costs least: L/R, L/S, S/R or M/S (stereo only).
    let assignment = channelCount - 1;
    let subframes: Array<{ x: Int32Array; bps: number }> = this.block.map((x) => ({ x, bps: bits }));
    if (channelCount === 2) {
      const l = this.block[0] as Int32Array;
      const r = this.block[1] as Int32Array;
      for (let i = 0; i < n; i++) {
        const a = l[i] as number;
        const b = r[i] as number;
        this.side[i] = a - b;
        this.mid[i] = (a + b) >> 1;
      }
      const cl = bestFixedOrder(l, n).cost;
      const cr = bestFixedOrder(r, n).cost;
      const cs = bestFixedOrder(this.side, n).cost;
      const cm = bestFixedOrder(this.mid, n).cost;
      const options = [
        {
          a: 1,
          cost: cl + cr,
          s: [
            { x: l, bps: bits },
            { x: r, bps: bits },
          ],
        },
        {
          a: 8,
          cost: cl + cs,
          s: [
            { x: l, bps: bits },
            { x: this.side, bps: bits + 1 },
          ],
        },
        {
          a: 9,
          cost: cs + cr,
          s: [
            { x: this.side, bps: bits + 1 },
            { x: r, bps: bits },
          ],
        },
        {
          a: 10,
          cost: cm + cs,
          s: [
            { x: this.mid, bps: bits },
            { x: this.side, bps: bits + 1 },
          ],
        },
      ];
      const best = options.reduce((a, b) => (b.cost < a.cost ? b : a));
      assignment = best.a;
      subframes = best.s;
    }
    // Frame header.
    w.write(0xfff8, 16);
    const sizeCode = n === FLAC_BLOCK ? 12 : n <= 256 ? 6 : 7;
    w.write(sizeCode, 4);
    w.write(RATE_CODES[this.spec.sampleRate] ?? 0, 4);
    w.write(assignment, 4);
    w.write(bits === 16 ? 4 : 6, 3);
    w.write(0, 1);
    writeUtf8Number(w, this.frameNumber);
    if (sizeCode === 6) w.write(n - 1, 8);
    else if (sizeCode === 7) w.write(n - 1, 16);
    let crc8 = 0;
    for (let i = 0; i < w.length; i++) crc8 = CRC8[crc8 ^ (w.bytes[i] as number)] as number;
    w.write(crc8, 8);
    for (const s of subframes) writeSubframe(w, s.x, n, s.bps, this.scratch);
    w.align();
    let crc16 = 0;
    for (let i = 0; i < w.length; i++)
      crc16 = ((crc16 << 8) & 0xffff) ^ (CRC16[(crc16 >> 8) ^ (w.bytes[i] as number)] as number);
    w.write(crc16, 16);
    this.out.push(w.bytes.slice(0, w.length));
    this.minFrame = Math.min(this.minFrame, w.length);
    this.maxFrame = Math.max(this.maxFrame, w.length);
    this.frames += n;
    this.frameNumber++;
    this.filled = 0;
  }
}

function writeUtf8Number(w: BitWriter, v: number): void {
  if (v < 0x80) {
    w.write(v, 8);
    return;
  }
  const bytes = v < 0x800 ? 2 : v < 0x10000 ? 3 : v < 0x200000 ? 4 : v < 0x4000000 ? 5 : 6;
  const lead = (0xff00 >> bytes) & 0xff;
  w.write(lead | Math.floor(v / 2 ** (6 * (bytes - 1))), 8);
  for (let i = bytes - 2; i >= 0; i--) w.write(0x80 | (Math.floor(v / 2 ** (6 * i)) & 0x3f), 8);
}

function concat(pieces: Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  const out = new Uint8Array(pieces.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
