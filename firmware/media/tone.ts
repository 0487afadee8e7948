// Call-progress and feedback tones for the door speaker: a phase-accumulator oscillator over a
// 256-entry sine table (linear interpolation, integer math), one or two frequencies, played
// through a cadence of on/off segments. Values after ITU-T E.180 (= Q.35) and the European
// practice listed in ETSI TR 101 041-2, as ETSI ETR 187 recommends for tones generated in
// terminals: ringback 425 Hz 1 s on 4 s off, busy 425 Hz 0.5/0.5, and the special information
// tone (950/1400/1800 Hz, 330 ms each, 1 s off) for a failure; "door opened" is three short
// 1 kHz beeps. Each burst starts at phase 0 and ramps over 2 ms at both ends (no clicks).

export const TONE_NONE: i32 = 0;
export const TONE_RINGBACK: i32 = 1;
export const TONE_BUSY: i32 = 2;
export const TONE_CONFIRM: i32 = 3;
export const TONE_ERROR: i32 = 4;
const TONE_CUSTOM: i32 = 5;

const RAMP: i32 = 16;           // samples of fade at each end of a burst
const LEVEL_ONE: i32 = 8000;    // peak of a single-frequency tone (about -12 dBFS)
const LEVEL_TWO: i32 = 5000;    // peak of each frequency of a dual tone

// Segments: (f1 Hz, f2 Hz, ms); f1 = 0 is silence.
const SEGS: StaticArray<i32> = [
  425, 0, 1000, 0, 0, 4000,                               // 0: ringback
  425, 0, 500, 0, 0, 500,                                 // 2: busy
  1000, 0, 100, 0, 0, 100, 1000, 0, 100, 0, 0, 100, 1000, 0, 100, // 4: confirm
  950, 0, 330, 1400, 0, 330, 1800, 0, 330, 0, 0, 1000,    // 9: error (special information tone)
];
// Per kind: first segment, segment count, repetitions (0 = until stopped), mixed over the
// received audio (1) or replacing it (0).
const KINDS: StaticArray<i32> = [
  0, 0, 0, 0,   // none
  0, 2, 0, 0,   // ringback
  2, 2, 0, 0,   // busy
  4, 5, 1, 1,   // confirm
  9, 4, 2, 0,   // error
];

const table = memory.data(257 << 1); // sin(2 pi i / 256) in Q15, one extra entry for interpolation
let tableReady = false;

function buildTable(): void {
  // sin by the Chebyshev recurrence s[k+1] = 2 cos(t) s[k] - s[k-1] (no libm needed).
  const c2 = 2.0 * 0.9996988186962042; // 2 cos(2 pi / 256)
  let s0 = 0.0, s1 = 0.024541228522912288; // sin(0), sin(2 pi / 256)
  for (let i = 0; i <= 256; i++) {
    store<i16>(table + (<usize>i << 1), <i16>Math.round(s0 * 32767.0));
    const s2 = c2 * s1 - s0;
    s0 = s1; s1 = s2;
  }
  tableReady = true;
}

// @ts-ignore: decorator
@inline function sine(phase: u32): i32 {
  const i = phase >>> 24;
  const f = <i32>((phase >>> 16) & 0xff);
  const a = <i32>load<i16>(table + (<usize>i << 1));
  const b = <i32>load<i16>(table + (<usize>(i + 1) << 1));
  return a + (((b - a) * f) >> 8);
}

/** Phase increment per 8 kHz sample for f Hz. */
function increment(f: i32): u32 { return <u32>((<u64>f << 32) / 8000); }

export class ToneGen {
  kind: i32 = TONE_NONE;
  private seg: i32 = 0;       // current segment (absolute index into SEGS / 3)
  private first: i32 = 0;
  private count: i32 = 0;
  private reps: i32 = 0;      // repetitions left; 0 = endless
  private left: i32 = 0;      // samples left in the segment
  private len: i32 = 0;       // samples in the segment
  private ph1: u32 = 0;
  private ph2: u32 = 0;
  private inc1: u32 = 0;
  private inc2: u32 = 0;
  private amp: i32 = 0;
  private custom: StaticArray<i32> = new StaticArray<i32>(6);
  /** Mixed over the received audio (true) or replacing it. */
  mix: bool = false;

  /** True while a tone is sounding or in a cadence pause. */
  get active(): bool { return this.kind != TONE_NONE; }

  /** Starts a tone kind (TONE_*); TONE_NONE stops. Unknown kinds stop. */
  start(kind: i32): void {
    if (!tableReady) buildTable();
    if (kind <= TONE_NONE || kind >= TONE_CUSTOM) { this.kind = TONE_NONE; return; }
    const k = kind << 2;
    this.kind = kind;
    this.first = KINDS[k];
    this.count = KINDS[k + 1];
    this.reps = KINDS[k + 2];
    this.mix = KINDS[k + 3] != 0;
    this.enter(this.first);
  }

  /** Starts a custom cadence: f1 (+ f2 when not 0) for onMs, then silence for offMs, repeated
   *  reps times (0 = until stopped; offMs 0 = continuous). Replaces the received audio. */
  startCustom(f1: i32, f2: i32, onMs: i32, offMs: i32, reps: i32): void {
    if (!tableReady) buildTable();
    const c = this.custom;
    c[0] = f1; c[1] = f2; c[2] = onMs; c[3] = 0; c[4] = 0; c[5] = offMs;
    this.kind = TONE_CUSTOM;
    this.first = 0;
    this.count = offMs > 0 ? 2 : 1;
    this.reps = reps;
    this.mix = false;
    this.enter(this.first);
  }

  stop(): void { this.kind = TONE_NONE; }

  /** Writes n samples of the tone at p (replace) or adds them with saturation (mix = true).
   *  Past the end of a finite tone, writes silence (replace) or leaves p alone (mix). */
  render(p: usize, n: i32, mixIn: bool): void {
    for (let i = 0; i < n; i++) {
      let v = 0;
      if (this.kind != TONE_NONE) {
        if (this.amp != 0) {
          const k = this.len - this.left; // sample index inside the burst
          let s = sine(this.ph1);
          if (this.inc2 != 0) s += sine(this.ph2);
          v = (s * this.amp) >> 15;
          const edge = k < this.left ? k : this.left - 1;
          if (edge < RAMP) v = v * edge / RAMP;
          this.ph1 += this.inc1;
          this.ph2 += this.inc2;
        }
        if (--this.left <= 0) this.advance();
      }
      const q = p + (<usize>i << 1);
      if (mixIn) {
        let m = <i32>load<i16>(q) + v;
        if (m > 32767) m = 32767; else if (m < -32768) m = -32768;
        store<i16>(q, <i16>m);
      } else store<i16>(q, <i16>v);
    }
  }

  private advance(): void {
    let next = this.seg + 1;
    if (next >= this.first + this.count) {
      if (this.reps == 1) { this.kind = TONE_NONE; return; }
      if (this.reps > 1) this.reps--;
      next = this.first;
    }
    this.enter(next);
  }

  private enter(seg: i32): void {
    this.seg = seg;
    let f1 = 0, f2 = 0, ms = 0;
    if (this.kind == TONE_CUSTOM) {
      const j = seg * 3;
      f1 = this.custom[j]; f2 = this.custom[j + 1]; ms = this.custom[j + 2];
    } else {
      const j = seg * 3;
      f1 = SEGS[j]; f2 = SEGS[j + 1]; ms = SEGS[j + 2];
    }
    this.len = ms * 8;
    this.left = this.len;
    if (this.left <= 0) this.left = 1;
    this.ph1 = 0; this.ph2 = 0;
    this.inc1 = f1 > 0 ? increment(f1) : 0;
    this.inc2 = f1 > 0 && f2 > 0 ? increment(f2) : 0;
    this.amp = f1 <= 0 ? 0 : f2 > 0 ? LEVEL_TWO : LEVEL_ONE;
  }
}
