// Messages as real peers send them (test/fixtures/sip/: Asterisk, kamailio, baresip, FRITZ!Box,
// Linphone, Yealink, Grandstream): every field the UA uses, checked exactly.
import { SipMsg, Span, ListIter, ContactIter, ValueIter, M_INVITE, M_BYE, M_OPTIONS, M_REGISTER, M_NOTIFY, H_VIA, H_RECORD_ROUTE,
  H_ALLOW, H_SUPPORTED, H_SESSION_EXPIRES, H_AUTHORIZATION, H_WWW_AUTHENTICATE, H_PROXY_AUTHENTICATE,
  H_EVENT, H_SUBSCRIPTION_STATE, H_CONTENT_TYPE, H_USER_AGENT, H_SERVER, H_OTHER, E_OK, H_REFERRED_BY,
  H_CONTENT_ENCODING, H_FROM, H_CALL_ID, H_CONTENT_LENGTH, H_CONTACT, H_REFER_TO, H_SUBJECT, H_TO, H_ALLOW_EVENTS,
  headerId } from "../../firmware/sip/msg";
import { checkRequest, checkResponse, uas, PASS } from "../../firmware/sip/validate";
import { Params } from "../../firmware/sip/params";
import { S_SIP, HOST_IP4, HOST_NAME } from "../../firmware/sip/uri";
import { M_NOTIFY as NOTIFY } from "../../firmware/sip/headers";
import { SipUri } from "../../firmware/sip/uri";
import { NameAddr } from "../../firmware/sip/nameaddr";
import { Challenge } from "../../firmware/sip/digest";
import { T } from "../../firmware/sys/text";
import { file, parseBuf, parseText, str, hval, raw, addr } from "./sip-util";

const DIR = "test/fixtures/sip/";
const m = new SipMsg();
const it_ = new ListIter();
const sp = new Span();

function load(name: string): i32 { return parseBuf(m, file(DIR + name)); }

/** The comma-separated elements of header i, joined with "|". */
function items(i: i32): string {
  it_.begin(m.base, m.hdrValueOff(i), m.hdrValueLen(i));
  let s = "";
  while (it_.next()) s += (s.length > 0 ? "|" : "") + str(m, it_.item);
  return s;
}

describe("requests from real peers", () => {
  it("Asterisk INVITE with SDP", () => {
    expect(load("asterisk-invite.sip")).toBe(E_OK);
    expect(m.isRequest).toBe(true);
    expect(m.method).toBe(M_INVITE);
    expect(str(m, m.ruri)).toBe("sip:door@192.168.1.50:5060");
    expect(m.ruriParts.scheme).toBe(S_SIP);
    expect(str(m, m.ruriParts.user)).toBe("door");
    expect(m.ruriParts.hostKind).toBe(HOST_IP4);
    expect(m.ruriParts.port).toBe(5060);
    expect(m.viaCount).toBe(1);
    expect(str(m, m.viaHost)).toBe("192.168.1.10");
    expect(m.viaPort).toBe(5060);
    expect(m.viaRport).toBe(0);
    expect(str(m, m.viaRportAt)).toBe("rport");
    expect(str(m, m.viaBranch)).toBe("z9hG4bKPj6d8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
    expect(str(m, m.fromDisplay)).toBe("Reception");
    expect(str(m, m.fromUri)).toBe("sip:100@192.168.1.10");
    expect(str(m, m.fromTag)).toBe("8f0e3c2a-1b4d-4f6a-9c7e-2d5b8a1f3e60");
    expect(str(m, m.toUri)).toBe("sip:door@192.168.1.50");
    expect(m.toTag.len).toBe(0);
    expect(str(m, m.contactUri)).toBe("sip:asterisk@192.168.1.10:5060");
    expect(m.contactExpires).toBe(-1);
    expect(str(m, m.callId)).toBe("5a2c7e1f-9b3d-4c8a-b6e0-1f4d7a9c2e58");
    expect(m.cseq).toBe(27014);
    expect(m.maxForwards).toBe(70);
    expect(str(m, m.contentType)).toBe("application/sdp");
    expect(m.contentLength).toBe(261);
    expect(m.body.len).toBe(261);
    expect(m.body.off + m.body.len).toBe(m.len);
    expect(str(m, sp.set(m.body.off, 4))).toBe("v=0\r");
    expect(m.hdrCount).toBe(14);
    expect(items(m.find(H_SUPPORTED))).toBe("100rel|timer|replaces|norefersub");
    expect(hval(m, m.find(H_SESSION_EXPIRES))).toBe("1800");
    expect(hval(m, m.find(H_USER_AGENT))).toBe("Asterisk PBX 18.20.0");
    expect(checkRequest(m)).toBe(PASS);
  });

  it("baresip INVITE through kamailio: two Vias, Record-Route, received/rport", () => {
    expect(load("baresip-invite-via-kamailio.sip")).toBe(E_OK);
    expect(m.viaCount).toBe(2);
    expect(str(m, m.viaHost)).toBe("192.168.1.2");
    expect(m.viaPort).toBe(0);
    expect(m.viaRport).toBe(-1);
    expect(str(m, m.viaBranch)).toBe("z9hG4bK4c8e.2a7f5b0d3e6e1c9a8f7b6d5c4e3a2f10.0");
    const v2 = m.find(H_VIA, m.find(H_VIA));
    expect(hval(m, v2)).toBe("SIP/2.0/UDP 192.168.1.33:5060;received=192.168.1.33;rport=5060;branch=z9hG4bKd3b5e8c1a6f24e07");
    expect(hval(m, m.find(H_RECORD_ROUTE))).toBe("<sip:192.168.1.2;lr;ftag=2f6a1d0b9c33ae71>");
    expect(m.ruriParts.param(m.base, T("transport"), sp)).toBe(true);
    expect(str(m, sp)).toBe("udp");
    expect(str(m, m.fromDisplay)).toBe("Alice");
    expect(str(m, m.contactUri)).toBe("sip:1002-0x55d1e2c3a4b0@192.168.1.33:5060");
    expect(m.maxForwards).toBe(69);
    expect(items(m.find(H_ALLOW))).toBe("INVITE|ACK|BYE|CANCEL|OPTIONS|NOTIFY|SUBSCRIBE|INFO|MESSAGE|UPDATE");
    expect(checkRequest(m)).toBe(PASS);
  });

  it("FRITZ!Box INVITE", () => {
    expect(load("fritzbox-invite.sip")).toBe(E_OK);
    expect(str(m, m.ruriParts.user)).toBe("620");
    expect(str(m, m.ruriParts.params)).toBe("uniq=3F7B9C1A2E4D6F80");
    expect(str(m, m.fromUri)).toBe("sip:**611@fritz.box");
    expect(str(m, m.fromDisplay)).toBe("Wohnzimmer");
    expect(str(m, m.callId)).toBe("4E8A2C6B1D3F5907@192.168.178.1");
    expect(m.cseq).toBe(5001);
    expect(m.body.len).toBe(m.contentLength);
    expect(checkRequest(m)).toBe(PASS);
  });

  it("Linphone INVITE: addr-spec To, Contact parameters with quoted <...>", () => {
    expect(load("linphone-invite.sip")).toBe(E_OK);
    expect(str(m, m.toUri)).toBe("sip:door@192.168.1.50");
    expect(str(m, m.viaBranch)).toBe("z9hG4bK.Xq3cM7b1R");
    expect(m.viaRport).toBe(0);
    expect(str(m, m.contactUri)).toBe("sip:bob@192.168.1.34;transport=udp");
    expect(m.contactExpires).toBe(3600);
    expect(m.contactCount).toBe(1);
    expect(str(m, m.callId)).toBe("8xq7Fq4p-T");
    expect(checkRequest(m)).toBe(PASS);
  });

  it("Yealink REGISTER with Authorization", () => {
    expect(load("yealink-register.sip")).toBe(E_OK);
    expect(m.method).toBe(M_REGISTER);
    expect(str(m, m.ruri)).toBe("sip:pbx.example.com");
    expect(m.ruriParts.hostKind).toBe(HOST_NAME);
    expect(str(m, m.toDisplay)).toBe("Office");
    expect(m.expires).toBe(3600);
    expect(m.viaPort).toBe(5062);
    expect(str(m, m.contactUri)).toBe("sip:201@192.168.1.60:5062");
    const a = m.find(H_AUTHORIZATION);
    expect(a).toBe(6);
    expect(m.hdrValueLen(a)).toBe(237);
    expect(m.body.len).toBe(0);
    // a UA is not a registrar
    expect(checkRequest(m)).toBe(405);
  });

  it("Grandstream BYE", () => {
    expect(load("grandstream-bye.sip")).toBe(E_OK);
    expect(m.method).toBe(M_BYE);
    expect(str(m, m.toTag)).toBe("5b8e0c2a7f3d1964");
    expect(str(m, m.fromTag)).toBe("1184632092");
    expect(str(m, m.callId)).toBe("1739027417-5060-3@BJC.BGI.B.BHA");
    expect(m.viaRport).toBe(0);
    expect(str(m, m.viaBranch)).toBe("z9hG4bK1496815530");
    expect(checkRequest(m)).toBe(PASS);
  });

  it("kamailio keep-alive OPTIONS without Max-Forwards", () => {
    expect(load("kamailio-options.sip")).toBe(E_OK);
    expect(m.method).toBe(M_OPTIONS);
    expect(m.maxForwards).toBe(-1);
    expect(str(m, m.fromUri)).toBe("sip:pinger@kamailio.org");
    expect(str(m, m.fromTag)).toBe("uloc-5f3b1c2a-1d0-2-7a8b9c0d-d3e4f5a6");
    expect(str(m, m.toUri)).toBe("sip:192.168.1.50:5060");
    expect(checkRequest(m)).toBe(PASS);
  });

  it("Asterisk MWI NOTIFY: 405 until the UA allows NOTIFY", () => {
    expect(load("asterisk-notify-mwi.sip")).toBe(E_OK);
    expect(m.method).toBe(M_NOTIFY);
    expect(hval(m, m.find(H_EVENT))).toBe("message-summary");
    expect(hval(m, m.find(H_SUBSCRIPTION_STATE))).toBe("terminated");
    expect(str(m, m.contentType)).toBe("application/simple-message-summary");
    expect(m.body.len).toBe(89);
    expect(checkRequest(m)).toBe(405);
    uas.allow |= 1 << NOTIFY;
    expect(checkRequest(m)).toBe(PASS);
    uas.allow &= ~(1 << NOTIFY);
  });
});

describe("responses from real peers", () => {
  it("kamailio 100 trying", () => {
    expect(load("kamailio-100-trying.sip")).toBe(E_OK);
    expect(m.isRequest).toBe(false);
    expect(m.status).toBe(100);
    expect(str(m, m.reason)).toBe("trying -- your call is important to us");
    expect(m.cseqMethod).toBe(M_INVITE);
    expect(checkResponse(m)).toBe(PASS);
  });

  it("180 and 200 with Record-Route and SDP", () => {
    expect(load("kamailio-180-ringing.sip")).toBe(E_OK);
    expect(m.status).toBe(180);
    expect(str(m, m.reason)).toBe("Ringing");
    expect(str(m, m.toTag)).toBe("9b1e6f30d2a84c57");
    expect(load("kamailio-200-invite.sip")).toBe(E_OK);
    expect(m.status).toBe(200);
    expect(str(m, m.viaReceived)).toBe("192.168.1.50");
    expect(m.viaRport).toBe(5060);
    expect(str(m, m.viaRportAt)).toBe("rport=5060");
    expect(str(m, m.viaBranch)).toBe("z9hG4bK1f2e3d4c5b6a7988");
    expect(hval(m, m.find(H_RECORD_ROUTE))).toBe("<sip:192.168.1.2;lr>");
    expect(str(m, m.contactUri)).toBe("sip:1002-0x55d1e2c3a4b0@192.168.1.33:5060");
    expect(str(m, m.fromTag)).toBe("a3f9c1e7b5d20486");
    expect(m.cseq).toBe(2);
    expect(m.cseqMethod).toBe(M_INVITE);
    expect(m.body.len).toBe(m.contentLength);
    expect(checkResponse(m)).toBe(PASS);
  });

  it("401 and 407 challenges", () => {
    expect(load("kamailio-401.sip")).toBe(E_OK);
    expect(m.status).toBe(401);
    expect(hval(m, m.find(H_WWW_AUTHENTICATE))).toBe("Digest realm=\"127.0.0.1\", nonce=\"ZP5qXWT+aTEOaZkNm1j1lOEh2Ajn2ycc\", qop=\"auth\"");
    expect(str(m, m.toTag)).toBe("b27e1a1d33761e85846fc98f5f3a7e58.8e3a");
    expect(hval(m, m.find(H_SERVER))).toBe("kamailio (5.6.3 (x86_64/linux))");
    expect(checkResponse(m)).toBe(PASS);
    expect(load("asterisk-407.sip")).toBe(E_OK);
    expect(m.status).toBe(407);
    expect(m.find(H_PROXY_AUTHENTICATE)).toBe(5);
    expect(m.contentLength).toBe(0);
    expect(checkResponse(m)).toBe(PASS);
  });
});

describe("values of multi-valued headers", () => {
  it("ValueIter walks every value of every header with an id, respecting quotes and <>", () => {
    expect(parseText(m, "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n" +
      "Record-Route: <sip:p1;lr>, \"a,b\" <sip:p2;lr>;x=\"q,r\"\nSupported: timer\nRecord-Route: <sip:p3,x@h;lr>\nSupported:\nSupported: 100rel , replaces\n\n")).toBe(E_OK);
    const vi = new ValueIter();
    let s = "";
    vi.begin(m, H_RECORD_ROUTE);
    while (vi.next()) s += str(m, vi.item) + "|";
    expect(s).toBe("<sip:p1;lr>|\"a,b\" <sip:p2;lr>;x=\"q,r\"|<sip:p3,x@h;lr>|");
    s = "";
    vi.begin(m, H_SUPPORTED);
    while (vi.next()) s += str(m, vi.item) + "@" + vi.header.toString() + "|";
    expect(s).toBe("timer@6|100rel@9|replaces@9|");
  });
});

describe("contacts", () => {
  it("a registrar's 200 lists every binding: ContactIter walks them all", () => {
    expect(load("kamailio-200-register.sip")).toBe(E_OK);
    expect(m.contactCount).toBe(3);
    expect(str(m, m.contactUri)).toBe("sip:1001@192.168.1.60:5062");
    expect(m.contactExpires).toBe(1800);
    const ci = new ContactIter().begin(m);
    let s = "";
    while (ci.next()) s += str(m, ci.uri) + " " + ci.expires.toString() + " [" + str(m, ci.display) + "]|";
    expect(s).toBe("sip:1001@192.168.1.60:5062 1800 []|sip:1001@192.168.1.50:5060 3600 []|sip:1001@10.0.0.7:5060;transport=udp 12 [Old phone]|");
    expect(checkResponse(m)).toBe(PASS);
  });

  it("Contact: * and a received parameter in brackets", () => {
    expect(parseText(m, "REGISTER sip:b SIP/2.0\nVia: SIP/2.0/UDP [2001:db8::9];received=[2001:db8::7];branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 2 REGISTER\nContact: *\nExpires: 0\n\n")).toBe(E_OK);
    expect(m.contactStar).toBe(true);
    expect(m.contactCount).toBe(0);
    expect(m.expires).toBe(0);
    expect(str(m, m.viaReceived)).toBe("[2001:db8::7]");
    expect(new ContactIter().begin(m).next()).toBe(false);
  });
});

describe("header names", () => {
  it("are case-insensitive, compact forms map, unknown ones are H_OTHER", () => {
    const b = raw("VIA v ConTent-TYPE c X-Via Content-Lengthy i T To Session-Expires x");
    const p = addr(b);
    expect(headerId(p, 3)).toBe(H_VIA);
    expect(headerId(p + 4, 1)).toBe(H_VIA);
    expect(headerId(p + 6, 12)).toBe(H_CONTENT_TYPE);
    expect(headerId(p + 19, 1)).toBe(H_CONTENT_TYPE);
    expect(headerId(p + 21, 5)).toBe(H_OTHER);
    expect(headerId(p + 27, 15)).toBe(H_OTHER);
    expect(headerId(p + 45, 1)).toBe(H_OTHER + 3);   // t = To
    expect(headerId(p + 47, 2)).toBe(H_OTHER + 3);
    expect(headerId(p + 50, 15)).toBe(H_SESSION_EXPIRES);
    expect(headerId(p + 66, 1)).toBe(H_SESSION_EXPIRES);
  });

  it("header parameters scan with LWS, quotes and case", () => {
    expect(parseText(m, "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@b> ; TAG = \"x;y\" ;lr\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n\n")).not.toBe(E_OK);
    expect(parseText(m, "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@b> ; TAG = x ;lr;q=\"a,b;c\"\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n\n")).toBe(E_OK);
    expect(str(m, m.fromTag)).toBe("x");
    const ps = new Params();
    const i = m.find(2);
    const p = m.base + <usize>m.hdrValueOff(i);
    ps.begin(m.base, p + 9, p + <usize>m.hdrValueLen(i));
    let names = "";
    while (ps.next()) names += str(m, sp.set(ps.nameOff, ps.nameLen)) + "=" + str(m, sp.set(ps.valOff, ps.valLen)) + (ps.quoted ? "Q" : "") + " ";
    expect(ps.err).toBe(false);
    expect(names).toBe("TAG=x lr= q=a,b;cQ ");
  });
});

describe("layout", () => {
  it("the fields parse() resets in blocks and the span blocks are where the code expects them", () => {
    // SipMsg: base, len, ruriParts, hdrs; 7 fields reset to -1 from byte 16; zeros from byte 44
    expect(offsetof<SipMsg>("viaRport")).toBe(16);
    expect(offsetof<SipMsg>("errHdr")).toBe(16 + 24);
    expect(offsetof<SipMsg>("isRequest")).toBe(44);
    expect(offsetof<SipMsg>("methodName")).toBe(offsetof<SipMsg>() - 20 * 4);
    expect(offsetof<SipMsg>("body")).toBe(offsetof<SipMsg>() - 4);
    expect(offsetof<SipUri>("all")).toBe(offsetof<SipUri>() - 6 * 4);
    expect(offsetof<SipUri>("lr")).toBe(12);                          // clear() zeroes 13 bytes
    expect(offsetof<NameAddr>("uri")).toBe(offsetof<NameAddr>() - 2 * 4);
    expect(offsetof<Challenge>("realm")).toBe(offsetof<Challenge>() - 3 * 4);
    // a parse resets every field: fill with garbage, parse a minimal request, read back
    const junk = new SipMsg();
    memory.fill(changetype<usize>(junk) + 16, 0x5a, offsetof<SipMsg>() - 16 - 80);
    memory.fill(changetype<usize>(junk.methodName), 0x5a, 20 * 8);    // the span block
    expect(parseText(junk, "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n\n")).toBe(E_OK);
    expect(junk.viaRport).toBe(-1);
    expect(junk.viaTopEnd).toBe(junk.hdrValueOff(0) + junk.hdrValueLen(0));
    expect(junk.contactExpires).toBe(-1);
    expect(junk.expires).toBe(-1);
    expect(junk.maxForwards).toBe(-1);
    expect(junk.contentLength).toBe(-1);
    expect(junk.errHdr).toBe(-1);
    expect(junk.contactStar).toBe(false);
    expect(junk.contactCount).toBe(0);
    expect(junk.status).toBe(0);
    expect(junk.viaPort).toBe(0);
    expect(junk.toTag.len).toBe(0);
    expect(junk.toDisplay.len).toBe(0);
    expect(junk.contactUri.len).toBe(0);
    expect(junk.viaReceived.len).toBe(0);
    expect(junk.viaRportAt.len).toBe(0);
    expect(junk.reason.len).toBe(0);
    expect(junk.contentType.len).toBe(0);
    expect(junk.seen).toBe(<u64>((1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)));
  });

  it("compact forms map to their headers", () => {
    const b = raw("bceFIKLMorsTuvxa");
    const ids: StaticArray<i32> = [H_REFERRED_BY, H_CONTENT_TYPE, H_CONTENT_ENCODING, H_FROM, H_CALL_ID, H_SUPPORTED,
      H_CONTENT_LENGTH, H_CONTACT, H_EVENT, H_REFER_TO, H_SUBJECT, H_TO, H_ALLOW_EVENTS, H_VIA, H_SESSION_EXPIRES, H_OTHER];
    for (let i = 0; i < 16; i++) expect(headerId(addr(b) + <usize>i, 1)).toBe(ids[i]);
  });
});
