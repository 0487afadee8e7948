// SDP parsing (RFC 4566) on session descriptions in the style of real peers (test/fixtures/sdp):
// exact payload lists, codec classification, addresses, ports, directions and attributes; and
// malformed bodies, which give error codes and never trap.
import {
  SDP_OK, SDP_E_SYNTAX, SDP_E_VERSION, SDP_E_TOO_MANY, CONN_NONE, CONN_UNUSABLE,
  DIR_UNSET, DIR_SENDRECV, DIR_SENDONLY, DIR_RECVONLY, DIR_INACTIVE, KIND_AUDIO, KIND_OTHER,
  PROTO_AVP, PROTO_OTHER, FMTP_SEEN,
} from "../../firmware/sdp/session";
import { Session, Media, CONN_AT, DIR_AT, PTIME_AT } from "../../firmware/sdp/session";
import { parse } from "../../firmware/sdp/parse";
import { CODEC_PCMU, CODEC_PCMA, CODEC_TE, CODEC_OTHER, CODEC_UNKNOWN } from "../../firmware/sdp/codec";
import { SDP_MAX_FMTS } from "../../firmware/config";
import { loadFile } from "./fixture";

// Fixtures from test/fixtures/sdp, parsed into one Session (as the firmware does).
const session = new Session();
// The body the session's spans point into: kept referenced (the specs' runtime collects).
let body: ArrayBuffer = new ArrayBuffer(0);

function loadSdp(name: string): ArrayBuffer {
  return loadFile("test/fixtures/sdp/" + name + ".sdp");
}

/** Parses fixture `name` into `session`; returns parse's result. */
function parseFixture(name: string): i32 {
  body = loadSdp(name);
  return parse(session, changetype<usize>(body), body.byteLength);
}

/** Parses a string (UTF-8) into `session`. */
function parseText(text: string): i32 {
  body = String.UTF8.encode(text);
  return parse(session, changetype<usize>(body), body.byteLength);
}

const IP_192_168_1_20: i64 = 0xc0a80114;

function span(at: usize, len: i32): string {
  expect(at >= changetype<usize>(body) && at + <usize>len <= changetype<usize>(body) + <usize>body.byteLength).toBe(true, "a span in the body");
  return String.UTF8.decodeUnsafe(at, len);
}

/** The m= value of media i with its spans marked: "audio [port] RTP/AVP |formats". */
function line(i: i32): string {
  const m = session.m(i);
  return span(m.at, <i32>(m.portAt - m.at)) + "[" + span(m.portAt, <i32>(m.portEnd - m.portAt)) + "]" +
    span(m.portEnd, <i32>(m.fmtAt - m.portEnd)) + "|" + span(m.fmtAt, <i32>(m.end - m.fmtAt));
}

/** The payload types of media i as "pt:codec ..." (codec letters: u a t o ?). */
function fmts(i: i32): string {
  const m = session.m(i);
  let s = "";
  for (let j = 0; j < m.nfmt; j++) {
    const c = m.codecAt(j);
    s += (j > 0 ? " " : "") + m.ptAt(j).toString() + ":" +
      (c == CODEC_PCMU ? "u" : c == CODEC_PCMA ? "a" : c == CODEC_TE ? "t" : c == CODEC_OTHER ? "o" : "?");
  }
  return s;
}

describe("SDP parse: real-world offers", () => {
  it("baresip: opus first, session c=, rtpmaps for every payload type", () => {
    expect(parseFixture("baresip-opus-first")).toBe(SDP_OK);
    expect(session.sessId).toBe(1163529349);
    expect(session.sessVersion).toBe(1895741386);
    expect(session.originAddr).toBe(IP_192_168_1_20);
    expect(session.conn).toBe(IP_192_168_1_20);
    expect(span(session.tAt, session.tLen)).toBe("0 0");
    expect(session.nmedia).toBe(1);
    const m = session.m(0);
    expect(m.kind).toBe(KIND_AUDIO);
    expect(m.port).toBe(10450);
    expect(m.proto).toBe(PROTO_AVP);
    expect(fmts(0)).toBe("96:o 9:o 0:u 8:a 101:t");
    expect(m.eventsAt(4)).toBe(FMTP_SEEN | 0xffff);
    expect(m.dir).toBe(DIR_SENDRECV);
    expect(m.ptime).toBe(20);
    expect(m.conn).toBe(CONN_NONE);
    expect(session.connOf(0)).toBe(IP_192_168_1_20);
  });
  it("Asterisk: PCMA first, maxptime, events 0-16", () => {
    expect(parseFixture("asterisk-pcma-first")).toBe(SDP_OK);
    expect(fmts(0)).toBe("8:a 0:u 3:o 9:o 101:t");
    const m = session.m(0);
    expect(m.eventsAt(4)).toBe(FMTP_SEEN | 0x1ffff);
    expect(m.maxptime).toBe(140);
    expect(m.port).toBe(17318);
  });
  it("FRITZ!Box: iLBC, a=rtcp ignored", () => {
    expect(parseFixture("fritzbox")).toBe(SDP_OK);
    expect(fmts(0)).toBe("8:a 0:u 9:o 101:t 97:o");
    expect(session.conn).toBe(0xc0a8b201);
  });
  it("Linphone: bare LF, static PTs without rtpmap, three telephone-event rates, a video line", () => {
    expect(parseFixture("linphone-video-lf")).toBe(SDP_OK);
    expect(session.nmedia).toBe(2);
    expect(fmts(0)).toBe("96:o 97:o 98:o 0:u 8:a 18:o 101:o 99:o 100:t");
    expect(session.m(0).eventsAt(8)).toBe(0); // no fmtp: RFC 4733 default applies later
    expect(session.m(1).kind).toBe(KIND_OTHER);
    expect(session.m(1).port).toBe(9078);
    expect(line(1)).toBe("video [9078] RTP/AVP |96 97");
    expect(session.dirOf(0)).toBe(DIR_SENDRECV);
    expect(session.m(0).dir).toBe(DIR_UNSET);
  });
  it("Cisco: c= only at media level", () => {
    expect(parseFixture("cisco-media-conn")).toBe(SDP_OK);
    expect(session.conn).toBe(CONN_NONE);
    expect(session.m(0).conn).toBe(0x0a010132);
    expect(session.connOf(0)).toBe(0x0a010132);
    expect(fmts(0)).toBe("114:o 9:o 124:o 0:u 8:a 116:o 18:o 101:t");
    expect(session.m(1).port).toBe(0);
    expect(session.sessVersion).toBe(0);
  });
  it("Grandstream: telephone-event as PT 96 after the direction, events 0-11,16, ptime 30", () => {
    expect(parseFixture("grandstream-te-last")).toBe(SDP_OK);
    expect(fmts(0)).toBe("0:u 8:a 4:o 18:o 9:o 97:o 2:o 123:o 96:t");
    expect(session.m(0).eventsAt(8)).toBe(FMTP_SEEN | 0x10fff);
    expect(session.m(0).ptime).toBe(30);
  });
  it("a body without rtpmaps and without a final line end", () => {
    expect(parseFixture("static-no-rtpmap")).toBe(SDP_OK);
    expect(fmts(0)).toBe("8:a 0:u");
    expect(session.sessId).toBe(0);
  });
  it("encoding names are case-insensitive; a dynamic PT can carry PCMU", () => {
    expect(parseFixture("dynamic-pcmu")).toBe(SDP_OK);
    expect(fmts(0)).toBe("98:u 99:t");
    expect(span(session.tAt, session.tLen)).toBe("3034423619 0");
  });
  it("directions: media level overrides session level", () => {
    expect(parseFixture("hold-sendonly")).toBe(SDP_OK);
    expect(session.dirOf(0)).toBe(DIR_SENDONLY);
    expect(parseFixture("hold-inactive-session")).toBe(SDP_OK);
    expect(session.dir).toBe(DIR_INACTIVE);
    expect(session.dirOf(0)).toBe(DIR_INACTIVE);
    expect(parseFixture("recvonly-override")).toBe(SDP_OK);
    expect(session.dir).toBe(DIR_SENDONLY);
    expect(session.dirOf(0)).toBe(DIR_RECVONLY);
  });
  it("c=0.0.0.0 is the address 0, not an error", () => {
    expect(parseFixture("hold-0000")).toBe(SDP_OK);
    expect(session.conn).toBe(0);
  });
  it("transports: SAVPF and DTLS/SCTP are told apart from RTP/AVP; numeric formats are payload types", () => {
    expect(parseFixture("webrtc-ish")).toBe(SDP_OK);
    expect(session.m(0).proto).toBe(PROTO_OTHER);
    expect(fmts(0)).toBe("111:o 0:u 8:a 126:t");
    expect(session.m(1).proto).toBe(PROTO_OTHER);
    expect(session.m(1).nfmt).toBe(0);
    expect(line(1)).toBe("application [9] UDP/DTLS/SCTP |webrtc-datachannel");
    expect(session.sessId).toBe(4611731400430051336);
  });
  it("IPv6, host names and multicast are unusable addresses, not errors", () => {
    expect(parseFixture("ipv6-and-fqdn")).toBe(SDP_OK);
    expect(session.originAddr).toBe(CONN_UNUSABLE);
    expect(session.conn).toBe(CONN_UNUSABLE);
    expect(session.m(1).conn).toBe(CONN_UNUSABLE);
    expect(session.m(2).conn).toBe(CONN_UNUSABLE);
  });
  it("keeps the first SDP_MAX_FMTS payload types of a longer list", () => {
    expect(parseFixture("too-many-payloads")).toBe(SDP_OK);
    const m = session.m(0);
    expect(m.nfmt).toBe(SDP_MAX_FMTS);
    expect(m.ptAt(SDP_MAX_FMTS - 1)).toBe(126); // the list is cut where it is full
    expect(m.codecAt(2)).toBe(CODEC_PCMA);
    expect(m.codecAt(0)).toBe(CODEC_UNKNOWN);
    expect(m.indexOf(0)).toBe(-1);
  });
  it("lenient: empty lines, double spaces, empty s=, unknown types, bad attribute values ignored", () => {
    expect(parseFixture("lenient-junk")).toBe(SDP_OK);
    const m = session.m(0);
    expect(fmts(0)).toBe("0:u 101:t");
    expect(m.eventsAt(1)).toBe(0);
    expect(m.ptime).toBe(0);
    expect(m.maxptime).toBe(0);
    expect(m.dir).toBe(DIR_SENDONLY);
    expect(session.conn).toBe(0x0a000002);
  });
  it("telephone-event lists: events 0-30 kept as bits, others ignored, a bad list as none", () => {
    const head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 101\r\na=fmtp:101 ";
    expect(parseText(head + "0-15,66,70\r\n")).toBe(SDP_OK);
    expect(session.m(0).eventsAt(0)).toBe(FMTP_SEEN | 0xffff);
    expect(parseText(head + "16,3,30-40\r\n")).toBe(SDP_OK);
    expect(session.m(0).eventsAt(0)).toBe(FMTP_SEEN | 0x40010008);
    expect(parseText(head + "0-15,\r\n")).toBe(SDP_OK);
    expect(session.m(0).eventsAt(0)).toBe(FMTP_SEEN | 0xffff);
    expect(parseText(head + "5-3\r\n")).toBe(SDP_OK);
    expect(session.m(0).eventsAt(0)).toBe(0);
    expect(parseText(head + "0--15\r\n")).toBe(SDP_OK);
    expect(session.m(0).eventsAt(0)).toBe(0);
    expect(parseText(head + "0-256\r\n")).toBe(SDP_OK);
    expect(session.m(0).eventsAt(0)).toBe(0);
  });
  it("an SDP without m= lines parses (negotiation refuses it)", () => {
    expect(parseFixture("no-media")).toBe(SDP_OK);
    expect(session.nmedia).toBe(0);
  });
});

describe("SDP parse: layout", () => {
  it("parse writes c=, directions, ptime and maxptime at the offsets session.ts names", () => {
    expect(offsetof<Session>("conn")).toBe(CONN_AT);
    expect(offsetof<Session>("dir")).toBe(DIR_AT);
    expect(offsetof<Media>("conn")).toBe(CONN_AT);
    expect(offsetof<Media>("dir")).toBe(DIR_AT);
    expect(offsetof<Media>("ptime")).toBe(PTIME_AT);
    expect(offsetof<Media>("maxptime")).toBe(PTIME_AT + 4);
  });
});

describe("SDP parse: malformed bodies", () => {
  it("returns the exact error for each", () => {
    expect(parseFixture("bad-empty")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-no-v")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-version")).toBe(SDP_E_VERSION);
    expect(parseFixture("bad-no-origin")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-truncated-m")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-truncated-c")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-port")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-payload")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-huge-version")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("bad-no-equals")).toBe(SDP_E_SYNTAX);
    expect(parseFixture("too-many-media")).toBe(SDP_E_TOO_MANY);
  });
  it("more malformed lines", () => {
    const head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n";
    expect(parseText(head + "m=audio 4000 RTP/AVP 0\r\n")).toBe(SDP_OK);
    expect(parseText(head + "m=audio 4000/2 RTP/AVP 0\r\n")).toBe(SDP_OK);
    expect(parseText(head + "m=audio 4000/0 RTP/AVP 0\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=audio -1 RTP/AVP 0\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=audio 99999999999999999999 RTP/AVP 0\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=audio 4000 RTP/AVP\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=audio 4000 RTP/AVP 0 x\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=audio 4000 RTP/AVPF 0 128\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=image 4000 udptl t38\r\n")).toBe(SDP_OK);
    expect(session.m(0).nfmt).toBe(0);
    expect(parseText(head + "m=\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "m=audio 4000 RTP/AVP 0\r\no=- 1 1 IN IP4 10.0.0.1\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText(head + "v=0\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText("v=0\r\no=- x 1 IN IP4 10.0.0.1\r\ns=-\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText("v=0\r\no=- 18446744073709551615 1 IN IP4 10.0.0.1\r\ns=-\r\n")).toBe(SDP_OK);
    expect(session.sessId).toBe(0xffffffffffffffff);
    expect(parseText("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n")).toBe(SDP_E_SYNTAX); // no s=
    expect(parseText("v=00\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n")).toBe(SDP_E_VERSION);
    expect(parseText("v\r\n")).toBe(SDP_E_SYNTAX);
    expect(parseText("\r\n\r\n\n")).toBe(SDP_E_SYNTAX);
  });
  it("never traps on any truncation of any fixture, nor on flipped bytes", () => {
    const names: string[] = [
      "baresip-opus-first", "asterisk-pcma-first", "fritzbox", "linphone-video-lf", "cisco-media-conn",
      "grandstream-te-last", "webrtc-ish", "ipv6-and-fqdn", "too-many-payloads", "lenient-junk", "too-many-media",
    ];
    let seed: u32 = 12345;
    let ok = 0, errors = 0;
    for (let f = 0; f < names.length; f++) {
      const b = loadSdp(names[f]);
      const p = changetype<usize>(b);
      const n = b.byteLength;
      for (let len = 0; len <= n; len++) {
        if (parse(session, p, len) == SDP_OK) ok++;
        else errors++;
      }
      // 300 single-byte corruptions: random byte at a random place, parse, restore.
      for (let k = 0; k < 300; k++) {
        seed = seed * 1103515245 + 12345;
        const at = <i32>((seed >>> 8) % <u32>n);
        seed = seed * 1103515245 + 12345;
        const old = load<u8>(p + <usize>at);
        store<u8>(p + <usize>at, <u8>(seed >>> 24));
        if (parse(session, p, n) == SDP_OK) ok++;
        else errors++;
        store<u8>(p + <usize>at, old);
      }
    }
    expect(ok + errors).toBeGreaterThan(5000);
    expect(ok).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  });
});
