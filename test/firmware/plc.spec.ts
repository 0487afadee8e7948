// Packet loss concealment (G.711 Appendix I style): received audio passes exactly (3.75 ms
// late); losses of 1..5 frames at many positions leave no sample-to-sample step bigger than the
// signal's own largest step + 5 % on sines and on a speech-like signal; long losses fade to
// silence by 60 ms; after the recovery overlap the output is exactly the input again; skipped
// audio is spliced without a jump.
import { Plc, PLC_DELAY } from "../../firmware/media/plc";

const FRAMES = 60;
const SAMPLES = FRAMES * 160;
const sig = memory.data(SAMPLES * 2);
const out = memory.data(SAMPLES * 2);

function at(p: usize, n: i32): i32 { return <i32>load<i16>(p + (<usize>n << 1)); }

function sine(f: f64, a: f64): void {
  for (let n = 0; n < SAMPLES; n++) store<i16>(sig + (<usize>n << 1), <i16>Math.round(a * Math.sin(2.0 * Math.PI * f * <f64>n / 8000.0)));
}

/** Voiced-speech-like: 12 harmonics of a 140 Hz source drifting +-5 %, 1/h spectrum, 4 Hz
 *  syllable envelope. */
function speech(): void {
  let ph = 0.0;
  for (let n = 0; n < SAMPLES; n++) {
    const f0 = 140.0 * (1.0 + 0.05 * Math.sin(2.0 * Math.PI * 0.7 * <f64>n / 8000.0));
    ph += 2.0 * Math.PI * f0 / 8000.0;
    let v = 0.0;
    for (let h = 1; h <= 12; h++) v += Math.sin(<f64>h * ph + <f64>h * 0.7) / <f64>h;
    const env = 0.55 + 0.45 * Math.sin(2.0 * Math.PI * 4.0 * <f64>n / 8000.0);
    store<i16>(sig + (<usize>n << 1), <i16>Math.round(5000.0 * env * v));
  }
}

function maxStep(p: usize, from: i32, to: i32): i32 {
  let m = 0;
  for (let n = from + 1; n < to; n++) {
    let d = at(p, n) - at(p, n - 1);
    if (d < 0) d = -d;
    if (d > m) m = d;
  }
  return m;
}

/** Runs the signal through a Plc in 20 ms frames, frames [from, from + count) lost. */
function run(from: i32, count: i32): Plc {
  const plc = new Plc();
  for (let f = 0; f < FRAMES; f++) {
    const o = out + <usize>(f * 320);
    if (f >= from && f < from + count) plc.lost(o);
    else { memory.copy(o, sig + <usize>(f * 320), 320); plc.good(o); }
  }
  return plc;
}

describe("PLC", () => {
  it("passes received audio through exactly, 3.75 ms late", () => {
    speech();
    run(FRAMES, 0);
    for (let n = 0; n < PLC_DELAY; n++) expect(at(out, n)).toBe(0);
    let diff = 0;
    for (let n = PLC_DELAY; n < SAMPLES; n++) if (at(out, n) != at(sig, n - PLC_DELAY)) diff++;
    expect(diff).toBe(0);
  });

  it("leaves no step at the loss boundaries beyond the signal's own (sines and speech)", () => {
    for (let kind = 0; kind < 4; kind++) {
      if (kind == 0) sine(440.0, 10000.0);
      else if (kind == 1) sine(180.0, 12000.0);
      else if (kind == 2) sine(1000.0, 8000.0);
      else speech();
      const own = maxStep(sig, 0, SAMPLES);
      for (let count = 1; count <= 5; count++) {
        for (let from = 20; from < 26; from++) {
          run(from, count);
          const s = maxStep(out, 0, SAMPLES);
          if (s * 100 > own * 105) log<string>("kind " + kind.toString() + " loss " + count.toString() + " at frame " + from.toString() + ": step " + s.toString() + " vs " + own.toString());
          expect(s * 100 <= own * 105).toBe(true);
        }
      }
    }
  });

  it("fills a short loss with the waveform, not silence", () => {
    sine(440.0, 10000.0);
    run(20, 1);
    // the concealed 20 ms (output is 30 samples late) keeps nearly the full amplitude
    let peak = 0;
    for (let n = 20 * 160 + PLC_DELAY; n < 21 * 160 + PLC_DELAY; n++) { const v = abs<i32>(at(out, n)); if (v > peak) peak = v; }
    expect(peak).toBeGreaterThan(9000);
  });

  it("attenuates a long loss and is silent from 60 ms on", () => {
    sine(440.0, 10000.0);
    const plc = run(20, 8); // 160 ms lost
    const s0 = 20 * 160 + PLC_DELAY; // first concealed sample in the output
    // peak per 10 ms of the loss: full for 10 ms, then falling, zero from 60 ms
    let prev = 1 << 30;
    for (let b = 0; b < 16; b++) {
      let peak = 0;
      for (let n = s0 + b * 80; n < s0 + (b + 1) * 80; n++) { const v = abs<i32>(at(out, n)); if (v > peak) peak = v; }
      if (b == 0) {
        expect(peak).toBeGreaterThan(9700);
        let tail = 0; // still at full level at the end of the first 10 ms
        for (let n = s0 + 60; n < s0 + 80; n++) { const v = abs<i32>(at(out, n)); if (v > tail) tail = v; }
        expect(tail).toBeGreaterThan(9700);
      }
      else if (b < 6) { expect(peak).toBeLessThan(prev); expect(peak).toBeGreaterThan(0); }
      else expect(peak).toBe(0);
      prev = peak;
    }
    expect(plc.concealed).toBe(8 * 160);
  });

  it("recovers exactly after the overlap window", () => {
    speech();
    // 1 lost frame (20 ms): overlap 4 ms + 4 ms = 64 samples; 3 frames: 10 ms cap = 80 samples
    const cases: StaticArray<i32> = [1, 64, 3, 80];
    for (let c = 0; c < 2; c++) {
      const count = cases[c * 2], ola = cases[c * 2 + 1];
      run(20, count);
      const back = (20 + count) * 160 + PLC_DELAY; // first output sample of the recovered audio
      let diff = 0, firstExact = -1;
      for (let n = back; n < SAMPLES; n++) {
        if (at(out, n) != at(sig, n - PLC_DELAY)) { diff++; firstExact = -1; }
        else if (firstExact < 0) firstExact = n - back;
      }
      expect(firstExact).toBeLessThanOrEqual(ola);
      expect(diff).toBeLessThanOrEqual(ola);
      // and everything from the second frame after the loss on is the input, exactly
      let late = 0;
      for (let n = back + 160; n < SAMPLES; n++) if (at(out, n) != at(sig, n - PLC_DELAY)) late++;
      expect(late).toBe(0);
    }
  });

  it("splices skipped audio without a jump", () => {
    sine(300.0, 10000.0);
    const own = maxStep(sig, 0, SAMPLES);
    const plc = new Plc();
    let k = 0; // input position, samples
    for (let f = 0; f < FRAMES - 2; f++) {
      const o = out + <usize>(f * 320);
      if (f == 20 || f == 40) { k += 160; plc.splice(); } // a frame skipped
      memory.copy(o, sig + <usize>(k << 1), 320);
      plc.good(o);
      k += 160;
    }
    expect(maxStep(out, 0, (FRAMES - 2) * 160) * 100 <= own * 105).toBe(true);
    expect(plc.concealed).toBe(0);
  });
});
