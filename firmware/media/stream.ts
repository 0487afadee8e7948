// One call's media as pure logic: bytes and times in, bytes out, no HAL I/O (session.ts does
// the sockets, the audio device and the tones), so two streams can talk to each other in a spec
// and the bench can run the whole audio path. Per 20 ms audio frame the owner calls sendFrame()
// (encode, RTP or telephone-event packet) and playFrame() (jitter buffer, decode or conceal);
// received datagrams go to receiveRtp()/receiveRtcp(); buildRtcp() on the RTCP timer.
//
// RTP per RFC 3550 (random SSRC, initial sequence number and timestamp, 5.1; a new SSRC from the
// peer replaces the source once two of its packets came in sequence, A.1), symmetric RTP
// (RFC 4961): once valid packets of the current source come from another address/port, we send
// there. Direction per RFC 3264 6.1: without "send" the audio clock still advances and nothing
// goes out; without "recv" incoming audio is counted but not played. RTCP goes on in every
// direction.
import * as random from "../sys/random";
import { Writer } from "../sys/bytes";
import { RTCP_INTERVAL_MS } from "../config";
import { parse, writeHeader, RTP_OK, RTP_HEADER, rtpPt, rtpMarker, rtpSeq, rtpTs, rtpSsrc, rtpPayload, rtpPayloadLen } from "./rtp";
import { RtpSource, MIN_SEQUENTIAL } from "./source";
import { JitterBuffer, GET_FULL, GET_SPLICE, GET_IDLE, FRAME, JB_SIZE } from "./jitter";
import { Plc, PLC_SIZE } from "./plc";
import { EventReceiver, EventSender, EVENT_PAYLOAD, SENDER_SIZE } from "./telephone_event";
import { pushDigit, SRC_RFC4733 } from "./dtmf";
import { RtcpInfo, writeReport, writeBlock, writeSdes, writeBye, parseCompound } from "./rtcp";
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
const CNAME_LEN: i32 = 16;

// Behind the fields, in the same block: the parts (each 8-byte aligned), our CNAME, one G.711
// frame, the RTCP compound we build (at most 28 + 24 + 28 + 8 bytes).
const SRC: usize = (offsetof<MediaStream>() + 7) & ~7;
const JB: usize = SRC + ((offsetof<RtpSource>() + 7) & ~7);
const PLC: usize = JB + ((JB_SIZE + 7) & ~7);
const EVR: usize = PLC + ((PLC_SIZE + 7) & ~7);
const EVS: usize = EVR + ((offsetof<EventReceiver>() + 7) & ~7);
const RTCPI: usize = EVS + ((SENDER_SIZE + 7) & ~7);
const CNAME: usize = RTCPI + ((offsetof<RtcpInfo>() + 7) & ~7);
const G711: usize = CNAME + <usize>CNAME_LEN;
const RTCP: usize = G711 + <usize>FRAME;
const SIZE: usize = RTCP + 96;

const hexW = new Writer(0, CNAME_LEN); // writes the CNAME

@final @unmanaged
export class MediaStream {
  // negotiated (start/update)
  pt: i32;
  law: i32;
  dtmfPt: i32;
  dir: i32;
  /** Where RTP and RTCP go: the SDP address until the peer's packets come from elsewhere. */
  sendIp: u32;
  sendPort: i32;
  rtcpIp: u32;
  rtcpPort: i32;
  rtcpLatched: bool;
  // sending
  ssrc: u32;
  seq: i32;
  ts: u32;             // timestamp of the next frame
  frameMs: i64;        // when the last frame was taken
  marker: bool;        // next audio packet starts a talkspurt
  sentAtLast: u32;
  sentAtPrev: u32;
  // receiving: a packet of another SSRC while ours is valid is a candidate; the next one of
  // that SSRC in sequence makes it the source
  candSsrc: u32;
  candSeq: i32;
  // statistics (since start)
  sentPackets: u32;
  sentOctets: u32;
  rxPackets: u32;      // valid packets of the peer's sources (audio, events, CN)
  lostBefore: i32;     // lost by the peer's earlier sources
  invalid: i32;
  ignored: i32;
  foreign: i32;
  ssrcChanges: i32;
  latches: i32;
  /** Frames played with a hole (lost or late audio, or held to grow the delay). */
  concealedFrames: i32;

  /** Allocated once, at start-up; idle until start(). */
  constructor() {
    const s = changetype<MediaStream>(heap.alloc(SIZE));
    memory.fill(changetype<usize>(s), 0, SIZE);
    s.src.start(0, 0, MIN_SEQUENTIAL);
    s.rtcp.reset();
    return s;
  }

  // the parts
  // @ts-ignore: decorator
  @inline get src(): RtpSource { return changetype<RtpSource>(changetype<usize>(this) + SRC); }
  // @ts-ignore: decorator
  @inline get jb(): JitterBuffer { return changetype<JitterBuffer>(changetype<usize>(this) + JB); }
  // @ts-ignore: decorator
  @inline get plc(): Plc { return changetype<Plc>(changetype<usize>(this) + PLC); }
  // @ts-ignore: decorator
  @inline get events(): EventReceiver { return changetype<EventReceiver>(changetype<usize>(this) + EVR); }
  // @ts-ignore: decorator
  @inline get dtmf(): EventSender { return changetype<EventSender>(changetype<usize>(this) + EVS); }
  /** What the peer's RTCP told. */
  // @ts-ignore: decorator
  @inline get rtcp(): RtcpInfo { return changetype<RtcpInfo>(changetype<usize>(this) + RTCPI); }
  /** The RTCP compound buildRtcp() wrote. */
  get rtcpBuf(): usize { return changetype<usize>(this) + RTCP; }

  /** A new call: fresh random SSRC, sequence number, timestamp and CNAME; nothing of an earlier
   *  call survives. remoteIp/remotePort from the peer's SDP (RTCP to remotePort + 1). */
  start(pt: i32, law: i32, dtmfPt: i32, dir: i32, remoteIp: u32, remotePort: i32, nowMs: i64): void {
    const t = changetype<usize>(this);
    memory.fill(t, 0, CNAME); // the fields and every part
    this.ssrc = random.u32();
    this.seq = <i32>(random.u32() & 0xffff);
    this.ts = random.u32();
    hexW.base = t + CNAME;
    random.hex(hexW.reset(), CNAME_LEN);
    this.frameMs = nowMs;
    this.marker = true;
    this.candSeq = -1;
    this.src.start(0, 0, MIN_SEQUENTIAL);
    this.jb.reset(law);
    this.rtcp.reset();
    this.update(pt, law, dtmfPt, dir, remoteIp, remotePort);
  }

  /** A re-INVITE: new payload types, law, direction or address; SSRC, sequence and timestamps
   *  continue. A new address restarts latching; a new law flushes the jitter buffer. */
  update(pt: i32, law: i32, dtmfPt: i32, dir: i32, remoteIp: u32, remotePort: i32): void {
    if (law != this.law) this.jb.setLaw(law);
    if (remoteIp != this.sendIp || remotePort != this.sendPort) {
      this.sendIp = remoteIp; this.sendPort = remotePort;
      this.rtcpIp = remoteIp; this.rtcpPort = remotePort > 0 ? remotePort + 1 : 0;
      this.rtcpLatched = false;
    }
    this.pt = pt; this.law = law; this.dtmfPt = dtmfPt; this.dir = dir;
  }

  /** Queues a DTMF digit for RFC 4733 sending; false without a negotiated telephone-event
   *  payload type, without the send direction, for a non-DTMF character, or when full. */
  sendDigit(d: i32): bool {
    return this.dtmfPt >= 0 && (this.dir & DIR_SENDONLY) != 0 && this.dtmf.push(d);
  }

  /** One received RTP datagram (n bytes at p) from fromIp:fromPort at nowMs. Returns RX_*. */
  receiveRtp(p: usize, n: i32, fromIp: u32, fromPort: i32, nowMs: i64): i32 {
    if (parse(p, n) != RTP_OK) { this.invalid++; return RX_INVALID; }
    const pt = rtpPt, ssrc = rtpSsrc, seq = rtpSeq;
    const isEvent = pt == this.dtmfPt;
    if (pt != this.pt && !isEvent && pt != PT_CN) { this.ignored++; return RX_IGNORED; }
    const src = this.src;
    if (ssrc != src.ssrc) {
      if (src.probation > 0) src.start(ssrc, seq, MIN_SEQUENTIAL); // never validated: replace
      else if (ssrc != this.candSsrc || seq != this.candSeq) {
        this.candSsrc = ssrc;
        this.candSeq = (seq + 1) & 0xffff;
        this.foreign++;
        return RX_FOREIGN;
      } else {
        // the peer's new SSRC passed probation: it replaces the old source (stats carried over)
        const lost = src.lost();
        if (lost > 0) this.lostBefore += lost;
        src.start(ssrc, seq, 1);
        this.ssrcChanges++;
        this.jb.flush();
        this.plc.reset();
        this.events.flush();
      }
    }
    if (!src.update(seq)) return RX_PROBATION;
    this.rxPackets++;
    if (fromIp != this.sendIp || fromPort != this.sendPort) {
      // symmetric RTP: answer where the peer's valid packets come from
      this.sendIp = fromIp; this.sendPort = fromPort; this.latches++;
      if (!this.rtcpLatched) { this.rtcpIp = fromIp; this.rtcpPort = fromPort + 1; }
    }
    if ((this.dir & DIR_RECVONLY) == 0 || pt == PT_CN) { this.ignored++; return RX_IGNORED; }
    if (isEvent) {
      const d = this.events.receive(rtpPayload, rtpPayloadLen, rtpTs, nowMs);
      if (d >= 0) pushDigit(d, SRC_RFC4733);
      return RX_EVENT;
    }
    src.updateJitter(<u32>(nowMs * 8), rtpTs);
    this.jb.put(rtpTs, rtpMarker, rtpPayload, rtpPayloadLen, nowMs);
    return RX_AUDIO;
  }

  /** One received RTCP compound from fromIp:fromPort; false when malformed (ignored). RTCP
   *  follows the compound's address only when it is the validated peer's. */
  receiveRtcp(p: usize, n: i32, fromIp: u32, fromPort: i32, nowMs: i64): bool {
    const peer = this.src.probation == 0 ? this.src.ssrc : 0;
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
    const ev = this.dtmf;
    let n = FRAME;
    if (this.dtmfPt >= 0 && ev.frame(ts, dst + RTP_HEADER) > 0) {
      writeHeader(dst, this.dtmfPt, ev.marker, this.seq, ev.eventTs, this.ssrc);
      n = EVENT_PAYLOAD;
    } else {
      if (this.law == LAW_ULAW) ulawEncodeFrame(mic, dst + RTP_HEADER, FRAME);
      else alawEncodeFrame(mic, dst + RTP_HEADER, FRAME);
      writeHeader(dst, this.pt, this.marker || ev.resume, this.seq, ts, this.ssrc);
      this.marker = false;
      ev.resume = false;
    }
    this.seq = (this.seq + 1) & 0xffff;
    this.sentPackets++;
    this.sentOctets += n;
    return RTP_HEADER + n;
  }

  /** The 20 ms speaker frame for nowMs (160 samples written at out): the peer's audio through
   *  the jitter buffer, decoded or concealed; silence without the receive direction. */
  playFrame(out: usize, nowMs: i64): void {
    if ((this.dir & DIR_RECVONLY) == 0) { memory.fill(out, 0, <usize>(FRAME << 1)); return; }
    const g = changetype<usize>(this) + G711;
    const st = this.jb.get(g, nowMs);
    if (st & GET_SPLICE) this.plc.splice();
    if (st & GET_FULL) {
      if (this.law == LAW_ULAW) ulawDecodeFrame(g, out, FRAME);
      else alawDecodeFrame(g, out, FRAME);
      this.plc.good(out);
    } else {
      this.plc.lost(out);
      if ((st & GET_IDLE) == 0) this.concealedFrames++; // a hole, not silence or pre-roll
    }
  }

  /** Housekeeping at least every few hundred ms: ends DTMF events whose end packets were lost. */
  tick(nowMs: i64): void { this.events.poll(nowMs); }

  /** Builds our RTCP compound for nowMs into rtcpBuf: SR if we sent RTP since the report before
   *  last, else RR; a report block about the peer once its source is valid; SDES CNAME; BYE
   *  when bye is set. Returns its length. */
  buildRtcp(nowMs: i64, bye: bool): i32 {
    const t = changetype<usize>(this);
    const p = t + RTCP;
    const sender = this.sentPackets != this.sentAtPrev;
    this.sentAtPrev = this.sentAtLast;
    this.sentAtLast = this.sentPackets;
    const s = this.src;
    const valid = s.probation == 0;
    let n = writeReport(p, this.ssrc, sender, nowMs, this.ts - <u32>FRAME + <u32>((nowMs - this.frameMs) * 8),
      this.sentPackets, this.sentOctets, valid ? 1 : 0);
    if (valid) {
      const info = this.rtcp;
      n += writeBlock(p + <usize>n, s.ssrc, s.fractionLost(), s.lost(), s.extendedMax(), s.jitterTs(),
        info.lsr, info.haveSr ? <u32>(((nowMs - info.lsrAtMs) << 16) / 1000) : 0);
    }
    n += writeSdes(p + <usize>n, this.ssrc, t + CNAME, CNAME_LEN);
    if (bye) n += writeBye(p + <usize>n, this.ssrc);
    return n;
  }

  // ---- statistics for status and the call-end event

  /** Packets lost (RFC 3550 A.3) over every source of the peer; never negative. */
  get lost(): i32 {
    const now = this.src.lost();
    return this.lostBefore + (now > 0 ? now : 0);
  }
  /** Interarrival jitter of the current source, ms (A.8). */
  get jitterMs(): i32 { return <i32>(this.src.jitterTs() >> 3); }
}

/** Delay until the next RTCP report, ms: RTCP_INTERVAL_MS times a random 0.5..1.5 (RFC 3550
 *  6.2 and A.7 for two parties, without the reconsideration that only large groups need);
 *  the first report comes after half of that (6.2). */
export function rtcpDelay(first: bool): i32 {
  const d = <i32>random.range(RTCP_INTERVAL_MS >> 1, RTCP_INTERVAL_MS + (RTCP_INTERVAL_MS >> 1));
  return first ? d >> 1 : d;
}
