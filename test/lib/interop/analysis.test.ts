// Self-test of the interop suites' audio analysis on generated signals with known answers: exact
// frequencies (clean, noisy, G.711-coded, other sample rates), levels, tone levels beside other
// tones, spectral peaks, silence/tone segmentation, and the WAV reader on every layout it takes.
// Runs without any peer (it is a unit suite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import alawmulaw from "alawmulaw";
import { concat, dbToAmp, encodeWav16, mix, noise, parseWavAudio, readWavAudio, silence, sine, ulawToLinear, alawToLinear, writeWav16 } from "./wav.js";
import { describeSegments, dominantFrequency, fft, levelDbfs, peakDbfs, peaks, rms, segments, toneLevelDbfs, toneShare } from "./analysis.js";

const near = (got: number, want: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

/** A deterministic list of frequencies spread over the band, not on whole hertz. */
function testFrequencies(n: number, lo: number, hi: number): number[] {
  let s = 12345;
  return Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) >>> 0; return lo + ((s >>> 8) / (1 << 24)) * (hi - lo); });
}

test("fft: a unit impulse is flat, a bin-centred cosine is two bins of n/2", () => {
  const n = 64;
  const re = new Float64Array(n), im = new Float64Array(n);
  re[0] = 1;
  fft(re, im);
  for (let k = 0; k < n; k++) { near(re[k]!, 1, 1e-12, `re[${k}]`); near(im[k]!, 0, 1e-12, `im[${k}]`); }
  for (let i = 0; i < n; i++) { re[i] = Math.cos((2 * Math.PI * 5 * i) / n); im[i] = 0; }
  fft(re, im);
  for (let k = 0; k < n; k++) near(Math.hypot(re[k]!, im[k]!), k === 5 || k === n - 5 ? n / 2 : 0, 1e-9, `|X[${k}]|`);
  assert.throws(() => fft(new Float64Array(12), new Float64Array(12)), /power of two/);
});

test("dominantFrequency: clean tones over 1 s at 8 kHz within 0.01 Hz, 60 frequencies from 50 to 3900 Hz", () => {
  let worst = 0;
  for (const hz of testFrequencies(60, 50, 3900)) {
    const p = dominantFrequency(sine(hz, 1, { dbfs: -6, phase: hz }), 8000);
    worst = Math.max(worst, Math.abs(p.hz - hz));
    near(p.hz, hz, 0.01, `tone ${hz}`);
    near(p.dbfs, -6, 0.05, `level of ${hz}`);
  }
  assert.ok(worst < 0.01, `worst error ${worst} Hz`);
});

test("dominantFrequency: 1000 and 1001 Hz are told apart; a 20 ms frame still lands within 2 Hz", () => {
  near(dominantFrequency(sine(1000, 1), 8000).hz, 1000, 0.01, "1000");
  near(dominantFrequency(sine(1001, 1), 8000).hz, 1001, 0.01, "1001");
  near(dominantFrequency(sine(1000.5, 1), 8000).hz, 1000.5, 0.01, "1000.5");
  for (const hz of [350, 440, 697.3, 1336, 2500]) near(dominantFrequency(sine(hz, 0.02, { phase: 1 }), 8000).hz, hz, 2, `${hz} in 20 ms`);
});

test("dominantFrequency: with white noise 10 dB below the tone, within 0.2 Hz over 1 s", () => {
  for (const [i, hz] of testFrequencies(20, 100, 3800).entries()) {
    const x = mix(sine(hz, 1, { dbfs: -10 }), noise(1, { dbfs: -20, seed: i + 1 }));
    near(dominantFrequency(x, 8000).hz, hz, 0.2, `tone ${hz} in noise`);
  }
});

test("dominantFrequency: through G.711 (mu-law and A-law) at -30 dBFS, within 0.02 Hz and 0.3 dB", () => {
  for (const hz of [440, 1000, 2222.2]) {
    const pcm = new Int16Array(sine(hz, 1, { dbfs: -30 }).map((v) => Math.round(v * 32767)));
    for (const [law, dec] of [["mu", alawmulaw.mulaw.decode(alawmulaw.mulaw.encode(pcm))], ["A", alawmulaw.alaw.decode(alawmulaw.alaw.encode(pcm))]] as const) {
      const x = Float64Array.from(dec, (v) => v / 32768);
      const p = dominantFrequency(x, 8000);
      near(p.hz, hz, 0.02, `${law}-law ${hz}`);
      near(p.dbfs, -30, 0.3, `${law}-law level of ${hz}`);
    }
  }
});

test("dominantFrequency: other rates (16 kHz, 44.1 kHz, 48 kHz) and the band limits", () => {
  for (const rate of [16000, 44100, 48000]) {
    for (const hz of [100.25, 5000.7, 7000]) near(dominantFrequency(sine(hz, 1, { sampleRate: rate }), rate).hz, hz, 0.01, `${hz} at ${rate}`);
  }
  const two = mix(sine(300, 1, { dbfs: -3 }), sine(1800, 1, { dbfs: -12 }));
  near(dominantFrequency(two, 8000).hz, 300, 0.01, "stronger of two");
  near(dominantFrequency(two, 8000, { minHz: 1000 }).hz, 1800, 0.01, "minHz excludes the stronger");
  near(dominantFrequency(two, 8000, { maxHz: 1000 }).hz, 300, 0.01, "maxHz");
  assert.equal(dominantFrequency(silence(1), 8000).dbfs, -Infinity);
  assert.throws(() => dominantFrequency(new Float64Array(4), 8000), /at least 8 samples/);
});

test("levels: RMS and peak in peak-referenced dBFS; silence is -Infinity; noise RMS as asked", () => {
  near(levelDbfs(sine(1000, 1, { dbfs: -6 })), -6, 0.01, "sine -6");
  near(levelDbfs(sine(437, 1, { dbfs: -37.5 })), -37.5, 0.01, "sine -37.5");
  near(peakDbfs(sine(1000, 1, { dbfs: -6 })), -6, 0.01, "peak");
  near(rms(sine(1000, 1, { dbfs: 0 })), Math.SQRT1_2, 1e-6, "rms of a full-scale sine");
  near(levelDbfs(noise(1, { dbfs: -20, seed: 3 })), -20, 0.1, "noise -20");
  assert.equal(levelDbfs(silence(0.5)), -Infinity);
  const x = concat(silence(0.5), sine(500, 0.5, { dbfs: -12 }));
  assert.equal(levelDbfs(x, 0, 4000), -Infinity);
  near(levelDbfs(x, 4000, 8000), -12, 0.01, "window");
  near(dbToAmp(-6), 0.501187, 1e-6, "dbToAmp");
});

test("toneLevelDbfs and toneShare: one tone's level beside a louder one and noise; absent tones are far down", () => {
  const x = mix(sine(440, 1, { dbfs: -6 }), sine(1000, 1, { dbfs: -26 }), noise(1, { dbfs: -40, seed: 9 }));
  near(toneLevelDbfs(x, 8000, 1000), -26, 0.2, "1000 Hz at -26");
  near(toneLevelDbfs(x, 8000, 440), -6, 0.05, "440 Hz at -6");
  near(toneLevelDbfs(x, 8000, 1002.5), -26, 0.2, "searches ±3 Hz");
  assert.ok(toneLevelDbfs(x, 8000, 1600) < -60, `absent 1600 Hz reads ${toneLevelDbfs(x, 8000, 1600)}`);
  assert.ok(toneShare(sine(440, 1), 8000, 440) > 0.999);
  near(toneShare(x, 8000, 440), 0.99, 0.01, "share of 440");
  assert.ok(toneShare(noise(1, { seed: 4 }), 8000, 440) < 0.01);
});

test("peaks: the two tones of DTMF 5 (770 + 1336 Hz) and their levels, strongest first", () => {
  const x = mix(sine(770, 0.1, { dbfs: -10 }), sine(1336, 0.1, { dbfs: -8 }));
  const p = peaks(x, 8000, 2);
  assert.equal(p.length, 2);
  near(p[0]!.hz, 1336, 0.5, "high tone");
  near(p[1]!.hz, 770, 0.5, "low tone");
  near(p[0]!.dbfs, -8, 0.2, "high level");
  near(p[1]!.dbfs, -10, 0.2, "low level");
});

test("segments: silence, 440 Hz, silence, 1000 Hz quieter, noise: boundaries to a frame, frequencies to 0.1 Hz", () => {
  const x = concat(silence(0.3), sine(440, 0.5, { dbfs: -6 }), silence(0.2), sine(1000, 0.4, { dbfs: -30 }), noise(0.3, { dbfs: -20, seed: 2 }), silence(0.1));
  const s = segments(x, 8000);
  const d = describeSegments(s);
  assert.deepEqual(s.map((g) => g.kind), ["silence", "tone", "silence", "tone", "sound", "silence"], d);
  const edges = [0, 300, 800, 1000, 1400, 1700, 1800];
  s.forEach((g, i) => { near(g.startMs, edges[i]!, 20, `start of ${i} (${d})`); near(g.endMs, edges[i + 1]!, 20, `end of ${i} (${d})`); });
  near(s[1]!.hz!, 440, 0.1, "first tone");
  near(s[1]!.dbfs, -6, 0.1, "first tone level");
  near(s[3]!.hz!, 1000, 0.1, "second tone");
  near(s[3]!.dbfs, -30, 0.1, "second tone level");
  near(s[4]!.dbfs, -20, 0.5, "noise level");
  assert.equal(s[0]!.dbfs, -Infinity);
});

test("segments: a tone that changes frequency without a gap (ringback-like 425 -> 950 Hz) is two tones", () => {
  const x = concat(sine(425, 0.4), sine(950, 0.4), silence(0.2));
  const s = segments(x, 8000);
  assert.deepEqual(s.map((g) => [g.kind, g.hz === undefined ? null : Math.round(g.hz)]), [["tone", 425], ["tone", 950], ["silence", null]], describeSegments(s));
  near(s[1]!.startMs, 400, 20, "change");
});

test("WAV: 16-bit mono round trip, header with data size 0 (killed recorder), odd layouts", () => {
  const dir = mkdtempSync(join(tmpdir(), "wav-"));
  const x = sine(1000, 0.25, { dbfs: -6 });
  writeWav16(join(dir, "a.wav"), x);
  const a = readWavAudio(join(dir, "a.wav"));
  assert.deepEqual([a.sampleRate, a.channels, a.bitsPerSample, a.format, a.samples.length, a.truncated], [8000, 1, 16, 1, 2000, false]);
  a.samples.forEach((v, i) => near(v, x[i]!, 1 / 32768, `sample ${i}`));

  const killed = encodeWav16(x);
  new DataView(killed.buffer).setUint32(40, 0, true);
  const k = parseWavAudio(killed);
  assert.equal(k.truncated, true);
  assert.equal(k.samples.length, 2000);

  // 24-bit stereo at 16 kHz, left = 500 Hz, right = 1500 Hz; EXTENSIBLE float 32; 8-bit; mu-law.
  const n = 16000;
  const st = new Uint8Array(44 + n * 6);
  const dv = new DataView(st.buffer);
  const hdr = (o: number, s: string): void => { for (let i = 0; i < 4; i++) st[o + i] = s.charCodeAt(i); };
  hdr(0, "RIFF"); dv.setUint32(4, 36 + n * 6, true); hdr(8, "WAVE"); hdr(12, "fmt "); dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true); dv.setUint16(22, 2, true); dv.setUint32(24, 16000, true); dv.setUint32(28, 16000 * 6, true);
  dv.setUint16(32, 6, true); dv.setUint16(34, 24, true); hdr(36, "data"); dv.setUint32(40, n * 6, true);
  const L = sine(500, 1, { sampleRate: 16000 }), R = sine(1500, 1, { sampleRate: 16000 });
  for (let i = 0; i < n; i++) {
    for (const [c, v] of [[0, L[i]!], [1, R[i]!]] as const) {
      const s24 = Math.round(v * 8388607) & 0xffffff;
      st[44 + i * 6 + c * 3] = s24 & 255; st[45 + i * 6 + c * 3] = (s24 >> 8) & 255; st[46 + i * 6 + c * 3] = (s24 >> 16) & 255;
    }
  }
  writeFileSync(join(dir, "st.wav"), st);
  const left = readWavAudio(join(dir, "st.wav"));
  const right = readWavAudio(join(dir, "st.wav"), { channel: 1 });
  assert.deepEqual([left.sampleRate, left.channels, left.bitsPerSample], [16000, 2, 24]);
  near(dominantFrequency(left.samples, 16000).hz, 500, 0.01, "left");
  near(dominantFrequency(right.samples, 16000).hz, 1500, 0.01, "right");
  const both = peaks(readWavAudio(join(dir, "st.wav"), { channel: "mix" }).samples, 16000, 2).map((p) => Math.round(p.hz)).sort((a, b) => a - b);
  assert.deepEqual(both, [500, 1500]);
  assert.throws(() => readWavAudio(join(dir, "st.wav"), { channel: 2 }), /no channel 2/);

  const f32 = new Uint8Array(68 + 800 * 4);
  const fv = new DataView(f32.buffer);
  const h2 = (o: number, s: string): void => { for (let i = 0; i < 4; i++) f32[o + i] = s.charCodeAt(i); };
  h2(0, "RIFF"); fv.setUint32(4, 60 + 800 * 4, true); h2(8, "WAVE"); h2(12, "fmt "); fv.setUint32(16, 40, true);
  fv.setUint16(20, 0xfffe, true); fv.setUint16(22, 1, true); fv.setUint32(24, 8000, true); fv.setUint32(28, 32000, true);
  fv.setUint16(32, 4, true); fv.setUint16(34, 32, true); fv.setUint16(36, 22, true); fv.setUint16(38, 32, true);
  fv.setUint32(40, 4, true); fv.setUint16(44, 3, true);            // sub-format GUID starts with 3 = IEEE float
  h2(60, "data"); fv.setUint32(64, 800 * 4, true);
  const y = sine(700, 0.1, { dbfs: -3 });
  for (let i = 0; i < 800; i++) fv.setFloat32(68 + i * 4, y[i]!, true);
  const fl = parseWavAudio(f32);
  assert.equal(fl.format, 3);
  near(dominantFrequency(fl.samples, 8000).hz, 700, 0.05, "float");

  assert.throws(() => parseWavAudio(new Uint8Array(20)), /not a WAV file/);
  const noData = encodeWav16(x).slice(0, 36);
  assert.throws(() => parseWavAudio(noData), /no data chunk/);
});

test("G.711 decoders match alawmulaw for every code", () => {
  for (let c = 0; c < 256; c++) {
    assert.equal(ulawToLinear(c), alawmulaw.mulaw.decodeSample(c) + 0, `mu ${c}`);
    assert.equal(alawToLinear(c), alawmulaw.alaw.decodeSample(c) + 0, `A ${c}`);
  }
});
