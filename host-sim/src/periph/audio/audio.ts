// The simulated audio path behind hal.audio_*: 8 kHz mono s16le in 20 ms frames (160 samples,
// 320 bytes). audio_start starts a frame clock on the Clock: frame k (k = 1, 2, ...) falls due at
// start + 20 k exactly, so there is no drift however late a real-clock timer fires. At each frame
// the microphone source yields one frame into a bounded queue (the oldest is dropped when the
// firmware does not read) and onFrame wakes the firmware; the speaker plays one queued frame, or
// silence when the queue ran dry, scaled by the volume, and hands it to observers, the in-memory
// record and the --audio-out WAV file.
import { HalError } from "../../hal/contract.js";
import type { Clock, ClockEvent } from "../../clock.js";
import type { AudioDevice } from "../stubs.js";
import { micSource, SilenceSource, type MicSource } from "./source.js";
import { WavWriter } from "./wav.js";

export const FRAME_MS = 20;
export const FRAME_SAMPLES = 160;
export const FRAME_BYTES = 320;

export interface SimAudioConfig {
  clock: Clock;
  /** Microphone: a MicSource or a spec (`silence`, `tone:HZ[:dBFS]`, `file.wav`). Default silence. */
  mic?: MicSource | string;
  /** Microphone frames kept for the firmware (default 8 = 160 ms). */
  micQueue?: number;
  /** Speaker frames accepted ahead of playback (default 8); audio_write answers E_AGAIN beyond. */
  speakerQueue?: number;
  /** Write played frames to this WAV file (path or writer). */
  out?: string | WavWriter | null;
  /** Played frames kept in memory for tests (default 3000 = 60 s; the oldest go first). */
  recordFrames?: number;
  /** Initial speaker volume, percent (default 100). */
  volume?: number;
}

export interface AudioStats {
  /** Frame clock ticks since the first start. */
  frames: number;
  /** Microphone frames dropped because the firmware did not read them. */
  micDropped: number;
  /** Frames played as silence because the speaker queue was empty. */
  underruns: number;
  /** audio_write calls refused because the speaker queue was full. */
  speakerFull: number;
}

export class SimAudio implements AudioDevice {
  /** Wakes the firmware when a microphone frame is ready. */
  onFrame: (() => void) | null = null;
  /** Observe each played speaker frame (after volume), at its frame time. */
  onSpeaker: ((frame: Int16Array, t: number) => void) | null = null;
  /** Observe each captured microphone frame, at its frame time. */
  onMic: ((frame: Int16Array, t: number) => void) | null = null;
  /** Observe start/stop (the CLI shows it). */
  onPower: ((on: boolean) => void) | null = null;
  /** Played frames, oldest first: at least the last recordFrames (trimmed in batches). */
  readonly played: Int16Array[] = [];
  readonly stats: AudioStats = { frames: 0, micDropped: 0, underruns: 0, speakerFull: 0 };
  volume: number;

  private mic: MicSource;
  private readonly injected: Int16Array[] = [];
  private micQ: Int16Array[] = [];
  private spkQ: Int16Array[] = [];
  private startAt = 0;
  private k = 0;
  private next: ClockEvent | null = null;
  private wav: WavWriter | null;
  private readonly micCap: number;
  private readonly spkCap: number;
  private readonly recordCap: number;

  constructor(private readonly config: SimAudioConfig) {
    this.mic = typeof config.mic === "string" ? micSource(config.mic) : config.mic ?? new SilenceSource();
    this.micCap = config.micQueue ?? 8;
    this.spkCap = config.speakerQueue ?? 8;
    this.recordCap = config.recordFrames ?? 3000;
    this.volume = config.volume ?? 100;
    this.wav = typeof config.out === "string" ? new WavWriter(config.out) : config.out ?? null;
  }

  get running(): boolean { return this.next !== null; }
  get micSpec(): string { return this.mic.spec; }
  /** Frames waiting for the firmware / waiting to be played. */
  get micQueued(): number { return this.micQ.length; }
  get speakerQueued(): number { return this.spkQ.length; }
  /** The time frame k of the current run falls due. */
  frameTime(k: number): number { return this.startAt + FRAME_MS * k; }

  // ---- inject

  /** Replaces the microphone source. */
  setMic(src: MicSource | string): void { this.mic = typeof src === "string" ? micSource(src) : src; }

  /** Queues samples the microphone will "hear" before the source resumes (whole frames; a partial
   *  last frame is padded with silence). */
  feedMic(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i += FRAME_SAMPLES) {
      const f = new Int16Array(FRAME_SAMPLES);
      f.set(samples.subarray(i, Math.min(i + FRAME_SAMPLES, samples.length)));
      this.injected.push(f);
    }
  }

  // ---- HAL side

  start(): number {
    if (this.next) return HalError.OK;
    this.startAt = this.config.clock.now();
    this.k = 0;
    this.onPower?.(true);
    this.schedule();
    return HalError.OK;
  }

  stop(): number {
    if (this.next) { this.next.cancel(); this.next = null; this.onPower?.(false); }
    this.micQ = [];
    this.spkQ = [];
    return HalError.OK;
  }

  read(buf: Uint8Array): number {
    if (!this.next) return HalError.E_BADF;
    if (buf.length < FRAME_BYTES) return HalError.E_INVAL;
    const f = this.micQ.shift();
    if (!f) return HalError.E_AGAIN;
    for (let i = 0; i < FRAME_SAMPLES; i++) { const v = f[i]!; buf[2 * i] = v & 255; buf[2 * i + 1] = (v >> 8) & 255; }
    return FRAME_BYTES;
  }

  write(data: Uint8Array): number {
    if (!this.next) return HalError.E_BADF;
    if (data.length !== FRAME_BYTES) return HalError.E_INVAL;
    if (this.spkQ.length >= this.spkCap) { this.stats.speakerFull++; return HalError.E_AGAIN; }
    const f = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) f[i] = (data[2 * i]! | (data[2 * i + 1]! << 8)) << 16 >> 16;
    this.spkQ.push(f);
    return FRAME_BYTES;
  }

  setVolume(percent: number): number {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) return HalError.E_INVAL;
    this.volume = percent;
    return HalError.OK;
  }

  /** Stops the clock and finishes the WAV file (its header is final afterwards). */
  close(): void {
    this.stop();
    this.wav?.close();
  }

  /** The firmware restarted: the audio path is powered down. */
  reset(): void { this.stop(); }

  // ---- the frame clock

  private schedule(): void {
    this.next = this.config.clock.at(this.frameTime(this.k + 1), () => this.frame());
  }

  private frame(): void {
    this.k++;
    this.stats.frames++;
    const t = this.frameTime(this.k);
    this.schedule();                     // first, so an observer may stop() the clock
    const mic = this.injected.shift() ?? this.capture();
    if (this.micQ.length >= this.micCap) { this.micQ.shift(); this.stats.micDropped++; }
    this.micQ.push(mic);
    this.onMic?.(mic, t);
    this.play(t);
    this.onFrame?.();
  }

  private capture(): Int16Array {
    const f = new Int16Array(FRAME_SAMPLES);
    this.mic.fill(f);
    return f;
  }

  private play(t: number): void {
    let f = this.spkQ.shift();
    if (!f) { this.stats.underruns++; f = new Int16Array(FRAME_SAMPLES); }
    else if (this.volume !== 100) {
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        const x = (f[i]! * this.volume) / 100;
        f[i] = x >= 0 ? Math.round(x) : -Math.round(-x);       // symmetric: no DC from rounding
      }
    }
    this.played.push(f);
    if (this.played.length > this.recordCap + (this.recordCap >> 3)) this.played.splice(0, this.played.length - this.recordCap);
    this.wav?.write(f);
    this.onSpeaker?.(f, t);
  }
}
