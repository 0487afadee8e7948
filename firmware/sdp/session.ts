// A parsed session description (RFC 4566 section 5): the session-level fields and up to
// SDP_MAX_MEDIA media descriptions, as spans (address, length) in the body and parsed numbers.
// The body is not copied: spans stay valid while the caller keeps the bytes (build the answer
// before the receive buffer is reused). Objects are created once at start-up and reused.
import { SDP_MAX_MEDIA, SDP_MAX_FMTS } from "../config";

/** Results of parse, answer and processAnswer. parse errors mean a malformed body (answer 400;
 *  SDP_E_TOO_MANY 488); negotiation errors mean no usable audio (answer 488, or end the call). */
export const SDP_OK: i32 = 0;
export const SDP_E_SYNTAX: i32 = -1;    // malformed line or field, v/o/s missing or misplaced
export const SDP_E_VERSION: i32 = -2;   // v= is not 0
export const SDP_E_TOO_MANY: i32 = -3;  // more than SDP_MAX_MEDIA m= lines
export const SDP_E_NO_CODEC: i32 = -4;  // no acceptable audio stream with a codec in common
export const SDP_E_MISMATCH: i32 = -5;  // an answer that does not fit our offer
export const SDP_E_OVERFLOW: i32 = -6;  // the writer is too small for the SDP

/** Direction (RFC 4566 6, RFC 3264 5.1) as bits: we/they send, we/they receive. The values are
 *  the indices of the attribute names in parse.ts's ATTRS. */
export const DIR_SEND: i32 = 1;
export const DIR_RECV: i32 = 2;
export const DIR_INACTIVE: i32 = 0;
export const DIR_SENDONLY: i32 = DIR_SEND;
export const DIR_RECVONLY: i32 = DIR_RECV;
export const DIR_SENDRECV: i32 = DIR_SEND | DIR_RECV;
/** No direction attribute at this level. */
export const DIR_UNSET: i32 = -1;

/** Connection (c=) values besides an IPv4 address (0 is 0.0.0.0, the RFC 2543 hold). */
export const CONN_NONE: i64 = -1;     // no c= at this level
export const CONN_UNUSABLE: i64 = -2; // IP6, a host name, multicast or not IN: not for us

/** Media types and transports we tell apart. */
export const KIND_OTHER: i32 = 0;
export const KIND_AUDIO: i32 = 1;
export const PROTO_OTHER: i32 = 0;     // RTP/SAVP, UDP/TLS/RTP/SAVPF, udptl, DTLS/SCTP ...
export const PROTO_AVP: i32 = 1;       // RTP/AVP
export const PROTO_AVPF: i32 = 2;      // RTP/AVPF

/** fmtp events bit 31: an a=fmtp line was seen for this payload type (bits 0-30: events). */
export const FMTP_SEEN: u32 = 0x80000000;

/** Where parse writes the fields it sets by number: c= and the direction in Session and Media
 *  (one pointer for either level), a=ptime and a=maxptime in Media (a spec checks the offsets). */
export const CONN_AT: usize = 0;
export const DIR_AT: usize = 8;
export const PTIME_AT: usize = 12;

/** One m= section: a view over a block of the session's memory that parse fills (there is no
 *  constructor). After the fields, per format j: its payload type at FMT_PT + j, what it carries
 *  (codec.ts) at FMT_CODEC + j, its fmtp events at FMT_EVENTS + 4 * j. */
@unmanaged
export class Media {
  conn: i64;
  dir: i32;
  ptime: i32;     // a=ptime, 0 when absent
  maxptime: i32;  // a=maxptime, 0 when absent
  kind: i32;
  port: i32;
  proto: i32;
  /** Spans in the body: the m= value [at, end) and in it the port token [portAt, portEnd) and the
   *  first format: a rejected stream is answered with the line as written and port 0. */
  at: usize;
  portAt: usize;
  portEnd: usize;
  fmtAt: usize;
  end: usize;
  /** The payload types (the numeric formats) in offer order; the first SDP_MAX_FMTS of them. */
  nfmt: i32;

  /** Payload type of format j (0 <= j < nfmt). */
  ptAt(j: i32): i32 { return load<u8>(changetype<usize>(this) + <usize>j, FMT_PT); }
  /** What format j carries (codec.ts CODEC_*). */
  codecAt(j: i32): i32 { return load<u8>(changetype<usize>(this) + <usize>j, FMT_CODEC); }
  /** The fmtp events of format j: FMTP_SEEN and bit n for event n; 0 without an fmtp. */
  eventsAt(j: i32): u32 { return load<u32>(changetype<usize>(this) + <usize>(4 * j), FMT_EVENTS); }

  /** Index of payload type pt in the format list, or -1. */
  indexOf(pt: i32): i32 {
    for (let i = 0; i < this.nfmt; i++) if (this.ptAt(i) == pt) return i;
    return -1;
  }
}

export const FMT_EVENTS: usize = (offsetof<Media>() + 3) & ~3;
export const FMT_PT: usize = FMT_EVENTS + 4 * SDP_MAX_FMTS;
export const FMT_CODEC: usize = FMT_PT + SDP_MAX_FMTS;
const MEDIA_SIZE: usize = (FMT_CODEC + SDP_MAX_FMTS + 7) & ~7;

/** A whole session description. */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the constructor sets the non-zero defaults).
@final export class Session {
  /** c= and the direction attribute at session level (first, as in Media). */
  conn: i64 = CONN_NONE;
  dir: i32 = DIR_UNSET;
  /** o=: sess-id, sess-version, and the unicast address when it is IPv4 (else CONN_UNUSABLE). */
  sessId: u64 = 0;
  sessVersion: u64 = 0;
  originAddr: i64 = CONN_UNUSABLE;
  /** t= value as written (an answer repeats it, RFC 3264 6); tLen 0 when absent. */
  tAt: usize = 0;
  tLen: i32 = 0;
  nmedia: i32 = 0;
  /** The media sections, MEDIA_SIZE bytes each. */
  media: usize = 0;

  constructor() {
    const s = changetype<Session>(__new(offsetof<Session>(), idof<Session>()));
    s.conn = CONN_NONE;
    s.dir = DIR_UNSET;
    s.originAddr = CONN_UNUSABLE;
    s.media = heap.alloc(<usize>SDP_MAX_MEDIA * MEDIA_SIZE);
    return s;
  }

  /** Media section i (0 <= i < nmedia). */
  m(i: i32): Media { return changetype<Media>(this.media + <usize>i * MEDIA_SIZE); }

  /** Effective connection of media i: its own c= over the session's. */
  connOf(i: i32): i64 {
    const c = this.m(i).conn;
    return c != CONN_NONE ? c : this.conn;
  }

  /** Effective direction of media i: its own attribute over the session's; sendrecv by default. */
  dirOf(i: i32): i32 {
    let d = this.m(i).dir;
    if (d < 0) d = this.dir;
    return d < 0 ? DIR_SENDRECV : d;
  }
}
