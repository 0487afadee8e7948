// WAV files (RIFF/WAVE with a PCM "fmt " chunk, Microsoft's Multimedia Programming Interface and
// Data Specifications 1.0, 1991; WAVE_FORMAT_EXTENSIBLE as in the Windows SDK's mmreg.h): reading a
// microphone source, and writing the speaker as the simulator runs. The writer keeps the file valid
// at every moment: the header is written first with the sizes so far, rewritten at most every
// `headerEveryBytes` and at close, all synchronously, so a killed process leaves a playable file.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

export interface WavFormat {
  format: number;        // 1 = PCM (after resolving WAVE_FORMAT_EXTENSIBLE)
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export interface ParsedWav extends WavFormat {
  /** Bytes per sample frame, as the fmt chunk says (0 when it does not). */
  blockAlign: number;
  /** The data chunk's bytes. */
  data: Uint8Array;
  /** The data chunk's size was 0 with bytes after it, or ran past the end: a recorder killed or
   *  still writing. data then holds what the file has. */
  truncated: boolean;
}

export class WavError extends Error {}

const PCM = 1;
const EXTENSIBLE = 0xfffe;

/** Parses a RIFF/WAVE file; throws WavError saying what is wrong. */
export function parseWav(bytes: Uint8Array, name = "file"): ParsedWav {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number): string => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new WavError(`${name}: not a WAV file (no RIFF/WAVE header)`);
  let fmt: (WavFormat & { blockAlign: number }) | null = null;
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = tag(p);
    const size = dv.getUint32(p + 4, true);
    const body = p + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw new WavError(`${name}: truncated fmt chunk`);
      let format = dv.getUint16(body, true);
      if (format === EXTENSIBLE && size >= 40) format = dv.getUint16(body + 24, true);
      fmt = { format, channels: dv.getUint16(body + 2, true), sampleRate: dv.getUint32(body + 4, true), blockAlign: dv.getUint16(body + 12, true), bitsPerSample: dv.getUint16(body + 14, true) };
    } else if (id === "data") {
      if (!fmt) throw new WavError(`${name}: data chunk before fmt chunk`);
      const truncated = (size === 0 && bytes.length > body) || body + size > bytes.length;
      return { ...fmt, data: bytes.subarray(body, truncated ? bytes.length : body + size), truncated }; // a file cut short keeps what it has
    }
    p = body + size + (size & 1);
  }
  throw new WavError(`${name}: no data chunk`);
}

export function describe(f: WavFormat): string {
  const ch = f.channels === 1 ? "mono" : f.channels === 2 ? "stereo" : `${f.channels}-channel`;
  const kind = f.format === PCM ? "PCM" : f.format === 3 ? "float" : f.format === 6 ? "A-law" : f.format === 7 ? "μ-law" : `format ${f.format}`;
  return `${f.sampleRate} Hz ${ch} ${f.bitsPerSample}-bit ${kind}`;
}

/** Reads an 8 kHz mono 16-bit PCM WAV file as samples; any other format is an error that says how to convert. */
export function readWav8k(path: string): Int16Array {
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(readFileSync(path)); } catch (e) { throw new WavError(`${path}: ${(e as Error).message}`); }
  const w = parseWav(bytes, path);
  if (w.format !== PCM || w.channels !== 1 || w.sampleRate !== 8000 || w.bitsPerSample !== 16) {
    throw new WavError(`${path} is ${describe(w)}; the simulated microphone needs 8000 Hz mono 16-bit PCM ` +
      `(convert it, e.g. \`sox in.wav -r 8000 -c 1 -b 16 -e signed-integer out.wav\` or \`ffmpeg -i in.wav -ar 8000 -ac 1 -c:a pcm_s16le out.wav\`)`);
  }
  const n = w.data.length >> 1;
  const out = new Int16Array(n);
  const dv = new DataView(w.data.buffer, w.data.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true);
  return out;
}

/** The 44-byte canonical header for 16-bit PCM with dataBytes of samples. */
export function wavHeader(dataBytes: number, sampleRate = 8000, channels = 1): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write("WAVE", 8, "latin1");
  h.write("fmt ", 12, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(PCM, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A complete WAV file of 16-bit mono samples (tests, fixtures). */
export function encodeWav(samples: Int16Array, sampleRate = 8000): Uint8Array {
  const body = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return new Uint8Array(Buffer.concat([wavHeader(body.length, sampleRate), littleEndian(body)]));
}

/** Int16Array bytes are host-endian; WAV is little-endian. */
function littleEndian(b: Buffer): Buffer {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return b;
  const c = Buffer.from(b);
  c.swap16();
  return c;
}

export interface WavWriterOptions {
  sampleRate?: number;
  /** Rewrite the header after this many new data bytes (default 16000 = 1 s at 8 kHz). */
  headerEveryBytes?: number;
}

/** Writes 16-bit mono PCM as it comes; the file is a valid WAV at every moment. */
export class WavWriter {
  dataBytes = 0;
  private fd: number | null;
  private sinceHeader = 0;
  private readonly sampleRate: number;
  private readonly every: number;

  constructor(readonly path: string, opts: WavWriterOptions = {}) {
    this.sampleRate = opts.sampleRate ?? 8000;
    this.every = opts.headerEveryBytes ?? 16000;
    this.fd = openSync(path, "w");
    writeSync(this.fd, wavHeader(0, this.sampleRate), 0, 44, 0);
  }

  get open(): boolean { return this.fd !== null; }

  write(samples: Int16Array): void {
    if (this.fd === null) return;
    const b = littleEndian(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
    writeSync(this.fd, b, 0, b.length, 44 + this.dataBytes);
    this.dataBytes += b.length;
    this.sinceHeader += b.length;
    if (this.sinceHeader >= this.every) this.flushHeader();
  }

  /** Rewrites the sizes in the header. */
  flushHeader(): void {
    if (this.fd === null) return;
    writeSync(this.fd, wavHeader(this.dataBytes, this.sampleRate), 0, 44, 0);
    this.sinceHeader = 0;
  }

  close(): void {
    if (this.fd === null) return;
    this.flushHeader();
    closeSync(this.fd);
    this.fd = null;
  }
}
