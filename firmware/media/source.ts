// Per-source reception state (RFC 3550 appendix A): sequence validation with probation, wrap
// and restart (A.1 init_seq/update_seq), packets expected and lost (A.3, for the report block of
// section 6.4.1) and the interarrival jitter estimate (A.8, section 6.4.1), all in integers.

const RTP_SEQ_MOD: u32 = 1 << 16;
/** A.1 constants: a jump ahead of up to MAX_DROPOUT is a gap, behind by up to MAX_MISORDER is a
 *  reordered/duplicate packet; anything else is a restart, confirmed by the packet after it. */
export const MAX_DROPOUT: u32 = 3000;
export const MAX_MISORDER: u32 = 100;
/** Packets in sequence before a new source is valid. */
export const MIN_SEQUENTIAL: i32 = 2;

@final @unmanaged
export class RtpSource {
  ssrc: u32;
  /** Packets still needed in sequence before the source is valid (0: valid). */
  probation: i32;
  maxSeq: u32;
  cycles: u32;         // shifted count of sequence number cycles
  baseSeq: u32;
  badSeq: u32;
  received: u32;
  expectedPrior: u32;
  receivedPrior: u32;
  transit: i32;
  haveTransit: bool;
  /** Interarrival jitter in timestamp units, scaled by 16 (A.8 integer form). */
  jitter: u32;

  /** Allocated once, at start-up; not valid until start() and its packets. */
  constructor() {
    const s = changetype<RtpSource>(heap.alloc(offsetof<RtpSource>()));
    s.start(0, 0, MIN_SEQUENTIAL);
    return s;
  }

  /** Starts tracking a new source whose next packet has sequence number seq (A.1): valid after
   *  `probation` packets in sequence (1 when another source's probation has already been passed
   *  by the packet before). Forgets everything of the previous source. */
  start(ssrc: u32, seq: i32, probation: i32 = MIN_SEQUENTIAL): void {
    memory.fill(changetype<usize>(this), 0, offsetof<RtpSource>());
    this.ssrc = ssrc;
    this.maxSeq = (<u32>seq - 1) & 0xffff;
    this.probation = probation;
  }

  private initSeq(seq: u32): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1; // so seq == badSeq is false
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /** A.1 update_seq: true when the packet is valid and should be delivered; false while on
   *  probation or for a very large jump (until the next packet confirms the restart). */
  update(seq: i32): bool {
    const s = <u32>seq & 0xffff;
    if (this.probation > 0) {
      if (s == ((this.maxSeq + 1) & 0xffff)) {
        if (--this.probation == 0) {
          this.initSeq(s);
          this.received = 1;
          return true;
        }
      } else this.probation = MIN_SEQUENTIAL - 1;
      this.maxSeq = s;
      return false;
    }
    const udelta = (s - this.maxSeq) & 0xffff;
    if (udelta < MAX_DROPOUT) {
      if (s < this.maxSeq) this.cycles += RTP_SEQ_MOD; // wrapped
      this.maxSeq = s;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (s != this.badSeq) {
        this.badSeq = (s + 1) & 0xffff;
        return false;
      }
      // two sequential packets after a big jump: the sender restarted; resync
      this.initSeq(s);
      this.haveTransit = false;
    }
    // else: duplicate or reordered packet, counted and delivered
    this.received++;
    return true;
  }

  /** Extended highest sequence number received (cycles + max_seq). */
  extendedMax(): u32 { return this.cycles + this.maxSeq; }

  /** Packets expected since the source became valid (A.3). */
  expected(): u32 { return this.extendedMax() - this.baseSeq + 1; }

  /** Cumulative packets lost (A.3): expected - received; negative with duplicates; 0 while on
   *  probation. */
  lost(): i32 { return this.probation > 0 ? 0 : <i32>(this.expected() - this.received); }

  /** Fraction lost since the previous call, as the 8-bit fixed point of section 6.4.1 (A.3);
   *  0 when packets were duplicated. Call once per report. */
  fractionLost(): i32 {
    const expected = this.expected();
    const expectedInterval = <i32>(expected - this.expectedPrior);
    this.expectedPrior = expected;
    const lostInterval = expectedInterval - <i32>(this.received - this.receivedPrior);
    this.receivedPrior = this.received;
    return expectedInterval == 0 || lostInterval <= 0 ? 0 : (lostInterval << 8) / expectedInterval;
  }

  /** A.8: updates the jitter estimate with one packet's RTP timestamp and its arrival time in
   *  the same units (8 kHz). The first packet only sets the reference transit time. */
  updateJitter(arrival: u32, ts: u32): void {
    const transit = <i32>(arrival - ts);
    let d = transit - this.transit;
    this.transit = transit;
    if (!this.haveTransit) { this.haveTransit = true; return; }
    if (d < 0) d = -d;
    this.jitter += <u32>d - ((this.jitter + 8) >> 4);
  }

  /** Jitter in timestamp units, as it goes into a report block (A.8: jitter >> 4). */
  jitterTs(): u32 { return this.jitter >> 4; }
}
