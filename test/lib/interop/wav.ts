// WAV files for the interop suites (RIFF/WAVE, Microsoft Multimedia Programming Interface and
// Data Specifications 1.0, 1991; WAVE_FORMAT_EXTENSIBLE per mmreg.h): reading what peers
// recorded in any common PCM or float layout at any rate, writing test signals as 16-bit PCM,
// and generating them (sines, silence, seeded noise). Samples are floats with full scale = 1.0
// (16-bit: value / 32768). Levels in dBFS are peak-referenced like host-sim's `tone:HZ:dBFS`: a
// sine whose peak is at -6 dBFS is generated and measured as -6 dBFS.
import { readFileSync, writeFileSync } from "node:fs";
import { parseWav } from "../../../host-sim/src/periph/audio/wav.js";

export interface Audio {
  sampleRate: number;
  /** Channels in the file (samples holds the one asked for). */
  channels: number;
  bitsPerSample: number;
  /** 1 = PCM integer, 3 = IEEE float, 6 = A-law, 7 = mu-law (after resolving EXTENSIBLE). */
  format: number;
  samples: Float64Array;
  /** True when the data chunk's size was 0 with data after it, or ran past the end (a recorder killed or still writing). */
  truncated: boolean;
}

const PCM = 1, FLOAT = 3, ALAW = 6, MULAW = 7;

/**
 * Parses a WAV file. `channel` picks one channel (default 0) or "mix" averages them. Throws an
 * Error naming the problem for anything that is not RIFF/WAVE with a fmt and a data chunk, or a
 * sample format outside PCM 8/16/24/32, float 32/64, A-law and mu-law.
 */
export function parseWavAudio(bytes: Uint8Array, opts: { channel?: number | "mix"; name?: string } = {}): Audio {
  const name = opts.name ?? "WAV";
  const w = parseWav(bytes, name); // the simulator's RIFF chunk walker
  const dv = new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength);
  const fmt = { format: w.format, channels: w.channels, bits: w.bitsPerSample, block: w.blockAlign };
  return { sampleRate: w.sampleRate, channels: w.channels, bitsPerSample: w.bitsPerSample, format: w.format, truncated: w.truncated,
    samples: decode(dv, 0, w.data.byteLength, fmt, opts.channel ?? 0, name) };
}

/** Reads a WAV file (see parseWavAudio). */
export function readWavAudio(path: string, opts: { channel?: number | "mix" } = {}): Audio {
  return parseWavAudio(new Uint8Array(readFileSync(path)), { ...opts, name: path });
}

function decode(dv: DataView, start: number, end: number, f: { format: number; channels: number; bits: number; block: number }, channel: number | "mix", name: string): Float64Array {
  const bytesPer = f.bits / 8;
  const block = f.block || f.channels * bytesPer;
  if (f.channels < 1 || !Number.isInteger(bytesPer) || block < f.channels * bytesPer) throw new Error(`${name}: bad fmt (${f.channels} channels, ${f.bits} bits, block ${f.block})`);
  if (channel !== "mix" && (channel < 0 || channel >= f.channels)) throw new Error(`${name}: no channel ${channel} (the file has ${f.channels})`);
  let read: (o: number) => number;
  if (f.format === PCM && f.bits === 8) read = (o) => (dv.getUint8(o) - 128) / 128;
  else if (f.format === PCM && f.bits === 16) read = (o) => dv.getInt16(o, true) / 32768;
  else if (f.format === PCM && f.bits === 24) read = (o) => ((dv.getUint8(o) | (dv.getUint8(o + 1) << 8) | (dv.getInt8(o + 2) << 16))) / 8388608;
  else if (f.format === PCM && f.bits === 32) read = (o) => dv.getInt32(o, true) / 2147483648;
  else if (f.format === FLOAT && f.bits === 32) read = (o) => dv.getFloat32(o, true);
  else if (f.format === FLOAT && f.bits === 64) read = (o) => dv.getFloat64(o, true);
  else if (f.format === MULAW && f.bits === 8) read = (o) => ulawToLinear(dv.getUint8(o)) / 32768;
  else if (f.format === ALAW && f.bits === 8) read = (o) => alawToLinear(dv.getUint8(o)) / 32768;
  else throw new Error(`${name}: unsupported sample format ${f.format} with ${f.bits} bits`);
  const n = Math.floor((end - start) / block);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = start + i * block;
    if (channel === "mix") {
      let s = 0;
      for (let c = 0; c < f.channels; c++) s += read(o + c * bytesPer);
      out[i] = s / f.channels;
    } else out[i] = read(o + channel * bytesPer);
  }
  return out;
}

/** ITU-T G.711 mu-law byte to a 16-bit linear value (the decoder's table formula). */
export function ulawToLinear(u: number): number {
  u = ~u & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** ITU-T G.711 A-law byte to a 16-bit linear value. */
export function alawToLinear(a: number): number {
  a ^= 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8; else if (seg === 1) t += 0x108; else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

/** 16-bit PCM WAV bytes (mono unless channels > 1 with interleaved samples). Floats are clipped to [-1, 1). */
export function encodeWav16(samples: Float64Array | Int16Array, sampleRate = 8000, channels = 1): Uint8Array {
  const n = samples.length;
  const out = new Uint8Array(44 + n * 2);
  const dv = new DataView(out.buffer);
  const w = (o: number, s: string): void => { for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i); };
  w(0, "RIFF"); dv.setUint32(4, 36 + n * 2, true); w(8, "WAVE");
  w(12, "fmt "); dv.setUint32(16, 16, true); dv.setUint16(20, PCM, true); dv.setUint16(22, channels, true);
  dv.setUint32(24, sampleRate, true); dv.setUint32(28, sampleRate * channels * 2, true); dv.setUint16(32, channels * 2, true); dv.setUint16(34, 16, true);
  w(36, "data"); dv.setUint32(40, n * 2, true);
  const ints = samples instanceof Int16Array;
  for (let i = 0; i < n; i++) dv.setInt16(44 + i * 2, ints ? samples[i]! : toInt16(samples[i]!), true);
  return out;
}

export function writeWav16(path: string, samples: Float64Array | Int16Array, sampleRate = 8000): void {
  writeFileSync(path, encodeWav16(samples, sampleRate));
}

/** Float sample to int16 with rounding and clipping. */
export function toInt16(v: number): number {
  const s = Math.round(v * 32768);
  return s > 32767 ? 32767 : s < -32768 ? -32768 : s;
}

/** dBFS (peak) to a linear amplitude: -6 -> 0.501. */
export const dbToAmp = (dbfs: number): number => Math.pow(10, dbfs / 20);

/** A sine of `hz` for `seconds` with its peak at `dbfs` (default -6), starting at `phase` radians. */
export function sine(hz: number, seconds: number, opts: { dbfs?: number; sampleRate?: number; phase?: number } = {}): Float64Array {
  const rate = opts.sampleRate ?? 8000;
  const a = dbToAmp(opts.dbfs ?? -6);
  const n = Math.round(seconds * rate);
  const out = new Float64Array(n);
  const ph = opts.phase ?? 0;
  for (let i = 0; i < n; i++) out[i] = a * Math.sin((2 * Math.PI * hz * i) / rate + ph);
  return out;
}

export function silence(seconds: number, sampleRate = 8000): Float64Array {
  return new Float64Array(Math.round(seconds * sampleRate));
}

/**
 * Seeded white noise, uniform, with RMS at `dbfs` in the peak-referenced scale (noise at -20
 * dBFS has the RMS of a sine with its peak at -20 dBFS). Deterministic for a seed (xorshift32).
 */
export function noise(seconds: number, opts: { dbfs?: number; sampleRate?: number; seed?: number } = {}): Float64Array {
  const n = Math.round(seconds * (opts.sampleRate ?? 8000));
  const rms = dbToAmp(opts.dbfs ?? -20) / Math.SQRT2;
  const a = rms * Math.sqrt(3);                          // uniform in [-a, a] has RMS a/sqrt(3)
  let s = (opts.seed ?? 1) >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = a * (2 * (s / 4294967296) - 1);
  }
  return out;
}

/** Concatenation of signals. */
export function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Sample-wise sum (the result is as long as the longest input). */
export function mix(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(Math.max(0, ...parts.map((p) => p.length)));
  for (const p of parts) for (let i = 0; i < p.length; i++) out[i]! += p[i]!;
  return out;
}
