// SimAudio on the virtual clock through the HalHost a Device builds: frame pacing (frame k at
// start + 20 k, also when the clock fires late), mic queue bound, speaker playback, silence on
// underrun, volume, HAL errors, the WAV file's bytes; and the microphone sources.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Device, HalError, RealClock, SimAudio, ToneSource, VirtualClock, BufferSource, encodeWav, micSource, parseWav,
  type Clock, type ClockEvent,
} from "../../host-sim/src/index.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "audio-"));

function frameBytes(samples: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(320);
  for (let i = 0; i < 160; i++) { const v = samples[i] ?? 0; b[2 * i] = v & 255; b[2 * i + 1] = (v >> 8) & 255; }
  return b;
}
function samplesOf(b: Uint8Array): number[] {
  return Array.from({ length: b.length >> 1 }, (_, i) => (b[2 * i]! | (b[2 * i + 1]! << 8)) << 16 >> 16);
}
const constFrame = (v: number): Int16Array => new Int16Array(160).fill(v);

function device(opts: { mic?: string; out?: string } = {}) {
  const clock = new VirtualClock();
  const audio = new SimAudio({ clock, mic: opts.mic, out: opts.out ?? null });
  const dev = new Device({ wasm: "build/firmware.wasm", clock, audio });
  return { clock, audio, hal: dev.halHost };
}

test("frames fall due at start + 20 k; a mic frame can be read once per frame; onFrame wakes", () => {
  const { clock, audio, hal } = device({ mic: "tone:1000:-6" });
  const times: number[] = [];
  audio.onFrame = () => times.push(clock.now());
  const buf = new Uint8Array(320);
  assert.equal(hal.audio_read(buf), HalError.E_BADF, "not started");
  clock.advance(7);
  assert.equal(hal.audio_start(), HalError.OK);
  assert.equal(hal.audio_start(), HalError.OK, "starting twice is OK");
  assert.equal(hal.audio_read(buf), HalError.E_AGAIN, "nothing before the first frame");
  clock.advance(100);
  assert.deepEqual(times, [27, 47, 67, 87, 107]);
  for (let i = 0; i < 5; i++) assert.equal(hal.audio_read(buf), 320);
  assert.equal(hal.audio_read(buf), HalError.E_AGAIN);
  assert.equal(hal.audio_read(new Uint8Array(319)), HalError.E_INVAL);
  assert.equal(hal.audio_stop(), HalError.OK);
  clock.advance(100);
  assert.equal(times.length, 5, "no frames while stopped");
  assert.equal(hal.audio_read(buf), HalError.E_BADF);
});

test("drift-free: frame times stay on the 20 ms grid when every timer fires late", () => {
  const inner = new VirtualClock();
  const asked: number[] = [];
  const late: Clock = {
    virtual: true,
    now: () => inner.now(),
    at: (at: number, fn: () => void): ClockEvent => { asked.push(at); return inner.at(at + 7, fn); },
    after: (ms: number, fn: () => void): ClockEvent => inner.after(ms, fn),
    stop: () => inner.stop(),
  };
  const audio = new SimAudio({ clock: late });
  const seen: number[] = [];
  audio.onSpeaker = (_f, t) => seen.push(t);
  inner.advance(3);
  audio.start();
  inner.advance(1000);
  assert.equal(seen.length, 49);
  assert.deepEqual(asked.slice(0, 50), Array.from({ length: 50 }, (_, k) => 3 + 20 * (k + 1)));
  assert.deepEqual(seen, Array.from({ length: 49 }, (_, k) => 3 + 20 * (k + 1)));
});

test("the mic queue keeps the newest 8 frames when the firmware does not read", () => {
  const { clock, audio, hal } = device();
  for (let k = 1; k <= 12; k++) audio.feedMic(constFrame(k));
  hal.audio_start();
  clock.advance(12 * 20);
  assert.equal(audio.stats.micDropped, 4);
  const buf = new Uint8Array(320);
  const firsts: number[] = [];
  while (hal.audio_read(buf) === 320) firsts.push(samplesOf(buf)[0]!);
  assert.deepEqual(firsts, [5, 6, 7, 8, 9, 10, 11, 12]);
});

test("the speaker plays queued frames in order at frame times, silence when dry, scaled by volume", () => {
  const { clock, audio, hal } = device();
  const played: { t: number; first: number }[] = [];
  audio.onSpeaker = (f, t) => played.push({ t, first: f[0]! });
  assert.equal(hal.audio_write(frameBytes(constFrame(1))), HalError.E_BADF);
  hal.audio_start();
  assert.equal(hal.audio_write(new Uint8Array(319)), HalError.E_INVAL);
  for (let k = 1; k <= 8; k++) assert.equal(hal.audio_write(frameBytes(constFrame(100 * k))), 320);
  assert.equal(hal.audio_write(frameBytes(constFrame(900))), HalError.E_AGAIN, "queue of 8 is full");
  assert.equal(audio.stats.speakerFull, 1);
  clock.advance(200);
  assert.deepEqual(played.map((p) => p.first), [100, 200, 300, 400, 500, 600, 700, 800, 0, 0]);
  assert.deepEqual(played.map((p) => p.t), [20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
  assert.equal(audio.stats.underruns, 2);
  assert.equal(hal.audio_set_volume(50), HalError.OK);
  assert.equal(hal.audio_set_volume(101), HalError.E_INVAL);
  assert.equal(hal.audio_set_volume(-1), HalError.E_INVAL);
  hal.audio_write(frameBytes(constFrame(-1001)));
  clock.advance(20);
  assert.equal(played[10]!.first, -501, "50 % of -1001, rounded");
  assert.equal(audio.played.length, 11);
  hal.audio_write(frameBytes(constFrame(5)));
  hal.audio_stop();
  assert.equal(audio.speakerQueued, 0, "stop drops queued frames");
});

test("--audio-out: the WAV file holds exactly the played frames, valid before and after close", () => {
  const dir = tmp();
  const path = join(dir, "out.wav");
  const { clock, audio, hal } = device({ out: path });
  hal.audio_start();
  const ramp = Array.from({ length: 160 }, (_, i) => i * 100 - 8000);
  hal.audio_write(frameBytes(ramp));
  clock.advance(40);                           // the ramp, then one frame of silence
  const before = parseWav(new Uint8Array(readFileSync(path)));
  assert.ok(before.data.length <= 640, "the header never claims more than is there");
  audio.close();
  const bytes = new Uint8Array(readFileSync(path));
  assert.equal(bytes.length, 44 + 640);
  const w = parseWav(bytes);
  assert.deepEqual([w.format, w.channels, w.sampleRate, w.bitsPerSample, w.data.length], [1, 1, 8000, 16, 640]);
  assert.deepEqual(samplesOf(w.data), [...ramp, ...new Array(160).fill(0)]);
  const dv = new DataView(bytes.buffer);
  assert.equal(dv.getUint32(4, true), 36 + 640);
  assert.equal(dv.getUint32(28, true), 16000, "byte rate");
});

test("the WAV header is rewritten every second of audio while running", () => {
  const dir = tmp();
  const path = join(dir, "live.wav");
  const { clock, hal } = device({ out: path });
  hal.audio_start();
  clock.advance(1000);                         // 50 frames = 16000 bytes: header updated
  const dv = new DataView(new Uint8Array(readFileSync(path)).buffer);
  assert.equal(dv.getUint32(40, true), 16000);
  clock.advance(500);
  assert.equal(new DataView(new Uint8Array(readFileSync(path)).buffer).getUint32(40, true), 16000, "not before the next second");
});

test("mic sources: tone level and frequency, looping file, silence, clear errors", () => {
  const t = new ToneSource(1000, -6);
  const f = new Int16Array(160);
  t.fill(f);
  assert.equal(Math.max(...f), Math.round(32767 * Math.pow(10, -6 / 20)));   // 1 kHz at 8 kHz: peaks on sample 2
  assert.equal(f[0], 0);
  assert.equal(f[4], 0);
  assert.equal(f[2], Math.max(...f));
  const next = new Int16Array(160);
  t.fill(next);
  assert.equal(next[2], f[2], "phase-continuous across frames (160 samples = 20 whole periods)");
  for (const hz of [440, 440.5]) {
    const src = new ToneSource(hz, -20);
    const got = new Int16Array(16000);
    for (let p = 0; p < got.length; p += 160) src.fill(got.subarray(p, p + 160));
    const a = 32767 * Math.pow(10, -20 / 20);
    let off = 0;
    for (let n = 0; n < got.length; n++) {
      const want = Math.round(a * Math.sin((2 * Math.PI * hz * n) / 8000));
      assert.ok(Math.abs(got[n]! - want) <= 1, `${hz} Hz sample ${n}`);
      if (got[n] !== want) off++;
    }
    assert.ok(off < 16, `${hz} Hz: ${off} samples differ by rounding`);
  }
  const b = new BufferSource(Int16Array.from([1, 2, 3]));
  const g = new Int16Array(7);
  b.fill(g);
  assert.deepEqual([...g], [1, 2, 3, 1, 2, 3, 1]);
  const dir = tmp();
  const ok = join(dir, "ok.wav");
  writeFileSync(ok, encodeWav(Int16Array.from([5, -5, 7])));
  const m = micSource(ok);
  const h = new Int16Array(4);
  m.fill(h);
  assert.deepEqual([...h], [5, -5, 7, 5]);
  assert.equal(micSource("silence").spec, "silence");
  const stereo = join(dir, "stereo.wav");
  const wav = Buffer.from(encodeWav(new Int16Array(8), 44100));
  wav.writeUInt16LE(2, 22);
  writeFileSync(stereo, wav);
  assert.throws(() => micSource(stereo), /is 44100 Hz stereo 16-bit PCM; the simulated microphone needs 8000 Hz mono 16-bit PCM/);
  writeFileSync(join(dir, "junk.wav"), "not a wav");
  assert.throws(() => micSource(join(dir, "junk.wav")), /not a WAV file/);
  assert.throws(() => micSource(join(dir, "missing.wav")), /ENOENT|no such file/);
  assert.throws(() => micSource("tone:abc"), /bad tone spec/);
  assert.throws(() => micSource("tone:5000"), /between 0 and 4000/);
  assert.throws(() => micSource("tone:440:3"), /<= 0 dBFS/);
});

test("parseWav reads WAVE_FORMAT_EXTENSIBLE and skips unknown chunks", () => {
  const data = Buffer.from([1, 0, 2, 0]);
  const fmt = Buffer.alloc(40);
  fmt.writeUInt16LE(0xfffe, 0); fmt.writeUInt16LE(1, 2); fmt.writeUInt32LE(8000, 4); fmt.writeUInt32LE(16000, 8);
  fmt.writeUInt16LE(2, 12); fmt.writeUInt16LE(16, 14); fmt.writeUInt16LE(22, 16); fmt.writeUInt16LE(1, 24);
  const chunk = (id: string, body: Buffer): Buffer => { const h = Buffer.alloc(8); h.write(id, 0, "latin1"); h.writeUInt32LE(body.length, 4); return Buffer.concat([h, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]); };
  const body = Buffer.concat([Buffer.from("WAVE"), chunk("fmt ", fmt), chunk("LIST", Buffer.from("abc")), chunk("data", data)]);
  const file = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), body]);
  const w = parseWav(new Uint8Array(file));
  assert.deepEqual([w.format, w.channels, w.sampleRate, w.bitsPerSample, [...w.data]], [1, 1, 8000, 16, [1, 0, 2, 0]]);
});

test("on the real clock the frame times stay on the 20 ms grid from the start", async () => {
  const clock = new RealClock();
  const audio = new SimAudio({ clock });
  const times: number[] = [];
  audio.onSpeaker = (_f, t) => times.push(t);
  audio.start();
  const t0 = audio.frameTime(0);
  await new Promise((r) => setTimeout(r, 300));
  audio.close();
  clock.stop();
  assert.ok(times.length >= 5, `${times.length} frames`);
  assert.deepEqual(times, times.map((_, k) => t0 + 20 * (k + 1)));
});
