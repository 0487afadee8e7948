// What the offer/answer exchange needs from the caller (LocalMedia) and what it gives the media
// layer (MediaParams). Both are plain structs the call owns, created once at start-up.
import { PREF_PCMU_PCMA } from "./codec";
import { DIR_SENDRECV, DIR_INACTIVE } from "./session";

/** Our side of the audio stream. */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the constructor sets the non-zero defaults).
@final export class LocalMedia {
  /** Our IPv4 address (c= and o=). */
  ip: u32 = 0;
  /** Our RTP port (RTCP on port + 1). */
  port: i32 = 0;
  /** Codec preference (codec.ts PREF_*: the index of the `call.codecs` setting). */
  pref: i32 = PREF_PCMU_PCMA;
  /** The direction we want: DIR_SENDRECV, or DIR_SENDONLY to hold the other side. */
  dir: i32 = DIR_SENDRECV;
  /** Packetization we ask for, ms. */
  ptime: i32 = 20;

  constructor() {
    const l = changetype<LocalMedia>(__new(offsetof<LocalMedia>(), idof<LocalMedia>()));
    l.pref = PREF_PCMU_PCMA;
    l.dir = DIR_SENDRECV;
    l.ptime = 20;
    return l;
  }
}

/** The negotiated audio stream, for the media layer; valid after SDP_OK (pt is -1 otherwise). */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the constructor sets the non-zero defaults).
@final export class MediaParams {
  /** Index of the m= line in use. */
  mline: i32 = -1;
  /** Where to send RTP (RTCP: port + 1); 0.0.0.0 when the peer holds with the RFC 2543 address. */
  remoteIp: u32 = 0;
  remotePort: i32 = 0;
  /** The audio payload type and its law (codec.ts LAW_ULAW, LAW_ALAW). */
  pt: i32 = -1;
  law: i32 = -1;
  /** telephone-event payload type, or -1; and the DTMF events both sides know (bit n = event n). */
  tePt: i32 = -1;
  teEvents: u32 = 0;
  /** Whether we send RTP and whether we expect to receive it (DIR_* bits, as media/stream takes
   *  them). */
  dir: i32 = DIR_INACTIVE;
  /** Packetization to send with, ms: 20 (a=ptime is only the peer's preference, RFC 4566 6),
   *  or the peer's a=maxptime when that is smaller. */
  ptime: i32 = 20;

  constructor() {
    const p = changetype<MediaParams>(__new(offsetof<MediaParams>(), idof<MediaParams>()));
    p.reset();
    return p;
  }

  reset(): void {
    this.mline = this.pt = this.law = this.tePt = -1;
    this.remoteIp = this.teEvents = 0;
    this.remotePort = 0;
    this.dir = DIR_INACTIVE;
    this.ptime = 20;
  }
}
