// RTCP (RFC 3550 section 6): the compound packet we send, SR (6.4.1) when we sent RTP since
// the report before last, else RR (6.4.2), then SDES with our CNAME (6.5.1), and BYE (6.6) when
// the session ends; and the parser for what the peer sends, with the compound-packet validity
// checks of appendix A.2 (version 2, first packet SR or RR, padding only in the last packet,
// lengths adding up exactly). A malformed compound is ignored whole. Of a valid one only the
// first packet (the peer's SR or RR) is read: its sender report and its report block about us,
// with the round-trip time from LSR/DLSR (6.4.1); SDES, BYE and other types are skipped. Walks
// are bounded by the packet length whatever the counts say.
//
// We have no wall clock: the NTP timestamps we send carry the time since boot, which RFC 3550
// section 4 allows; the peer only echoes them (LSR), so the round trip comes out right.
import { be16, be32, put32 } from "./rtp";

export const PT_SR: i32 = 200;
export const PT_RR: i32 = 201;
export const PT_SDES: i32 = 202;
export const PT_BYE: i32 = 203;

/** Middle 32 bits of the 64-bit NTP timestamp for ms since boot (units of 1/65536 s). */
export function ntpMiddle(ms: i64): u32 {
  return <u32>(ms / 1000 << 16) | <u32>(((ms % 1000) << 16) / 1000);
}

/** SR (sender = true) or RR header from ssrc at p for `blocks` (0 or 1) report blocks that the
 *  caller writes after it. The SR's NTP timestamp is nowMs since boot, rtpTs the RTP timestamp
 *  of the same instant. Returns the bytes written (28 or 8). */
export function writeReport(p: usize, ssrc: u32, sender: bool, nowMs: i64, rtpTs: u32,
                            packets: u32, octets: u32, blocks: i32): i32 {
  // the header word in wire order, stored little-endian: V=2 and the count, type, 0, length
  store<u32>(p, <u32>(0x80 | blocks | (sender ? PT_SR << 8 | 6 << 24 : PT_RR << 8 | 1 << 24) + (blocks * 6 << 24)));
  put32(p + 4, ssrc);
  if (!sender) return 8;
  put32(p + 8, <u32>(nowMs / 1000));
  put32(p + 12, <u32>(((nowMs % 1000) << 32) / 1000));
  put32(p + 16, rtpTs);
  put32(p + 20, packets);
  put32(p + 24, octets);
  return 28;
}

/** One reception report block (6.4.1) at p; the cumulative loss is clamped to 24 signed bits.
 *  Returns 24. */
export function writeBlock(p: usize, ssrc: u32, fractionLost: i32, cumLost: i32, extMax: u32,
                           jitter: u32, lsr: u32, dlsr: u32): i32 {
  if (cumLost > 0x7fffff) cumLost = 0x7fffff; else if (cumLost < -0x800000) cumLost = -0x800000;
  put32(p, ssrc);
  put32(p + 4, <u32>(fractionLost << 24) | (<u32>cumLost & 0xffffff));
  put32(p + 8, extMax);
  put32(p + 12, jitter);
  put32(p + 16, lsr);
  put32(p + 20, dlsr);
  return 24;
}

/** SDES at p with one chunk: ssrc, CNAME item (the len bytes at cname, len <= 255), end,
 *  padding. Returns the bytes written. */
export function writeSdes(p: usize, ssrc: u32, cname: usize, len: i32): i32 {
  const n = (4 + 4 + 2 + len + 1 + 3) & ~3; // header, ssrc, type + length, text, end item
  store<u32>(p, <u32>(0x81 | PT_SDES << 8 | ((n >> 2) - 1) << 24)); // wire order (length < 256 words)
  put32(p + 4, ssrc);
  store<u16>(p, <u16>(1 | len << 8), 8);
  memory.copy(p + 10, cname, <usize>len);
  memory.fill(p + 10 + <usize>len, 0, <usize>(n - 10 - len));
  return n;
}

/** BYE at p for ssrc (no reason). Returns 8. */
export function writeBye(p: usize, ssrc: u32): i32 {
  store<u32>(p, <u32>(0x81 | PT_BYE << 8 | 1 << 24)); // wire order
  put32(p + 4, ssrc);
  return 8;
}

/** What we learnt from the peer's RTCP. */
@final @unmanaged
export class RtcpInfo {
  /** SSRC of the sender of the last valid compound (its first packet). */
  sender: u32;
  /** Middle 32 bits of the NTP timestamp of the peer's last SR, and when it arrived. */
  lsr: u32;
  lsrAtMs: i64;
  haveSr: bool;
  /** The peer's last report about our stream. */
  haveReport: bool;
  fractionLost: i32;  // 1/256
  cumLost: i32;
  jitter: u32;        // timestamp units
  rttMs: i32;         // -1 until a report echoes one of our SRs
  packets: i32;       // valid compounds
  malformed: i32;     // compounds ignored by the checks

  /** Allocated once, at start-up. */
  constructor() {
    const r = changetype<RtcpInfo>(heap.alloc(offsetof<RtcpInfo>()));
    r.reset();
    return r;
  }

  /** A new call: nothing known. */
  reset(): void {
    memory.fill(changetype<usize>(this), 0, offsetof<RtcpInfo>());
    this.rttMs = -1;
  }
}

/** Parses a compound RTCP packet from the peer at nowMs. mySsrc is ours (to find the report
 *  about us); peerSsrc is the peer's RTP SSRC, or 0 while unknown (any SR is then taken).
 *  Returns false, changing nothing but `malformed`, when the compound fails the A.2 checks. */
export function parseCompound(p: usize, n: i32, mySsrc: u32, peerSsrc: u32, nowMs: i64, out: RtcpInfo): bool {
  let ok = n >= 8 && (n & 3) == 0 && (load<u8>(p, 1) & 0xfe) == PT_SR; // SR or RR first
  for (let off = 0; ok && off < n;) { // n - off >= 4 as both are multiples of 4
    const b0 = <i32>load<u8>(p + <usize>off);
    const len = (be16(p + <usize>(off + 2)) + 1) << 2;
    // version 2, within the compound, padding only in the last packet
    ok = (b0 >> 6) == 2 && len <= n - off && ((b0 & 0x20) == 0 || off + len == n);
    off += len;
  }
  if (!ok) { out.malformed++; return false; }
  out.packets++;
  const sender = be32(p + 4);
  out.sender = sender;
  const len = (be16(p + 2) + 1) << 2;
  let q = 8;
  if (load<u8>(p, 1) == PT_SR) {
    if (len < 28) return true;
    if (peerSsrc == 0 || sender == peerSsrc) {
      out.lsr = (be32(p + 8) << 16) | (be32(p + 12) >>> 16);
      out.lsrAtMs = nowMs;
      out.haveSr = true;
    }
    q = 28;
  }
  for (let i = <i32>load<u8>(p) & 31; i > 0 && q + 24 <= len; i--, q += 24) {
    const r = p + <usize>q;
    if (be32(r) != mySsrc) continue;
    out.haveReport = true;
    const word = be32(r + 4);
    out.fractionLost = <i32>(word >>> 24);
    out.cumLost = (<i32>(word << 8)) >> 8;
    out.jitter = be32(r + 12);
    const lsr = be32(r + 16);
    const rtt = <i32>(ntpMiddle(nowMs) - lsr - be32(r + 20));
    if (lsr != 0 && rtt >= 0) out.rttMs = <i32>((<i64>rtt * 1000 + 32768) >> 16);
  }
  return true;
}
