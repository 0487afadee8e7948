// SDP offer/answer (RFC 3264): our offer's exact bytes and its version, answers to offers in
// the style of real peers (exact bytes, the chosen codec, address, port, telephone-event,
// direction), and what we take from answers to our offer.
import {
  Session, SDP_OK, SDP_E_NO_CODEC, SDP_E_MISMATCH, SDP_E_OVERFLOW, DIR_SENDRECV, DIR_SENDONLY, DIR_RECVONLY, DIR_INACTIVE,
} from "../../firmware/sdp/session";
import { parse } from "../../firmware/sdp/parse";
import {
  LAW_ULAW, LAW_ALAW, PREF_PCMU_PCMA, PREF_PCMA_PCMU, PREF_PCMU, PREF_PCMA, prefFromSetting,
} from "../../firmware/sdp/codec";
import { LocalMedia, MediaParams } from "../../firmware/sdp/params";
import { SdpOrigin } from "../../firmware/sdp/origin";
import { buildOffer, processAnswer } from "../../firmware/sdp/offer";
import { answerOffer } from "../../firmware/sdp/answer";
import { writeTelephoneEvent } from "../../firmware/sdp/build";
import { Writer } from "../../firmware/sys/bytes";
import { loadFile } from "./fixture";

// Fixtures from test/fixtures/sdp, parsed into one Session (as the firmware does).
const session = new Session();
// The body the session's spans point into: kept referenced (the specs' runtime collects).
let body: ArrayBuffer = new ArrayBuffer(0);

function parseFixture(name: string): i32 {
  body = loadFile("test/fixtures/sdp/" + name + ".sdp");
  return parse(session, changetype<usize>(body), body.byteLength);
}

const OUT_CAP: i32 = 4096;
const outBuf = memory.data(OUT_CAP);
const out = new Writer(outBuf, OUT_CAP);
function outText(): string { return String.UTF8.decodeUnsafe(outBuf, out.len); }

const local = new LocalMedia();
const origin = new SdpOrigin();
const res = new MediaParams();

function setup(pref: i32): void {
  local.ip = 0xc0a80132; // 192.168.1.50
  local.port = 40000;
  local.pref = pref;
  local.dir = DIR_SENDRECV;
  local.ptime = 20;
  origin.start(4242);
  out.reset();
  res.reset();
}

/** Parses fixture `name` and answers it with `pref`; returns answerOffer's result. */
function answer(name: string, pref: i32): i32 {
  setup(pref);
  expect(parseFixture(name)).toBe(SDP_OK, name);
  return answerOffer(session, local, origin, out, res);
}

/** Parses fixture `name` as the answer to our offer (pref, dir); returns processAnswer's result. */
function take(name: string, pref: i32, dir: i32): i32 {
  setup(pref);
  local.dir = dir;
  expect(parseFixture(name)).toBe(SDP_OK, name);
  return processAnswer(session, local, res);
}

const HEAD = "v=0\r\no=- 4242 4242 IN IP4 192.168.1.50\r\ns=-\r\nc=IN IP4 192.168.1.50\r\nt=0 0\r\n";

describe("SDP offer", () => {
  it("pcmu,pcma: exact bytes", () => {
    setup(PREF_PCMU_PCMA);
    expect(buildOffer(local, origin, out)).toBe(SDP_OK);
    expect(outText()).toBe(HEAD +
      "m=audio 40000 RTP/AVP 0 8 101\r\n" +
      "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" +
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n" +
      "a=ptime:20\r\na=sendrecv\r\n");
  });
  it("pcma,pcmu and pcma only", () => {
    setup(PREF_PCMA_PCMU);
    buildOffer(local, origin, out);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n" +
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
    setup(PREF_PCMA);
    buildOffer(local, origin, out);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n" +
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
  });
  it("the o= version moves only when the SDP changes (hold, resume, new address)", () => {
    setup(PREF_PCMU);
    buildOffer(local, origin, out);
    expect(origin.version).toBe(4242);
    out.reset();
    buildOffer(local, origin, out);
    expect(origin.version).toBe(4242);
    local.dir = DIR_SENDONLY;
    out.reset();
    buildOffer(local, origin, out);
    expect(origin.version).toBe(4243);
    expect(outText()).toBe("v=0\r\no=- 4242 4243 IN IP4 192.168.1.50\r\ns=-\r\nc=IN IP4 192.168.1.50\r\nt=0 0\r\n" +
      "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
      "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendonly\r\n");
    local.dir = DIR_SENDRECV;
    out.reset();
    buildOffer(local, origin, out);
    expect(origin.version).toBe(4244);
    local.ip = 0x0a000001;
    out.reset();
    buildOffer(local, origin, out);
    expect(origin.version).toBe(4245);
    expect(outText().startsWith("v=0\r\no=- 4242 4245 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n")).toBe(true);
    origin.start(7);
    out.reset();
    buildOffer(local, origin, out);
    expect(origin.version).toBe(7);
  });
  it("a writer that is too small gives SDP_E_OVERFLOW and leaves the origin alone", () => {
    setup(PREF_PCMU_PCMA);
    const small = new Writer(memory.data(120), 120);
    expect(buildOffer(local, origin, small)).toBe(SDP_E_OVERFLOW);
    expect(origin.sent).toBe(false);
    const tiny = new Writer(memory.data(20), 20);
    expect(buildOffer(local, origin, tiny)).toBe(SDP_E_OVERFLOW);
  });
  it("call.codecs values map to preferences", () => {
    const a = String.UTF8.encode("pcmu,pcma"), b = String.UTF8.encode("pcma,pcmu");
    const c = String.UTF8.encode("pcmu"), d = String.UTF8.encode("PCMA"), e = String.UTF8.encode("g729");
    expect(prefFromSetting(changetype<usize>(a), a.byteLength)).toBe(PREF_PCMU_PCMA);
    expect(prefFromSetting(changetype<usize>(b), b.byteLength)).toBe(PREF_PCMA_PCMU);
    expect(prefFromSetting(changetype<usize>(c), c.byteLength)).toBe(PREF_PCMU);
    expect(prefFromSetting(changetype<usize>(d), d.byteLength)).toBe(PREF_PCMA);
    expect(prefFromSetting(changetype<usize>(e), e.byteLength)).toBe(PREF_PCMU_PCMA);
  });
  it("telephone-event lists are written as ranges", () => {
    out.reset();
    writeTelephoneEvent(out, 101, 0x10fff);
    writeTelephoneEvent(out, 96, 0x5);
    writeTelephoneEvent(out, 97, 0x40000000);
    expect(outText()).toBe("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-11,16\r\n" +
      "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0,2\r\n" +
      "a=rtpmap:97 telephone-event/8000\r\na=fmtp:97 30\r\n");
  });
});

describe("SDP answer to an offer", () => {
  it("baresip (opus first): PCMU, its telephone-event, exact bytes", () => {
    expect(answer("baresip-opus-first", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n" +
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
    expect(res.mline).toBe(0);
    expect(res.remoteIp).toBe(0xc0a80114);
    expect(res.remotePort).toBe(10450);
    expect(res.pt).toBe(0);
    expect(res.law).toBe(LAW_ULAW);
    expect(res.tePt).toBe(101);
    expect(res.teEvents).toBe(0xffff);
    expect(res.dir).toBe(DIR_SENDRECV);
    expect(res.ptime).toBe(20);
  });
  it("Asterisk offering PCMA first: our preference decides", () => {
    expect(answer("asterisk-pcma-first", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.pt).toBe(0);
    expect(res.teEvents).toBe(0x1ffff);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n" +
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
    expect(answer("asterisk-pcma-first", PREF_PCMA_PCMU)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
    expect(res.law).toBe(LAW_ALAW);
    expect(answer("asterisk-pcma-first", PREF_PCMU)).toBe(SDP_OK);
    expect(res.pt).toBe(0);
  });
  it("FRITZ!Box: PCMA by our preference, its address and port", () => {
    expect(answer("fritzbox", PREF_PCMA_PCMU)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
    expect(res.remotePort).toBe(7082);
    expect(res.remoteIp).toBe(0xc0a8b201);
  });
  it("Linphone: static PCMU, telephone-event/8000 among three rates, the video line rejected", () => {
    expect(answer("linphone-video-lf", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 0 100\r\na=rtpmap:0 PCMU/8000\r\n" +
      "a=rtpmap:100 telephone-event/8000\r\na=fmtp:100 0-15\r\na=ptime:20\r\na=sendrecv\r\n" +
      "m=video 0 RTP/AVP 96 97\r\n");
    expect(res.tePt).toBe(100);
    expect(res.remotePort).toBe(7078);
  });
  it("Cisco: the media-level address; video rejected", () => {
    expect(answer("cisco-media-conn", PREF_PCMA)).toBe(SDP_OK);
    expect(res.remoteIp).toBe(0x0a010132);
    expect(res.remotePort).toBe(19844);
    expect(res.pt).toBe(8);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n" +
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n" +
      "m=video 0 RTP/AVP 126 97\r\n");
  });
  it("Grandstream: telephone-event 96 with events 0-11,16; its ptime 30 is a preference, we send 20", () => {
    expect(answer("grandstream-te-last", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.tePt).toBe(96);
    expect(res.teEvents).toBe(0x10fff);
    expect(res.ptime).toBe(20);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\n" +
      "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-11,16\r\na=ptime:20\r\na=sendrecv\r\n");
  });
  it("a dynamic payload type for PCMU keeps its number; t= is repeated", () => {
    expect(answer("dynamic-pcmu", PREF_PCMA_PCMU)).toBe(SDP_OK);
    expect(res.pt).toBe(98);
    expect(res.law).toBe(LAW_ULAW);
    expect(outText()).toBe("v=0\r\no=- 4242 4242 IN IP4 192.168.1.50\r\ns=-\r\nc=IN IP4 192.168.1.50\r\nt=3034423619 0\r\n" +
      "m=audio 40000 RTP/AVP 98 99\r\na=rtpmap:98 PCMU/8000\r\na=rtpmap:99 telephone-event/8000\r\n" +
      "a=fmtp:99 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
  });
  it("hold: sendonly is answered recvonly; we do not send", () => {
    expect(answer("hold-sendonly", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.dir).toBe(DIR_RECVONLY);
    expect(outText().endsWith("a=ptime:20\r\na=recvonly\r\n")).toBe(true);
  });
  it("hold: c=0.0.0.0 means the offerer receives nothing", () => {
    expect(answer("hold-0000", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.remoteIp).toBe(0);
    expect(res.dir).toBe(DIR_RECVONLY);
    expect(res.tePt).toBe(-1);
    expect(outText()).toBe(HEAD + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=recvonly\r\n");
  });
  it("hold: session-level inactive is answered inactive", () => {
    expect(answer("hold-inactive-session", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
    expect(res.dir).toBe(DIR_INACTIVE);
    expect(outText().endsWith("a=inactive\r\n")).toBe(true);
  });
  it("recvonly (media level over session sendonly) is answered sendonly", () => {
    expect(answer("recvonly-override", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.pt).toBe(0);
    expect(res.dir).toBe(DIR_SENDONLY);
    expect(outText().endsWith("a=sendonly\r\n")).toBe(true);
  });
  it("our own hold limits the answer: sendrecv -> sendonly, sendonly -> inactive", () => {
    setup(PREF_PCMU_PCMA);
    local.dir = DIR_SENDONLY;
    parseFixture("asterisk-pcma-first");
    expect(answerOffer(session, local, origin, out, res)).toBe(SDP_OK);
    expect(outText().endsWith("a=sendonly\r\n")).toBe(true);
    expect(res.dir).toBe(DIR_SENDONLY);
    out.reset();
    parseFixture("hold-sendonly");
    expect(answerOffer(session, local, origin, out, res)).toBe(SDP_OK);
    expect(outText().endsWith("a=inactive\r\n")).toBe(true);
    expect(origin.version).toBe(4243);
  });
  it("SDES fallback: the SRTP line is rejected, the RTP/AVP one used", () => {
    expect(answer("sdes-fallback", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.mline).toBe(1);
    expect(res.remotePort).toBe(20002);
    expect(outText()).toBe(HEAD + "m=audio 0 RTP/SAVP 0 8\r\n" +
      "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n");
  });
  it("re-INVITE with image and disabled audio lines: the live audio line answers", () => {
    expect(answer("reinvite-t38-audio", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.mline).toBe(2);
    expect(res.remoteIp).toBe(0x0a000007);
    expect(res.remotePort).toBe(8000);
    expect(outText()).toBe(HEAD + "m=image 0 udptl t38\r\nm=audio 0 RTP/AVP 0\r\n" +
      "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
      "a=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
  });
  it("a maxptime below 20 ms is the packetization to use", () => {
    setup(PREF_PCMU_PCMA);
    body = String.UTF8.encode("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=maxptime:10\r\n");
    expect(parse(session, changetype<usize>(body), body.byteLength)).toBe(SDP_OK);
    expect(answerOffer(session, local, origin, out, res)).toBe(SDP_OK);
    expect(res.ptime).toBe(10);
  });
  it("a payload list cut at SDP_MAX_FMTS: PCMA found, PCMU (beyond) not", () => {
    expect(answer("too-many-payloads", PREF_PCMU_PCMA)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
  });
  it("no acceptable audio: SDP_E_NO_CODEC and nothing written", () => {
    const names: string[] = ["srtp-only", "no-common-codec", "webrtc-ish", "ipv6-and-fqdn", "no-media", "no-connection"];
    for (let i = 0; i < names.length; i++) {
      expect(answer(names[i], PREF_PCMU_PCMA)).toBe(SDP_E_NO_CODEC, names[i]);
      expect(out.len).toBe(0);
      expect(res.pt).toBe(-1);
    }
    expect(answer("static-no-rtpmap", PREF_PCMU)).toBe(SDP_OK);
    expect(answer("hold-inactive-session", PREF_PCMU)).toBe(SDP_E_NO_CODEC);
  });
  it("a writer too small for the answer: SDP_E_OVERFLOW", () => {
    setup(PREF_PCMU_PCMA);
    parseFixture("linphone-video-lf");
    const small = new Writer(memory.data(200), 200);
    expect(answerOffer(session, local, origin, small, res)).toBe(SDP_E_OVERFLOW);
  });
});

describe("SDP answer to our offer", () => {
  it("Asterisk: PCMU, telephone-event 101 with 0-16, address and ports", () => {
    expect(take("answer-asterisk", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_OK);
    expect(res.pt).toBe(0);
    expect(res.law).toBe(LAW_ULAW);
    expect(res.tePt).toBe(101);
    expect(res.teEvents).toBe(0x1ffff);
    expect(res.remoteIp).toBe(0x0a000005);
    expect(res.remotePort).toBe(12000);
    expect(res.ptime).toBe(20);
    expect(res.dir).toBe(DIR_SENDRECV);
  });
  it("the first payload type in the answer that we offered; media c= over session c=; 20 ms within maxptime", () => {
    expect(take("answer-pcma-te96", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
    expect(res.law).toBe(LAW_ALAW);
    expect(res.tePt).toBe(96);
    expect(res.teEvents).toBe(0xffff);
    expect(res.remoteIp).toBe(0xc0a80114);
    expect(res.remotePort).toBe(10452);
    expect(res.ptime).toBe(20);
    expect(take("answer-pcma-te96", PREF_PCMU, DIR_SENDRECV)).toBe(SDP_OK);
    expect(res.pt).toBe(0);
  });
  it("direction: recvonly answer to our hold (sendonly) offer; 0.0.0.0 answer", () => {
    expect(take("answer-recvonly", PREF_PCMU_PCMA, DIR_SENDONLY)).toBe(SDP_OK);
    expect(res.dir).toBe(DIR_SENDONLY);
    expect(take("answer-recvonly", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_OK);
    expect(res.dir).toBe(DIR_SENDONLY);
    expect(take("hold-0000", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_OK);
    expect(res.dir).toBe(DIR_RECVONLY);
    expect(take("hold-sendonly", PREF_PCMU_PCMA, DIR_SENDONLY)).toBe(SDP_OK);
    expect(res.dir).toBe(DIR_INACTIVE);
  });
  it("rejections and answers that do not fit our offer", () => {
    expect(take("answer-rejected", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_NO_CODEC);
    expect(take("answer-g729", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_NO_CODEC);
    expect(take("answer-pcma-te96", PREF_PCMU, DIR_SENDRECV)).toBe(SDP_OK);
    expect(take("static-no-rtpmap", PREF_PCMA, DIR_SENDRECV)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
    expect(take("answer-two-media", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_MISMATCH);
    expect(take("srtp-only", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_MISMATCH);
    expect(take("no-media", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_MISMATCH);
    expect(take("no-connection", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_MISMATCH);
    expect(take("cisco-media-conn", PREF_PCMU_PCMA, DIR_SENDRECV)).toBe(SDP_E_MISMATCH);
  });
  it("round trip: our offer, parsed and answered by a pcma-first peer, then taken back", () => {
    setup(PREF_PCMU_PCMA);
    buildOffer(local, origin, out);
    const offerBytes = String.UTF8.encode(outText());
    const peer = new Session();
    expect(parse(peer, changetype<usize>(offerBytes), offerBytes.byteLength)).toBe(SDP_OK);
    const peerLocal = new LocalMedia();
    peerLocal.ip = 0x0a000009;
    peerLocal.port = 50000;
    peerLocal.pref = PREF_PCMA_PCMU;
    const peerOrigin = new SdpOrigin();
    peerOrigin.start(99);
    const peerRes = new MediaParams();
    const w = new Writer(memory.data(1024), 1024);
    expect(answerOffer(peer, peerLocal, peerOrigin, w, peerRes)).toBe(SDP_OK);
    expect(peerRes.pt).toBe(8);
    expect(peerRes.remoteIp).toBe(0xc0a80132);
    expect(peerRes.remotePort).toBe(40000);
    expect(peerRes.tePt).toBe(101);
    expect(peerRes.teEvents).toBe(0x1ffff);
    expect(parse(session, w.base, w.len)).toBe(SDP_OK);
    expect(processAnswer(session, local, res)).toBe(SDP_OK);
    expect(res.pt).toBe(8);
    expect(res.law).toBe(LAW_ALAW);
    expect(res.remoteIp).toBe(0x0a000009);
    expect(res.remotePort).toBe(50000);
    expect(res.tePt).toBe(101);
    expect(res.dir).toBe(DIR_SENDRECV);
  });
});
