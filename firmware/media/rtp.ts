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

/** One parsed packet: fields of the header and the payload span, all in the received buffer. */
export class RtpPacket {
  pt: i32 = 0;
  marker: bool = false;
  seq: i32 = 0;        // 0..65535
  ts: u32 = 0;
  ssrc: u32 = 0;
  payload: usize = 0;  // start of the payload (after CSRCs and extension)
  payloadLen: i32 = 0; // without padding
}

/** Big-endian loads and stores (wire order). */
// @ts-ignore: decorator
@inline export function be16(p: usize): i32 { return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p, 1); }
// @ts-ignore: decorator
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline export function put16(p: usize, v: i32): void { store<u8>(p, <u8>(v >> 8)); store<u8>(p, <u8>v, 1); }
// @ts-ignore: decorator
@inline export function put32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/** Parses the n bytes at p into out. Returns RTP_OK, or a negative RTP_* code (out is then
 *  partly written and must not be used). Never reads outside [p, p+n). */
export function parse(p: usize, n: i32, out: RtpPacket): i32 {
  if (n < RTP_HEADER) return RTP_SHORT;
  const b0 = <i32>load<u8>(p);
  const b1 = <i32>load<u8>(p, 1);
  if ((b0 >> 6) != 2) return RTP_VERSION;
  const pt = b1 & 0x7f;
  if (<u32>(pt - 72) <= 4) return RTP_RTCP_PT;
  let off = RTP_HEADER + ((b0 & 15) << 2);
  if (off > n) return RTP_CSRC;
  if (b0 & 0x10) {
    if (off + 4 > n) return RTP_EXT;
    off += 4 + (be16(p + <usize>(off + 2)) << 2);
    if (off > n) return RTP_EXT;
  }
  let end = n;
  if (b0 & 0x20) {
    const pad = <i32>load<u8>(p + <usize>(n - 1));
    if (pad == 0 || pad > n - off) return RTP_PADDING;
    end = n - pad;
  }
  out.pt = pt;
  out.marker = (b1 & 0x80) != 0;
  out.seq = be16(p + 2);
  out.ts = be32(p + 4);
  out.ssrc = be32(p + 8);
  out.payload = p + <usize>off;
  out.payloadLen = end - off;
  return RTP_OK;
}

/** Writes the 12-byte header of an outgoing packet at dst; returns 12. */
export function writeHeader(dst: usize, pt: i32, marker: bool, seq: i32, ts: u32, ssrc: u32): i32 {
  store<u8>(dst, 0x80);
  store<u8>(dst, <u8>((pt & 0x7f) | (marker ? 0x80 : 0)), 1);
  put16(dst + 2, seq & 0xffff);
  put32(dst + 4, ts);
  put32(dst + 8, ssrc);
  return RTP_HEADER;
}
