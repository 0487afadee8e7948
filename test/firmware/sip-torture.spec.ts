// RFC 4475 torture messages (../shared/sip-torture, read as datagrams): every one gets the exact
// parse result and the exact UAS decision; the valid ones are also checked field by field.
import { SipMsg, M_OTHER, M_INVITE, M_OPTIONS, M_REGISTER, H_ROUTE, H_SUBJECT, E_OK, E_VIA, E_BODY_TRUNCATED,
  E_CONTENT_LENGTH, E_CSEQ, E_TO, E_REQUEST_URI, E_START_LINE, E_DATE, E_CONTACT, E_FROM, E_VERSION,
  E_CSEQ_METHOD, E_CONTENT_LENGTH_CONFLICT, E_NO_FROM } from "../../firmware/sip/msg";
import { checkRequest, checkResponse, checkErr, PASS } from "../../firmware/sip/validate";
import { file, parseBuf, str, hval } from "./sip-util";

const DIR = "../shared/sip-torture/";
const m = new SipMsg();

function load(name: string): i32 { return parseBuf(m, file(DIR + name + ".dat")); }

function decide(): i32 { return m.isRequest ? checkRequest(m) : checkResponse(m); }

// name, parse result, decision (0 = handed to the application)
const NAMES: StaticArray<string> = [
  "wsinv", "intmeth", "esc01", "escnull", "lwsdisp", "longreq", "dblreq", "transports", "noreason",
  "badinv01", "clerr", "ncl", "scalar02", "quotbal", "lwsruri", "lwsstart", "trws", "baddate",
  "regbadct", "baddn", "badvers", "mismatch01",
  "insuf", "novelsc", "unksm2", "regaut01", "mcl01", "zeromf", "cparam01", "cparam02", "regescrt",
  "sdp01", "inv2543",
];
const PARSE: StaticArray<i32> = [
  E_OK, E_OK, E_OK, E_OK, E_OK, E_OK, E_OK, E_OK, E_OK,
  E_VIA, E_BODY_TRUNCATED, E_CONTENT_LENGTH, E_CSEQ, E_TO, E_REQUEST_URI, E_START_LINE, E_START_LINE, E_DATE,
  E_CONTACT, E_FROM, E_VERSION, E_CSEQ_METHOD,
  E_OK, E_OK, E_OK, E_OK, E_CONTENT_LENGTH_CONFLICT, E_OK, E_OK, E_OK, E_OK,
  E_OK, E_OK,
];
// REGISTER gets 405 (this UA is not a registrar); intmeth's method is unknown: 501 with Allow.
const DECISION: StaticArray<i32> = [
  PASS, 501, PASS, 405, PASS, PASS, 405, PASS, PASS,
  400, 400, 400, 400, 400, 400, 400, 400, 400,
  400, 400, 505, 400,
  400, 416, 405, 405, 400, PASS, 405, 405, 405,
  406, PASS,
];

describe("RFC 4475 torture messages", () => {
  it("each gets the exact parse result and decision", () => {
    expect(NAMES.length).toBe(33);
    for (let i = 0; i < NAMES.length; i++) {
      const r = load(NAMES[i]);
      const d = decide();
      if (r != PARSE[i] || d != DECISION[i]) trace(NAMES[i], 2, <f64>r, <f64>d);
      expect(r).toBe(PARSE[i]);
      expect(d).toBe(DECISION[i]);
    }
  });

  it("valid requests are never answered 400", () => {
    for (let i = 0; i < 9; i++) {
      load(NAMES[i]);
      expect(decide()).not.toBe(400);
    }
  });

  it("wsinv: folding, escaped quotes, odd LWS, leading zeros", () => {
    expect(load("wsinv")).toBe(E_OK);
    expect(m.method).toBe(M_INVITE);
    expect(str(m, m.ruri)).toBe("sip:vivekg@chair-dnrc.example.com;unknownparam");
    expect(str(m, m.toUri)).toBe("sip:vivekg@chair-dnrc.example.com");
    expect(str(m, m.toTag)).toBe("1918181833n");
    expect(str(m, m.fromDisplay)).toBe("J Rosenberg \\\\\\\"");
    expect(str(m, m.fromUri)).toBe("sip:jdrosen@example.com");
    expect(str(m, m.fromTag)).toBe("98asjd8");
    expect(m.maxForwards).toBe(68);
    expect(m.cseq).toBe(9);
    expect(str(m, m.cseqMethodName)).toBe("INVITE");
    expect(str(m, m.callId)).toBe("wsinv.ndaksdj@192.0.2.1");
    expect(m.viaCount).toBe(3);
    expect(str(m, m.viaTransport)).toBe("UDP");
    expect(str(m, m.viaHost)).toBe("192.0.2.2");
    expect(str(m, m.viaBranch)).toBe("390skdjuw");
    expect(m.viaRport).toBe(-1);
    expect(str(m, m.contactUri)).toBe("sip:jdrosen@example.com");
    expect(m.contentLength).toBe(150);
    expect(m.body.len).toBe(150);
    expect(str(m, m.contentType)).toBe("application/sdp");
    expect(m.hdrCount).toBe(14);
    const s = m.find(H_SUBJECT);
    expect(s).toBe(7);
    expect(m.hdrValueLen(s)).toBe(0);
    expect(hval(m, m.find(H_ROUTE))).toBe("<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
  });

  it("intmeth: unusual but valid characters everywhere", () => {
    expect(load("intmeth")).toBe(E_OK);
    expect(m.method).toBe(M_OTHER);
    expect(str(m, m.methodName)).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(str(m, m.cseqMethodName)).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(m.ruriParts.user.len).toBe(48);
    expect(str(m, m.ruriParts.password)).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(str(m, m.ruriParts.host)).toBe("example.com");
    expect(str(m, m.callId)).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    expect(str(m, m.fromDisplay)).toBe("token1~` token2'+_ token3*%!.-");
    expect(str(m, m.fromTag)).toBe("_token~1'+`*%!-.");
    expect(m.viaBranch.len).toBe(19);
    expect(m.maxForwards).toBe(255);
  });

  it("escaped URIs and contacts", () => {
    expect(load("esc01")).toBe(E_OK);
    expect(str(m, m.ruriParts.user)).toBe("sips%3Auser%40example.com");
    expect(str(m, m.ruriParts.host)).toBe("example.net");
    expect(str(m, m.contactUri)).toBe("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
    expect(load("escnull")).toBe(E_OK);
    expect(m.contactCount).toBe(2);
    expect(str(m, m.contactUri)).toBe("sip:%00@host5.example.com");
  });

  it("display name without LWS before <, long values, many Vias", () => {
    expect(load("lwsdisp")).toBe(E_OK);
    expect(str(m, m.fromDisplay)).toBe("caller");
    expect(str(m, m.fromUri)).toBe("sip:caller@example.com");
    expect(load("longreq")).toBe(E_OK);
    expect(m.viaCount).toBe(34);
    expect(str(m, m.viaHost)).toBe("sip33.example.com");
    expect(str(m, m.viaTransport)).toBe("TCP");
    expect(m.toDisplay.len).toBe(103);
    expect(m.fromTag.len).toBe(155);
    expect(m.body.len).toBe(150);
  });

  it("dblreq: octets after Content-Length are ignored", () => {
    expect(load("dblreq")).toBe(E_OK);
    expect(m.method).toBe(M_REGISTER);
    expect(m.contentLength).toBe(0);
    expect(m.body.len).toBe(0);
    expect(str(m, m.callId)).toBe("dblreq.0ha0isndaksdj99sdfafnl3lk233412");
    expect(m.hdrCount).toBe(8);
  });

  it("transports, empty reason phrase, Max-Forwards 0, RFC 2543 syntax", () => {
    expect(load("transports")).toBe(E_OK);
    expect(m.viaCount).toBe(5);
    expect(load("noreason")).toBe(E_OK);
    expect(m.isRequest).toBe(false);
    expect(m.status).toBe(100);
    expect(m.reason.len).toBe(0);
    expect(str(m, m.toTag)).toBe("902jndnke3");
    expect(load("zeromf")).toBe(E_OK);
    expect(m.method).toBe(M_OPTIONS);
    expect(m.maxForwards).toBe(0);
    expect(load("inv2543")).toBe(E_OK);
    expect(m.viaBranch.len).toBe(0);
    expect(m.fromTag.len).toBe(0);
    expect(m.maxForwards).toBe(-1);
    expect(m.contentLength).toBe(-1);
    expect(m.body.len).toBe(<i32>m.len - m.body.off);
  });

  it("scalar02: overlarge values", () => {
    expect(load("scalar02")).toBe(E_CSEQ);
    expect(m.maxForwards).toBe(300);
    expect(m.expires).toBe(3600);
    expect(m.contactExpires).toBe(3600);
  });

  it("insuf: the 400 names what is missing", () => {
    load("insuf");
    expect(checkRequest(m)).toBe(400);
    expect(checkErr).toBe(E_NO_FROM);
  });

  it("contact parameters vs URI parameters", () => {
    load("cparam01");
    expect(str(m, m.contactUri)).toBe("sip:+19725552222@gw1.example.net");
    load("cparam02");
    expect(str(m, m.contactUri)).toBe("sip:+19725552222@gw1.example.net;unknownparam");
    load("regescrt");
    expect(str(m, m.contactUri)).toBe("sip:user@example.com?Route=%3Csip:sip.example.com%3E");
    load("unksm2");
    expect(str(m, m.toUri)).toBe("isbn:2983792873");
    expect(str(m, m.contactUri)).toBe("name:John_Smith");
  });
});
