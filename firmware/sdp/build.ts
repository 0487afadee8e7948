// Writing our session descriptions (RFC 4566 5, RFC 3264 5 and 6): the offer's single m=audio
// line, or the answer's m= lines (the one in use, every other one as offered with port 0), with
// rtpmap, telephone-event (RFC 4733 2.4.1), ptime and the direction. The o= version moves by one
// when what follows the o= line differs from the last SDP sent (RFC 3264 8).
import { Writer } from "../sys/bytes";
import { wordAt } from "../sys/words";
import { Session, SDP_OK, SDP_E_OVERFLOW } from "./session";
import { CODECS, CODEC_TE, PT_TE_OFFER, TE_EVENTS, PREF_PCMU, prefFirst } from "./codec";
import { ATTRS } from "./parse";
import { LocalMedia, MediaParams } from "./params";
import { SdpOrigin } from "./origin";
import { T } from "../sys/text";

/** Writes our offer (res null: the codecs of local.pref under their static payload types, then
 *  telephone-event 101 with events 0-16) or our answer to s (res: the negotiated stream) into w.
 *  Returns SDP_OK, or SDP_E_OVERFLOW (w too small). */
export function writeSdp(w: Writer, o: SdpOrigin, local: LocalMedia, s: Session | null, res: MediaParams | null): i32 {
  const start = w.len;
  w.str(T("v=0\r\no=- ")).dec(o.sessId).byte(32).dec(o.version).str(T(" IN IP4 ")).ip4(local.ip);
  const body = w.len;
  w.str(T("\r\ns=-\r\nc=IN IP4 ")).ip4(local.ip).str(T("\r\nt="));
  if (s === null || res === null) {
    const c = prefFirst(local.pref);
    w.str(T("0 0\r\nm=audio ")).dec(<u64>local.port).str(T(" RTP/AVP "));
    audio(w, (c - 1) << 3, c, local.pref < PREF_PCMU ? (2 - c) << 3 : -1, PT_TE_OFFER, TE_EVENTS, local.ptime, local.dir);
  } else {
    if (s.tLen > 0) w.bytes(s.tAt, s.tLen).crlf();
    else w.str(T("0 0\r\n"));
    for (let i = 0; i < s.nmedia; i++) {
      const m = s.m(i);
      const use = i == res.mline;
      w.str(T("m=")).bytes(m.at, <i32>(m.portAt - m.at)).dec(use ? <u64>local.port : 0)
        .bytes(m.portEnd, <i32>((use ? m.fmtAt : m.end) - m.portEnd));
      if (use) audio(w, res.pt, res.law + 1, -1, res.tePt, res.teEvents, local.ptime, res.dir);
      else w.crlf();
    }
  }
  if (w.overflow) return SDP_E_OVERFLOW;
  let h: u32 = 0x811c9dc5; // FNV-1a
  for (let i = body; i < w.len; i++) h = (h ^ <u32>load<u8>(w.base + <usize>i)) * 0x01000193;
  const changed = o.sent && h != o.hash;
  o.hash = h;
  o.sent = true;
  if (!changed) return SDP_OK;
  o.version++; // and once more with the new version
  w.len = start;
  return writeSdp(w, o, local, s, res);
}

// The rest of an m=audio line from its format list on: the payload types (codec c0 as pt0; when
// pt1 >= 0 the other G.711 codec as pt1; telephone-event as te when te >= 0) and the attributes.
function audio(w: Writer, pt0: i32, c0: i32, pt1: i32, te: i32, events: u32, ptime: i32, dir: i32): void {
  w.dec(<u64>pt0);
  if (pt1 >= 0) w.byte(32).dec(<u64>pt1);
  if (te >= 0) w.byte(32).dec(<u64>te);
  w.crlf();
  rtpmap(w, pt0, c0);
  if (pt1 >= 0) rtpmap(w, pt1, 3 - c0);
  if (te >= 0) writeTelephoneEvent(w, te, events);
  w.str(T("a=ptime:")).dec(<u64>ptime).str(T("\r\na=")).str(wordAt(ATTRS, dir)).crlf();
}

function rtpmap(w: Writer, pt: i32, codec: i32): void {
  w.str(T("a=rtpmap:")).dec(<u64>pt).byte(32).str(wordAt(CODECS, codec - 1)).crlf();
}

/** rtpmap and fmtp of telephone-event; events as bits, written as ranges (0-15 or 0-11,16). */
export function writeTelephoneEvent(w: Writer, pt: i32, events: u32): void {
  rtpmap(w, pt, CODEC_TE);
  w.str(T("a=fmtp:")).dec(<u64>pt).byte(32);
  const list = w.len;
  let rest = events & 0x7fffffff;
  while (rest != 0) {
    const lo = ctz(rest);
    const end = lo + ctz(~(rest >>> lo)); // the first event after the run
    if (w.len > list) w.byte(44);
    w.dec(<u64>lo);
    if (end > lo + 1) w.byte(45).dec(<u64>(end - 1));
    rest = rest >>> end << end;
  }
  w.crlf();
}
