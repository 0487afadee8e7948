// Our offer (RFC 3264 section 5) and what we take from the answer to it (section 7). The offer
// has one m=audio line: the codecs of our preference under their static payload types, then
// telephone-event/8000 as payload type 101 with events 0-16, a=ptime and the direction we want
// (sendrecv, or sendonly to hold the other side, RFC 3264 8.4).
import { Writer } from "../sys/bytes";
import {
  Session, SDP_OK, SDP_E_NO_CODEC, SDP_E_MISMATCH, KIND_AUDIO, PROTO_AVP, PROTO_AVPF,
  CONN_NONE, CONN_UNUSABLE, DIR_SEND, DIR_RECV,
} from "./session";
import { CODEC_PCMU, PT_PCMU, PT_PCMA, PT_TE_OFFER, TE_EVENTS, prefCount, prefCodec, prefAllows } from "./codec";
import { LocalMedia, MediaParams } from "./params";
import { SdpOrigin, beginSdp, endSdp } from "./origin";
import { writeRtpmap, writeTelephoneEvent, writePtimeDir } from "./build";
import { fillParams } from "./answer";
import { T } from "../sys/text";

/** Writes our offer into w. Returns SDP_OK or SDP_E_OVERFLOW. */
export function buildOffer(local: LocalMedia, origin: SdpOrigin, w: Writer): i32 {
  const start = beginSdp(w);
  w.str(T("s=-\r\nc=IN IP4 ")).ip4(local.ip).str(T("\r\nt=0 0\r\nm=audio ")).dec(<u64>local.port).str(T(" RTP/AVP"));
  const n = prefCount(local.pref);
  for (let r = 0; r < n; r++) w.byte(32).dec(<u64>(prefCodec(local.pref, r) == CODEC_PCMU ? PT_PCMU : PT_PCMA));
  w.byte(32).dec(<u64>PT_TE_OFFER).crlf();
  for (let r = 0; r < n; r++) {
    const c = prefCodec(local.pref, r);
    writeRtpmap(w, c == CODEC_PCMU ? PT_PCMU : PT_PCMA, c);
  }
  writeTelephoneEvent(w, PT_TE_OFFER, TE_EVENTS);
  writePtimeDir(w, local.ptime, local.dir);
  return endSdp(w, start, origin, local.ip);
}

/** Takes the answer to our offer (built with the same local): the codec is the first payload
 *  type in the answer that we offered; address and port from the media c= over the session c=;
 *  the answer's telephone-event payload type; the direction from both sides' attributes.
 *  Returns SDP_OK, SDP_E_NO_CODEC (stream rejected with port 0, or no codec we offered) or
 *  SDP_E_MISMATCH (not one audio m= line over RTP/AVP with an IPv4 address). */
export function processAnswer(answer: Session, local: LocalMedia, res: MediaParams): i32 {
  res.reset();
  if (answer.nmedia != 1) return SDP_E_MISMATCH;
  const m = answer.media[0];
  if (m.kind != KIND_AUDIO) return SDP_E_MISMATCH;
  if (m.port == 0) return SDP_E_NO_CODEC;
  if (m.proto != PROTO_AVP && m.proto != PROTO_AVPF) return SDP_E_MISMATCH;
  const c = answer.connOf(0);
  if (c == CONN_NONE || c == CONN_UNUSABLE) return SDP_E_MISMATCH;
  let j = -1;
  for (let k = 0; k < m.nfmt; k++) {
    if (prefAllows(local.pref, unchecked(m.codec[k]))) { j = k; break; }
  }
  if (j < 0) return SDP_E_NO_CODEC;
  fillParams(res, answer, 0, j);
  let theirs = answer.dirOf(0);
  if (res.remoteIp == 0) theirs &= ~DIR_RECV;
  res.send = (local.dir & DIR_SEND) != 0 && (theirs & DIR_RECV) != 0;
  res.recv = (local.dir & DIR_RECV) != 0 && (theirs & DIR_SEND) != 0;
  return SDP_OK;
}
