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
import { put16 } from "./rtp";

export const EVENT_PAYLOAD: i32 = 4;
const FRAME: i32 = 160;
const GAP_FRAMES: i32 = 2;   // audio frames between two events
const SEND_DUR: i32 = (DTMF_SEND_MS * 8 + FRAME - 1) / FRAME * FRAME;

export class EventReceiver {
  private have: bool = false;
  private lastTs: u32 = 0;
  private lastCode: i32 = -1;
  private lastDur: i32 = 0;
  private lastMs: i64 = 0;
  /** An event is in progress (no end seen, no timeout yet). */
  active: bool = false;
  // statistics
  events: i32 = 0;     // key presses reported
  ends: i32 = 0;       // events ended by an end packet
  timeouts: i32 = 0;   // events ended by the timeout
  ignored: i32 = 0;    // packets too short or with codes outside 0-15

  /** A new call: no event, statistics zeroed. */
  reset(): void {
    this.flush();
    this.events = 0; this.ends = 0; this.timeouts = 0; this.ignored = 0;
  }

  /** A new source (its timestamps are unrelated): forgets the current event. */
  flush(): void {
    this.have = false;
    this.active = false;
    this.lastCode = -1;
  }

  /** One telephone-event packet (payload p, n bytes; RTP timestamp ts) at nowMs. Returns the
   *  ASCII digit when it starts a new key press, else -1 (update, retransmission, old or
   *  ignored event). */
  receive(p: usize, n: i32, ts: u32, nowMs: i64): i32 {
    if (n < EVENT_PAYLOAD) { this.ignored++; return -1; }
    const code = <i32>load<u8>(p);
    const end = (load<u8>(p, 1) & 0x80) != 0;
    const dur = (<i32>load<u8>(p, 2) << 8) | <i32>load<u8>(p, 3);
    if (code > 15) { this.ignored++; return -1; }
    if (this.have) {
      const age = <i32>(ts - this.lastTs);
      if (age < 0) return -1;                        // an older event, reordered
      if (age == 0 && code == this.lastCode) {       // same event: update or end
        if (this.active) {
          this.lastMs = nowMs;
          if (dur > this.lastDur) this.lastDur = dur;
          if (end) { this.active = false; this.ends++; }
        }
        return -1;
      }
      if (this.active && code == this.lastCode && age == this.lastDur && this.lastDur >= 0xffff - FRAME) {
        // next segment of a long event (2.5.1.3): the same key press continues
        this.lastTs = ts;
        this.lastDur = dur;
        this.lastMs = nowMs;
        if (end) { this.active = false; this.ends++; }
        return -1;
      }
    }
    if (this.active) this.timeouts++; // previous event never ended
    this.have = true;
    this.lastTs = ts;
    this.lastCode = code;
    this.lastDur = dur;
    this.lastMs = nowMs;
    this.active = !end;
    if (end) this.ends++;
    this.events++;
    return digitOf(code);
  }

  /** Ends an event whose end packets were lost. Call at least every few hundred ms. */
  poll(nowMs: i64): void {
    if (this.active && nowMs - this.lastMs >= DTMF_RX_TIMEOUT_MS) {
      this.active = false;
      this.timeouts++;
    }
  }
}

export class EventSender {
  private queue: usize = heap.alloc(<usize>DTMF_QUEUE);
  private head: i32 = 0;
  private count: i32 = 0;
  private code: i32 = -1;      // event being sent, -1 when none
  private ts: u32 = 0;         // its timestamp (start)
  private dur: i32 = 0;
  private endsSent: i32 = 0;
  private gap: i32 = 0;        // audio frames to send before the next event
  /** Set when the packet just written must carry the RTP marker bit. */
  marker: bool = false;
  /** The next audio packet must carry the marker bit (audio resumes after an event). */
  resume: bool = false;
  sent: i32 = 0;               // events sent

  reset(): void { this.head = 0; this.count = 0; this.code = -1; this.gap = 0; this.resume = false; this.sent = 0; }

  /** Queues an ASCII digit; false when it is not a DTMF digit or the queue is full. */
  push(digit: i32): bool {
    const code = codeOf(digit);
    if (code < 0 || this.count >= DTMF_QUEUE) return false;
    store<u8>(this.queue + <usize>((this.head + this.count) % DTMF_QUEUE), <u8>code);
    this.count++;
    return true;
  }

  /** True while an event is being sent or digits wait. */
  get busy(): bool { return this.code >= 0 || this.count > 0; }

  /** Called once per 20 ms audio frame whose timestamp is ts (the timestamp the audio packet
   *  would carry). Writes a 4-byte event payload at dst and returns 4 when this frame's packet
   *  is a telephone-event (then `marker` says whether to set the marker bit and the packet's
   *  timestamp is `eventTs`); returns 0 when the frame goes out as audio. */
  frame(ts: u32, dst: usize): i32 {
    this.marker = false;
    if (this.code < 0) {
      if (this.gap > 0) { this.gap--; return 0; }
      if (this.count == 0) return 0;
      this.code = <i32>load<u8>(this.queue + <usize>this.head);
      this.head = (this.head + 1) % DTMF_QUEUE;
      this.count--;
      this.ts = ts;
      this.dur = 0;
      this.endsSent = 0;
      this.marker = true;
    }
    let end = false;
    if (this.dur < SEND_DUR) {
      this.dur += FRAME;
      end = this.dur >= SEND_DUR;
    } else end = true;
    if (end) this.endsSent++;
    store<u8>(dst, <u8>this.code);
    store<u8>(dst, <u8>((end ? 0x80 : 0) | (DTMF_VOLUME & 0x3f)), 1);
    put16(dst + 2, this.dur);
    if (this.endsSent >= 3) {
      this.code = -1;
      this.gap = GAP_FRAMES;
      this.resume = true;
      this.sent++;
    }
    return EVENT_PAYLOAD;
  }

  /** Timestamp of the event being sent (valid right after frame() returned 4). */
  get eventTs(): u32 { return this.ts; }
}
