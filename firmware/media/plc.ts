// Packet loss concealment for G.711 after ITU-T G.711 Appendix I (1999): the output runs 3.75 ms
// (30 samples) behind the input, so that when a loss starts the last quarter pitch period not yet
// played can be overlap-added with the waveform one period earlier; the lost stretch is then
// filled by repeating that last pitch period (pitch by a decimated AMDF search over 5..15 ms),
// whose end is blended the same way so the repetition is seamless. After the first 10 ms the
// repetition is attenuated linearly, reaching silence at 60 ms. The first good samples after a
// loss are overlap-added with the continued repetition over 4 ms, plus 4 ms per further 10 ms
// lost, at most 10 ms. Simplification: one period is repeated (Appendix I widens to 2 and 3
// periods for long losses). Integer arithmetic only (Q15 weights); samples are i16.

const HIST: i32 = 320;      // history of the (concealed) signal, samples
export const PLC_DELAY: i32 = 30; // output delay, samples (3.75 ms)
const PMIN: i32 = 40;       // pitch search, samples (200 Hz)
const PMAX: i32 = 120;      // (66.7 Hz)
const CORR: i32 = 160;      // AMDF window, samples
const ATT_START: i32 = 80;  // full level for the first 10 ms of a loss
const ATT_LEN: i32 = 400;   // then linearly down to zero over 50 ms
const ATT_STEP: i32 = 82;   // Q15 per sample: 32768 / 400, rounded up

export class Plc {
  private hist: usize;   // i16[HIST], newest last; the last PLC_DELAY are not yet played
  private pbuf: usize;   // i16[PMAX]: one period, its end blended into its start
  private pitch: i32 = PMIN;
  private pos: i32 = 0;
  private lostN: i32 = 0; // samples concealed in the current loss
  erasing: bool = false;
  /** Samples concealed since the owner last zeroed it. */
  concealed: i32 = 0;

  constructor() {
    this.hist = heap.alloc(<usize>(HIST << 1));
    this.pbuf = heap.alloc(<usize>(PMAX << 1));
    this.reset();
  }

  /** Forgets the history (new call or source): the next samples come out after 3.75 ms of
   *  silence. `concealed` is left to its owner. */
  reset(): void {
    memory.fill(this.hist, 0, <usize>(HIST << 1));
    this.erasing = false;
    this.lostN = 0;
  }

  /** n (1..160) decoded samples at p were received; replaced in place by the n output samples
   *  (the input 30 samples earlier; right after a loss or a splice cross-faded from the
   *  concealment). */
  good(p: usize, n: i32): void {
    if (this.erasing) {
      let ola = 32;
      if (this.lostN > ATT_START) ola += (this.lostN - ATT_START) / 80 * 32;
      if (ola > 80) ola = 80;
      if (ola > n) ola = n;
      const step = 32768 / (ola + 1);
      let w = step; // weight of the real signal
      for (let i = 0; i < ola; i++) {
        const syn = this.next();
        const x = <i32>load<i16>(p + (<usize>i << 1));
        store<i16>(p + (<usize>i << 1), <i16>((x * w + syn * (32768 - w)) >> 15));
        w += step;
      }
      this.erasing = false;
    }
    this.push(p, n);
    this.output(p, n);
  }

  /** Fills n (1..160) output samples at p for lost input. */
  lost(p: usize, n: i32): void {
    if (!this.erasing) this.begin();
    if (this.lostN >= ATT_START + ATT_LEN) {
      memory.fill(p, 0, <usize>(n << 1));
      this.lostN += n;
    } else {
      for (let i = 0; i < n; i++) store<i16>(p + (<usize>i << 1), <i16>this.next());
    }
    this.concealed += n;
    this.push(p, n);
    this.output(p, n);
  }

  /** Audio was skipped (jitter buffer shrinking): the next good() fades in from the
   *  continuation of what was played, instead of jumping. */
  splice(): void {
    if (!this.erasing) this.begin();
  }

  // ---- internals

  /** Start of a loss: pitch, period buffer, and the not yet played tail blended into the
   *  period before it, so that the repetition continues it without a seam. */
  private begin(): void {
    this.prepare();
    const ov = this.pitch >> 2; // <= PMAX / 4 = PLC_DELAY: the tail is still unplayed
    memory.copy(this.hist + (<usize>(HIST - ov) << 1), this.pbuf + (<usize>(this.pitch - ov) << 1), <usize>(ov << 1));
    this.pos = 0;
    this.lostN = 0;
    this.erasing = true;
  }

  /** Next concealment sample: the period buffer, attenuated by how long the loss has lasted. */
  private next(): i32 {
    let s = <i32>load<i16>(this.pbuf + (<usize>this.pos << 1));
    if (++this.pos >= this.pitch) this.pos = 0;
    const n = this.lostN++;
    if (n >= ATT_START) {
      const g = 32768 - (n - ATT_START) * ATT_STEP;
      s = g > 0 ? (s * g) >> 15 : 0;
    }
    return s;
  }

  /** Pitch estimate and one period of the history whose last quarter is blended with the
   *  quarter one period earlier (Appendix I's overlap-add). */
  private prepare(): void {
    const P = this.findPitch();
    this.pitch = P;
    const h = this.hist;
    const ov = P >> 2;
    const a = h + (<usize>(HIST - P) << 1);      // last period
    const b = h + (<usize>(HIST - 2 * P) << 1);  // the period before it
    const plain = P - ov;
    memory.copy(this.pbuf, a, <usize>(plain << 1));
    const step = 32768 / (ov + 1);
    let w = step; // weight of the earlier period
    for (let i = plain; i < P; i++) {
      const x = <i32>load<i16>(a + (<usize>i << 1));
      const y = <i32>load<i16>(b + (<usize>i << 1));
      store<i16>(this.pbuf + (<usize>i << 1), <i16>((y * w + x * (32768 - w)) >> 15));
      w += step;
    }
  }

  /** Lag in PMIN..PMAX minimising the mean absolute difference between the last CORR samples
   *  and the same span one lag earlier: every other lag on every other sample, then refined. */
  private findPitch(): i32 {
    const base = this.hist + (<usize>(HIST - CORR) << 1);
    let best = PMIN, bestSum = i32.MAX_VALUE;
    for (let lag = PMIN; lag <= PMAX; lag += 2) {
      const sum = amdf(base, lag, 2);
      if (sum < bestSum) { bestSum = sum; best = lag; }
    }
    const lo = best > PMIN ? best - 1 : PMIN, hi = best < PMAX ? best + 1 : PMAX;
    bestSum = i32.MAX_VALUE;
    let pick = best;
    for (let lag = lo; lag <= hi; lag++) {
      const sum = amdf(base, lag, 1);
      if (sum < bestSum) { bestSum = sum; pick = lag; }
    }
    return pick;
  }

  /** Appends n samples to the history. */
  private push(p: usize, n: i32): void {
    memory.copy(this.hist, this.hist + (<usize>n << 1), <usize>((HIST - n) << 1));
    memory.copy(this.hist + (<usize>(HIST - n) << 1), p, <usize>(n << 1));
  }

  /** The n samples due for output: the history PLC_DELAY samples back. */
  private output(p: usize, n: i32): void {
    memory.copy(p, this.hist + (<usize>(HIST - PLC_DELAY - n) << 1), <usize>(n << 1));
  }
}

/** Sum of |x[i] - x[i - lag]| over CORR samples from base, every step-th. */
function amdf(base: usize, lag: i32, step: i32): i32 {
  const q = base - (<usize>lag << 1);
  let sum = 0;
  for (let i = 0; i < CORR; i += step) {
    const d = <i32>load<i16>(base + (<usize>i << 1)) - <i32>load<i16>(q + (<usize>i << 1));
    sum += d < 0 ? -d : d;
  }
  return sum;
}
