// Our offer (RFC 3264 section 5) and what we take from the answer to it (section 7). The offer
// has one m=audio line: the codecs of our preference under their static payload types, then
// telephone-event/8000 as payload type 101 with events 0-16, a=ptime and the direction we want
// (sendrecv, or sendonly to hold the other side, RFC 3264 8.4).
import { Writer } from "../sys/bytes";
import { Session } from "./session";
import { LocalMedia, MediaParams } from "./params";
import { SdpOrigin } from "./origin";
import { writeSdp } from "./build";
import { negotiate } from "./answer";

/** Writes our offer into w. Returns SDP_OK or SDP_E_OVERFLOW. */
export function buildOffer(local: LocalMedia, origin: SdpOrigin, w: Writer): i32 {
  return writeSdp(w, origin, local, null, null);
}

/** Takes the answer to our offer (built with the same local): the codec is the first payload
 *  type in the answer that we offered; address and port from the media c= over the session c=;
 *  the answer's telephone-event payload type; the direction from both sides' attributes.
 *  Returns SDP_OK, SDP_E_NO_CODEC (stream rejected with port 0, or no codec we offered) or
 *  SDP_E_MISMATCH (not one audio m= line over RTP/AVP with an IPv4 address). */
export function processAnswer(answer: Session, local: LocalMedia, res: MediaParams): i32 {
  return negotiate(answer, local, res, false);
}
