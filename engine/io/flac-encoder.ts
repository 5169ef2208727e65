import type { ExportTags } from '../../contracts/export';
import { BitWriter } from './bit-writer';
import { Md5 } from './md5';
import { utf8 } from './tags';

/**
 * The engine's own FLAC encoder: per subframe the smallest of a fixed predictor (order 0 to 4) and
 * LPC (orders 1, 2, 4, 6, 8; 15-bit coefficients), with wasted low bits shifted out, constant
 * subframes for silence; the stereo decorrelation (left/side, side/right, mid/side) that costs
 * least; partitioned Rice coding; blocks of 4096 frames.
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

/**
 * Sum of |residual| of each fixed predictor order over x[0, n) into costs[0 … 4]; returns the
 * cheapest order (its cost: costs[order]). Sums in a typed array: no object per call.
 */
function bestFixedOrder(x: Int32Array, n: number, costs: Float64Array): number {
  if (n < 5) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.abs(x[i] as number);
    costs[0] = sum;
    return 0;
  }
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
  costs[0] = e0;
  costs[1] = e1;
  costs[2] = e2;
  costs[3] = e3;
  costs[4] = e4;
  let order = 0;
  for (let o = 1; o < 5; o++) if ((costs[o] as number) < (costs[order] as number)) order = o;
  return order;
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

/** The Rice parameter for `count` values summing to `sum`; riceBits gives its estimated bits. */
function riceParam(sum: number, count: number, maxParam: number): number {
  // The parameter near log2 of the mean is within a bit of the best (libFLAC's estimate).
  const mean = count > 0 ? sum / count : 0;
  const k = mean < 1 ? 0 : mean < 4294967296 ? 31 - Math.clz32(mean) : Math.floor(Math.log2(mean));
  return k > maxParam ? maxParam : k;
}

const riceBits = (sum: number, count: number, k: number) => count * (k + 1) + Math.floor(sum / 2 ** k);

const MAX_PARTITION_ORDER = 8;

const MAX_LPC_ORDER = 8;
const QLP_PRECISION = 15;

/**
 * A quantised LPC predictor: its coefficients (as many as its order: the residual's inner loop is
 * bound by their length, which the compiler then knows) and their shift.
 */
type Lpc = { q: Int32Array; shift: number };

/**
 * Linear prediction for one block: a Welch-windowed autocorrelation, Levinson-Durbin, coefficients
 * quantised to QLP_PRECISION bits with the rounding error carried along (as libFLAC does). The
 * candidates (orders 4 and the highest) are written into s.lpc; returns how many.
 */
function lpcCandidates(x: Int32Array, n: number, s: SubframeScratch): number {
  const maxOrder = Math.min(MAX_LPC_ORDER, n - 1);
  const w = s.window;
  for (let i = 0; i < n; i++) {
    const t = (2 * i) / (n - 1) - 1;
    w[i] = (x[i] as number) * (1 - t * t);
  }
  const r = s.autocorrelation;
  for (let lag = 0; lag <= maxOrder; lag++) {
    let sum = 0;
    for (let i = lag; i < n; i++) sum += (w[i] as number) * (w[i - lag] as number);
    r[lag] = sum;
  }
  if ((r[0] as number) === 0) return 0;
  r[0] = (r[0] as number) * (1 + 1e-9);
  let found = 0;
  // The coefficients of order m - 1 (a) and m (next), in two buffers used in turn.
  let a = s.coefficients[0] as Float64Array;
  let next = s.coefficients[1] as Float64Array;
  let err = r[0] as number;
  for (let m = 1; m <= maxOrder; m++) {
    let acc = r[m] as number;
    for (let j = 1; j < m; j++) acc -= (a[j - 1] as number) * (r[m - j] as number);
    const k = acc / err;
    for (let j = 1; j < m; j++) next[j - 1] = (a[j - 1] as number) - k * (a[m - j - 1] as number);
    next[m - 1] = k;
    const t = a;
    a = next;
    next = t;
    err *= 1 - k * k;
    if (!(err > 0)) break;
    if (m === 4 || m === maxOrder) quantise(a, m, s.lpc[found++] as Lpc);
  }
  return found;
}

function quantise(coefs: Float64Array, order: number, into: Lpc): void {
  let cmax = 0;
  for (let i = 0; i < order; i++) cmax = Math.max(cmax, Math.abs(coefs[i] as number));
  const log2cmax = cmax > 0 ? Math.floor(Math.log2(cmax)) + 1 : 0;
  const shift = Math.max(0, Math.min(15, QLP_PRECISION - 1 - log2cmax));
  const top = 2 ** (QLP_PRECISION - 1) - 1;
  // A candidate's order is 4 or the block's highest, the same block after block: made again only
  // when it changes.
  if (into.q.length !== order) into.q = new Int32Array(order);
  let carry = 0;
  for (let i = 0; i < order; i++) {
    const v = (coefs[i] as number) * 2 ** shift + carry;
    const r = Math.max(-top - 1, Math.min(top, Math.round(v)));
    carry = v - r;
    into.q[i] = r;
  }
  into.shift = shift;
}

/** Zig-zagged LPC residual of x[order, n) into out; returns the sum, or Infinity past 32 bits. */
function lpcResidual(x: Int32Array, n: number, lpc: Lpc, out: Float64Array): number {
  const { q, shift } = lpc;
  const order = q.length;
  const div = 2 ** shift;
  let total = 0;
  for (let i = order; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += (q[j] as number) * (x[i - 1 - j] as number);
    const r = (x[i] as number) - Math.floor(sum / div);
    if (r > 2147483647 || r < -2147483648) return Number.POSITIVE_INFINITY;
    const u = r >= 0 ? 2 * r : -2 * r - 1;
    out[i - order] = u;
    total += u;
  }
  return total;
}

/** A partitioning of a residual: its partition order, Rice parameters and estimated bits. */
type Partitions = { order: number; bits: number; params: Int32Array };

const newPartitions = (): Partitions => ({
  order: 0,
  bits: 0,
  params: new Int32Array(1 << MAX_PARTITION_ORDER),
});

/**
 * Rice partitions for residual[0, n - order): the cheapest partition order, its parameters and bits,
 * into `best` (`trial` is scratch). The sums of the finest partitions are taken once; each coarser
 * order adds neighbours, in place.
 */
function partitions(
  residual: Float64Array,
  n: number,
  order: number,
  maxParam: number,
  s: SubframeScratch,
  best: Partitions,
): void {
  let top = 0;
  while (top < MAX_PARTITION_ORDER && n % (1 << (top + 1)) === 0 && n >> (top + 1) > order) top++;
  const sums = s.sums;
  const size = n >> top;
  for (let part = 0; part < 1 << top; part++) {
    const from = part === 0 ? 0 : part * size - order;
    const to = (part + 1) * size - order;
    let sum = 0;
    for (let i = from; i < to; i++) sum += residual[i] as number;
    sums[part] = sum;
  }
  best.bits = Number.POSITIVE_INFINITY;
  const trial = s.trialParams;
  for (let p = top; p >= 0; p--) {
    if (p < top)
      for (let i = 0; i < 1 << p; i++) sums[i] = (sums[2 * i] as number) + (sums[2 * i + 1] as number);
    const partSize = n >> p;
    let bits = 0;
    for (let part = 0; part < 1 << p; part++) {
      const count = part === 0 ? partSize - order : partSize;
      const sum = sums[part] as number;
      const k = riceParam(sum, count, maxParam);
      trial[part] = k;
      bits += riceBits(sum, count, k) + 5;
    }
    if (bits < best.bits) {
      best.order = p;
      best.bits = bits;
      for (let i = 0; i < 1 << p; i++) best.params[i] = trial[i] as number;
    }
  }
}

/**
 * What writing a subframe works in, made once per writer: residuals (the best so far and the one
 * being tried), the LPC's window, autocorrelation, coefficients and candidates, the partitions'
 * sums and parameters, the fixed predictors' costs. A block allocates nothing.
 */
export type SubframeScratch = {
  residual: Float64Array;
  best: Float64Array;
  window: Float64Array;
  autocorrelation: Float64Array;
  coefficients: [Float64Array, Float64Array];
  lpc: [Lpc, Lpc];
  sums: Float64Array;
  trialParams: Int32Array;
  /** The partitions of the best residual so far, and of the one being tried. */
  bestPartitions: Partitions;
  trialPartitions: Partitions;
  fixedCosts: Float64Array;
};

function subframeScratch(): SubframeScratch {
  const lpc = (): Lpc => ({ q: new Int32Array(0), shift: 0 });
  return {
    residual: new Float64Array(FLAC_BLOCK),
    best: new Float64Array(FLAC_BLOCK),
    window: new Float64Array(FLAC_BLOCK),
    autocorrelation: new Float64Array(MAX_LPC_ORDER + 1),
    coefficients: [new Float64Array(MAX_LPC_ORDER), new Float64Array(MAX_LPC_ORDER)],
    lpc: [lpc(), lpc()],
    sums: new Float64Array(1 << MAX_PARTITION_ORDER),
    trialParams: new Int32Array(1 << MAX_PARTITION_ORDER),
    bestPartitions: newPartitions(),
    trialPartitions: newPartitions(),
    fixedCosts: new Float64Array(5),
  };
}

/** A signed value of `bits` bits as the unsigned number of the same bits. */
const signedIn = (v: number, bits: number) => (v < 0 ? v + 2 ** bits : v);

/** A subframe's type byte, with its wasted bits. */
function typeByte(w: BitWriter, type: number, wasted: number): void {
  w.write((type << 1) | (wasted > 0 ? 1 : 0), 8);
  if (wasted > 0) w.unary(wasted - 1);
}

/**
 * Writes one subframe of x[0, n) at `bps` bits: constant, fixed (orders 0–4) or LPC (orders 1–8),
 * whichever codes smallest, verbatim if none beats it. Low bits that are zero in every sample
 * (a 16-bit source in a 24-bit file) are "wasted": shifted out and counted in the header.
 * x may be shifted in place.
 */
function writeSubframe(w: BitWriter, x: Int32Array, n: number, bps: number, s: SubframeScratch): void {
  let constant = true;
  for (let i = 1; i < n && constant; i++) if (x[i] !== x[0]) constant = false;
  if (constant) {
    w.write(0, 8);
    w.write(signedIn(x[0] as number, bps), bps);
    return;
  }
  let or = 0;
  for (let i = 0; i < n; i++) or |= x[i] as number;
  let wasted = 0;
  while (((or >> wasted) & 1) === 0 && wasted < bps - 1) wasted++;
  if (wasted > 0) for (let i = 0; i < n; i++) x[i] = (x[i] as number) >> wasted;
  const bits = bps - wasted;
  const maxParam = bits > 16 ? 30 : 14;
  // Fixed predictor first, then each LPC order: the smallest coded size wins.
  const fixedOrder = bestFixedOrder(x, n, s.fixedCosts);
  fixedResidual(x, n, fixedOrder, s.best);
  partitions(s.best, n, fixedOrder, maxParam, s, s.bestPartitions);
  let order = fixedOrder;
  let lpc: Lpc | null = null;
  let bestCost = s.bestPartitions.bits + fixedOrder * bits;
  const candidates = lpcCandidates(x, n, s);
  for (let c = 0; c < candidates; c++) {
    const candidate = s.lpc[c] as Lpc;
    if (!Number.isFinite(lpcResidual(x, n, candidate, s.residual))) continue;
    partitions(s.residual, n, candidate.q.length, maxParam, s, s.trialPartitions);
    const cost = s.trialPartitions.bits + candidate.q.length * (bits + QLP_PRECISION) + 9;
    if (cost < bestCost) {
      bestCost = cost;
      order = candidate.q.length;
      lpc = candidate;
      // The residual and partitions tried become the best; the old best's buffers the next trial's.
      const t = s.best;
      s.best = s.residual;
      s.residual = t;
      const p = s.bestPartitions;
      s.bestPartitions = s.trialPartitions;
      s.trialPartitions = p;
    }
  }
  if (bestCost > n * bits) {
    // Noise the predictors cannot shrink: stored as is.
    typeByte(w, 1, wasted);
    for (let i = 0; i < n; i++) w.write(signedIn(x[i] as number, bits), bits);
    return;
  }
  const part = s.bestPartitions;
  w.reserve(Math.ceil(bestCost / 8) + 256);
  if (!lpc) typeByte(w, 8 | order, wasted);
  else typeByte(w, 32 | (order - 1), wasted);
  for (let i = 0; i < order; i++) w.write(signedIn(x[i] as number, bits), bits);
  if (lpc) {
    w.write(QLP_PRECISION - 1, 4);
    w.write(lpc.shift, 5);
    for (let i = 0; i < lpc.q.length; i++)
      w.write(signedIn(lpc.q[i] as number, QLP_PRECISION), QLP_PRECISION);
  }
  const count = 1 << part.order;
  let rice2 = false;
  for (let p = 0; p < count; p++) if ((part.params[p] as number) > 14) rice2 = true;
  w.write(rice2 ? 1 : 0, 2);
  w.write(part.order, 4);
  const size = n >> part.order;
  const residual = s.best;
  for (let p = 0; p < count; p++) {
    const k = part.params[p] as number;
    w.write(k, rice2 ? 5 : 4);
    const from = p === 0 ? 0 : p * size - order;
    const to = (p + 1) * size - order;
    const div = 2 ** k;
    for (let i = from; i < to; i++) {
      const u = residual[i] as number;
      const q = Math.floor(u / div);
      // The quotient in unary (q zeros, a one) and the k low bits, in one write when they fit.
      if (q + 1 + k <= 24) w.write(div + (u - q * div), q + 1 + k);
      else {
        w.unary(q);
        if (k > 0) w.write(u - q * div, k);
      }
    }
  }
}

/** Streams FLAC: header(), then PCM bytes as they come, then finish() with the STREAMINFO patch. */
export class FlacWriter {
  private readonly spec: FlacSpec;
  private readonly block: Int32Array[];
  private readonly side = new Int32Array(FLAC_BLOCK);
  private readonly mid = new Int32Array(FLAC_BLOCK);
  private readonly scratch = subframeScratch();
  /** The frames completed by one push, one after the other (handed out as a view: reused). */
  private readonly writer: BitWriter;
  private readonly md5 = new Md5();
  private filled = 0;
  private frameNumber = 0;
  private frames = 0;
  private minFrame = Number.POSITIVE_INFINITY;
  private maxFrame = 0;

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

  /**
   * Interleaved little-endian PCM (16 or 24-bit); returns the frames completed, one after the other,
   * in a buffer reused by the next push.
   */
  push(pcm: Uint8Array, count: number): Uint8Array {
    this.md5.update(pcm.subarray(0, count * this.spec.channelCount * (this.spec.bits / 8)));
    const channels = this.spec.channelCount;
    const bytes = this.spec.bits / 8;
    this.writer.reset();
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
    return this.writer.bytes.subarray(0, this.writer.length);
  }

  /** The last, shorter block, and the STREAMINFO to write over the header's at STREAMINFO_OFFSET. */
  finish(): { tail: Uint8Array; streamInfo: Uint8Array } {
    this.writer.reset();
    if (this.filled > 0) this.flushBlock();
    const tail = this.writer.bytes.slice(0, this.writer.length);
    const info = streamInfo(this.spec, {
      frames: this.frames,
      minFrame: Number.isFinite(this.minFrame) ? this.minFrame : 0,
      maxFrame: this.maxFrame,
      md5: this.md5.digest(),
    });
    return { tail, streamInfo: info };
  }

  /** Appends the block as a frame to what the writer holds. */
  private flushBlock(): void {
    const n = this.filled;
    const w = this.writer;
    const { bits, channelCount } = this.spec;
    const start = w.length;
    w.reserve(n * channelCount * 4 + 64);
    // Which pair costs least: L/R, L/S, S/R or M/S (stereo only).
    let assignment = channelCount - 1;
    let first = this.block[0] as Int32Array;
    let second = this.block[1] as Int32Array;
    let firstBps = bits;
    let secondBps = bits;
    if (channelCount === 2) {
      const l = first;
      const r = second;
      for (let i = 0; i < n; i++) {
        const a = l[i] as number;
        const b = r[i] as number;
        this.side[i] = a - b;
        this.mid[i] = (a + b) >> 1;
      }
      const costs = this.scratch.fixedCosts;
      const cl = costs[bestFixedOrder(l, n, costs)] as number;
      const cr = costs[bestFixedOrder(r, n, costs)] as number;
      const cs = costs[bestFixedOrder(this.side, n, costs)] as number;
      const cm = costs[bestFixedOrder(this.mid, n, costs)] as number;
      // The first of the cheapest, in this order.
      assignment = 1;
      let cost = cl + cr;
      if (cl + cs < cost) {
        assignment = 8;
        cost = cl + cs;
      }
      if (cs + cr < cost) {
        assignment = 9;
        cost = cs + cr;
      }
      if (cm + cs < cost) assignment = 10;
      if (assignment === 8) {
        second = this.side;
        secondBps = bits + 1;
      } else if (assignment === 9) {
        first = this.side;
        firstBps = bits + 1;
      } else if (assignment === 10) {
        first = this.mid;
        second = this.side;
        secondBps = bits + 1;
      }
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
    for (let i = start; i < w.length; i++) crc8 = CRC8[crc8 ^ (w.bytes[i] as number)] as number;
    w.write(crc8, 8);
    if (channelCount === 2) {
      writeSubframe(w, first, n, firstBps, this.scratch);
      writeSubframe(w, second, n, secondBps, this.scratch);
    } else
      for (let c = 0; c < channelCount; c++)
        writeSubframe(w, this.block[c] as Int32Array, n, bits, this.scratch);
    w.align();
    let crc16 = 0;
    for (let i = start; i < w.length; i++)
      crc16 = ((crc16 << 8) & 0xffff) ^ (CRC16[(crc16 >> 8) ^ (w.bytes[i] as number)] as number);
    w.write(crc16, 16);
    const size = w.length - start;
    this.minFrame = Math.min(this.minFrame, size);
    this.maxFrame = Math.max(this.maxFrame, size);
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
