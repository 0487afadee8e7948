// Adaptive jitter buffer for 20 ms G.711 frames (design and numbers: docs/media.md). Frames are
// stored by RTP timestamp in JB_FRAMES slots of 160 bytes, so reordering and duplicates need
// nothing special; playout is pulled by the audio clock, one frame per microphone frame. Other
// packet sizes are refused (peers send the ptime 20 we offer) and counted in `bad`.
//
// Timing, all in 8 kHz timestamp units: each packet's r = arrival - timestamp; over a sliding
// window (two 2 s halves) lo = min r (the fastest packet) and hi = max r (the slowest). The
// playout offset O = clock - timestamp(frame being played) is held at a target of
// hi - lo + 10 ms (at least JB_MIN_MS, at most JB_MAX_MS above lo): a packet is on time when
// r <= O. The target rises at once when a slower packet is seen and falls by at most 10 ms per
// second when the window forgets it. Too little delay: hold the playout point for a frame (the
// caller conceals it). Too much: skip a frame, preferably a silent or missing one. A talkspurt
// start (marker bit) arriving into an empty buffer re-times playout to the target directly.
import { JB_FRAMES, JB_MIN_MS, JB_INIT_MS, JB_MAX_MS } from "../config";

/** Samples (and G.711 bytes) per frame. */
export const FRAME: i32 = 160;

const N: i32 = JB_FRAMES;
const MASK: i32 = JB_FRAMES - 1;
const STEP: i32 = 80;          // 10 ms: margin above the slowest packet, rounding, shrink step
const MIN: i32 = JB_MIN_MS * 8;
const MAX: i32 = JB_MAX_MS * 8;
const WINDOW: i32 = 16000;     // 2 s per window half
const HYST: i32 = 240;         // skip only when 30 ms above target
const FORCE: i32 = 800;        // skip regardless of content when 100 ms above target
const EXCESS_GETS: i32 = 50;   // ... or after 1 s above target without a silent frame
const SHRINK_EVERY: i32 = 8000; // the target falls by one step per second at most
const JUMP: i32 = 2 * N;       // frames: further than this from playout is a timestamp jump
const LATE_RESYNC: i32 = 3;    // late packets in a row with nothing queued re-time playout

/** put() results. */
export const PUT_OK: i32 = 0;
export const PUT_LATE: i32 = 1;  // behind the playout point: dropped
export const PUT_DUP: i32 = 2;   // already held: dropped
export const PUT_BAD: i32 = 3;   // payload not 160 bytes (20 ms)

/** get() flags. */
export const GET_FULL: i32 = 1;    // a frame was copied
export const GET_SPLICE: i32 = 4;  // audio was skipped just before this frame: crossfade into it
export const GET_IDLE: i32 = 8;    // nothing queued (pre-roll, underrun, silence): not a loss
export const GET_STRETCH: i32 = 16; // playout held to grow the delay: conceal, nothing consumed

// Behind the fields: the slot tags (frame number held, i32 each) and the slots.
const TAGS: usize = offsetof<JitterBuffer>();
const DATA: usize = TAGS + <usize>(N << 2);
/** Bytes of a JitterBuffer with its slots. */
export const JB_SIZE: usize = DATA + <usize>(N * FRAME);

@final @unmanaged
export class JitterBuffer {
  law: i32;
  started: bool;
  aligning: bool;
  haveClock: bool;
  splice: bool;
  anchor: u32;     // timestamp of frame 0
  play: i32;       // next frame to play
  hi: i32;         // one past the highest frame received
  from: i32;       // first frame of the current timeline (before it: pre-roll)
  alignAt: i32;
  clock: u32;      // playout clock: +160 per get()
  lastGetMs: i64;
  minCur: i32;
  minPrev: i32;
  maxCur: i32;
  maxPrev: i32;
  winStart: u32;
  tgt: i32;        // target playout offset, same scale as r
  targetRel: i32;  // target above lo, carried into a new timeline
  shrinkAt: u32;
  lastO: i32;
  excess: i32;
  lateRun: i32;
  // statistics (frames unless noted)
  late: i32;       // packets that came after their playout time
  dup: i32;        // duplicate packets
  lost: i32;       // frames played with a hole (audio queued after it)
  underrun: i32;   // frames played with nothing queued (late stream, DTX, hold)
  overflow: i32;   // frames discarded to make room for packets too far ahead
  dropped: i32;    // frames skipped to shrink the delay
  stretched: i32;  // frames inserted to grow the delay
  resyncs: i32;    // timeline restarts after a timestamp jump
  bad: i32;        // packets not of 20 ms

  /** A buffer for μ-law (reset() sets the law of a call); allocated once, at start-up. */
  constructor() {
    const p = heap.alloc(JB_SIZE);
    const jb = changetype<JitterBuffer>(p);
    jb.reset(0);
    return jb;
  }

  /** A new call: law 0 = μ, 1 = A, no packets, no timeline, the initial target delay,
   *  statistics zeroed. Never fails. */
  reset(law: i32): void {
    memory.fill(changetype<usize>(this), 0, TAGS);
    this.law = law;
    this.targetRel = JB_INIT_MS * 8;
  }

  /** The law changed (re-INVITE): queued audio of the old law is dropped (flush). */
  setLaw(law: i32): void {
    this.law = law;
    this.flush();
  }

  /** A new source: forgets the packets and the timeline; the next packet starts a new one.
   *  The learnt target delay and the statistics stay. */
  flush(): void {
    if (this.started) this.targetRel = this.tgt - this.lo();
    this.started = false;
    this.splice = false;
    this.lateRun = 0;
    this.lastO = 0;
  }

  /** Stores one packet's payload (len G.711 bytes with RTP timestamp ts; marker = talkspurt
   *  start) that arrived at nowMs. Returns PUT_OK, PUT_LATE, PUT_DUP or PUT_BAD. */
  put(ts: u32, marker: bool, p: usize, len: i32, nowMs: i64): i32 {
    if (len != FRAME) { this.bad++; return PUT_BAD; }
    const arr = this.clock + <u32>((nowMs - this.lastGetMs) * 8); // on the playout clock
    const r = <i32>(arr - ts);
    const rel = <i32>(ts - this.anchor);
    let b = rel / FRAME;
    let play = this.play;
    if (!this.started || rel % FRAME != 0 || b - play >= JUMP || play - b > JUMP) {
      // the first packet, or a timestamp jump: a new timeline from it, keeping the target
      if (this.started) this.resyncs++;
      this.anchor = ts;
      this.retime(b = 0, r, arr);
    } else if (b < play) {
      if (this.has(b)) { this.dup++; return PUT_DUP; }
      const empty = this.hi <= play;
      if (!(empty && (marker || ++this.lateRun >= LATE_RESYNC))) {
        // late with audio queued is jitter: it raises the target. Late into an empty buffer
        // may be the sender's timeline moving instead: judged by the packets that follow.
        if (!empty) this.observe(r, arr);
        this.late++;
        return PUT_LATE;
      }
      this.retime(b, r, arr); // the stream moved behind us with nothing queued: follow it
    } else if (marker && this.hi <= play) {
      this.retime(b, r, arr); // talkspurt start into an empty buffer: play it at the target
    } else if (this.aligning && b < this.alignAt) {
      this.alignAt = b; // reordered at the start of a timeline
      this.from = b;
    }
    this.lateRun = 0;
    this.observe(r, arr);
    play = this.play;
    if (b - play >= N) {
      // past the ring: give up the oldest frames until b fits
      const to = b + 1 - N;
      for (; play < to; play++) if (this.has(play)) { this.overflow++; this.splice = true; }
      this.play = to;
    }
    if (this.has(b)) { this.dup++; return PUT_DUP; }
    const s = <usize>(b & MASK);
    store<i32>(changetype<usize>(this) + (s << 2), b, TAGS);
    memory.copy(changetype<usize>(this) + DATA + s * <usize>FRAME, p, <usize>FRAME);
    if (b >= this.hi) this.hi = b + 1;
    return PUT_OK;
  }

  /** Copies the next frame (160 G.711 bytes) to dst, called once per audio frame at nowMs.
   *  Returns GET_* flags: FULL when dst holds a frame (else conceal it), and SPLICE / IDLE /
   *  STRETCH. */
  get(dst: usize, nowMs: i64): i32 {
    const el = nowMs - this.lastGetMs;
    const clock = this.clock + (!this.haveClock || el > 100 ? <u32>(el * 8) : <u32>FRAME); // a stalled clock jumps
    this.clock = clock;
    this.haveClock = true;
    this.lastGetMs = nowMs;
    if (!this.started) return GET_IDLE;
    let play = this.play;
    if (this.aligning) {
      const at = this.alignAt;
      const x = this.tgt - <i32>(clock - this.tsOf(at));
      play = at - (x > 0 ? (x + FRAME - 1) / FRAME : 0);
      if (at - play > N) play = at - N;
      this.aligning = false;
    }
    // the target falls slowly (one step per second) towards what the window asks for
    const want = this.want();
    let tgt = this.tgt;
    if (want - tgt >= 0) this.shrinkAt = clock;
    else if (<i32>(clock - this.shrinkAt) >= SHRINK_EVERY) {
      tgt = tgt - STEP - want < 0 ? want : tgt - STEP;
      this.tgt = tgt;
      this.shrinkAt = clock;
    }
    let flags = this.splice ? GET_SPLICE : 0;
    this.splice = false;
    let o = <i32>(clock - this.tsOf(play));
    const over = o - tgt;
    if (over < 0) {
      this.play = play;
      this.stretched++;
      this.lastO = o + FRAME;
      return flags | GET_STRETCH | (this.hi <= play ? GET_IDLE : 0);
    }
    if (over >= HYST) {
      const loud = this.audible(play); // silent or missing: skipping it is inaudible
      if (over >= FORCE || ++this.excess >= EXCESS_GETS || !loud) {
        if (loud) flags |= GET_SPLICE;
        play++;
        this.dropped++;
        this.excess = 0;
        o -= FRAME;
      }
    } else this.excess = 0;
    this.lastO = o;
    this.play = play + 1;
    if (this.has(play)) {
      memory.copy(dst, changetype<usize>(this) + DATA + <usize>(play & MASK) * <usize>FRAME, <usize>FRAME);
      return flags | GET_FULL;
    }
    if (play < this.from) return flags | GET_IDLE; // pre-roll before the timeline
    if (this.hi > play + 1) { this.lost++; return flags; } // a hole
    this.underrun++;
    return flags | GET_IDLE;
  }

  /** Playout delay beyond the fastest packet, ms (as of the last get). */
  delayMs(): i32 { return this.started ? (this.lastO - this.lo()) >> 3 : 0; }
  /** Target playout delay beyond the fastest packet, ms. */
  targetMs(): i32 { return (this.started ? this.tgt - this.lo() : this.targetRel) >> 3; }

  // ---- internals

  // @ts-ignore: decorator
  @inline private tsOf(b: i32): u32 { return this.anchor + <u32>(b * FRAME); }

  private has(b: i32): bool { return load<i32>(changetype<usize>(this) + (<usize>(b & MASK) << 2), TAGS) == b; }

  /** A new timeline with frame b played next, after enough pre-roll to reach the target delay
   *  (fixed at the next get, which knows the playout clock). The sender's timestamps may have
   *  moved against real time, so the windows restart from this packet, keeping the target
   *  relative to them. Only called with nothing queued ahead. */
  private retime(b: i32, r: i32, arr: u32): void {
    if (this.started) this.targetRel = this.tgt - this.lo();
    this.started = true;
    this.minCur = r; this.minPrev = r; this.maxCur = r; this.maxPrev = r;
    this.winStart = arr;
    this.tgt = r + this.targetRel;
    this.shrinkAt = this.haveClock ? this.clock : arr;
    memory.fill(changetype<usize>(this) + TAGS, 0x80, <usize>(N << 2)); // no frame is that negative
    this.aligning = true;
    this.alignAt = b;
    this.from = b;
    this.play = b - (N >> 1);
    this.hi = b;
    this.excess = 0;
  }

  private lo(): i32 { return this.minCur - this.minPrev < 0 ? this.minCur : this.minPrev; }

  /** Target offset the current window asks for. */
  private want(): i32 {
    const lo = this.lo();
    const hi = this.maxCur - this.maxPrev > 0 ? this.maxCur : this.maxPrev;
    let d = (hi - lo + 2 * STEP - 1) / STEP * STEP; // + margin, rounded up
    if (d < MIN) d = MIN;
    if (d > MAX) d = MAX;
    return lo + d;
  }

  /** One packet's r into the windows; the target rises at once. */
  private observe(r: i32, arr: u32): void {
    if (<i32>(arr - this.winStart) >= WINDOW) {
      this.minPrev = this.minCur; this.maxPrev = this.maxCur;
      this.minCur = r; this.maxCur = r;
      this.winStart = arr;
    } else {
      if (r - this.minCur < 0) this.minCur = r;
      if (r - this.maxCur > 0) this.maxCur = r;
    }
    const want = this.want();
    if (want - this.tgt > 0) this.tgt = want;
    const cap = this.lo() + MAX;
    if (this.tgt - cap > 0) this.tgt = cap;
  }

  /** Some sample of frame b is present and not silence (see loud()). */
  private audible(b: i32): bool {
    if (!this.has(b)) return false;
    const p = changetype<usize>(this) + DATA + <usize>(b & MASK) * <usize>FRAME;
    for (let i = 0; i < FRAME; i++) if (loud(this.law, <i32>load<u8>(p + <usize>i))) return true;
    return false;
  }
}

/** G.711 code c (law 0 = μ, 1 = A) decodes to |x| >= 512 (about -36 dBFS): segment and
 *  mantissa of the code, read without decoding. */
// @ts-ignore: decorator
@inline export function loud(law: i32, c: i32): bool {
  return law != 0 ? ((c ^ 0x55) & 0x7f) >= 32 : ((c ^ 0x7f) & 0x7f) >= 36;
}
