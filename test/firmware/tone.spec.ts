// Tones: each tone's frequency measured from its zero crossings, its waveform against a
// floating-point reference, and its cadence to the sample (on/off edges, repetitions, end).
import * as tone from "../../firmware/media/tone";
import { TONE_RINGBACK, TONE_BUSY, TONE_CONFIRM, TONE_ERROR, TONE_NONE } from "../../firmware/media/tone";

const MAX = 8000 * 12; // 12 s
const buf = memory.data(MAX * 2);

function at(n: i32): i32 { return <i32>load<i16>(buf + (<usize>n << 1)); }

/** Renders n samples in 20 ms frames (as the session does); over: into call audio. */
function render(n: i32, over: bool = false): void {
  for (let i = 0; i < n; i += 160) tone.render(buf + (<usize>i << 1), over);
}

/** Frequency from the rising zero crossings in [from, to), interpolated between samples. */
function freq(from: i32, to: i32): f64 {
  let first = -1.0, last = -1.0, count = 0;
  for (let n = from + 1; n < to; n++) {
    const a = at(n - 1), b = at(n);
    if (a < 0 && b >= 0) {
      const t = <f64>(n - 1) + <f64>a / <f64>(a - b);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return count < 2 ? 0.0 : <f64>(count - 1) * 8000.0 / (last - first);
}

/** Checks one burst [s, e) of f Hz: silent edges as ramped, nonzero inside, frequency within
 *  0.05 Hz, waveform within 10 of amp * sin away from the 2 ms ramps. */
function burst(s: i32, e: i32, f: f64, amp: f64): void {
  expect(at(s)).toBe(0);           // starts at phase 0 with the ramp at 0
  expect(at(s + 1)).not.toBe(0);
  expect(at(e - 1)).toBe(0);       // the ramp ends at 0 on the last sample
  expect(abs<f64>(freq(s + 16, e - 16) - f) < 0.05).toBe(true);
  let err = 0.0;
  for (let n = s + 16; n < e - 16; n++) {
    const ref = amp * Math.sin(2.0 * Math.PI * f * <f64>(n - s) / 8000.0);
    const d = abs<f64>(<f64>at(n) - ref);
    if (d > err) err = d;
  }
  expect(err <= 10.0).toBe(true);
}

function silent(s: i32, e: i32): void {
  let nz = 0;
  for (let n = s; n < e; n++) if (at(n) != 0) nz++;
  expect(nz).toBe(0);
}

describe("tones", () => {
  it("ringback: 425 Hz, 1 s on, 4 s off, repeating", () => {
    tone.start(TONE_RINGBACK);
    expect(tone.mixes()).toBe(false);
    render(80000 + 8000);
    burst(0, 8000, 425.0, 8000.0);
    silent(8000, 40000);
    burst(40000, 48000, 425.0, 8000.0);
    silent(48000, 80000);
    burst(80000, 88000, 425.0, 8000.0);
    expect(tone.active()).toBe(true);
    // over the call audio it replaces it
    for (let n = 0; n < 320; n++) store<i16>(buf + (<usize>n << 1), 1000);
    tone.start(TONE_RINGBACK);
    render(320, true);
    expect(at(0)).toBe(0);
    let err = 0.0;
    for (let n = 16; n < 320; n++) err = Math.max(err, abs<f64>(<f64>at(n) - 8000.0 * Math.sin(2.0 * Math.PI * 425.0 * <f64>n / 8000.0)));
    expect(err <= 10.0).toBe(true);
  });

  it("busy: 425 Hz, 0.5 s on, 0.5 s off", () => {
    tone.start(TONE_BUSY);
    render(32000);
    for (let c = 0; c < 4; c++) {
      burst(c * 8000, c * 8000 + 4000, 425.0, 8000.0);
      silent(c * 8000 + 4000, c * 8000 + 8000);
    }
  });

  it("confirmation: three 100 ms beeps of 1 kHz, mixed over the call audio, then done", () => {
    tone.start(TONE_CONFIRM);
    expect(tone.mixes()).toBe(true);
    render(8000);
    burst(0, 800, 1000.0, 8000.0);
    silent(800, 1600);
    burst(1600, 2400, 1000.0, 8000.0);
    silent(2400, 3200);
    burst(3200, 4000, 1000.0, 8000.0);
    silent(4000, 8000);
    expect(tone.active()).toBe(false);
    // mixed: the call audio stays under and around the beeps
    tone.start(TONE_CONFIRM);
    for (let n = 0; n < 4800; n++) store<i16>(buf + (<usize>n << 1), 1000);
    render(4800, true);
    expect(at(0)).toBe(1000);
    expect(at(2)).toBe(1000 + 7999 * 2 / 16); // peak (32767 * 8000 >> 15) at ramp 2/16
    expect(at(1000)).toBe(1000);
    expect(at(4500)).toBe(1000);
  });

  it("error: 950, 1400, 1800 Hz for 330 ms each, 1 s pause, twice, then done", () => {
    tone.start(TONE_ERROR);
    render(40000);
    for (let r = 0; r < 2; r++) {
      const o = r * 15920;
      burst(o, o + 2640, 950.0, 8000.0);
      burst(o + 2640, o + 5280, 1400.0, 8000.0);
      burst(o + 5280, o + 7920, 1800.0, 8000.0);
      silent(o + 7920, o + 15920);
    }
    silent(31840, 40000);
    expect(tone.active()).toBe(false);
  });

  it("stops on TONE_NONE or an unknown kind, and then leaves the speaker alone", () => {
    tone.start(TONE_BUSY);
    expect(tone.active()).toBe(true);
    tone.start(TONE_NONE);
    expect(tone.active()).toBe(false);
    for (let n = 0; n < 160; n++) store<i16>(buf + (<usize>n << 1), 77);
    render(160);
    expect(at(0)).toBe(77);
    expect(at(159)).toBe(77);
    tone.start(TONE_BUSY);
    tone.start(5);
    expect(tone.active()).toBe(false);
  });
});
