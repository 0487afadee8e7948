// RTCP (RFC 3550 section 6): the compound packet we send, SR (6.4.1) when we sent RTP since
// the report before last, else RR (6.4.2), then SDES with our CNAME (6.5.1), and BYE (6.6) when
// the session ends; and the parser for what the peer sends, with the compound-packet validity
// checks of appendix A.2 (version 2, first packet SR or RR, padding only in the last packet,
// lengths adding up exactly). Walks are bounded by the packet length; a malformed compound is
// ignored whole. Round-trip time from the LSR/DLSR fields of the peer's report about us (6.4.1).
//
// We have no wall clock: the NTP timestamps we send carry the time since boot, which RFC 3550
// section 4 allows; the peer only echoes them (LSR), so the round trip comes out right.
import { Writer } from "../sys/bytes";
import { be16, be32 } from "./rtp";

export const PT_SR: i32 = 200;
export const PT_RR: i32 = 201;
export const PT_SDES: i32 = 202;
export const PT_BYE: i32 = 203;
const SDES_CNAME: i32 = 1;
export const CNAME_MAX: i32 = 64;

function w16(w: Writer, v: i32): void { w.byte(v >> 8).byte(v); }
function w32(w: Writer, v: u32): void { w.byte(<i32>(v >>> 24)).byte(<i32>(v >>> 16)).byte(<i32>(v >>> 8)).byte(<i32>v); }

/** Middle 32 bits of the 64-bit NTP timestamp for ms since boot (units of 1/65536 s). */
export function ntpMiddle(ms: i64): u32 {
  const sec = <u32>(ms / 1000);
  const frac16 = <u32>(((ms % 1000) << 16) / 1000);
  return (sec << 16) | frac16;
}

/** One reception report block (6.4.1), filled by the stream from its RtpSource. */
export class ReportBlock {
  ssrc: u32 = 0;
  fractionLost: i32 = 0;
  cumLost: i32 = 0;     // clamped to 24-bit signed when written
  extMax: u32 = 0;
  jitter: u32 = 0;
  lsr: u32 = 0;
  dlsr: u32 = 0;
}

/** SR (sender = true) or RR from ssrc with zero or one report block. The SR's NTP timestamp is
 *  nowMs since boot, rtpTs the RTP timestamp of the same instant. */
export function writeReport(w: Writer, ssrc: u32, sender: bool, nowMs: i64, rtpTs: u32,
                            packets: u32, octets: u32, block: ReportBlock | null): void {
  const rc = block !== null ? 1 : 0;
  const words = (sender ? 6 : 1) + rc * 6; // length field: 32-bit words minus one
  w.byte(0x80 | rc).byte(sender ? PT_SR : PT_RR);
  w16(w, words);
  w32(w, ssrc);
  if (sender) {
    w32(w, <u32>(nowMs / 1000));
    w32(w, <u32>(((nowMs % 1000) << 32) / 1000));
    w32(w, rtpTs);
    w32(w, packets);
    w32(w, octets);
  }
  if (block !== null) {
    let cum = block.cumLost;
    if (cum > 0x7fffff) cum = 0x7fffff; else if (cum < -0x800000) cum = -0x800000;
    w32(w, block.ssrc);
    w32(w, (<u32>(block.fractionLost & 0xff) << 24) | (<u32>cum & 0xffffff));
    w32(w, block.extMax);
    w32(w, block.jitter);
    w32(w, block.lsr);
    w32(w, block.dlsr);
  }
}

/** SDES with one chunk: ssrc, CNAME item (the len bytes at p, at most 255), end, padding. */
export function writeSdes(w: Writer, ssrc: u32, p: usize, len: i32): void {
  if (len > 255) len = 255;
  const chunk = 4 + 2 + len + 1;        // ssrc, type+length, text, end item
  const padded = (chunk + 3) & ~3;
  w.byte(0x81).byte(PT_SDES);
  w16(w, padded >> 2);                  // (4 header + padded) / 4 - 1
  w32(w, ssrc);
  w.byte(SDES_CNAME).byte(len).bytes(p, len);
  for (let i = chunk - 1; i < padded; i++) w.byte(0); // end item and padding
}

/** BYE for ssrc (no reason). */
export function writeBye(w: Writer, ssrc: u32): void {
  w.byte(0x81).byte(PT_BYE);
  w16(w, 1);
  w32(w, ssrc);
}

/** What we learnt from the peer's RTCP. */
export class RtcpInfo {
  /** SSRC of the sender of the last valid compound (its first packet). */
  sender: u32 = 0;
  /** Middle 32 bits of the NTP timestamp of the peer's last SR, and when it arrived. */
  lsr: u32 = 0;
  lsrAtMs: i64 = 0;
  haveSr: bool = false;
  /** The peer's last report about our stream. */
  haveReport: bool = false;
  fractionLost: i32 = 0;  // 1/256
  cumLost: i32 = 0;
  jitter: u32 = 0;        // timestamp units
  rttMs: i32 = -1;        // -1 until a report echoes one of our SRs
  bye: bool = false;
  cname: usize = heap.alloc(<usize>CNAME_MAX);
  cnameLen: i32 = 0;
  packets: i32 = 0;       // valid compounds
  malformed: i32 = 0;     // compounds ignored by the checks

  reset(): void {
    this.haveSr = false; this.haveReport = false; this.rttMs = -1; this.bye = false;
    this.cnameLen = 0; this.packets = 0; this.malformed = 0; this.lsr = 0;
  }
}

/** A.2 checks over the compound at p (n bytes). */
function valid(p: usize, n: i32): bool {
  if (n < 8 || (n & 3) != 0) return false;
  const pt0 = <i32>load<u8>(p, 1);
  if (pt0 != PT_SR && pt0 != PT_RR) return false;
  let off = 0;
  while (off < n) {
    if (n - off < 4) return false;
    const b0 = <i32>load<u8>(p + <usize>off);
    if ((b0 >> 6) != 2) return false;
    const len = (be16(p + <usize>(off + 2)) + 1) << 2;
    if (len > n - off) return false;
    if ((b0 & 0x20) != 0 && off + len != n) return false; // padding only in the last packet
    off += len;
  }
  return true;
}

/** Parses a compound RTCP packet from the peer at nowMs. mySsrc is ours (to find the report
 *  about us); peerSsrc is the peer's RTP SSRC, or 0 while unknown (any SR is then taken).
 *  Returns false, changing nothing but `malformed`, when the compound fails the checks. */
export function parseCompound(p: usize, n: i32, mySsrc: u32, peerSsrc: u32, nowMs: i64, out: RtcpInfo): bool {
  if (!valid(p, n)) { out.malformed++; return false; }
  out.packets++;
  out.sender = be32(p + 4);
  let off = 0;
  while (off < n) {
    const q = p + <usize>off;
    const b0 = <i32>load<u8>(q);
    const pt = <i32>load<u8>(q, 1);
    let len = (be16(q + 2) + 1) << 2;
    off += len;
    if (b0 & 0x20) {
      const pad = <i32>load<u8>(q + <usize>(len - 1));
      if (pad > len - 4) return true; // padding larger than the packet: stop here
      len -= pad;
    }
    const count = b0 & 31;
    if (pt == PT_SR || pt == PT_RR) {
      let blocks = pt == PT_SR ? 28 : 8;
      if (len < blocks) continue;
      const sender = be32(q + 4);
      if (pt == PT_SR && (peerSsrc == 0 || sender == peerSsrc)) {
        out.lsr = (be32(q + 8) << 16) | (be32(q + 12) >>> 16);
        out.lsrAtMs = nowMs;
        out.haveSr = true;
      }
      for (let i = 0; i < count && blocks + 24 <= len; i++, blocks += 24) {
        const r = q + <usize>blocks;
        if (be32(r) != mySsrc) continue;
        out.haveReport = true;
        const word = be32(r + 4);
        out.fractionLost = <i32>(word >>> 24);
        out.cumLost = (<i32>(word << 8)) >> 8;
        out.jitter = be32(r + 12);
        const lsr = be32(r + 16), dlsr = be32(r + 20);
        if (lsr != 0) {
          const rtt = <i32>(ntpMiddle(nowMs) - lsr - dlsr);
          if (rtt >= 0) out.rttMs = <i32>((<i64>rtt * 1000 + 32768) >> 16);
        }
      }
    } else if (pt == PT_SDES) {
      parseSdes(q, len, count, peerSsrc, out);
    } else if (pt == PT_BYE) {
      for (let i = 0; i < count && 4 + (i + 1) * 4 <= len; i++) {
        const s = be32(q + <usize>(4 + i * 4));
        if (peerSsrc == 0 || s == peerSsrc) out.bye = true;
      }
    }
    // other types (APP, feedback, XR) are skipped
  }
  return true;
}

/** SDES chunks: keeps the CNAME of peerSsrc (or of the first chunk while it is unknown). */
function parseSdes(q: usize, len: i32, count: i32, peerSsrc: u32, out: RtcpInfo): void {
  let off = 4;
  for (let c = 0; c < count; c++) {
    if (off + 4 > len) return;
    const ssrc = be32(q + <usize>off);
    off += 4;
    while (off < len) {
      const type = <i32>load<u8>(q + <usize>off);
      if (type == 0) break;
      if (off + 2 > len) return;
      const ilen = <i32>load<u8>(q + <usize>(off + 1));
      if (off + 2 + ilen > len) return;
      if (type == SDES_CNAME && (peerSsrc == 0 || ssrc == peerSsrc)) {
        const k = ilen < CNAME_MAX ? ilen : CNAME_MAX;
        memory.copy(out.cname, q + <usize>(off + 2), <usize>k);
        out.cnameLen = k;
      }
      off += 2 + ilen;
    }
    off = (off + 4) & ~3; // past the end item(s) to the next 32-bit boundary
  }
}
