// Jitter buffer: exact frames out (in order) under reordering, duplicates, late packets, loss,
// timestamp jumps, a new source, packets of other sizes (refused), overflow; adaptation of the target delay to
// 40 ms of jitter and back on a calm network. Every packet's payload bytes carry its frame
// number, so the output says exactly which frame was played.
import {
  JitterBuffer, loud, PUT_OK, PUT_LATE, PUT_DUP, PUT_BAD,
  GET_FULL, GET_IDLE, GET_STRETCH, GET_SPLICE,
} from "../../firmware/media/jitter";
import { ulawDecode, alawDecode } from "../../firmware/media/g711";

const TS0: u32 = 0xfffff000; // the timestamps wrap during the tests
const pay = memory.data(480);
const out = memory.data(160);

function mark(k: i32): u8 { return <u8>(1 + k % 60); } // μ-law codes 1..60: all loud

/** Frame k of 20 ms (timestamp TS0 + 160 k) arriving at tMs. */
function put(jb: JitterBuffer, k: i32, tMs: i64, marker: bool = false): i32 {
  memory.fill(pay, mark(k), 160);
  return jb.put(TS0 + <u32>(k * 160), marker, pay, 160, tMs);
}

/** Pulls frames and records what was played: frame number, -1 for a concealed (missing)
 *  frame after playout began; stretches and pre-roll leave no entry. */
class Player {
  frames: Array<i32> = new Array<i32>();
  times: Array<i64> = new Array<i64>();
  stretches: i32 = 0;
  splices: i32 = 0;
  playing: bool = false;
  firstAt: i64 = -1;
  constructor(public jb: JitterBuffer) {}
  get(tMs: i64): i32 {
    const f = this.jb.get(out, tMs);
    if (f & GET_SPLICE) this.splices++;
    if (f & GET_STRETCH) { this.stretches++; return f; }
    const m = f & GET_FULL;
    if (m == GET_FULL) {
      const id = <i32>load<u8>(out) - 1;
      expect(load<u8>(out, 159)).toBe(load<u8>(out)); // both halves from the same frame
      if (!this.playing) { this.playing = true; this.firstAt = tMs; }
      this.frames.push(id);
      this.times.push(tMs);
    } else if (this.playing) { this.frames.push(-1); this.times.push(tMs); }
    return f;
  }
  /** The recorded frames as "0 1 2 -1 4" for readable failures. */
  text(): string {
    let s = "";
    for (let i = 0; i < this.frames.length; i++) s += (i > 0 ? " " : "") + this.frames[i].toString();
    return s;
  }
}

function seqText(from: i32, to: i32): string {
  let s = "";
  for (let k = from; k <= to; k++) s += (k > from ? " " : "") + (k % 60).toString();
  return s;
}

describe("jitter buffer: exact playout", () => {
  it("plays a clean stream in order at the first grid point past the initial 40 ms target", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    // packet k arrives at 20k + 5 ms; the audio clock pulls at 20j ms
    for (let j = 1; j <= 30; j++) {
      const t = <i64>j * 20;
      put(jb, j - 1, t - 15);
      pl.get(t);
    }
    expect(pl.firstAt).toBe(60); // arrived at 5 ms, 40 ms target -> the 60 ms pull
    expect(pl.text()).toBe(seqText(0, 27));
    expect(jb.targetMs()).toBe(40);
    expect(jb.delayMs()).toBe(55);
    expect(jb.lost + jb.late + jb.dup + jb.stretched + jb.dropped).toBe(0);
  });

  it("shrinks to the 20 ms minimum on a clean network, dropping exactly one frame", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 1; j <= 250; j++) {
      const t = <i64>j * 20;
      put(jb, j - 1, t - 15);
      pl.get(t);
    }
    expect(jb.targetMs()).toBe(20);
    expect(jb.dropped).toBe(1);
    expect(jb.delayMs()).toBe(35);
    expect(pl.splices).toBe(1); // the dropped frame was audio: the caller cross-fades
    expect(jb.lost + jb.late + jb.stretched).toBe(0);
    // every frame once, in order, except one skipped
    const f = pl.frames;
    let skips = 0;
    for (let i = 1; i < f.length; i++) {
      const step = (f[i] - f[i - 1] + 60) % 60;
      expect(step == 1 || step == 2).toBe(true);
      if (step == 2) skips++;
    }
    expect(skips).toBe(1);
  });

  it("reorders packets that arrive out of order", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    // send order 0 1 3 2 4 6 5 7 9 8 ..., one packet every 20 ms
    for (let j = 0; j < 40; j++) {
      const k = j % 3 == 2 ? j + 1 : j % 3 == 0 && j > 0 ? j - 1 : j;
      put(jb, k, <i64>j * 20 + 5);
      pl.get(<i64>(j + 1) * 20);
    }
    for (let j = 40; j < 50; j++) pl.get(<i64>(j + 1) * 20);
    expect(pl.text().startsWith(seqText(0, 30))).toBe(true);
    expect(jb.lost).toBe(0);
    expect(jb.late).toBe(0);
  });

  it("drops duplicates", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 20; j++) {
      expect(put(jb, j, <i64>j * 20 + 5)).toBe(PUT_OK);
      if (j % 5 == 0) expect(put(jb, j, <i64>j * 20 + 6)).toBe(PUT_DUP);
      pl.get(<i64>(j + 1) * 20);
    }
    expect(jb.dup).toBe(4);
    expect(pl.text()).toBe(seqText(0, 17));
    // a duplicate of a frame already played is still a duplicate, not a late packet
    expect(put(jb, 15, 420)).toBe(PUT_DUP);
    expect(jb.late).toBe(0);
  });

  it("conceals a lost frame and counts a late one, then grows the delay", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 40; j++) {
      if (j != 10 && j != 20) put(jb, j, <i64>j * 20 + 5);
      if (j == 23) expect(put(jb, 20, <i64>j * 20 + 5)).toBe(PUT_LATE); // 60 ms late
      pl.get(<i64>(j + 1) * 20);
    }
    expect(jb.late).toBe(1);
    expect(jb.lost).toBe(2);
    // frames 10 and 20 concealed, the rest in order; the late packet raised the target, so
    // the playout was held (stretched) after it and nothing was lost afterwards
    expect(pl.text().startsWith(seqText(0, 9) + " -1 " + seqText(11, 19) + " -1 " + seqText(21, 30))).toBe(true);
    expect(jb.targetMs()).toBe(70); // the 60 ms late packet + 10 ms margin
    expect(pl.stretches).toBe(1);   // 55 ms -> 75 ms of delay
  });

  it("refuses packets that are not 20 ms and counts them", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 10; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    memory.fill(pay, mark(10), 480);
    expect(jb.put(TS0 + 1600, false, pay, 80, 205)).toBe(PUT_BAD);
    expect(jb.put(TS0 + 1600, false, pay, 240, 205)).toBe(PUT_BAD);
    expect(jb.put(TS0 + 1600, false, pay, 0, 205)).toBe(PUT_BAD);
    expect(jb.bad).toBe(3);
    // the refused packets change nothing: frame 10 in 20 ms still plays in order
    for (let j = 10; j < 20; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    expect(pl.text()).toBe(seqText(0, 17));
    expect(jb.lost + jb.late + jb.resyncs).toBe(0);
  });

  it("restarts its timeline on a timestamp jump, keeping the learnt target", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 20; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    // the sender restarts its timestamps far ahead (same SSRC, no marker)
    for (let j = 20; j < 40; j++) {
      memory.fill(pay, mark(j), 160);
      jb.put(TS0 + 5000000 + <u32>(j * 160), false, pay, 160, <i64>j * 20 + 5);
      pl.get(<i64>(j + 1) * 20);
    }
    expect(jb.resyncs).toBe(1);
    expect(jb.late).toBe(0);
    // old frames until the queue ran out, then new ones in order after the pre-roll
    const s = pl.text();
    expect(s.startsWith(seqText(0, 17))).toBe(true);
    expect(s.endsWith("-1 -1 " + seqText(20, 37))).toBe(true); // two frames of pre-roll: 40 ms target
    // and backwards
    for (let j = 40; j < 60; j++) {
      memory.fill(pay, mark(j), 160);
      jb.put(TS0 - 9000000 + <u32>(j * 160), false, pay, 160, <i64>j * 20 + 5);
      pl.get(<i64>(j + 1) * 20);
    }
    expect(jb.resyncs).toBe(2);
    expect(pl.text().endsWith("-1 -1 " + seqText(40, 57))).toBe(true);
  });

  it("starts over cleanly for a new source (flush)", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 20; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    jb.flush();
    for (let j = 20; j < 40; j++) {
      memory.fill(pay, mark(j), 160);
      jb.put(0x1234 + <u32>(j * 160), false, pay, 160, <i64>j * 20 + 5);
      pl.get(<i64>(j + 1) * 20);
    }
    expect(pl.text().endsWith(seqText(20, 37))).toBe(true);
    expect(jb.lost + jb.late + jb.resyncs).toBe(0);
  });

  it("re-times a talkspurt after silence (marker bit) to the target delay", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 20; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    // 1 s of silence (DTX): no packets, the clock keeps pulling
    for (let j = 20; j < 70; j++) pl.get(<i64>(j + 1) * 20);
    const before = jb.underrun;
    expect(before).toBeGreaterThan(40);
    // the talkspurt resumes 12 ms off the old grid, with the marker bit
    let target = 0;
    for (let j = 70; j < 90; j++) {
      put(jb, j, <i64>j * 20 + 17, j == 70);
      if (j == 70) target = jb.targetMs();
      pl.get(<i64>(j + 1) * 20);
    }
    expect(jb.late).toBe(0);
    expect(jb.lost).toBe(0);
    expect(target).toBe(30); // on its way down from 40 ms (10 ms per second)
    // frame 70 arrived at 1417 ms: played at the first pull at least 30 ms later
    let at: i64 = -1;
    for (let i = 0; i < pl.frames.length; i++) if (pl.frames[i] == 70 % 60 && pl.times[i] > 1000) { at = pl.times[i]; break; }
    expect(at).toBe(1460);
    expect(pl.text().endsWith(seqText(70, 87))).toBe(true);
  });

  it("re-times after packets keep arriving late into an empty buffer", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 20; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    // the sender pauses 300 ms but its timestamps do not advance (as some phones do on hold)
    for (let j = 20; j < 35; j++) pl.get(<i64>(j + 1) * 20);
    let lateResults = 0;
    for (let j = 35; j < 60; j++) {
      if (put(jb, j - 15, <i64>j * 20 + 5) == PUT_LATE) lateResults++;
      pl.get(<i64>(j + 1) * 20);
    }
    expect(lateResults).toBe(2); // the third late packet in a row re-times playout
    expect(pl.text().endsWith(seqText(22, 42))).toBe(true);
  });

  it("discards the oldest audio when a burst runs past its slots", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    for (let j = 0; j < 10; j++) { put(jb, j, <i64>j * 20 + 5); pl.get(<i64>(j + 1) * 20); }
    // 24 frames (48 slots) arrive at once: more than the 32 slots hold
    for (let k = 10; k < 34; k++) put(jb, k, 205);
    expect(jb.overflow).toBeGreaterThan(0);
    for (let j = 10; j < 60; j++) pl.get(<i64>(j + 1) * 20);
    const s = pl.text();
    // slots for frames 8..17 were given up (8 and 9 were queued), frame 18 was skipped to
    // come down from the delay the early burst implies; then the burst plays in order
    expect(s.startsWith("0 1 2 3 4 5 6 7 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 -1")).toBe(true);
    expect(jb.overflow).toBe(10);
    // what is played after the burst is in order and ends with frame 33
    const f = pl.frames;
    let last = -1, ordered = true;
    for (let i = 0; i < f.length; i++) {
      if (f[i] < 0) continue;
      if (last >= 0 && f[i] <= last) ordered = false;
      last = f[i];
    }
    expect(ordered).toBe(true);
    expect(last).toBe(33);
  });
});

describe("jitter buffer: silence", () => {
  it("tells silent G.711 codes (|x| < 512) from loud ones exactly as the decoder does", () => {
    let quiet = 0;
    for (let c = 0; c < 256; c++) {
      const u = <i32>ulawDecode(<u8>c), a = <i32>alawDecode(<u8>c);
      expect(loud(0, c)).toBe(u <= -512 || u >= 512);
      expect(loud(1, c)).toBe(a <= -512 || a >= 512);
      if (!loud(0, c)) quiet++;
    }
    expect(quiet).toBe(72); // 36 magnitudes of each sign
  });
});

describe("jitter buffer: adaptation", () => {
  it("grows the delay under 40 ms of jitter and shrinks it when the network calms down", () => {
    const jb = new JitterBuffer();
    const pl = new Player(jb);
    // packet k leaves at 20k ms; frames 0..249 (5 s) arrive 5 ms later, 250..749 (10 s) 5..45 ms
    // later (uniform: reordering included), 750..1749 (20 s) 5 ms later again. Pulls every 20 ms.
    const N = 1750;
    const arrive = new Array<i64>(N);
    let seed: u32 = 12345;
    for (let k = 0; k < N; k++) {
      seed = seed * 1103515245 + 12345;
      const extra = k >= 250 && k < 750 ? <i64>((seed >>> 16) % 41) : 0;
      arrive[k] = <i64>k * 20 + 5 + extra;
    }
    let next = 0;
    let calmTarget = 0, calmDelay = 0, jitterTarget = 0, jitterDelay = 0, lateAfterRise = -1;
    for (let t: i64 = 0; t <= <i64>N * 20; t++) {
      for (let k = next; k < N && k < next + 8; k++) if (arrive[k] == t) put(jb, k, t);
      while (next < N && arrive[next] < t - 45) next++;
      if (t > 0 && t % 20 == 0) pl.get(t);
      if (t == 5000) { calmTarget = jb.targetMs(); calmDelay = jb.delayMs(); }
      if (t == 6000) lateAfterRise = jb.late;
      if (t == 15000) { jitterTarget = jb.targetMs(); jitterDelay = jb.delayMs(); }
    }
    expect(calmTarget).toBe(20);
    expect(calmDelay).toBeLessThanOrEqual(35);
    expect(jitterTarget).toBeGreaterThanOrEqual(45); // the 40 ms spread + 10 ms margin
    expect(jitterTarget).toBeLessThanOrEqual(50);
    expect(jitterDelay).toBeGreaterThanOrEqual(jitterTarget);
    expect(jitterDelay).toBeLessThan(jitterTarget + 30);
    expect(lateAfterRise).toBeLessThanOrEqual(4); // packets late only while the target caught up
    expect(jb.late).toBe(lateAfterRise);            // none once it had
    expect(jb.targetMs()).toBe(20);
    expect(jb.delayMs()).toBeLessThanOrEqual(35);
    expect(jb.stretched).toBeGreaterThan(0);
    expect(jb.dropped).toBeGreaterThan(0);
    expect(jb.lost).toBe(0);
  });
});
