// Deterministic test signals for the benches: a speech-like 8 kHz signal (voiced syllables from a
// jittered glottal pulse train through two formant resonators, an envelope with pauses, a noise
// floor) and uniform random samples. Same seed, same samples, on every machine.

/** mulberry32: a small seeded PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform random 16-bit samples. */
export function uniformSamples(n: number, seed = 1): Int16Array {
  const r = prng(seed);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 65536) - 32768;
  return out;
}

/** Speech-like samples at 8 kHz, peaks near -3 dBFS, about a fifth of the time in pauses. */
export function speechSamples(n: number, seed = 1): Int16Array {
  const r = prng(seed);
  const fs = 8000;
  const out = new Float64Array(n);
  // Two-pole resonator state per formant.
  let y1a = 0, y2a = 0, y1b = 0, y2b = 0;
  let phase = 0;
  let syl = 0, sylLen = 0, f0 = 120, fa = 600, fb = 1500, amp = 0, voiced = true;
  for (let i = 0; i < n; i++) {
    if (syl >= sylLen) {
      syl = 0;
      sylLen = Math.floor(fs * (0.12 + 0.2 * r()));
      voiced = r() > 0.2;
      amp = voiced ? 0.3 + 0.7 * r() : 0;
      f0 = 90 + 90 * r();
      fa = 300 + 600 * r();
      fb = 1000 + 1500 * r();
    }
    const env = amp * Math.sin(Math.PI * syl / sylLen);
    syl++;
    phase += (f0 * (1 + 0.02 * (r() - 0.5))) / fs;
    let x = 0;
    if (phase >= 1) { phase -= 1; x = 1; }
    x = x * env + 0.002 * (r() - 0.5);
    const ra = 0.97, rb = 0.94;
    const ya = x + 2 * ra * Math.cos(2 * Math.PI * fa / fs) * y1a - ra * ra * y2a;
    y2a = y1a; y1a = ya;
    const yb = ya + 2 * rb * Math.cos(2 * Math.PI * fb / fs) * y1b - rb * rb * y2b;
    y2b = y1b; y1b = yb;
    out[i] = yb;
  }
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(out[i]!));
  const scale = peak > 0 ? (0.707 * 32767) / peak : 0;
  const s = new Int16Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.max(-32768, Math.min(32767, Math.round(out[i]! * scale)));
  return s;
}
