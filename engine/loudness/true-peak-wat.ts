/**
 * The WebAssembly text of the 4× true-peak scan (true-peak.ts's scan4), four windows per SIMD
 * lane-group. Interpolation is where the master spends its time, and plain JavaScript runs one
 * window at a time in doubles; here each f32x4 operation serves four windows. Generated rather than
 * hand-written so that each interpolator length gets its tap loop unrolled with constant offsets.
 * `npm run build:wasm` compiles it (wabt, a development tool only) into true-peak-wasm.ts; a test
 * compiles it again and checks the bytes shipped are these.
 *
 * Memory (bytes):
 *   [0, 1536)      the folded taps, each splatted to four lanes: sum at SUM, diff at DIFF, mid at MID
 *   [X, …)         the samples x[b − H … end + H) of the windows scanned, then zeros
 *   [OUT − 16, …)  per window, the peaks to raise (mode 1)
 * Window r = 0 … count is window b − 1 + r of the caller's signal; r = 0 is read only for its last
 * point, which the parabola at the next window's first point needs.
 */
export const WASM_LAYOUT = {
  SUM: 0,
  DIFF: 512,
  MID: 1024,
  X: 2048,
  /** Windows per call at most. */
  MAX_WINDOWS: 16384,
  /** Skipping is decided per block of this many windows, as scan does. */
  BLOCK: 64,
  /** The interpolator lengths (half the taps) the module has a scan for. */
  HALVES: [16, 24] as const,
};
const L = WASM_LAYOUT;
/** x holds count + 2H samples (H ≤ 32), and a group may read three windows past the last. */
export const OUT_BASE = L.X + 4 * (L.MAX_WINDOWS + 64 + 16) + 16;
/**
 * The K-weighting of a stereo pair (kpair) has its own region after: the two stages' coefficients
 * as f64x2 splats (b0 b1 b2 a1 a2 of the shelf, then of the high-pass), the state (s1 s2 h1 h2 and
 * the peak, left in lane 0, right in lane 1), then up to K_MAX frames of each channel (f32).
 */
export const K_LAYOUT = (() => {
  const COEF = Math.ceil((OUT_BASE + 4 * (L.MAX_WINDOWS + 16)) / 16) * 16;
  const STATE = COEF + 10 * 16;
  const LEFT = STATE + 5 * 16;
  const MAX = 16384;
  const RIGHT = LEFT + 4 * MAX;
  return { COEF, STATE, LEFT, RIGHT, MAX, END: RIGHT + 4 * MAX };
})();
const PAGES = Math.ceil(K_LAYOUT.END / 65536);

/** refine(a, b, c) of true-peak.ts for four lanes at once; leaves the result in local `out`. */
function refine(a: string, b: string, c: string, out: string): string {
  return `
    (local.set $sg (v128.and (local.get ${b}) (global.get $SIGN)))
    (local.set $A (v128.xor (local.get ${a}) (local.get $sg)))
    (local.set $B (v128.xor (local.get ${b}) (local.get $sg)))
    (local.set $C (v128.xor (local.get ${c}) (local.get $sg)))
    (local.set $den (f32x4.sub (f32x4.sub (f32x4.add (local.get $B) (local.get $B)) (local.get $A)) (local.get $C)))
    (local.set $d (f32x4.sub (local.get $A) (local.get $C)))
    (local.set ${out} (v128.bitselect
      (f32x4.add (local.get $B)
        (f32x4.div (f32x4.mul (local.get $d) (local.get $d)) (f32x4.mul (local.get $den) (global.get $EIGHT))))
      (local.get $B)
      (v128.and (v128.and (f32x4.ge (local.get $B) (local.get $A)) (f32x4.ge (local.get $B) (local.get $C)))
        (f32x4.gt (local.get $den) (global.get $ZERO)))))`;
}

/** One scan for interpolators of `half` taps either side. */
function scanFunction(half: number): string {
  const taps: string[] = [];
  for (let j = 0; j < half; j++) {
    taps.push(`
        (local.set $older (v128.load offset=${4 * (half - 1 - j)} (local.get $base)))
        (local.set $newer (v128.load offset=${4 * (half + j)} (local.get $base)))
        (local.set $s (f32x4.add (local.get $older) (local.get $newer)))
        (local.set $P (f32x4.add (local.get $P) (f32x4.mul (local.get $s) (v128.load offset=${L.SUM + 16 * j} (i32.const 0)))))
        (local.set $Q (f32x4.add (local.get $Q) (f32x4.mul (f32x4.sub (local.get $older) (local.get $newer)) (v128.load offset=${L.DIFF + 16 * j} (i32.const 0)))))
        (local.set $M (f32x4.add (local.get $M) (f32x4.mul (local.get $s) (v128.load offset=${L.MID + 16 * j} (i32.const 0)))))`);
  }
  return `
  ;; Windows r = 1 … count (r = 0 is the one before). mode 0: the running level, raised by every
  ;; window computed, is returned. mode 1: out[r − 1] rises to each window's peak above level.
  ;; mode 2: as 1, and out[r − 1] rises to |x| at the window's first sample too.
  ;; A block of 64 windows whose samples' largest magnitude × bound cannot beat the level is skipped.
  (func (export "scan${half}") (param $count i32) (param $level f32) (param $bound f32) (param $mode i32) (result f32)
    (local $blk i32) (local $blkEnd i32) (local $g i32) (local $i i32) (local $stop i32) (local $base i32)
    (local $local v128) (local $levelV v128) (local $bmax v128) (local $last v128) (local $lanes v128)
    (local $older v128) (local $newer v128) (local $s v128) (local $P v128) (local $Q v128) (local $M v128)
    (local $x0 v128) (local $x1 v128) (local $p1 v128) (local $p3 v128) (local $prev v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $top v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $res v128) (local $mask v128)
    (local $sg v128) (local $A v128) (local $B v128) (local $C v128) (local $den v128) (local $d v128)
    (local $old v128) (local $addr i32) (local $m f32)
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_s (local.get $blk) (local.get $count)))
        (local.set $blkEnd (i32.add (local.get $blk) (i32.const ${L.BLOCK})))
        (if (i32.gt_s (local.get $blkEnd) (local.get $count)) (then (local.set $blkEnd (local.get $count))))
        ;; The block's windows read samples [blk, blkEnd + 2H) (the zeros past the end do no harm).
        (local.set $local (global.get $ZERO))
        (local.set $i (i32.add (global.get $X) (i32.shl (local.get $blk) (i32.const 2))))
        (local.set $stop (i32.add (global.get $X) (i32.shl (i32.add (local.get $blkEnd) (i32.const ${2 * half})) (i32.const 2))))
        (loop $peak
          (local.set $local (f32x4.pmax (local.get $local) (f32x4.abs (v128.load (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $peak (i32.lt_u (local.get $i) (local.get $stop))))
        (local.set $m (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $local)) (f32x4.extract_lane 1 (local.get $local)))
          (f32.max (f32x4.extract_lane 2 (local.get $local)) (f32x4.extract_lane 3 (local.get $local)))))
        (if (f32.gt (f32.mul (local.get $m) (local.get $bound)) (local.get $level))
          (then
            (local.set $levelV (f32x4.splat (local.get $level)))
            (local.set $bmax (global.get $ZERO))
            (local.set $last (global.get $ZERO))
            (local.set $g (local.get $blk))
            (loop $groups
              (local.set $base (i32.add (global.get $X) (i32.shl (local.get $g) (i32.const 2))))
              (local.set $P (global.get $ZERO))
              (local.set $Q (global.get $ZERO))
              (local.set $M (global.get $ZERO))
              ${taps.join('')}
              (local.set $p1 (f32x4.add (local.get $P) (local.get $Q)))
              (local.set $p3 (f32x4.sub (local.get $P) (local.get $Q)))
              (local.set $x0 (v128.load offset=${4 * (half - 1)} (local.get $base)))
              (local.set $x1 (v128.load offset=${4 * half} (local.get $base)))
              ;; Each window's point before its first: the previous window's last point.
              (local.set $prev (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $last) (local.get $p3)))
              (local.set $last (local.get $p3))
              (local.set $a0 (f32x4.abs (local.get $x0)))
              (local.set $a1 (f32x4.abs (local.get $p1)))
              (local.set $a2 (f32x4.abs (local.get $M)))
              (local.set $a3 (f32x4.abs (local.get $p3)))
              (local.set $top (f32x4.pmax (f32x4.pmax (local.get $a0) (local.get $a1)) (f32x4.pmax (local.get $a2) (local.get $a3))))
              ;; The parabola at the largest point, the earliest where two are equal (as scan4 does):
              ;; its three points chosen per lane first, so that one parabola is computed, not four.
              (local.set $r0 (f32x4.eq (local.get $a0) (local.get $top)))
              (local.set $r1 (f32x4.eq (local.get $a1) (local.get $top)))
              (local.set $r2 (f32x4.eq (local.get $a2) (local.get $top)))
              (local.set $r3 (v128.bitselect (local.get $prev)
                (v128.bitselect (local.get $x0) (v128.bitselect (local.get $p1) (local.get $M) (local.get $r2)) (local.get $r1))
                (local.get $r0)))
              (local.set $s (v128.bitselect (local.get $x0)
                (v128.bitselect (local.get $p1) (v128.bitselect (local.get $M) (local.get $p3) (local.get $r2)) (local.get $r1))
                (local.get $r0)))
              (local.set $older (v128.bitselect (local.get $p1)
                (v128.bitselect (local.get $M) (v128.bitselect (local.get $p3) (local.get $x1) (local.get $r2)) (local.get $r1))
                (local.get $r0)))
              ${refine('$r3', '$s', '$older', '$res')}
              ;; Only the block's own windows count: r in (blk, blkEnd].
              (local.set $lanes (i32x4.add (i32x4.splat (local.get $g)) (global.get $IOTA)))
              (local.set $mask (v128.and
                (i32x4.gt_s (local.get $lanes) (i32x4.splat (local.get $blk)))
                (i32x4.le_s (local.get $lanes) (i32x4.splat (local.get $blkEnd)))))
              (if (local.get $mode)
                (then
                  (local.set $addr (i32.add (global.get $OUT) (i32.shl (i32.sub (local.get $g) (i32.const 1)) (i32.const 2))))
                  (local.set $old (v128.load (local.get $addr)))
                  (if (i32.eq (local.get $mode) (i32.const 2))
                    (then (local.set $old (v128.bitselect (f32x4.pmax (local.get $old) (local.get $a0)) (local.get $old) (local.get $mask)))))
                  (v128.store (local.get $addr) (v128.bitselect
                    (f32x4.pmax (local.get $old) (local.get $res))
                    (local.get $old)
                    ;; As scan4: not where even the largest point's parabola could not beat the level.
                    (v128.and (v128.and (local.get $mask) (f32x4.gt (local.get $res) (local.get $levelV)))
                      (f32x4.gt (f32x4.mul (local.get $top) (global.get $FIVE_QUARTERS)) (local.get $levelV))))))
                (else
                  (local.set $bmax (f32x4.pmax (local.get $bmax) (v128.and (local.get $res) (local.get $mask))))))
              (local.set $g (i32.add (local.get $g) (i32.const 4)))
              (br_if $groups (i32.le_s (local.get $g) (local.get $blkEnd))))
            (if (i32.eqz (local.get $mode))
              (then
                (local.set $level (f32.max (local.get $level) (f32.max
                  (f32.max (f32x4.extract_lane 0 (local.get $bmax)) (f32x4.extract_lane 1 (local.get $bmax)))
                  (f32.max (f32x4.extract_lane 2 (local.get $bmax)) (f32x4.extract_lane 3 (local.get $bmax)))))))))
          (else
            ;; Skipped, but in mode 2 each window's own sample still counts.
            (if (i32.eq (local.get $mode) (i32.const 2))
              (then
                (local.set $g (local.get $blk))
                (loop $samples
                  (local.set $base (i32.add (global.get $X) (i32.shl (local.get $g) (i32.const 2))))
                  (local.set $lanes (i32x4.add (i32x4.splat (local.get $g)) (global.get $IOTA)))
                  (local.set $mask (v128.and
                    (i32x4.gt_s (local.get $lanes) (i32x4.splat (local.get $blk)))
                    (i32x4.le_s (local.get $lanes) (i32x4.splat (local.get $blkEnd)))))
                  (local.set $addr (i32.add (global.get $OUT) (i32.shl (i32.sub (local.get $g) (i32.const 1)) (i32.const 2))))
                  (local.set $old (v128.load (local.get $addr)))
                  (v128.store (local.get $addr) (v128.bitselect
                    (f32x4.pmax (local.get $old) (f32x4.abs (v128.load offset=${4 * (half - 1)} (local.get $base))))
                    (local.get $old)
                    (local.get $mask)))
                  (local.set $g (i32.add (local.get $g) (i32.const 4)))
                  (br_if $samples (i32.le_s (local.get $g) (local.get $blkEnd))))))))
        (local.set $blk (local.get $blkEnd))
        (br $blocks)))
    (local.get $level))`;
}

/**
 * K-weighted energy of frames [from, to) of both channels, the state carried on in memory: the
 * very operations of KWeighting.energyPair, in f64, each channel in its lane (so the same numbers).
 */
function kPairFunction(): string {
  const K = K_LAYOUT;
  const c = (i: number) => `(v128.load offset=${K.COEF + 16 * i} (i32.const 0))`;
  return `
  (func (export "kpair") (param $from i32) (param $to i32) (result f64)
    (local $i i32) (local $x v128) (local $u v128) (local $y v128) (local $acc v128) (local $pk v128)
    (local $s1 v128) (local $s2 v128) (local $h1 v128) (local $h2 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $a1 v128) (local $a2 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $d1 v128) (local $d2 v128)
    (local.set $b0 ${c(0)}) (local.set $b1 ${c(1)}) (local.set $b2 ${c(2)}) (local.set $a1 ${c(3)}) (local.set $a2 ${c(4)})
    (local.set $c0 ${c(5)}) (local.set $c1 ${c(6)}) (local.set $c2 ${c(7)}) (local.set $d1 ${c(8)}) (local.set $d2 ${c(9)})
    (local.set $s1 (v128.load offset=${K.STATE} (i32.const 0)))
    (local.set $s2 (v128.load offset=${K.STATE + 16} (i32.const 0)))
    (local.set $h1 (v128.load offset=${K.STATE + 32} (i32.const 0)))
    (local.set $h2 (v128.load offset=${K.STATE + 48} (i32.const 0)))
    (local.set $pk (v128.load offset=${K.STATE + 64} (i32.const 0)))
    (local.set $acc (global.get $ZERO))
    (local.set $i (i32.shl (local.get $from) (i32.const 2)))
    (block $done
      (loop $frames
        (br_if $done (i32.ge_u (local.get $i) (i32.shl (local.get $to) (i32.const 2))))
        (local.set $x (f64x2.promote_low_f32x4
          (v128.load32_lane offset=${K.RIGHT} 1 (local.get $i) (v128.load32_zero offset=${K.LEFT} (local.get $i)))))
        (local.set $pk (f64x2.pmax (local.get $pk) (f64x2.abs (local.get $x))))
        (local.set $u (f64x2.add (f64x2.mul (local.get $b0) (local.get $x)) (local.get $s1)))
        (local.set $s1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $b1) (local.get $x)) (f64x2.mul (local.get $a1) (local.get $u))) (local.get $s2)))
        (local.set $s2 (f64x2.sub (f64x2.mul (local.get $b2) (local.get $x)) (f64x2.mul (local.get $a2) (local.get $u))))
        (local.set $y (f64x2.add (f64x2.mul (local.get $c0) (local.get $u)) (local.get $h1)))
        (local.set $h1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $c1) (local.get $u)) (f64x2.mul (local.get $d1) (local.get $y))) (local.get $h2)))
        (local.set $h2 (f64x2.sub (f64x2.mul (local.get $c2) (local.get $u)) (f64x2.mul (local.get $d2) (local.get $y))))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $y) (local.get $y))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $frames)))
    (v128.store offset=${K.STATE} (i32.const 0) (local.get $s1))
    (v128.store offset=${K.STATE + 16} (i32.const 0) (local.get $s2))
    (v128.store offset=${K.STATE + 32} (i32.const 0) (local.get $h1))
    (v128.store offset=${K.STATE + 48} (i32.const 0) (local.get $h2))
    (v128.store offset=${K.STATE + 64} (i32.const 0) (local.get $pk))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))`;
}

export function truePeakWat(): string {
  return `(module
  (memory (export "memory") ${PAGES})
  (global $X i32 (i32.const ${L.X}))
  (global $OUT i32 (i32.const ${OUT_BASE}))
  (global $ZERO v128 (v128.const i32x4 0 0 0 0))
  (global $SIGN v128 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
  (global $EIGHT v128 (v128.const f32x4 8 8 8 8))
  (global $FIVE_QUARTERS v128 (v128.const f32x4 1.25 1.25 1.25 1.25))
  (global $IOTA v128 (v128.const i32x4 0 1 2 3))
  ${L.HALVES.map(scanFunction).join('\n')}
  ${kPairFunction()}
)`;
}
