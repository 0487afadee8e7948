// Microphone sources for the simulated audio path: what the door unit "hears". Each produces
// 8 kHz mono 16-bit samples on demand, one frame at a time, phase-continuous across frames.
//   silence          zeros
//   tone:HZ[:dBFS]   a sine, default -6 dBFS (0 dBFS = peak 32767)
//   file.wav         8 kHz mono 16-bit PCM, looped
import { readWav8k } from "./wav.js";

export interface MicSource {
  /** How the source was specified (for banners and logs). */
  readonly spec: string;
  /** Fills frame with the next samples. */
  fill(frame: Int16Array): void;
}

export class SilenceSource implements MicSource {
  readonly spec = "silence";
  fill(frame: Int16Array): void { frame.fill(0); }
}

export class ToneSource implements MicSource {
  readonly spec: string;
  readonly amplitude: number;
  /** One whole cycle of samples when the tone repeats within a second (integer Hz), else null. */
  private readonly table: Int16Array | null;
  private n = 0;
  constructor(readonly hz: number, readonly dbfs = -6, readonly sampleRate = 8000) {
    if (!(hz > 0 && hz < sampleRate / 2)) throw new RangeError(`tone frequency must be between 0 and ${sampleRate / 2} Hz, got ${hz}`);
    if (!(dbfs <= 0)) throw new RangeError(`tone level must be <= 0 dBFS, got ${dbfs}`);
    this.amplitude = 32767 * Math.pow(10, dbfs / 20);
    this.spec = `tone:${hz}:${dbfs}`;
    if (Number.isInteger(hz)) {
      const period = sampleRate / gcd(hz, sampleRate);        // samples until the phase repeats exactly
      this.table = new Int16Array(period);
      for (let i = 0; i < period; i++) this.table[i] = this.sample(i);
    } else this.table = null;
  }
  fill(frame: Int16Array): void {
    const t = this.table;
    if (t) {
      for (let i = 0; i < frame.length; i++) { frame[i] = t[this.n]!; if (++this.n === t.length) this.n = 0; }
      return;
    }
    for (let i = 0; i < frame.length; i++) frame[i] = this.sample(this.n++);
    if (this.n >= this.sampleRate * 3600) this.n -= this.sampleRate * 3600;  // keep the phase argument small
  }
  private sample(n: number): number { return Math.round(this.amplitude * Math.sin((2 * Math.PI * this.hz * n) / this.sampleRate)); }
}

function gcd(a: number, b: number): number { while (b) [a, b] = [b, a % b]; return a; }

export class BufferSource implements MicSource {
  private pos = 0;
  constructor(readonly samples: Int16Array, readonly spec = "buffer", readonly loop = true) {}
  fill(frame: Int16Array): void {
    for (let i = 0; i < frame.length; i++) {
      if (this.pos >= this.samples.length) {
        if (!this.loop || this.samples.length === 0) { frame.fill(0, i); return; }
        this.pos = 0;
      }
      frame[i] = this.samples[this.pos++]!;
    }
  }
}

/** Parses a --audio-in value; throws with a clear message on a bad spec or an unusable file. */
export function micSource(spec: string): MicSource {
  if (spec === "silence") return new SilenceSource();
  const tone = /^tone:([0-9.]+)(?::(-?[0-9.]+))?$/.exec(spec);
  if (tone) return new ToneSource(Number(tone[1]), tone[2] === undefined ? -6 : Number(tone[2]));
  if (spec.startsWith("tone:")) throw new Error(`bad tone spec ${spec}: use tone:HZ or tone:HZ:dBFS, e.g. tone:440 or tone:1000:-12`);
  return new BufferSource(readWav8k(spec), spec, true);
}
