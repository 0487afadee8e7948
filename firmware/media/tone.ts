// Call-progress and feedback tones for the door speaker (one speaker: module state): a
// phase-accumulator oscillator over a 256-entry sine table (linear interpolation, integer math),
// played through a cadence of tone and pause segments. Values after ITU-T E.180 (= Q.35) and the
// European practice listed in ETSI TR 101 041-2, as ETSI ETR 187 recommends for tones generated
// in terminals: ringback 425 Hz 1 s on 4 s off, busy 425 Hz 0.5/0.5, and the special information
// tone (950/1400/1800 Hz, 330 ms each, 1 s off) for a failure; "door opened" is three short
// 1 kHz beeps. Each burst starts at phase 0 and ramps over 2 ms at both ends (no clicks).

export const TONE_NONE: i32 = 0;
export const TONE_RINGBACK: i32 = 1;
export const TONE_BUSY: i32 = 2;
export const TONE_CONFIRM: i32 = 3;
export const TONE_ERROR: i32 = 4;

const RAMP: i32 = 16;           // samples of fade at each end of a burst
const LEVEL: i32 = 8000;        // peak (about -12 dBFS)

// Segments: (Hz, ms); 0 Hz is a pause.
const SEGS = memory.data<u16>([
  425, 1000, 0, 4000,                                   // 0: ringback
  425, 500, 0, 500,                                     // 2: busy
  1000, 100, 0, 100, 1000, 100, 0, 100, 1000, 100,      // 4: confirm
  950, 330, 1400, 330, 1800, 330, 0, 1000,              // 9: error (special information tone)
]);
// Per kind from TONE_RINGBACK: first segment, end segment, repetitions (0 = until stopped),
// mixed over the call audio (1) or replacing it (0).
const KINDS = memory.data<u8>([
  0, 2, 0, 0,   // ringback
  2, 4, 0, 0,   // busy
  4, 9, 1, 1,   // confirm
  9, 13, 2, 0,  // error
]);

const table = memory.data(257 << 1); // sin(2 pi i / 256) in Q15, one extra entry for interpolation
{
  // sin by the Chebyshev recurrence s[k+1] = 2 cos(t) s[k] - s[k-1] (no libm needed).
  const c2 = 2.0 * 0.9996988186962042; // 2 cos(2 pi / 256)
  let s0 = 0.0, s1 = 0.024541228522912288; // sin(0), sin(2 pi / 256)
  for (let i = 0; i <= 256; i++) {
    store<i16>(table + (<usize>i << 1), <i16>Math.round(s0 * 32767.0));
    const s2 = c2 * s1 - s0;
    s0 = s1; s1 = s2;
  }
}

let kind: i32 = TONE_NONE;
let seg: i32 = 0;       // current segment
let first: i32 = 0;     // the kind's segments: first..end-1
let end: i32 = 0;
let reps: i32 = 0;      // repetitions left; 0 = endless
let left: i32 = 0;      // samples left in the segment
let len: i32 = 0;       // samples in the segment
let phase: u32 = 0;
let inc: u32 = 0;       // 0 in a pause
let mix: bool = false;

/** True while a tone is sounding or in a cadence pause. */
export function active(): bool { return kind != TONE_NONE; }

/** The current tone is mixed over the call audio (else it replaces it). */
export function mixes(): bool { return mix; }

/** Starts a tone kind (TONE_*); TONE_NONE (or an unknown kind) stops. */
export function start(k: i32): void {
  kind = <u32>(k - 1) < 4 ? k : TONE_NONE;
  if (kind == TONE_NONE) return;
  const j = KINDS + (<usize>(k - 1) << 2);
  first = load<u8>(j);
  end = load<u8>(j, 1);
  reps = load<u8>(j, 2);
  mix = load<u8>(j, 3) != 0;
  enter(first);
}

/** Writes 160 samples of the tone at p, or with `over` (p holds the call audio) adds them with
 *  saturation when the tone mixes. Past the end of a finite tone it writes silence, or leaves p
 *  alone when mixing; with no tone it does nothing. */
export function render(p: usize, over: bool): void {
  if (kind == TONE_NONE) return;
  const add = over && mix;
  for (let i = 0; i < 160; i++) {
    let v = 0;
    if (kind != TONE_NONE) {
      if (inc != 0) {
        const k = len - left; // sample index inside the burst
        const x = phase >>> 24;
        const a = <i32>load<i16>(table + (<usize>x << 1));
        const s = a + (((<i32>load<i16>(table + (<usize>x << 1), 2) - a) * <i32>((phase >>> 16) & 0xff)) >> 8);
        v = (s * LEVEL) >> 15;
        const edge = k < left ? k : left - 1;
        if (edge < RAMP) v = v * edge / RAMP;
        phase += inc;
      }
      if (--left <= 0) {
        let next = seg + 1;
        if (next >= end) {
          next = first;
          if (reps == 1) kind = TONE_NONE;
          else if (reps > 1) reps--;
        }
        enter(next);
      }
    }
    const q = p + (<usize>i << 1);
    if (add) {
      v += <i32>load<i16>(q);
      store<i16>(q, <i16>(v > 32767 ? 32767 : v < -32768 ? -32768 : v));
    } else store<i16>(q, <i16>v);
  }
}

function enter(s: i32): void {
  seg = s;
  const q = SEGS + (<usize>s << 2);
  const f = <u64>load<u16>(q);
  len = <i32>load<u16>(q, 2) << 3;
  left = len;
  phase = 0;
  inc = <u32>((f << 32) / 8000); // per 8 kHz sample
}
