// RTP data packets: the fixed header (RFC 3550 section 5.1) parsed in place with the header
// validity checks of appendix A.1 (version, padding, CSRC count and extension within the length),
// and the 12-byte header we send (no CSRCs, no extension).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   |                           timestamp                           |
//   |           synchronization source (SSRC) identifier            |
//   |            contributing source (CSRC) identifiers  (CC x 32)  |
//   |  extension: profile id (16), length in words (16), data...    |

export const RTP_HEADER: i32 = 12;

/** Results of parse(): OK, or why the packet is not a valid RTP packet. */
export const RTP_OK: i32 = 0;
export const RTP_SHORT: i32 = -1;     // shorter than the fixed header
export const RTP_VERSION: i32 = -2;   // version is not 2
export const RTP_CSRC: i32 = -3;      // CSRC list runs past the end
export const RTP_EXT: i32 = -4;       // header extension runs past the end
export const RTP_PADDING: i32 = -5;   // padding count 0 or larger than the payload
export const RTP_RTCP_PT: i32 = -6;   // PT 72..76: an RTCP SR/RR on the RTP port (RFC 5761 4)

// The packet parse() accepted last: header fields and the payload span in the received buffer.
export let rtpPt: i32 = 0;
export let rtpMarker: bool = false;
export let rtpSeq: i32 = 0;          // 0..65535
export let rtpTs: u32 = 0;
export let rtpSsrc: u32 = 0;
export let rtpPayload: usize = 0;    // after CSRCs and extension
export let rtpPayloadLen: i32 = 0;   // without padding

/** Big-endian loads and stores (wire order). */
// @ts-ignore: decorator
@inline export function be16(p: usize): i32 { return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p, 1); }
// @ts-ignore: decorator
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline export function put32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/** Parses the n bytes at p into the rtp* fields. Returns RTP_OK, or a negative RTP_* code (the
 *  fields are then not to be used). Never reads outside [p, p+n). */
export function parse(p: usize, n: i32): i32 {
  if (n < RTP_HEADER) return RTP_SHORT;
  const b0 = <i32>load<u8>(p);
  const b1 = <i32>load<u8>(p, 1);
  if ((b0 >> 6) != 2) return RTP_VERSION;
  if (<u32>((b1 & 0x7f) - 72) <= 4) return RTP_RTCP_PT;
  let off = RTP_HEADER + ((b0 & 15) << 2);
  if (off > n) return RTP_CSRC;
  if (b0 & 0x10) {
    if (off + 4 > n) return RTP_EXT;
    off += 4 + (be16(p + <usize>(off + 2)) << 2);
    if (off > n) return RTP_EXT;
  }
  let end = n;
  if (b0 & 0x20) {
    end -= <i32>load<u8>(p + <usize>(n - 1));
    if (end == n || end < off) return RTP_PADDING;
  }
  rtpPt = b1 & 0x7f;
  rtpMarker = b1 > 0x7f;
  rtpSeq = be16(p + 2);
  rtpTs = be32(p + 4);
  rtpSsrc = be32(p + 8);
  rtpPayload = p + <usize>off;
  rtpPayloadLen = end - off;
  return RTP_OK;
}

/** Writes the 12-byte header of an outgoing packet at dst; returns 12. */
export function writeHeader(dst: usize, pt: i32, marker: bool, seq: i32, ts: u32, ssrc: u32): i32 {
  put32(dst, 0x80000000 | (marker ? 0x800000 : 0) | <u32>((pt & 0x7f) << 16) | <u32>(seq & 0xffff));
  put32(dst + 4, ts);
  put32(dst + 8, ssrc);
  return RTP_HEADER;
}
