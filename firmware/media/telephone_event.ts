// DTMF as RTP telephone-events (RFC 4733 section 2). Payload (2.3):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |     event     |E|R| volume    |          duration             |
//
// Receiving (2.5.2): an event is identified by its RTP timestamp (the time it began); the start,
// its updates (growing duration) and the three retransmitted end packets (E bit, 2.5.1.4) all
// carry the same timestamp, so one key press gives one digit, reported when its first packet
// arrives. A later timestamp is a new key press; a long event's next segment (2.5.1.3) continues
// it. When the end packets are lost the event ends after DTMF_RX_TIMEOUT_MS without packets.
// Only DTMF (codes 0-15, section 3.2) is reported; other events are ignored.
//
// Sending (2.5.1): one packet per 20 ms audio frame in place of the audio: the first with the
// marker bit, then updates with the duration so far, then the final duration three times with
// the E bit (one per frame, 2.5.1.4), all with the event's start timestamp. The audio pauses
// meanwhile and resumes after the last end packet with the marker bit; a next queued digit
// starts after two frames of audio, with a new timestamp.
import { DTMF_SEND_MS, DTMF_VOLUME, DTMF_QUEUE, DTMF_RX_TIMEOUT_MS } from "../config";
import { digitOf, codeOf } from "./dtmf";
import { be16, put32 } from "./rtp";

export const EVENT_PAYLOAD: i32 = 4;
const FRAME: i32 = 160;
const GAP_FRAMES: i32 = 2;   // audio frames between two events
const SEND_DUR: i32 = (DTMF_SEND_MS * 8 + FRAME - 1) / FRAME * FRAME;

@final @unmanaged
export class EventReceiver {
  have: bool;
  /** An event is in progress (no end seen, no timeout yet). */
  active: bool;
  lastTs: u32;
  lastCode: i32;
  lastDur: i32;
  lastMs: i64;
  // statistics
  events: i32;     // key presses reported
  ends: i32;       // events ended by an end packet
  timeouts: i32;   // events ended by the timeout
  ignored: i32;    // packets too short or with codes outside 0-15

  /** Allocated once, at start-up. */
  constructor() {
    const r = changetype<EventReceiver>(heap.alloc(offsetof<EventReceiver>()));
    r.reset();
    return r;
  }

  /** A new call: no event, statistics zeroed. */
  reset(): void { memory.fill(changetype<usize>(this), 0, offsetof<EventReceiver>()); }

  /** A new source (its timestamps are unrelated): forgets the current event. */
  flush(): void {
    this.have = false;
    this.active = false;
  }

  /** One telephone-event packet (payload p, n bytes; RTP timestamp ts) at nowMs. Returns the
   *  ASCII digit when it starts a new key press, else -1 (update, retransmission, old or
   *  ignored event). */
  receive(p: usize, n: i32, ts: u32, nowMs: i64): i32 {
    const code = n < EVENT_PAYLOAD ? 16 : <i32>load<u8>(p);
    if (code > 15) { this.ignored++; return -1; }
    const end = load<u8>(p, 1) > 0x7f;
    const dur = be16(p + 2);
    let age = 0;
    let fresh = true;
    if (this.have) {
      age = <i32>(ts - this.lastTs);
      if (age < 0) return -1; // an older event, reordered
      if (code == this.lastCode && (age == 0 ||
          this.active && age == this.lastDur && this.lastDur >= 0xffff - FRAME)) {
        // the same key press: an update, an end, or the next segment of a long event
        if (!this.active) return -1;
        fresh = false;
      }
    }
    if (fresh) { // a new key press
      if (this.active) this.timeouts++; // previous event never ended
      this.have = true;
      this.lastCode = code;
      this.active = true;
      this.events++;
    }
    this.lastTs = ts;
    this.lastMs = nowMs;
    if (fresh || age != 0 || dur > this.lastDur) this.lastDur = dur;
    if (end) { this.active = false; this.ends++; }
    return fresh ? digitOf(code) : -1;
  }

  /** Ends an event whose end packets were lost. Call at least every few hundred ms. */
  poll(nowMs: i64): void {
    if (this.active && nowMs - this.lastMs >= DTMF_RX_TIMEOUT_MS) {
      this.active = false;
      this.timeouts++;
    }
  }
}

// Behind the fields: the queue of event codes (DTMF_QUEUE bytes, a power of 2).
const Q: usize = offsetof<EventSender>();
/** Bytes of an EventSender with its queue. */
export const SENDER_SIZE: usize = Q + <usize>DTMF_QUEUE;

@final @unmanaged
export class EventSender {
  head: i32;
  count: i32;
  n: i32;            // packets of the event being sent; < 0: audio frames still due before the next
  code: i32;         // event being sent
  eventTs: u32;      // its timestamp (start)
  /** Set when the packet just written must carry the RTP marker bit. */
  marker: bool;
  /** The next audio packet must carry the marker bit (audio resumes after an event). */
  resume: bool;
  sent: i32;         // events sent

  /** Allocated once, at start-up. */
  constructor() {
    const s = changetype<EventSender>(heap.alloc(SENDER_SIZE));
    s.reset();
    return s;
  }

  /** A new call: nothing queued or being sent. */
  reset(): void { memory.fill(changetype<usize>(this), 0, Q); }

  /** Queues an ASCII digit; false when it is not a DTMF digit or the queue is full. */
  push(digit: i32): bool {
    const code = codeOf(digit);
    if (code < 0 || this.count >= DTMF_QUEUE) return false;
    store<u8>(changetype<usize>(this) + <usize>((this.head + this.count++) & (DTMF_QUEUE - 1)), <u8>code, Q);
    return true;
  }

  /** True while an event is being sent or digits wait. */
  get busy(): bool { return this.n > 0 || this.count > 0; }

  /** Called once per 20 ms audio frame whose timestamp is ts (the timestamp the audio packet
   *  would carry). Writes a 4-byte event payload at dst and returns 4 when this frame's packet
   *  is a telephone-event (then `marker` says whether to set the marker bit and the packet's
   *  timestamp is `eventTs`); returns 0 when the frame goes out as audio. */
  frame(ts: u32, dst: usize): i32 {
    this.marker = false;
    if (this.n <= 0) {
      if (this.n < 0) { this.n++; return 0; }
      if (this.count == 0) return 0;
      this.code = <i32>load<u8>(changetype<usize>(this) + <usize>this.head, Q);
      this.head = (this.head + 1) & (DTMF_QUEUE - 1);
      this.count--;
      this.eventTs = ts;
      this.marker = true;
    }
    const k = ++this.n;
    const d = k * FRAME; // duration so far; from SEND_DUR on the packet is an end packet
    put32(dst, <u32>(this.code << 24 | (d < SEND_DUR ? d : 0x800000 | SEND_DUR) | DTMF_VOLUME << 16));
    if (k == SEND_DUR / FRAME + 2) { // the third end packet
      this.n = -GAP_FRAMES;
      this.resume = true;
      this.sent++;
    }
    return EVENT_PAYLOAD;
  }
}
