import { T } from "../../firmware/sys/text";
// Building responses and requests (RFC 3261 8.1.1, 8.2.6, 18.2.1; RFC 3581): exact bytes, and
// every built message parses back with the values put in.
import { SipMsg, M_INVITE, H_FROM, H_TO, H_CONTACT, H_RECORD_ROUTE, H_VIA, E_OK, E_NO_FROM } from "../../firmware/sip/msg";
import { checkRequest, checkErr, uas, PASS } from "../../firmware/sip/validate";
import { response, rejection, copyHeaders, end, requestLine, newBranch, newTag, newCallId, via, maxForwards,
  nameAddr, callId, cseq, contact, userAgent, allow, supported, contentType, reason } from "../../firmware/sip/build";
import { Writer } from "../../firmware/sys/bytes";
import { file, parseBuf, parseText, str, raw, addr, text, hval } from "./sip-util";

const m = new SipMsg();
const back = new SipMsg();
const out = new ArrayBuffer(4096);
const w = new Writer(changetype<usize>(out), 4096);

function written(): string { return text(w.base, w.len); }
function reparse(): i32 { return back.parse(w.base, w.len); }
function tagOf(s: string): ArrayBuffer { return raw(s); }

describe("responses", () => {
  it("copy Via, From, To, Call-ID, CSeq; add received and fill rport (RFC 3581)", () => {
    parseBuf(m, file("test/fixtures/sip/asterisk-invite.sip"));
    const t = tagOf("a1b2c3");
    // the request came from a NAT: 203.0.113.7:40123
    response(w.reset(), m, 180, null, addr(t), 6, 0xcb007107, 40123);
    end(w);
    expect(w.ok).toBe(true);
    expect(written()).toBe(
      "SIP/2.0 180 Ringing\r\n" +
      "Via: SIP/2.0/UDP 192.168.1.10:5060;rport=40123;branch=z9hG4bKPj6d8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b;received=203.0.113.7\r\n" +
      "From: \"Reception\" <sip:100@192.168.1.10>;tag=8f0e3c2a-1b4d-4f6a-9c7e-2d5b8a1f3e60\r\n" +
      "To: <sip:door@192.168.1.50>;tag=a1b2c3\r\n" +
      "Call-ID: 5a2c7e1f-9b3d-4c8a-b6e0-1f4d7a9c2e58\r\n" +
      "CSeq: 27014 INVITE\r\n" +
      "Content-Length: 0\r\n\r\n");
    expect(reparse()).toBe(E_OK);
    expect(back.status).toBe(180);
    expect(back.viaRport).toBe(40123);
    expect(str(back, back.viaReceived)).toBe("203.0.113.7");
    expect(str(back, back.toTag)).toBe("a1b2c3");
  });

  it("no received when sent-by is the source address and there is no rport", () => {
    parseBuf(m, file("test/fixtures/sip/kamailio-options.sip"));
    response(w.reset(), m, 200, null, 0, 0, 0xc0a80102, 5060);
    expect(written().startsWith("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK1a2b.0\r\nFrom: sip:pinger@kamailio.org;tag=uloc-5f3b1c2a-1d0-2-7a8b9c0d-d3e4f5a6\r\nTo: sip:192.168.1.50:5060\r\n")).toBe(true);
    response(w.reset(), m, 200, null, 0, 0, 0xcb007107, 5060);
    expect(written().startsWith("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK1a2b.0;received=203.0.113.7\r\n")).toBe(true);
  });

  it("keep every Via value in order, folded and multi-valued ones too", () => {
    parseBuf(m, file("../shared/sip-torture/wsinv.dat"));
    response(w.reset(), m, 200, null, 0, 0, 0xc0000202, 5060);
    end(w);
    expect(reparse()).toBe(E_OK);
    expect(back.viaCount).toBe(3);
    expect(str(back, back.viaBranch)).toBe("390skdjuw");
    expect(str(back, back.viaReceived)).toBe("");
    const s = written();
    expect(s.includes("Via: SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n")).toBe(true);
    expect(s.includes("Via: SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n")).toBe(true);
    // From keeps the escaped quotes; the request's To tag stays, no second one is added
    expect(str(back, back.fromDisplay)).toBe("J Rosenberg \\\\\\\"");
    expect(str(back, back.toTag)).toBe("1918181833n");
  });

  it("copy Record-Route into a dialog-creating response", () => {
    parseBuf(m, file("test/fixtures/sip/baresip-invite-via-kamailio.sip"));
    const t = tagOf("9f8e7d");
    response(w.reset(), m, 200, null, addr(t), 6);
    copyHeaders(w, m, H_RECORD_ROUTE);
    contact(w, addr(raw("sip:1003@192.168.1.50:5060")), 26);
    end(w);
    expect(reparse()).toBe(E_OK);
    expect(back.viaCount).toBe(2);
    expect(hval(back, back.find(H_RECORD_ROUTE))).toBe("<sip:192.168.1.2;lr;ftag=2f6a1d0b9c33ae71>");
    expect(str(back, back.contactUri)).toBe("sip:1003@192.168.1.50:5060");
    expect(hval(back, back.find(H_VIA, back.find(H_VIA)))).toBe("SIP/2.0/UDP 192.168.1.33:5060;received=192.168.1.33;rport=5060;branch=z9hG4bKd3b5e8c1a6f24e07");
  });
});

describe("rejections", () => {
  it("501 with Allow for an unknown method", () => {
    parseBuf(m, file("../shared/sip-torture/intmeth.dat"));
    expect(checkRequest(m)).toBe(501);
    const t = tagOf("77aa");
    rejection(w.reset(), m, 501, uas, addr(t), 4);
    const s = written();
    expect(s.startsWith("SIP/2.0 501 Not Implemented\r\nVia: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\r\n")).toBe(true);
    expect(s.endsWith("CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO\r\nServer: sip-intercom/0.1.0\r\nContent-Length: 0\r\n\r\n")).toBe(true);
    expect(reparse()).toBe(E_OK);
    expect(str(back, back.toTag)).toBe("77aa");
  });

  it("400 names the fault in the reason phrase and a Warning; a random To tag", () => {
    parseBuf(m, file("../shared/sip-torture/insuf.dat"));
    expect(checkRequest(m)).toBe(400);
    expect(checkErr).toBe(E_NO_FROM);
    rejection(w.reset(), m, 400);
    expect(written()).toBe(
      "SIP/2.0 400 Missing From\r\n" +
      "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n" +
      "CSeq: 193942 INVITE\r\n" +
      "Warning: 399 intercom \"Missing From\"\r\n" +
      "Server: sip-intercom/0.1.0\r\n" +
      "Content-Length: 0\r\n\r\n");
    parseBuf(m, file("../shared/sip-torture/badvers.dat"));
    expect(checkRequest(m)).toBe(505);
    rejection(w.reset(), m, 505);
    expect(reparse()).toBe(E_OK);
    expect(back.status).toBe(505);
    expect(str(back, back.reason)).toBe("Version Not Supported");
    expect(back.toTag.len).toBe(16);
  });

  it("420 lists the unsupported option tags; 415 says what is accepted", () => {
    parseText(m, "INVITE sip:door@192.0.2.50 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\nFrom: <sip:a@192.0.2.9>;tag=1\nTo: <sip:door@192.0.2.50>\nCall-ID: r1\nCSeq: 1 INVITE\nRequire: 100rel, timer\nRequire: foo\nContent-Length: 0\n\n");
    expect(checkRequest(m)).toBe(420);
    rejection(w.reset(), m, 420, uas, addr(tagOf("t")), 1);
    expect(written().includes("\r\nUnsupported: 100rel, foo\r\n")).toBe(true);
    expect(uas.setSupported(T("timer,100rel,foo"))).toBe(true);
    expect(checkRequest(m)).toBe(PASS);
    uas.setSupported(T("timer"));
    parseBuf(m, file("test/fixtures/sip/hostile/invite-text-body.sip"));
    expect(checkRequest(m)).toBe(415);
    rejection(w.reset(), m, 415, uas, addr(tagOf("t")), 1);
    expect(written().includes("\r\nAccept: application/sdp\r\nAccept-Encoding: identity\r\n")).toBe(true);
  });

  it("a writer too small flags overflow instead of failing", () => {
    parseBuf(m, file("test/fixtures/sip/asterisk-invite.sip"));
    const small = new Writer(changetype<usize>(out), 100);
    rejection(small, m, 400);
    expect(small.ok).toBe(false);
    expect(small.len).toBeLessThanOrEqual(100);
  });
});

describe("requests", () => {
  it("the door's INVITE, built from the blocks, parses and passes the UAS checks", () => {
    const bb = new ArrayBuffer(32), tb = new ArrayBuffer(16), cb = new ArrayBuffer(24);
    const bw = new Writer(changetype<usize>(bb), 32), tw = new Writer(changetype<usize>(tb), 16), cw = new Writer(changetype<usize>(cb), 24);
    newBranch(bw); newTag(tw); newCallId(cw);
    expect(bw.len).toBe(23);
    expect(text(bw.base, 7)).toBe("z9hG4bK");
    expect(tw.len).toBe(16);
    expect(cw.len).toBe(24);
    const target = raw("sip:1002@192.168.1.2");
    const disp = raw("Front \"Door\"");
    const me = raw("sip:1001@192.168.1.2");
    const sdp = raw("v=0\r\no=- 1 1 IN IP4 192.168.1.50\r\ns=-\r\nc=IN IP4 192.168.1.50\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\n");
    w.reset();
    requestLine(w, M_INVITE, addr(target), target.byteLength);
    via(w, 0xc0a80132, 0, 0, 5060, bw.base, bw.len);
    maxForwards(w);
    nameAddr(w, H_FROM, addr(disp), disp.byteLength, addr(me), me.byteLength, tw.base, tw.len);
    nameAddr(w, H_TO, 0, 0, addr(target), target.byteLength);
    callId(w, cw.base, cw.len);
    cseq(w, 1, M_INVITE);
    contact(w, addr(raw("sip:1001@192.168.1.50:5060")), 26);
    userAgent(w);
    allow(w, uas.allow);
    supported(w);
    contentType(w, T("application/sdp"));
    end(w, addr(sdp), sdp.byteLength);
    expect(w.ok).toBe(true);
    const s = written();
    expect(s.startsWith("INVITE sip:1002@192.168.1.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.50:5060;rport;branch=z9hG4bK")).toBe(true);
    expect(s.includes("\r\nMax-Forwards: 70\r\nFrom: \"Front \\\"Door\\\"\" <sip:1001@192.168.1.2>;tag=")).toBe(true);
    expect(s.includes("\r\nTo: <sip:1002@192.168.1.2>\r\nCall-ID: ")).toBe(true);
    expect(s.includes("\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@192.168.1.50:5060>\r\nUser-Agent: sip-intercom/0.1.0\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO\r\nSupported: timer\r\nContent-Type: application/sdp\r\nContent-Length: 99\r\n\r\nv=0\r\n")).toBe(true);
    expect(reparse()).toBe(E_OK);
    expect(back.method).toBe(M_INVITE);
    expect(str(back, back.viaBranch)).toBe(text(bw.base, bw.len));
    expect(back.viaRport).toBe(0);
    expect(str(back, back.fromDisplay)).toBe("Front \\\"Door\\\"");
    expect(str(back, back.fromTag)).toBe(text(tw.base, tw.len));
    expect(str(back, back.callId)).toBe(text(cw.base, cw.len));
    expect(back.body.len).toBe(99);
    expect(checkRequest(back)).toBe(PASS);
  });

  it("branches, tags and Call-IDs differ each time", () => {
    const a = new ArrayBuffer(32), b = new ArrayBuffer(32);
    const wa = new Writer(changetype<usize>(a), 32), wb = new Writer(changetype<usize>(b), 32);
    newBranch(wa); newBranch(wb);
    expect(text(wa.base, wa.len)).not.toBe(text(wb.base, wb.len));
    newTag(wa.reset()); newTag(wb.reset());
    expect(text(wa.base, wa.len)).not.toBe(text(wb.base, wb.len));
  });

  it("reason phrases", () => {
    expect(text(w.base, reason(w.reset(), 200).len)).toBe("OK");
    expect(text(w.base, reason(w.reset(), 481).len)).toBe("Call/Transaction Does Not Exist");
    expect(text(w.base, reason(w.reset(), 499).len)).toBe("Error");
    expect(text(w.base, reason(w.reset(), 603).len)).toBe("Decline");
    expect(text(w.base, reason(w.reset(), 100).len)).toBe("Trying");
    expect(text(w.base, reason(w.reset(), 199).len)).toBe("Progress");
  });
});
