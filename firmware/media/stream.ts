// One call's media as pure logic: bytes and times in, bytes out, no HAL I/O (session.ts does
// the sockets and the audio device), so two streams can talk to each other in a spec and the
// bench can run the whole audio path. Per 20 ms audio frame the owner calls sendFrame() (encode,
// RTP or telephone-event packet) and playFrame() (jitter buffer, decode or conceal, tones);
// received datagrams go to receiveRtp()/receiveRtcp(); buildRtcp() on the RTCP timer.
//
// RTP per RFC 3550 (random SSRC, initial sequence number and timestamp, 5.1; a new SSRC from the
// peer restarts the source once it passes probation, A.1), symmetric RTP (RFC 4961): once valid
// packets of the current source come from another address/port, we send there. Direction per
// RFC 3264 6.1: without "send" the audio clock still advances and nothing goes out; without
// "recv" incoming audio is counted but not played. RTCP keeps going in every direction.
import * as random from "../sys/random";
import { Writer } from "../sys/bytes";
import { RTCP_INTERVAL_MS } from "../config";
import { RtpPacket, parse, writeHeader, RTP_OK, RTP_HEADER } from "./rtp";
import { RtpSource } from "./source";
import { JitterBuffer, GET_FIRST, GET_SECOND, GET_FULL, GET_SPLICE, GET_IDLE, BLOCK, FRAME } from "./jitter";
import { Plc } from "./plc";
import { EventReceiver, EventSender, EVENT_PAYLOAD } from "./telephone_event";
import { DigitQueue, SRC_RFC4733 } from "./dtmf";
import { ToneGen } from "./tone";
import { ReportBlock, RtcpInfo, writeReport, writeSdes, writeBye, parseCompound } from "./rtcp";
import { ulawEncodeFrame, ulawDecodeFrame, alawEncodeFrame, alawDecodeFrame } from "./g711";

/** Directions (RFC 3264): bit 0 = we send, bit 1 = we receive. */
export const DIR_INACTIVE: i32 = 0;
export const DIR_SENDONLY: i32 = 1;
export const DIR_RECVONLY: i32 = 2;
export const DIR_SENDRECV: i32 = 3;
/** G.711 laws (PCMU = 0, PCMA = 1, as in bench_g711). */
export const LAW_ULAW: i32 = 0;
export const LAW_ALAW: i32 = 1;
/** Comfort noise (RFC 3389): accepted, keeps the sequence, played as silence. */
export const PT_CN: i32 = 13;

/** receiveRtp() results. */
export const RX_AUDIO: i32 = 0;     // audio stored in the jitter buffer
export const RX_EVENT: i32 = 1;     // telephone-event handled
export const RX_PROBATION: i32 = 2; // valid RTP, source not (yet) validated (A.1)
export const RX_IGNORED: i32 = 3;   // not for us: payload type, direction, comfort noise
export const RX_INVALID: i32 = 4;   // failed the header checks
export const RX_FOREIGN: i32 = 5;   // another SSRC while the current one is valid

/** Bytes of the largest packet sendFrame() writes. */
export const TX_MAX: i32 = RTP_HEADER + FRAME;
const RTCP_CAP: i32 = 160;
const CNAME_LEN: i32 = 16;

export class MediaStream {
  // negotiated (start/update)
  pt: i32 = 0;
  law: i32 = LAW_ULAW;
  dtmfPt: i32 = -1;
  dir: i32 = DIR_SENDRECV;
  /** Where RTP and RTCP go: the SDP address until the peer's packets come from elsewhere. */
  sendIp: u32 = 0;
  sendPort: i32 = 0;
  rtcpIp: u32 = 0;
  rtcpPort: i32 = 0;
  private rtcpLatched: bool = false;

  // sending
  ssrc: u32 = 0;
  private seq: i32 = 0;
  private ts: u32 = 0;            // timestamp of the next frame
  private frameMs: i64 = 0;       // when the last frame was taken
  private marker: bool = true;    // next audio packet starts a talkspurt
  private sentAtLast: u32 = 0;
  private sentAtPrev: u32 = 0;

  // receiving
  src: RtpSource = new RtpSource();
  private cand: RtpSource = new RtpSource();
  private haveSrc: bool = false;
  private candActive: bool = false;
  readonly pkt: RtpPacket = new RtpPacket();
  readonly jb: JitterBuffer = new JitterBuffer();
  readonly plc: Plc = new Plc();
  readonly events: EventReceiver = new EventReceiver();
  readonly dtmf: EventSender = new EventSender();
  readonly digits: DigitQueue = new DigitQueue();
  readonly tone: ToneGen = new ToneGen();
  readonly rtcp: RtcpInfo = new RtcpInfo();
  private block: ReportBlock = new ReportBlock();
  private g711: usize = heap.alloc(<usize>FRAME);
  /** RTCP packets are built here by buildRtcp(). */
  readonly rtcpBuf: usize = heap.alloc(<usize>RTCP_CAP);
  private rtcpW: Writer = new Writer(0, 0);
  private cname: usize = heap.alloc(<usize>CNAME_LEN);

  // statistics (since start)
  sentPackets: u32 = 0;
  sentOctets: u32 = 0;
  rxPackets: u32 = 0;     // valid packets of the peer's sources (audio, events, CN)
  private lostBefore: i32 = 0; // lost by the peer's earlier sources
  invalid: i32 = 0;
  ignored: i32 = 0;
  foreign: i32 = 0;
  ssrcChanges: i32 = 0;
  latches: i32 = 0;
  playedFrames: i32 = 0;
  /** Frames played with a hole (lost or late audio, or held to grow the delay). */
  concealedFrames: i32 = 0;

  constructor() {
    this.rtcpW.base = this.rtcpBuf;
    this.rtcpW.cap = RTCP_CAP;
  }

  /** A new call: fresh random SSRC, sequence number, timestamp and CNAME; nothing of an earlier
   *  call survives. remoteIp/remotePort from the peer's SDP (RTCP to remotePort + 1). */
  start(pt: i32, law: i32, dtmfPt: i32, dir: i32, remoteIp: u32, remotePort: i32, nowMs: i64): void {
    this.ssrc = random.u32();
    this.seq = <i32>(random.u32() & 0xffff);
    this.ts = random.u32();
    const w = this.rtcpW.reset();
    random.hex(w, CNAME_LEN);
    memory.copy(this.cname, this.rtcpBuf, <usize>CNAME_LEN);
    this.frameMs = nowMs;
    this.marker = true;
    this.sentPackets = 0; this.sentOctets = 0; this.sentAtLast = 0; this.sentAtPrev = 0;
    this.rxPackets = 0; this.lostBefore = 0; this.invalid = 0; this.ignored = 0; this.foreign = 0;
    this.ssrcChanges = 0; this.latches = 0; this.playedFrames = 0; this.concealedFrames = 0;
    this.haveSrc = false;
    this.candActive = false;
    this.law = law;
    this.jb.reset(law);
    this.plc.reset();
    this.plc.concealed = 0;
    this.events.reset();
    this.dtmf.reset();
    this.digits.clear();
    this.rtcp.reset();
    this.pt = pt; this.dtmfPt = dtmfPt; this.dir = dir;
    this.setRemote(remoteIp, remotePort);
  }

  /** A re-INVITE: new payload types, law, direction or address; SSRC, sequence and timestamps
   *  continue. A new address restarts latching; a new law flushes the jitter buffer. */
  update(pt: i32, law: i32, dtmfPt: i32, dir: i32, remoteIp: u32, remotePort: i32): void {
    if (law != this.law) { this.law = law; this.jb.setLaw(law); }
    if (remoteIp != this.sendIp || remotePort != this.sendPort) this.setRemote(remoteIp, remotePort);
    this.pt = pt; this.dtmfPt = dtmfPt; this.dir = dir;
  }

  private setRemote(ip: u32, port: i32): void {
    this.sendIp = ip; this.sendPort = port;
    this.rtcpIp = ip; this.rtcpPort = port > 0 ? port + 1 : 0;
    this.rtcpLatched = false;
  }

  /** Queues a DTMF digit for RFC 4733 sending; false without a negotiated telephone-event
   *  payload type, without the send direction, for a non-DTMF character, or when full. */
  sendDigit(d: i32): bool {
    if (this.dtmfPt < 0 || (this.dir & DIR_SENDONLY) == 0) return false;
    return this.dtmf.push(d);
  }

  /** One received RTP datagram (n bytes at p) from fromIp:fromPort at nowMs. Returns RX_*. */
  receiveRtp(p: usize, n: i32, fromIp: u32, fromPort: i32, nowMs: i64): i32 {
    const k = this.pkt;
    if (parse(p, n, k) != RTP_OK) { this.invalid++; return RX_INVALID; }
    const pt = k.pt;
    const isEvent = this.dtmfPt >= 0 && pt == this.dtmfPt;
    if (pt != this.pt && !isEvent && pt != PT_CN) { this.ignored++; return RX_IGNORED; }
    let valid = false;
    if (!this.haveSrc) { this.src.start(k.ssrc, k.seq); this.haveSrc = true; }
    if (k.ssrc != this.src.ssrc) {
      if (this.src.probation > 0) this.src.start(k.ssrc, k.seq); // never validated: replace
      else {
        if (!this.candActive || this.cand.ssrc != k.ssrc) { this.cand.start(k.ssrc, k.seq); this.candActive = true; }
        if (!this.cand.update(k.seq)) { this.foreign++; return RX_FOREIGN; }
        this.switchSource();
        valid = true;
      }
    }
    if (!valid && !this.src.update(k.seq)) return RX_PROBATION;
    this.rxPackets++;
    if (fromIp != this.sendIp || fromPort != this.sendPort) {
      // symmetric RTP: answer where the peer's valid packets come from
      this.sendIp = fromIp; this.sendPort = fromPort; this.latches++;
      if (!this.rtcpLatched) { this.rtcpIp = fromIp; this.rtcpPort = fromPort + 1; }
    }
    if ((this.dir & DIR_RECVONLY) == 0 || pt == PT_CN) { this.ignored++; return RX_IGNORED; }
    if (isEvent) {
      const d = this.events.receive(k.payload, k.payloadLen, k.ts, nowMs);
      if (d >= 0) this.digits.push(d, SRC_RFC4733);
      return RX_EVENT;
    }
    this.src.updateJitter(<u32>(nowMs * 8), k.ts);
    this.jb.put(k.ts, k.marker, k.payload, k.payloadLen, nowMs);
    return RX_AUDIO;
  }

  /** The peer's new SSRC passed probation: it replaces the old source (stats carried over). */
  private switchSource(): void {
    const lost = this.src.lost();
    if (lost > 0) this.lostBefore += lost;
    const old = this.src;
    this.src = this.cand;
    this.cand = old;
    this.candActive = false;
    this.ssrcChanges++;
    this.jb.flush();
    this.plc.reset();
    this.events.flush();
  }

  /** One received RTCP compound from fromIp:fromPort; false when malformed (ignored). RTCP
   *  follows the compound's address only when it is the validated peer's. */
  receiveRtcp(p: usize, n: i32, fromIp: u32, fromPort: i32, nowMs: i64): bool {
    const peer = this.haveSrc && this.src.probation == 0 ? this.src.ssrc : 0;
    if (!parseCompound(p, n, this.ssrc, peer, nowMs, this.rtcp)) return false;
    if (peer != 0 && this.rtcp.sender == peer) {
      // our RTCP goes where the peer's comes from (once its RTP source is validated)
      this.rtcpIp = fromIp; this.rtcpPort = fromPort; this.rtcpLatched = true;
    }
    return true;
  }

  /** One 20 ms microphone frame (160 samples at mic) taken at nowMs: writes the packet to send
   *  at dst (TX_MAX bytes of room) and returns its length, or 0 when nothing is sent now
   *  (direction without send). The audio clock (timestamp) advances either way. */
  sendFrame(mic: usize, dst: usize, nowMs: i64): i32 {
    const ts = this.ts;
    this.ts = ts + <u32>FRAME;
    this.frameMs = nowMs;
    if ((this.dir & DIR_SENDONLY) == 0) { this.marker = true; return 0; }
    if (this.dtmfPt >= 0 && this.dtmf.frame(ts, dst + RTP_HEADER) > 0) {
      writeHeader(dst, this.dtmfPt, this.dtmf.marker, this.seq, this.dtmf.eventTs, this.ssrc);
      return this.sent(RTP_HEADER + EVENT_PAYLOAD);
    }
    const m = this.marker || this.dtmf.resume;
    this.marker = false;
    this.dtmf.resume = false;
    if (this.law == LAW_ULAW) ulawEncodeFrame(mic, dst + RTP_HEADER, FRAME);
    else alawEncodeFrame(mic, dst + RTP_HEADER, FRAME);
    writeHeader(dst, this.pt, m, this.seq, ts, this.ssrc);
    return this.sent(RTP_HEADER + FRAME);
  }

  private sent(len: i32): i32 {
    this.seq = (this.seq + 1) & 0xffff;
    this.sentPackets++;
    this.sentOctets += <u32>(len - RTP_HEADER);
    return len;
  }

  /** The 20 ms speaker frame for nowMs (160 samples written at out): the peer's audio through
   *  the jitter buffer, decoded or concealed, with any tone mixed in or replacing it. */
  playFrame(out: usize, nowMs: i64): void {
    if ((this.dir & DIR_RECVONLY) != 0) {
      const g = this.g711;
      const st = this.jb.get(g, nowMs);
      if (st & GET_SPLICE) this.plc.splice();
      const m = st & GET_FULL;
      if (m == GET_FULL) {
        this.decode(g, out, FRAME);
        this.plc.good(out, FRAME);
      } else {
        const second = out + (<usize>BLOCK << 1);
        if (m == GET_FIRST) {
          this.decode(g, out, BLOCK); this.plc.good(out, BLOCK); this.plc.lost(second, BLOCK);
        } else if (m == GET_SECOND) {
          this.plc.lost(out, BLOCK); this.decode(g + <usize>BLOCK, second, BLOCK); this.plc.good(second, BLOCK);
        } else this.plc.lost(out, FRAME);
        if ((st & GET_IDLE) == 0) this.concealedFrames++; // a hole, not silence or pre-roll
      }
      this.playedFrames++;
    } else memory.fill(out, 0, <usize>(FRAME << 1));
    if (this.tone.active) this.tone.render(out, FRAME, this.tone.mix);
  }

  private decode(src: usize, dst: usize, n: i32): void {
    if (this.law == LAW_ULAW) ulawDecodeFrame(src, dst, n);
    else alawDecodeFrame(src, dst, n);
  }

  /** Housekeeping at least every few hundred ms: ends DTMF events whose end packets were lost. */
  tick(nowMs: i64): void { this.events.poll(nowMs); }

  /** Builds our RTCP compound for nowMs into rtcpBuf: SR if we sent RTP since the report before
   *  last, else RR; a report block about the peer once its source is valid; SDES CNAME; BYE
   *  when bye is set. Returns its length (0 cannot happen with these sizes). */
  buildRtcp(nowMs: i64, bye: bool): i32 {
    const w = this.rtcpW.reset();
    const sender = this.sentPackets != this.sentAtPrev;
    this.sentAtPrev = this.sentAtLast;
    this.sentAtLast = this.sentPackets;
    let block: ReportBlock | null = null;
    if (this.haveSrc && this.src.probation == 0) {
      const b = this.block;
      const s = this.src;
      b.ssrc = s.ssrc;
      b.fractionLost = s.fractionLost();
      b.cumLost = s.lost();
      b.extMax = s.extendedMax();
      b.jitter = s.jitterTs();
      const info = this.rtcp;
      b.lsr = info.haveSr ? info.lsr : 0;
      b.dlsr = info.haveSr ? <u32>(((nowMs - info.lsrAtMs) << 16) / 1000) : 0;
      block = b;
    }
    const rtpTs = this.ts - <u32>FRAME + <u32>((nowMs - this.frameMs) * 8);
    writeReport(w, this.ssrc, sender, nowMs, rtpTs, this.sentPackets, this.sentOctets, block);
    writeSdes(w, this.ssrc, this.cname, CNAME_LEN);
    if (bye) writeBye(w, this.ssrc);
    return w.ok ? w.len : 0;
  }

  /** Delay until the next RTCP report, ms: RTCP_INTERVAL_MS times a random 0.5..1.5 (RFC 3550
   *  6.2 and A.7 for two parties, without the reconsideration that only large groups need);
   *  the first report comes after half of that (6.2). */
  rtcpDelay(first: bool): i32 {
    const d = <i32>random.range(RTCP_INTERVAL_MS >> 1, RTCP_INTERVAL_MS + (RTCP_INTERVAL_MS >> 1));
    return first ? d >> 1 : d;
  }

  // ---- statistics for status and the call-end event

  /** Packets lost (RFC 3550 A.3) over every source of the peer; never negative. */
  get lost(): i32 {
    const now = this.haveSrc ? this.src.lost() : 0;
    const t = this.lostBefore + (now > 0 ? now : 0);
    return t;
  }
  /** Interarrival jitter of the current source, ms (A.8). */
  get jitterMs(): i32 { return <i32>(this.src.jitterTs() >> 3); }
}
