// The origin line of our session descriptions (RFC 4566 5.2, RFC 3264 5 and 8): one session id
// for the call and a version that moves by one whenever our SDP changes. The builders write the
// body first and this module puts "v=0" and "o=" in front of it, comparing a hash of the body
// with the last one sent: a changed body gets the next version, an identical one keeps it
// (RFC 3264 8: same version, identical SDP).
import { Writer } from "../sys/bytes";
import { SDP_OK, SDP_E_OVERFLOW } from "./session";
import { T } from "../sys/text";

/** Room reserved for "v=0" and the o= line: 5 + "o=- " + 20 + 1 + 20 + " IN IP4 " + 15 + 2. */
const HEAD_MAX: i32 = 80;
const head = new Writer(memory.data(HEAD_MAX), HEAD_MAX);

/** The origin state the call keeps. */
export class SdpOrigin {
  sessId: u64 = 0;
  version: u64 = 0;
  hash: u32 = 0;
  sent: bool = false;

  /** A new session (a new call): sessId should be random; the version starts equal to it. */
  start(sessId: u64): void {
    this.sessId = sessId;
    this.version = sessId;
    this.hash = 0;
    this.sent = false;
  }
}

function fnv1a(p: usize, n: i32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 0x01000193;
  return h;
}

/** Reserves the head of an SDP in w; returns where it starts (pass it to endSdp). */
export function beginSdp(w: Writer): i32 {
  const start = w.len;
  if (w.cap - w.len < HEAD_MAX) w.overflow = true;
  else w.len += HEAD_MAX;
  return start;
}

/** Writes v= and o= (address ip) in front of the body built since beginSdp and advances the
 *  version when the body differs from the last one. Returns SDP_OK or SDP_E_OVERFLOW (w is then
 *  incomplete and o unchanged). */
export function endSdp(w: Writer, start: i32, o: SdpOrigin, ip: u32): i32 {
  if (w.overflow) return SDP_E_OVERFLOW;
  const bodyOff = start + HEAD_MAX;
  const bodyLen = w.len - bodyOff;
  const h = fnv1a(w.base + <usize>bodyOff, bodyLen);
  if (o.sent && h != o.hash) o.version++;
  o.hash = h;
  o.sent = true;
  head.reset().str(T("v=0\r\no=- ")).dec(o.sessId).byte(32).dec(o.version).str(T(" IN IP4 ")).ip4(ip).crlf();
  const hl = head.len;
  memory.copy(w.base + <usize>(start + hl), w.base + <usize>bodyOff, <usize>bodyLen);
  memory.copy(w.base + <usize>start, head.base, <usize>hl);
  w.len = start + hl + bodyLen;
  return SDP_OK;
}
