// Packet loss concealment for G.711 after ITU-T G.711 Appendix I (1999): the output runs 3.75 ms
// (30 samples) behind the input, so that when a loss starts the last quarter pitch period not yet
// played can be overlap-added with the waveform one period earlier; the lost stretch is then
// filled by repeating that last pitch period (pitch by an AMDF search over 5..15 ms). After the
// first 10 ms the repetition is attenuated linearly, reaching silence at 60 ms. The first good
// samples after a loss are overlap-added with the continued repetition over 4 ms, plus 4 ms per
// further 10 ms lost, at most 10 ms. Simplification: one period is repeated (Appendix I widens to
// 2 and 3 periods for long losses). Integer arithmetic only (Q15 weights); frames of 160 i16.

const N: i32 = 160;         // samples per frame
const HIST: i32 = 320;      // history of the (concealed) signal, samples
export const PLC_DELAY: i32 = 30; // output delay, samples (3.75 ms)
const PMIN: i32 = 40;       // pitch search, samples (200 Hz)
const PMAX: i32 = 120;      // (66.7 Hz)
const CORR: i32 = 160;      // AMDF window, samples
const ATT_START: i32 = 80;  // full level for the first 10 ms of a loss
const ATT_END: i32 = 480;   // then linearly down to zero over 50 ms
const ATT_STEP: i32 = 82;   // Q15 per sample: 32768 / 400, rounded up

// Behind the fields: the history (i16[HIST], newest last; the last PLC_DELAY not yet played)
// and one period (i16[PMAX], its end blended into its start).
const H: usize = offsetof<Plc>();
const P: usize = H + <usize>(HIST << 1);
/** Bytes of a Plc with its buffers. */
export const PLC_SIZE: usize = P + <usize>(PMAX << 1);

@final @unmanaged
export class Plc {
  pitch: i32;
  pos: i32;
  lostN: i32;     // samples concealed in the current loss
  erasing: bool;
  /** Samples concealed since the last reset. */
  concealed: i32;

  /** Allocated once, at start-up. */
  constructor() {
    const p = changetype<Plc>(heap.alloc(PLC_SIZE));
    p.reset();
    return p;
  }

  /** Forgets everything (new call or source): the next samples come out after 3.75 ms of
   *  silence. */
  reset(): void { memory.fill(changetype<usize>(this), 0, H + <usize>(HIST << 1)); }

  /** A received frame (160 decoded samples at p), replaced in place by the 160 output samples:
   *  the input 30 samples earlier, right after a loss or a splice cross-faded from the
   *  concealment. */
  good(p: usize): void {
    if (this.erasing) {
      let ola = this.lostN / 80 * 32; // 4 ms + 4 ms per further 10 ms lost, 4..10 ms
      if (ola < 32) ola = 32;
      if (ola > 80) ola = 80;
      const step = 32768 / (ola + 1);
      for (let i = 0, w = step; i < ola; i++, w += step) { // w: weight of the real signal
        const q = p + (<usize>i << 1);
        store<i16>(q, <i16>((<i32>load<i16>(q) * w + this.next() * (32768 - w)) >> 15));
      }
      this.erasing = false;
    }
    this.shift(p);
  }

  /** Fills the 160 output samples at p for a lost frame. */
  lost(p: usize): void {
    this.splice();
    for (let i = 0; i < N; i++) store<i16>(p + (<usize>i << 1), <i16>this.next());
    this.concealed += N;
    this.shift(p);
  }

  /** Start of a loss, or audio was skipped (jitter buffer shrinking): the next good() fades in
   *  from the continuation of what was played, instead of jumping. Finds the pitch, blends the
   *  not yet played last quarter period with the quarter one period earlier (Appendix I's
   *  overlap-add) and keeps that last period for repetition. */
  splice(): void {
    if (this.erasing) return;
    const t = changetype<usize>(this);
    // pitch: the lag in PMIN..PMAX minimising the absolute difference between the last CORR
    // samples and the same span one lag earlier, on every other sample
    const base = t + H + <usize>((HIST - CORR) << 1);
    let pitch = PMIN, best = i32.MAX_VALUE;
    for (let lag = PMIN; lag <= PMAX; lag++) {
      let sum = 0;
      for (let i = 0; i < CORR; i += 2) {
        const q = base + (<usize>i << 1);
        const d = <i32>load<i16>(q) - <i32>load<i16>(q - (<usize>lag << 1));
        sum += d < 0 ? -d : d;
      }
      if (sum < best) { best = sum; pitch = lag; }
    }
    const ov = pitch >> 2; // <= PMAX / 4 = PLC_DELAY: the tail is still unplayed
    const a = t + H + <usize>((HIST - pitch) << 1); // last period
    const step = 32768 / (ov + 1);
    for (let i = pitch - ov, w = step; i < pitch; i++, w += step) { // w: weight of the earlier period
      const q = a + (<usize>i << 1);
      store<i16>(q, <i16>((<i32>load<i16>(q - (<usize>pitch << 1)) * w + <i32>load<i16>(q) * (32768 - w)) >> 15));
    }
    memory.copy(t + P, a, <usize>(pitch << 1));
    this.pitch = pitch;
    this.pos = 0;
    this.lostN = 0;
    this.erasing = true;
  }

  // ---- internals

  /** Next concealment sample: the period, attenuated by how long the loss has lasted. */
  private next(): i32 {
    let s = <i32>load<i16>(changetype<usize>(this) + (<usize>this.pos << 1), P);
    if (++this.pos >= this.pitch) this.pos = 0;
    const n = this.lostN;
    if (n >= ATT_START) {
      if (n >= ATT_END) return 0;
      s = (s * (32768 - (n - ATT_START) * ATT_STEP)) >> 15;
    }
    this.lostN = n + 1;
    return s;
  }

  /** Appends the frame at p to the history and replaces it by the frame due for output. */
  private shift(p: usize): void {
    const h = changetype<usize>(this) + H;
    memory.copy(h, h + <usize>(N << 1), <usize>((HIST - N) << 1));
    memory.copy(h + <usize>((HIST - N) << 1), p, <usize>(N << 1));
    memory.copy(p, h + <usize>((HIST - PLC_DELAY - N) << 1), <usize>(N << 1));
  }
}
