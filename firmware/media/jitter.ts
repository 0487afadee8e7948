// Adaptive jitter buffer for G.711 (design and numbers: docs/media.md). Packets are stored by
// RTP timestamp in fixed 10 ms slots (80 samples = 80 bytes of G.711), so reordering, duplicates
// and 10/20/30/40/60 ms packets need nothing special; playout is pulled by the audio clock, one
// 20 ms frame per microphone frame.
//
// Timing, all in 8 kHz timestamp units: each packet's r = arrival - timestamp; over a sliding
// window (two 2 s halves) lo = min r (the fastest packet) and hi = max r (the slowest). The
// playout offset O = playClock - timestamp(frame being played) is held at a target of
// hi - lo + 10 ms (at least JB_MIN_MS, at most JB_MAX_MS above lo): a packet is on time when
// r <= O. The target rises at once when a slower packet is seen and falls by at most 10 ms per
// second when the window forgets it. Too little delay: hold the playout point for a frame (the
// caller conceals it). Too much: skip a frame, preferably a silent or missing one. A talkspurt
// start (marker bit) arriving into an empty buffer re-times playout to the target directly.
// The delay estimate is the arrival spread itself, like the RFC 3550 A.8 jitter but as a peak.
import { JB_BLOCKS, JB_MIN_MS, JB_INIT_MS, JB_MAX_MS } from "../config";
import { ulawDecode, alawDecode } from "./g711";

/** Samples (and G.711 bytes) per slot, and per frame handed out by get(). */
export const BLOCK: i32 = 80;
export const FRAME: i32 = 160;

const N: i32 = JB_BLOCKS;
const MASK: i32 = JB_BLOCKS - 1;
const EMPTY: i32 = i32.MIN_VALUE;
const MIN: i32 = JB_MIN_MS * 8;
const MAX: i32 = JB_MAX_MS * 8;
const WINDOW: i32 = 16000;     // 2 s per window half
const MARGIN: i32 = BLOCK;     // 10 ms above the slowest packet
const HYST: i32 = 3 * BLOCK;   // skip only when 30 ms above target
const FORCE: i32 = 10 * BLOCK; // skip regardless of content when 100 ms above target
const EXCESS_GETS: i32 = 50;   // ... or after 1 s above target without a silent frame
const SHRINK_EVERY: i32 = 8000; // target falls by one slot per second at most
const JUMP: i32 = 2 * JB_BLOCKS; // slots: further than this from playout is a timestamp jump
const LATE_RESYNC: i32 = 3;    // late packets in a row with nothing queued re-time playout
const QUIET: i32 = 512;        // |sample| below this counts as silence (about -36 dBFS)

/** put() results. */
export const PUT_OK: i32 = 0;
export const PUT_LATE: i32 = 1;  // behind the playout point: dropped
export const PUT_DUP: i32 = 2;   // every slot of it is already held: dropped
export const PUT_BAD: i32 = 3;   // payload not a whole number of 10 ms slots (or over 160 ms)

/** get() flags: which halves of the frame were copied, and what happened. */
export const GET_FIRST: i32 = 1;   // samples 0..79 present
export const GET_SECOND: i32 = 2;  // samples 80..159 present
export const GET_FULL: i32 = 3;
export const GET_SPLICE: i32 = 4;  // audio was skipped just before this frame: crossfade into it
export const GET_IDLE: i32 = 8;    // nothing queued (pre-roll, underrun, silence): not a loss
export const GET_STRETCH: i32 = 16; // playout held to grow the delay: conceal, nothing consumed

export class JitterBuffer {
  private data: usize;
  private tags: usize;   // block number held by each slot, or EMPTY
  private quiet: usize;  // 256 flags: this G.711 code is silence
  started: bool = false;
  private anchor: u32 = 0;     // timestamp of block 0
  playBlk: i32 = 0;            // next block to play
  hiBlk: i32 = 0;              // one past the highest block received
  private fromBlk: i32 = 0;    // first block of the current timeline (before it: pre-roll)
  private aligning: bool = false;
  private alignBlk: i32 = 0;
  private clock: u32 = 0;      // playout clock: +160 per get()
  private haveClock: bool = false;
  private lastGetMs: i64 = 0;
  private minCur: i32 = 0;
  private minPrev: i32 = 0;
  private maxCur: i32 = 0;
  private maxPrev: i32 = 0;
  private winStart: u32 = 0;
  private tgt: i32 = 0;        // target playout offset, same scale as r
  private targetRel: i32 = JB_INIT_MS * 8;
  private shrinkAt: u32 = 0;
  private lastO: i32 = 0;
  private excess: i32 = 0;
  private lateRun: i32 = 0;
  private splice: bool = false;

  // statistics (frames of 20 ms unless noted)
  late: i32 = 0;       // packets that came after their playout time
  dup: i32 = 0;        // duplicate packets
  lost: i32 = 0;       // frames played with a hole that later data shows was not silence
  underrun: i32 = 0;   // frames played with nothing queued (late stream, DTX, hold)
  overflow: i32 = 0;   // frames discarded to make room for packets too far ahead
  dropped: i32 = 0;    // frames skipped to shrink the delay
  stretched: i32 = 0;  // frames inserted to grow the delay
  resyncs: i32 = 0;    // timeline restarts after a timestamp jump
  bad: i32 = 0;        // packets whose size is not whole slots

  constructor() {
    this.data = heap.alloc(<usize>(N * BLOCK));
    this.tags = heap.alloc(<usize>(N << 2));
    this.quiet = heap.alloc(256);
    this.reset(0);
  }

  /** A new call: law 0 = μ, 1 = A, no packets, no timeline, the initial target delay,
   *  statistics zeroed. Never fails. */
  reset(law: i32): void {
    this.setLaw(law);
    this.targetRel = JB_INIT_MS * 8;
    this.haveClock = false;
    this.late = 0; this.dup = 0; this.lost = 0; this.underrun = 0; this.overflow = 0;
    this.dropped = 0; this.stretched = 0; this.resyncs = 0; this.bad = 0;
  }

  /** The law changed (re-INVITE): which codes are silence; queued audio of the old law is
   *  dropped (flush). */
  setLaw(law: i32): void {
    for (let c = 0; c < 256; c++) {
      const x = law == 0 ? <i32>ulawDecode(<u8>c) : <i32>alawDecode(<u8>c);
      store<u8>(this.quiet + <usize>c, <u8>(x > -QUIET && x < QUIET ? 1 : 0));
    }
    this.flush();
  }

  /** A new source: forgets the packets and the timeline; the next packet starts a new one.
   *  The learnt target delay and the statistics stay. */
  flush(): void {
    if (this.started) this.targetRel = this.tgt - this.lo();
    this.clearTags();
    this.started = false;
    this.aligning = false;
    this.splice = false;
    this.excess = 0;
    this.lateRun = 0;
    this.lastO = 0;
  }

  /** Stores one packet's payload (len G.711 bytes with RTP timestamp ts; marker = talkspurt
   *  start) that arrived at nowMs. Returns PUT_OK, PUT_LATE, PUT_DUP or PUT_BAD. */
  put(ts: u32, marker: bool, p: usize, len: i32, nowMs: i64): i32 {
    if (len <= 0 || len % BLOCK != 0 || len > 2 * FRAME) { this.bad++; return PUT_BAD; }
    const arr = this.arrival(nowMs);
    const r = <i32>(arr - ts);
    if (!this.started) this.begin(ts, r, arr);
    let rel = <i32>(ts - this.anchor);
    if (rel % BLOCK != 0) { this.restart(ts, r, arr); rel = 0; }
    let b = rel / BLOCK;
    const k = len / BLOCK;
    if (b - this.playBlk >= JUMP || this.playBlk - (b + k) >= JUMP) { this.restart(ts, r, arr); b = 0; }

    const empty = this.hiBlk <= this.playBlk;
    if (b + k <= this.playBlk) {
      if (load<i32>(this.tags + (<usize>(b & MASK) << 2)) == b) { this.dup++; return PUT_DUP; }
      if (!(empty && (marker || ++this.lateRun >= LATE_RESYNC))) {
        // late with audio queued is jitter: it raises the target. Late into an empty buffer
        // may be the sender's timeline moving instead: judged by the packets that follow.
        if (!empty) this.observe(r, arr);
        this.late++;
        return PUT_LATE;
      }
      this.retime(b, r, arr); // the stream moved behind us with nothing queued: follow it
    } else if (marker && empty) {
      this.retime(b, r, arr); // talkspurt start into an empty buffer: play it at the target
    } else if (this.aligning && b < this.alignBlk) {
      this.alignBlk = b; // reordered at the start of a timeline
      this.fromBlk = b;
    }
    this.lateRun = 0;
    this.observe(r, arr);

    const end = b + k;
    if (end - this.playBlk > N) this.makeRoom(end);
    let stored = 0, dups = 0;
    for (let i = 0; i < k; i++) {
      const bi = b + i;
      if (bi < this.playBlk) continue;
      const tag = this.tags + (<usize>(bi & MASK) << 2);
      if (load<i32>(tag) == bi) { dups++; continue; }
      memory.copy(this.data + <usize>((bi & MASK) * BLOCK), p + <usize>(i * BLOCK), <usize>BLOCK);
      store<i32>(tag, bi);
      stored++;
    }
    if (end > this.hiBlk) this.hiBlk = end;
    if (stored > 0) return PUT_OK;
    if (dups > 0) { this.dup++; return PUT_DUP; }
    this.late++;
    return PUT_LATE;
  }

  /** Copies the next 20 ms frame (160 G.711 bytes) to dst, called once per audio frame at
   *  nowMs. Returns GET_* flags: the halves present in dst (missing halves are left as they
   *  were: conceal them), and SPLICE / IDLE / STRETCH. */
  get(dst: usize, nowMs: i64): i32 {
    if (!this.haveClock) { this.clock = <u32>(nowMs * 8); this.haveClock = true; }
    else {
      const el = nowMs - this.lastGetMs;
      this.clock += el > 100 ? <u32>(el * 8) : <u32>FRAME; // a stalled audio clock jumps
    }
    this.lastGetMs = nowMs;
    if (!this.started) return GET_IDLE;
    if (this.aligning) {
      const x = this.tgt - <i32>(this.clock - this.tsOf(this.alignBlk));
      this.playBlk = this.alignBlk - (x <= 0 ? 0 : 2 * ((x + FRAME - 1) / FRAME));
      if (this.alignBlk - this.playBlk > N) this.playBlk = this.alignBlk - N;
      this.aligning = false;
    }
    this.shrinkTarget();
    let flags = 0;
    if (this.splice) { flags = GET_SPLICE; this.splice = false; }
    const o = <i32>(this.clock - this.tsOf(this.playBlk));
    this.lastO = o;
    if (o - this.tgt < 0) {
      this.stretched++;
      this.lastO = o + FRAME;
      return flags | GET_STRETCH | (this.hiBlk <= this.playBlk ? GET_IDLE : 0);
    }
    const over = o - this.tgt;
    if (over >= HYST) {
      this.excess++;
      const loud = this.audible(this.playBlk); // silent or missing: skipping it is inaudible
      if (over >= FORCE || this.excess >= EXCESS_GETS || !loud) {
        if (loud) flags |= GET_SPLICE;
        this.playBlk += 2;
        this.dropped++;
        this.excess = 0;
        this.lastO = o - FRAME;
      }
    } else this.excess = 0;

    const b = this.playBlk;
    let mask = 0;
    if (this.has(b)) { memory.copy(dst, this.data + <usize>((b & MASK) * BLOCK), <usize>BLOCK); mask = GET_FIRST; }
    if (this.has(b + 1)) { memory.copy(dst + <usize>BLOCK, this.data + <usize>(((b + 1) & MASK) * BLOCK), <usize>BLOCK); mask |= GET_SECOND; }
    this.playBlk = b + 2;
    if (mask == GET_FULL) return flags | mask;
    if (b < this.fromBlk) return flags | mask | GET_IDLE; // pre-roll before the timeline
    if (mask != 0 || this.hiBlk > b + 2) { this.lost++; return flags | mask; } // a hole
    this.underrun++;
    return flags | GET_IDLE;
  }

  /** Playout delay beyond the fastest packet, ms (as of the last get). */
  delayMs(): i32 { return this.started ? (this.lastO - this.lo()) >> 3 : 0; }
  /** Target playout delay beyond the fastest packet, ms. */
  targetMs(): i32 { return this.started ? (this.tgt - this.lo()) >> 3 : this.targetRel >> 3; }
  /** Audio queued ahead of the playout point, ms (holes included). */
  queuedMs(): i32 { const q = this.hiBlk - this.playBlk; return q > 0 ? q * 10 : 0; }

  // ---- internals

  private arrival(nowMs: i64): u32 {
    if (!this.haveClock) return <u32>(nowMs * 8);
    return this.clock + <u32>((nowMs - this.lastGetMs) * 8);
  }

  // @ts-ignore: decorator
  @inline private tsOf(b: i32): u32 { return this.anchor + <u32>(b * BLOCK); }

  // @ts-ignore: decorator
  @inline private has(b: i32): bool { return load<i32>(this.tags + (<usize>(b & MASK) << 2)) == b; }

  private clearTags(): void {
    for (let i = 0; i < N; i++) store<i32>(this.tags + (<usize>i << 2), EMPTY);
  }

  private begin(ts: u32, r: i32, arr: u32): void {
    this.started = true;
    this.anchor = ts;
    this.playBlk = 0;
    this.hiBlk = 0;
    this.rebase(r, arr);
    this.realign(0);
  }

  /** A timestamp jump: a new timeline from this packet, keeping the learnt target delay. */
  private restart(ts: u32, r: i32, arr: u32): void {
    this.targetRel = this.tgt - this.lo();
    this.resyncs++;
    this.begin(ts, r, arr);
  }

  /** Playout follows the stream to block b; the sender's timestamps may have moved against
   *  real time (a pause without timestamps advancing), so the windows restart from this
   *  packet, keeping the target relative to them. */
  private retime(b: i32, r: i32, arr: u32): void {
    this.targetRel = this.tgt - this.lo();
    this.rebase(r, arr);
    this.realign(b);
  }

  private rebase(r: i32, arr: u32): void {
    this.minCur = r; this.minPrev = r; this.maxCur = r; this.maxPrev = r;
    this.winStart = arr;
    this.tgt = r + this.targetRel;
    this.shrinkAt = this.haveClock ? this.clock : arr;
  }

  /** Plays block b next, after enough pre-roll to reach the target delay (fixed at the next
   *  get, which knows the playout clock). Only called with nothing queued ahead. */
  private realign(b: i32): void {
    this.clearTags();
    this.aligning = true;
    this.alignBlk = b;
    this.fromBlk = b;
    this.playBlk = b - (N >> 1);
    this.hiBlk = b;
    this.excess = 0;
  }

  /** Packets reach past the ring: discard the oldest frames until block end - 1 fits. */
  private makeRoom(end: i32): void {
    let to = end - N;
    if ((to - this.playBlk) & 1) to++;
    for (let b = this.playBlk; b < to; b += 2) {
      if (this.has(b) || this.has(b + 1)) { this.overflow++; this.splice = true; }
    }
    this.playBlk = to;
  }

  private lo(): i32 { return this.minCur - this.minPrev < 0 ? this.minCur : this.minPrev; }
  private hi(): i32 { return this.maxCur - this.maxPrev > 0 ? this.maxCur : this.maxPrev; }

  /** Target offset the current window asks for. */
  private want(): i32 {
    const lo = this.lo();
    let d = this.hi() - lo + MARGIN;
    d = (d + BLOCK - 1) / BLOCK * BLOCK;
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

  /** The target falls slowly (one slot per second) towards what the window asks for. */
  private shrinkTarget(): void {
    const want = this.want();
    if (want - this.tgt >= 0) { this.shrinkAt = this.clock; return; }
    if (<i32>(this.clock - this.shrinkAt) < SHRINK_EVERY) return;
    this.tgt -= BLOCK;
    if (this.tgt - want < 0) this.tgt = want;
    this.shrinkAt = this.clock;
  }

  /** Some sample of the frame at block b is present and not silence. */
  private audible(b: i32): bool {
    for (let h = 0; h < 2; h++) {
      const bi = b + h;
      if (!this.has(bi)) continue;
      const p = this.data + <usize>((bi & MASK) * BLOCK);
      for (let i = 0; i < BLOCK; i++) {
        if (load<u8>(this.quiet + <usize>load<u8>(p + <usize>i)) == 0) return true;
      }
    }
    return false;
  }
}
