// What arrives on port 5060 from scanners, broken phones and attackers: a corpus of hostile
// datagrams (test/fixtures/sip/hostile/) with the exact parse result and decision for each, and
// generated ones: every truncation of real messages, 10,000 headers, deep comma and bracket
// floods, seeded mutations. The parser must never trap or hang and always reach a decision.
import { SipMsg, E_OK, E_CSEQ_METHOD, E_CTL, E_BARE_CR, E_HEADER_NAME, E_FROM, E_TO, E_CALL_ID, E_VIA, E_OPTION_TAGS,
  E_CONTACT, E_START_LINE, E_CSEQ, E_BODY_TRUNCATED, E_CONTENT_LENGTH, E_STATUS, E_VERSION, E_REQUEST_URI,
  E_EMPTY, E_DUPLICATE, E_TRUNCATED, E_TOO_MANY_HEADERS, E_LINE_TOO_LONG, E_NO_VIA, E_NO_CONTENT_TYPE,
  E_TOO_LONG } from "../../firmware/sip/msg";
import { checkRequest, checkResponse, checkErr, PASS, DROP } from "../../firmware/sip/validate";
import { HOST_IP6 } from "../../firmware/sip/uri";
import { SIP_MAX_HEADERS } from "../../firmware/config";
import { file, parseBuf, parseText, str, crlf, addr } from "./sip-util";

const m = new SipMsg();

function decide(): i32 { return m.isRequest ? checkRequest(m) : checkResponse(m); }

const NAMES: StaticArray<string> = [
  "nul-in-from.sip", "nul-in-unknown.sip", "nul-in-start-line.sip", "bare-lf.sip", "bare-cr.sip",
  "no-colon.sip", "colon-first.sip", "space-before-first-header.sip", "empty-from.sip", "empty-call-id.sip",
  "empty-via.sip", "empty-unknown-and-subject.sip", "empty-require.sip", "unterminated-quote.sip",
  "unterminated-angle.sip", "unterminated-quote-unknown.sip", "nested-angle.sip", "comma-contact.sip",
  "comma-via.sip", "angle-flood-unknown.sip", "invalid-utf8-display.sip", "overlong-utf8-display.sip",
  "utf8-display.sip", "utf8-unquoted-display.sip", "utf8-method.sip", "utf8-header-name.sip",
  "utf8-call-id.sip", "utf8-unknown-value.sip", "huge-cseq.sip", "cseq-2-31.sip", "cseq-max.sip",
  "huge-content-length.sip", "negative-content-length.sip", "plus-content-length.sip",
  "duplicate-content-length-same.sip", "huge-max-forwards.sip", "huge-expires.sip", "huge-via-port.sip",
  "huge-rport.sip", "huge-status.sip", "status-699.sip", "status-099.sip", "response-no-via.sip",
  "response-bad-version.sip", "ipv6.sip", "ipv6-bad-double-colon.sip", "ipv6-unterminated.sip",
  "ipv6-too-many-groups.sip", "via-unusable.sip", "via-missing.sip", "keepalive-crlf.bin",
  "leading-crlf.sip", "tls-client-hello.bin", "http-get.sip", "sipvicious-options.sip",
  "lowercase-version.sip", "duplicate-from.sip", "no-blank-line.sip", "ack-malformed.sip", "ack.sip",
  "require-100rel.sip", "require-timer.sip", "cancel-require.sip", "invite-text-body.sip",
  "invite-no-content-type.sip", "invite-gzip.sip", "invite-accept-wild.sip", "invite-accept-q0.sip",
  "invite-accept-empty.sip", "nul-in-body.sip", "tel-ruri.sip", "bad-uri-escape.sip", "bad-uri-port.sip",
  "bad-ipv4.sip", "addr-spec-with-header.sip", "date-ok.sip", "tab-everywhere.sip", "folded-headers.sip",
  "fold-at-end.sip", "percent-method.sip", "semicolon-user.sip", "utf8-reason.sip", "response-huge-cseq.sip",
  "angle-ruri.sip", "ruri-headers.sip", "spaces-in-angle.sip", "mismatch-unknown-method.sip",
  "huge-status-code.sip", "branch-cookie-only.sip", "unknown-scheme-ruri.sip",
  "require-unknown-proxy-require.sip", "unknown-content-type.sip", "multi-single-values.sip",
  "multipart-message.sip", "invite-sdp-ok.sip",
];
const PARSE: StaticArray<i32> = [
  E_CTL, E_CTL, E_CTL, E_OK, E_BARE_CR,
  E_HEADER_NAME, E_HEADER_NAME, E_HEADER_NAME, E_FROM, E_CALL_ID,
  E_VIA, E_OK, E_OPTION_TAGS, E_FROM,
  E_TO, E_OK, E_FROM, E_CONTACT,
  E_VIA, E_OK, E_FROM, E_FROM,
  E_OK, E_FROM, E_START_LINE, E_HEADER_NAME,
  E_CALL_ID, E_OK, E_CSEQ, E_CSEQ, E_OK,
  E_BODY_TRUNCATED, E_CONTENT_LENGTH, E_CONTENT_LENGTH,
  E_OK, E_OK, E_OK, E_VIA,
  E_VIA, E_START_LINE, E_OK, E_STATUS, E_OK,
  E_VERSION, E_OK, E_VIA, E_REQUEST_URI,
  E_FROM, E_VIA, E_OK, E_EMPTY,
  E_OK, E_CTL, E_START_LINE, E_OK,
  E_OK, E_DUPLICATE, E_TRUNCATED, E_FROM, E_OK,
  E_OK, E_OK, E_OK, E_OK,
  E_OK, E_OK, E_OK, E_OK,
  E_OK, E_OK, E_OK, E_REQUEST_URI, E_TO,
  E_TO, E_TO, E_OK, E_OK, E_OK,
  E_OK, E_OK, E_OK, E_OK, E_CSEQ,
  E_REQUEST_URI, E_REQUEST_URI, E_TO, E_CSEQ_METHOD,
  E_START_LINE, E_OK, E_OK,
  E_OK, E_OK, E_DUPLICATE,
  E_OK, E_OK,
];
const DECISION: StaticArray<i32> = [
  400, 400, 400, PASS, 400,
  400, 400, 400, 400, 400,
  DROP, PASS, 400, 400,
  400, PASS, 400, 400,
  400, PASS, 400, 400,
  PASS, 400, 400, 400,
  400, PASS, 400, 400, PASS,
  400, 400, 400,
  PASS, PASS, PASS, DROP,
  400, DROP, PASS, DROP, DROP,
  DROP, PASS, DROP, 400,
  400, DROP, DROP, DROP,
  PASS, DROP, DROP, PASS,
  PASS, 400, 400, DROP, PASS,
  420, PASS, PASS, 415,
  400, 415, PASS, 406,
  406, PASS, 416, 400, 400,
  400, 400, PASS, PASS, PASS,
  PASS, 501, PASS, PASS, DROP,
  400, 400, 400, 400,
  DROP, PASS, 416,
  420, 415, 400,
  405, PASS,
];

describe("hostile corpus", () => {
  it("each file gets the exact parse result and decision", () => {
    expect(NAMES.length).toBe(PARSE.length);
    expect(NAMES.length).toBe(DECISION.length);
    for (let i = 0; i < NAMES.length; i++) {
      const r = parseBuf(m, file("test/fixtures/sip/hostile/" + NAMES[i]));
      const d = decide();
      if (r != PARSE[i] || d != DECISION[i]) trace(NAMES[i], 2, <f64>r, <f64>d);
      expect(r).toBe(PARSE[i]);
      expect(d).toBe(DECISION[i]);
    }
  });

  it("keeps what it can: values of the odd but valid ones", () => {
    parseBuf(m, file("test/fixtures/sip/hostile/ipv6.sip"));
    expect(str(m, m.viaHost)).toBe("[2001:db8::9]");
    expect(m.viaPort).toBe(5062);
    expect(str(m, m.viaReceived)).toBe("2001:db8::99");
    expect(m.ruriParts.hostKind).toBe(HOST_IP6);
    expect(str(m, m.ruriParts.host)).toBe("[2001:db8::50]");
    expect(str(m, m.contactUri)).toBe("sip:scan@[::ffff:192.0.2.9]:5062");
    parseBuf(m, file("test/fixtures/sip/hostile/cseq-max.sip"));
    expect(m.cseq).toBe(2147483647);
    parseBuf(m, file("test/fixtures/sip/hostile/huge-max-forwards.sip"));
    expect(m.maxForwards).toBe(0x7fffffff);
    parseBuf(m, file("test/fixtures/sip/hostile/huge-expires.sip"));
    expect(m.expires).toBe(3600);
    parseBuf(m, file("test/fixtures/sip/hostile/folded-headers.sip"));
    expect(str(m, m.fromTag)).toBe("f1");
    expect(str(m, m.fromUri)).toBe("sip:scan@192.0.2.9");
    parseBuf(m, file("test/fixtures/sip/hostile/utf8-display.sip"));
    expect(str(m, m.fromDisplay)).toBe("Müller €");
    parseBuf(m, file("test/fixtures/sip/hostile/via-missing.sip"));
    checkRequest(m);
    expect(checkErr).toBe(E_NO_VIA);
    parseBuf(m, file("test/fixtures/sip/hostile/invite-no-content-type.sip"));
    checkRequest(m);
    expect(checkErr).toBe(E_NO_CONTENT_TYPE);
    parseBuf(m, file("test/fixtures/sip/hostile/nul-in-body.sip"));
    expect(m.body.len).toBe(4);
    parseBuf(m, file("test/fixtures/sip/hostile/comma-via.sip"));
    expect(str(m, m.viaBranch)).toBe("z9hG4bKa");
  });
});

/** Every prefix of a real message: never E_OK, always DROP or 400 (400 exactly when the top Via
 *  was complete enough to answer), and the full message passes. */
function truncations(path: string, pass: i32): void {
  const b = file(path);
  const n = b.byteLength;
  let answered = 0;
  for (let k = 0; k < n; k++) {
    const r = m.parse(addr(b), k);
    const d = decide();
    expect(r).not.toBe(E_OK);
    if (m.isRequest) {
      expect(d == 400 || d == DROP).toBe(true);
      expect(d == 400).toBe(m.viaUsable && r != E_EMPTY);
      if (d == 400) answered++;
    } else expect(d).toBe(DROP);
  }
  expect(m.parse(addr(b), n)).toBe(E_OK);
  expect(decide()).toBe(pass);
  if (m.isRequest) expect(answered).toBeGreaterThan(n / 2);
}

describe("truncation at every byte", () => {
  it("of an INVITE with SDP", () => { truncations("test/fixtures/sip/asterisk-invite.sip", PASS); });
  it("of a 200 OK", () => { truncations("test/fixtures/sip/kamailio-200-invite.sip", PASS); });
  it("of wsinv (folded values)", () => { truncations("../shared/sip-torture/wsinv.dat", PASS); });
});

const HEAD = "OPTIONS sip:door@192.0.2.50 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK7\n";
const TAIL = "From: <sip:a@192.0.2.9>;tag=1\nTo: <sip:door@192.0.2.50>\nCall-ID: x\nCSeq: 1 OPTIONS\n\n";

describe("floods", () => {
  it("10,000 headers: indexed up to the limit, still answered", () => {
    let s = HEAD;
    for (let i = 0; i < 10000; i++) s += "X:1\n";
    expect(parseText(m, s + TAIL)).toBe(E_TOO_MANY_HEADERS);
    expect(m.hdrCount).toBe(SIP_MAX_HEADERS);
    expect(str(m, m.callId)).toBe("x");
    expect(decide()).toBe(400);
  });

  it("a 3,000-byte header line", () => {
    expect(parseText(m, HEAD + "X-Long: " + "a".repeat(3000) + "\n" + TAIL)).toBe(E_LINE_TOO_LONG);
    expect(decide()).toBe(400);
  });

  it("1,000 Via values in 25 headers and 300 Route entries in 6", () => {
    let s = "OPTIONS sip:door@192.0.2.50 SIP/2.0\n";
    for (let h = 0; h < 25; h++) {
      s += "Via: ";
      for (let i = 0; i < 40; i++) {
        const k = (h * 40 + i).toString();
        s += (i > 0 ? "," : "") + "SIP/2.0/UDP h" + k + ".example;branch=z9hG4bK" + k;
      }
      s += "\n";
    }
    for (let h = 0; h < 6; h++) {
      s += "Route: <sip:p0.example;lr>";
      for (let i = 1; i < 50; i++) s += ", <sip:p" + i.toString() + ".example;lr>";
      s += "\n";
    }
    expect(parseText(m, s + TAIL)).toBe(E_OK);
    expect(m.viaCount).toBe(1000);
    expect(str(m, m.viaHost)).toBe("h0.example");
    expect(decide()).toBe(PASS);
  });

  it("a datagram over SIP_MAX_MSG is refused before reading it", () => {
    expect(m.parse(addr(crlf(HEAD)), 70000)).toBe(E_TOO_LONG);
    expect(decide()).toBe(DROP);
  });
});

describe("seeded mutations of a real INVITE", () => {
  it("never trap and always decide", () => {
    const src = file("test/fixtures/sip/asterisk-invite.sip");
    const n = src.byteLength;
    const buf = new ArrayBuffer(n + 64);
    const p = addr(buf);
    const alphabet = "\r\n \t\"<>;,:=@%\\\x00\xff/[]";
    let seed: u32 = 0x2545f491;
    let passed = 0, rejected = 0, dropped = 0;
    for (let round = 0; round < 3000; round++) {
      memory.copy(p, addr(src), <usize>n);
      let len = n;
      const edits = 1 + <i32>(seed % 4);
      for (let e = 0; e < edits; e++) {
        seed = seed * 1664525 + 1013904223;
        const at = <i32>((seed >>> 8) % <u32>len);
        seed = seed * 1664525 + 1013904223;
        const c = alphabet.charCodeAt(<i32>((seed >>> 8) % <u32>alphabet.length));
        const op = (seed >>> 4) & 3;
        if (op == 0 && len < n + 60) {       // insert
          memory.copy(p + <usize>at + 1, p + <usize>at, <usize>(len - at));
          store<u8>(p + <usize>at, <u8>c);
          len++;
        } else if (op == 1 && len > 1) {     // delete
          memory.copy(p + <usize>at, p + <usize>at + 1, <usize>(len - at - 1));
          len--;
        } else store<u8>(p + <usize>at, <u8>c);
      }
      m.parse(p, len);
      const d = decide();
      if (d == PASS) passed++; else if (d == DROP) dropped++; else rejected++;
      expect(d == PASS || d == DROP || d == 400 || d == 505 || d == 501 || d == 405 || d == 416 ||
        d == 420 || d == 406 || d == 415).toBe(true);
    }
    expect(passed + rejected + dropped).toBe(3000);
    expect(rejected).toBeGreaterThan(1000);
  });
});
