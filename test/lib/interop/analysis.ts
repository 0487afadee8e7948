// Audio measurements for the interop suites: level (RMS, peak, in dBFS), the dominant frequency
// to a fraction of a hertz, the level of the component at a given frequency, the strongest
// spectral peaks, and a split of a recording into silence / tone / other sound over time.
// Method: Hann window, radix-2 FFT zero-padded to at least 4x the window, then Gaussian
// (log-parabolic) interpolation of the peak (Gasior & Gonzalez, "Improving FFT frequency
// measurement resolution by parabolic and Gaussian interpolation", CERN AB-Note-2004-021), then
// a golden-section search of the windowed DTFT's magnitude around it, which removes the
// interpolation's residual bias. Levels are peak-referenced (see wav.ts): a full-scale sine is
// 0 dBFS, so levelDbfs(sine(..., { dbfs: -6 })) is -6.

/** RMS of x[from, to) (full scale = 1.0). */
export function rms(x: Float64Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return to > from ? Math.sqrt(s / (to - from)) : 0;
}

/** Level of x[from, to) in dBFS, peak-referenced (RMS + 3.01 dB); -Infinity for digital silence. */
export function levelDbfs(x: Float64Array, from = 0, to = x.length): number {
  return 20 * Math.log10(rms(x, from, to) * Math.SQRT2);
}

/** Largest absolute sample in dBFS. */
export function peakDbfs(x: Float64Array, from = 0, to = x.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]!));
  return 20 * Math.log10(m);
}

// ---- FFT (iterative radix-2, in place)
const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array; rev: Uint32Array }>();

function plan(n: number): { cos: Float64Array; sin: Float64Array; rev: Uint32Array } {
  let p = twiddles.get(n);
  if (p) return p;
  const cos = new Float64Array(n / 2), sin = new Float64Array(n / 2), rev = new Uint32Array(n);
  for (let i = 0; i < n / 2; i++) { cos[i] = Math.cos((2 * Math.PI * i) / n); sin[i] = -Math.sin((2 * Math.PI * i) / n); }
  const bits = Math.log2(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    rev[i] = r;
  }
  p = { cos, sin, rev };
  twiddles.set(n, p);
  return p;
}

/** In-place forward DFT of (re, im); n must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1) || im.length !== n) throw new Error(`fft size ${n} is not a power of two (or re/im differ)`);
  const { cos, sin, rev } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j > i) { let t = re[i]!; re[i] = re[j]!; re[j] = t; t = im[i]!; im[i] = im[j]!; im[j] = t; }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1, step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!, wi = sin[k * step]!;
        const a = start + k, b = a + half;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr; im[b] = im[a]! - xi;
        re[a]! += xr; im[a]! += xi;
      }
    }
  }
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Window of x[from, to) with the mean removed (DC would otherwise leak into low bins). */
function windowed(x: Float64Array, from: number, to: number): { y: Float64Array; wsum: number } {
  const n = to - from;
  const w = hann(n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[from + i]!;
  mean /= n;
  const y = new Float64Array(n);
  let wsum = 0;
  for (let i = 0; i < n; i++) { y[i] = (x[from + i]! - mean) * w[i]!; wsum += w[i]!; }
  return { y, wsum };
}

export interface Spectrum {
  /** Magnitude per bin as a peak-referenced sine amplitude (a sine of amplitude A in bin k reads ~A). */
  mag: Float64Array;
  /** Hz per bin. */
  binHz: number;
  sampleRate: number;
  /** The windowed samples and the window's sum (for DTFT refinement). */
  y: Float64Array;
  wsum: number;
}

/** Hann-windowed magnitude spectrum of x[from, to), zero-padded to >= pad x the length (power of two). */
export function spectrum(x: Float64Array, sampleRate: number, opts: { from?: number; to?: number; pad?: number } = {}): Spectrum {
  const from = opts.from ?? 0, to = opts.to ?? x.length;
  if (to - from < 8) throw new Error(`spectrum needs at least 8 samples, got ${to - from}`);
  const { y, wsum } = windowed(x, from, to);
  let n = 1;
  while (n < (to - from) * (opts.pad ?? 4)) n <<= 1;
  const re = new Float64Array(n), im = new Float64Array(n);
  re.set(y);
  fft(re, im);
  const mag = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) mag[k] = (2 * Math.hypot(re[k]!, im[k]!)) / wsum;
  return { mag, binHz: sampleRate / n, sampleRate, y, wsum };
}

/** |windowed DTFT| at hz, as a sine amplitude (exact at any frequency, O(n)). */
function dtftAmp(y: Float64Array, wsum: number, hz: number, sampleRate: number): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  // Goertzel recurrence: one multiply-add per sample.
  const c = 2 * Math.cos(w);
  let s1 = 0, s2 = 0;
  for (let i = 0; i < y.length; i++) { const s0 = y[i]! + c * s1 - s2; s2 = s1; s1 = s0; }
  const power = s1 * s1 + s2 * s2 - c * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / wsum;
}

/** Maximises the DTFT amplitude over [lo, hi] by golden-section search (unimodal near a peak). */
function refinePeak(s: Spectrum, lo: number, hi: number, tolHz: number): { hz: number; amp: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = dtftAmp(s.y, s.wsum, c, s.sampleRate), fd = dtftAmp(s.y, s.wsum, d, s.sampleRate);
  for (let i = 0; i < 60 && b - a > tolHz; i++) {
    if (fc > fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = dtftAmp(s.y, s.wsum, c, s.sampleRate); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = dtftAmp(s.y, s.wsum, d, s.sampleRate); }
  }
  const hz = (a + b) / 2;
  return { hz, amp: dtftAmp(s.y, s.wsum, hz, s.sampleRate) };
}

/** Log-parabolic interpolation around bin k: offset in bins (-0.5..0.5). */
function interpolate(mag: Float64Array, k: number): number {
  if (k <= 0 || k >= mag.length - 1) return 0;
  const a = Math.log(mag[k - 1]! + 1e-300), b = Math.log(mag[k]! + 1e-300), c = Math.log(mag[k + 1]! + 1e-300);
  const den = a - 2 * b + c;
  return den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
}

export interface Peak {
  /** Frequency, Hz. */
  hz: number;
  /** Amplitude of that component, dBFS peak-referenced (a -6 dBFS sine reads -6). */
  dbfs: number;
}

export interface ToneOptions {
  from?: number;
  to?: number;
  /** Search band, Hz (default 20 .. sampleRate/2 - 20). */
  minHz?: number;
  maxHz?: number;
}

/**
 * The strongest spectral component of x[from, to) within [minHz, maxHz]: frequency (resolved to
 * ~0.01 Hz for a clean tone over one second, see the self-test) and level. Throws for fewer than
 * 8 samples. On silence it returns some frequency at -Infinity dBFS: check the level.
 */
export function dominantFrequency(x: Float64Array, sampleRate: number, opts: ToneOptions = {}): Peak {
  return peaks(x, sampleRate, 1, opts)[0] ?? { hz: 0, dbfs: -Infinity };
}

/**
 * The `count` strongest local maxima of the spectrum in [minHz, maxHz], at least minSepHz apart
 * (default 4 bins of the unpadded window, the Hann main lobe), each refined like
 * dominantFrequency; strongest first.
 */
export function peaks(x: Float64Array, sampleRate: number, count: number, opts: ToneOptions & { minSepHz?: number } = {}): Peak[] {
  const from = opts.from ?? 0, to = opts.to ?? x.length;
  const s = spectrum(x, sampleRate, { from, to });
  const lobeHz = (2 * sampleRate) / (to - from);                          // Hann main lobe half-width
  const minSep = opts.minSepHz ?? 2 * lobeHz;
  const kLo = Math.max(1, Math.ceil((opts.minHz ?? 20) / s.binHz));
  const kHi = Math.min(s.mag.length - 2, Math.floor((opts.maxHz ?? sampleRate / 2 - 20) / s.binHz));
  const cands: number[] = [];
  for (let k = kLo; k <= kHi; k++) if (s.mag[k]! > s.mag[k - 1]! && s.mag[k]! >= s.mag[k + 1]!) cands.push(k);
  cands.sort((a, b) => s.mag[b]! - s.mag[a]!);
  const out: Peak[] = [];
  for (const k of cands) {
    if (out.length >= count) break;
    const coarse = (k + interpolate(s.mag, k)) * s.binHz;
    if (out.some((p) => Math.abs(p.hz - coarse) < minSep)) continue;
    const r = refinePeak(s, coarse - s.binHz, coarse + s.binHz, 1e-4);
    out.push({ hz: r.hz, dbfs: 20 * Math.log10(r.amp) });
  }
  return out;
}

/**
 * Level of the component near `hz` (the largest within ±searchHz, default 3 Hz) in dBFS; use
 * it to ask "is 440 Hz in there, and how loud" when other sound is present too.
 */
export function toneLevelDbfs(x: Float64Array, sampleRate: number, hz: number, opts: { from?: number; to?: number; searchHz?: number } = {}): number {
  const from = opts.from ?? 0, to = opts.to ?? x.length;
  const { y, wsum } = windowed(x, from, to);
  const s: Spectrum = { mag: new Float64Array(0), binHz: sampleRate / (to - from), sampleRate, y, wsum };
  const search = opts.searchHz ?? 3;
  const r = search > 0 ? refinePeak(s, hz - search, hz + search, 1e-3) : { amp: dtftAmp(y, wsum, hz, sampleRate) };
  return 20 * Math.log10(r.amp);
}

/** Share of x[from, to)'s energy within ±bandHz of hz (0..1): how pure a tone is. */
export function toneShare(x: Float64Array, sampleRate: number, hz: number, opts: { from?: number; to?: number; bandHz?: number } = {}): number {
  const from = opts.from ?? 0, to = opts.to ?? x.length;
  const s = spectrum(x, sampleRate, { from, to, pad: 1 });
  const band = opts.bandHz ?? (3 * sampleRate) / (to - from);
  let inBand = 0, all = 0;
  for (let k = 1; k < s.mag.length; k++) {
    const e = s.mag[k]! * s.mag[k]!;
    all += e;
    if (Math.abs(k * s.binHz - hz) <= band) inBand += e;
  }
  return all > 0 ? inBand / all : 0;
}

export interface Segment {
  kind: "silence" | "tone" | "sound";
  startMs: number;
  endMs: number;
  /** Level over the segment (without its edge frames), dBFS. */
  dbfs: number;
  /** For tones: the dominant frequency over the segment (without its edge frames). */
  hz?: number;
}

export interface SegmentOptions {
  /** Analysis frame, ms (default 20). */
  frameMs?: number;
  /** A frame below this level is silence (default -50 dBFS; G.711 idle noise is below -70). */
  silenceDbfs?: number;
  /** A frame is tonal when its strongest peak holds this share of its energy (default 0.6). */
  toneShare?: number;
  /** Consecutive tonal frames belong to one tone while their frequencies differ by less (default 20 Hz). */
  toleranceHz?: number;
  /** Runs shorter than this are merged into the one before (default 2 frames). */
  minMs?: number;
}

/**
 * Splits x into silence, tone (one dominant frequency) and other sound over time, in frames of
 * frameMs. Boundaries are exact to one frame; each segment's level and frequency are measured
 * over its inner frames (all of them when it has fewer than 3).
 */
export function segments(x: Float64Array, sampleRate: number, opts: SegmentOptions = {}): Segment[] {
  const frame = Math.round(((opts.frameMs ?? 20) * sampleRate) / 1000);
  const silence = opts.silenceDbfs ?? -50;
  const share = opts.toneShare ?? 0.6;
  const tol = opts.toleranceHz ?? 20;
  const minFrames = Math.max(1, Math.round((opts.minMs ?? 2 * (opts.frameMs ?? 20)) / (opts.frameMs ?? 20)));
  const nFrames = Math.floor(x.length / frame);
  type F = { kind: Segment["kind"]; hz: number };
  const frames: F[] = [];
  for (let f = 0; f < nFrames; f++) {
    const a = f * frame, b = a + frame;
    if (levelDbfs(x, a, b) < silence) { frames.push({ kind: "silence", hz: 0 }); continue; }
    const p = dominantFrequency(x, sampleRate, { from: a, to: b, minHz: 20 });
    const tonal = toneShare(x, sampleRate, p.hz, { from: a, to: b }) >= share;
    frames.push({ kind: tonal ? "tone" : "sound", hz: p.hz });
  }
  // Runs of the same kind (tones: of about the same frequency).
  type Run = { kind: Segment["kind"]; a: number; b: number; hz: number };
  const runs: Run[] = [];
  for (let f = 0; f < frames.length; f++) {
    const fr = frames[f]!;
    const last = runs[runs.length - 1];
    if (last && last.kind === fr.kind && (fr.kind !== "tone" || Math.abs(fr.hz - last.hz) < tol)) { last.b = f + 1; continue; }
    runs.push({ kind: fr.kind, a: f, b: f + 1, hz: fr.hz });
  }
  // Short runs (edge frames that straddle a change) join a neighbour, the one before when there
  // is one; neighbours that then match are joined too.
  const same = (p: Run, q: Run): boolean => p.kind === q.kind && (p.kind !== "tone" || Math.abs(p.hz - q.hz) < tol);
  const merged = runs;
  for (;;) {
    const i = merged.findIndex((r) => r.b - r.a < minFrames);
    if (i < 0 || merged.length < 2) break;
    const r = merged[i]!;
    if (i > 0) merged[i - 1]!.b = r.b; else merged[1]!.a = r.a;
    merged.splice(i, 1);
    for (let j = Math.max(1, i - 1); j < merged.length && j <= i; j++) {
      if (same(merged[j - 1]!, merged[j]!)) { merged[j - 1]!.b = merged[j]!.b; merged.splice(j, 1); j--; }
    }
  }
  return merged.map((r) => {
    const inner = r.b - r.a >= 3 ? [r.a + 1, r.b - 1] : [r.a, r.b];
    const a = inner[0]! * frame, b = inner[1]! * frame;
    const seg: Segment = { kind: r.kind, startMs: (r.a * frame * 1000) / sampleRate, endMs: (r.b * frame * 1000) / sampleRate, dbfs: levelDbfs(x, a, b) };
    if (r.kind === "tone") seg.hz = dominantFrequency(x, sampleRate, { from: a, to: b }).hz;
    return seg;
  });
}

/** One line per segment, for messages: `0-300 ms silence; 300-800 ms tone 440.0 Hz -6.0 dBFS`. */
export function describeSegments(segs: Segment[]): string {
  return segs.map((s) => `${Math.round(s.startMs)}-${Math.round(s.endMs)} ms ${s.kind}${s.hz !== undefined ? ` ${s.hz.toFixed(1)} Hz` : ""} ${s.dbfs.toFixed(1)} dBFS`).join("; ");
}
