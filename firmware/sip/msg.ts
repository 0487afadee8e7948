// SIP message parsing (RFC 3261 7, 18.3, 20; RFC 4475): one pass over a received datagram, in
// place. It indexes every header field (name, value, id), parses the values a user agent needs
// (start line, Via, From, To, Call-ID, CSeq, Contact, Max-Forwards, Expires, Content-Length,
// Content-Type) into spans, and checks the syntax of the headers that decide how a request is
// answered (Route, Record-Route, Require, Supported, Content-Encoding, Date). Unknown headers are
// only framed. Nothing allocates after the SipMsg is constructed (at start-up).
//
// Spans are fields of preallocated Span objects, offsets relative to `base`; a SipMsg stays
// valid as long as the bytes it was parsed over. See docs/sip-parser.md.
import { SIP_MAX_HEADERS, SIP_MAX_LINE, SIP_MAX_MSG } from "../config";
import { C_TOKEN, C_DIGIT, C_WORD, scanLine, lineErr, skipWs, trimEnd, skipClass, digits, deltaSeconds, Span } from "./scan";
import { headerId, methodId, tokenList, dateOk, ListIter, M_OTHER, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_CONTACT, H_MAX_FORWARDS,
  H_CONTENT_LENGTH, H_CONTENT_TYPE, H_EXPIRES, H_ROUTE, H_RECORD_ROUTE, H_REQUIRE, H_SUPPORTED,
  H_UNSUPPORTED, H_CONTENT_ENCODING, H_DATE } from "./headers";
import { E_OK, E_EMPTY, E_TOO_LONG, E_START_LINE, E_REQUEST_URI, E_STATUS,
  E_LINE_TOO_LONG, E_TOO_MANY_HEADERS, E_HEADER_NAME, E_TRUNCATED, E_VIA, E_FROM, E_TO, E_CALL_ID,
  E_CSEQ, E_CSEQ_METHOD, E_CONTACT, E_MAX_FORWARDS, E_CONTENT_LENGTH, E_CONTENT_LENGTH_CONFLICT,
  E_BODY_TRUNCATED, E_CONTENT_TYPE, E_ROUTE, E_OPTION_TAGS, E_DATE, E_DUPLICATE, E_VERSION,
  E_CONTENT_ENCODING } from "./error";
import { SipUri, parseUri } from "./uri";
import { Via, parseVia } from "./via";
import { NameAddr, parseNameAddr, parseContact, contactExpires } from "./nameaddr";
import { Params } from "./params";
import { eqBytes } from "../sys/bytes";
import { T } from "../sys/text";

export * from "./headers";
export * from "./error";
export { Span, EXPIRES_DEFAULT } from "./scan";

// Shared scratch for value parsing (one message is parsed at a time).
const via = new Via();
const na = new NameAddr();
const uri = new SipUri();
const params = new Params();

export class SipMsg {
  base: usize = 0;
  len: i32 = 0;
  isRequest: bool = false;
  method: i32 = M_OTHER;
  methodName: Span = new Span();
  ruri: Span = new Span();
  /** The Request-URI parsed (scheme, user, host, port, params). */
  ruriParts: SipUri = new SipUri();
  version: Span = new Span();
  /** The start line names SIP/2.0 (any case). */
  versionOk: bool = false;
  status: i32 = 0;
  reason: Span = new Span();
  callId: Span = new Span();
  cseq: u32 = 0;
  cseqMethod: i32 = M_OTHER;
  cseqMethodName: Span = new Span();
  fromUri: Span = new Span();
  fromTag: Span = new Span();
  fromDisplay: Span = new Span();
  toUri: Span = new Span();
  toTag: Span = new Span();
  toDisplay: Span = new Span();
  /** Via values in all Via headers. */
  viaCount: i32 = 0;
  viaHost: Span = new Span();
  viaPort: i32 = 0;
  viaTransport: Span = new Span();
  viaBranch: Span = new Span();
  viaReceived: Span = new Span();
  viaRport: i32 = -1;
  /** The top Via's whole "rport[=n]" parameter (len 0 when absent). */
  viaRportAt: Span = new Span();
  /** End of the top via-parm (before a ',' or the end of its header), -1 when unknown. */
  viaTopEnd: i32 = -1;
  /** The top Via's sent-protocol and sent-by parsed: a response can be sent. */
  viaUsable: bool = false;
  contactUri: Span = new Span();
  contactExpires: i32 = -1;
  contactStar: bool = false;
  contactCount: i32 = 0;
  expires: i32 = -1;
  maxForwards: i32 = -1;
  contentLength: i32 = -1;
  /** type "/" subtype, without parameters. */
  contentType: Span = new Span();
  body: Span = new Span();
  hdrCount: i32 = 0;
  /** First error (E_*), 0 when none; errHdr: index of the header it was found in (for a line
   *  that is no header, the header before it), -1 for the start line. */
  err: i32 = E_OK;
  errHdr: i32 = -1;
  /** Bit per header id (< 64) seen in this message. */
  seen: u64 = 0;
  private hdrs: usize;

  constructor() {
    this.hdrs = heap.alloc(<usize>SIP_MAX_HEADERS << 4);
  }

  // ---- header index: records of { nameOff i32, valOff i32, valLen i32, nameLen u16, id u16 }

  /** Header id (H_*) of header i (0 <= i < hdrCount). */
  hdrId(i: i32): i32 { return <i32>load<u16>(this.hdrs + (<usize>i << 4), 14); }
  hdrNameOff(i: i32): i32 { return load<i32>(this.hdrs + (<usize>i << 4)); }
  hdrNameLen(i: i32): i32 { return <i32>load<u16>(this.hdrs + (<usize>i << 4), 12); }
  hdrValueOff(i: i32): i32 { return load<i32>(this.hdrs + (<usize>i << 4), 4); }
  /** Value length, trimmed of LWS at both ends; folds inside are kept as written. */
  hdrValueLen(i: i32): i32 { return load<i32>(this.hdrs + (<usize>i << 4), 8); }
  /** Fills out with header i's name; returns out. */
  hdrName(i: i32, out: Span): Span { return out.set(this.hdrNameOff(i), this.hdrNameLen(i)); }
  /** Fills out with header i's value; returns out. */
  hdrValue(i: i32, out: Span): Span { return out.set(this.hdrValueOff(i), this.hdrValueLen(i)); }

  /** Index of the next header with id `id` after index `after`, or -1. */
  find(id: i32, after: i32 = -1): i32 {
    for (let i = after + 1; i < this.hdrCount; i++) if (this.hdrId(i) == id) return i;
    return -1;
  }

  /** Address of a span's first byte. */
  ptr(s: Span): usize { return this.base + <usize>s.off; }

  /** The header id was present. */
  has(id: i32): bool { return (this.seen & (<u64>1 << <u64>id)) != 0; }

  /**
   * Parses the datagram [base, base+len). Returns 0 when well formed, else the first error
   * (E_*) in message order, or E_VERSION when the only fault is a version other than 2.0.
   * Parsing goes on after an error wherever the framing allows, so the fields a 400 needs (Via,
   * From, To, Call-ID, CSeq) are found even in a bad message. Never traps, never reads outside
   * [base, base+len), time linear in len.
   */
  parse(base: usize, len: i32): i32 {
    this.reset(base, len);
    if (len < 0 || len > SIP_MAX_MSG) return this.finish(E_TOO_LONG);
    const end = base + <usize>len;
    let p = base;
    while (p < end && (load<u8>(p) == 13 || load<u8>(p) == 10)) p++;
    if (p >= end) return this.finish(E_EMPTY);
    let le = scanLine(p, end, false);
    if (lineErr != 0) this.fail(lineErr);
    if (<i32>(le - p) > SIP_MAX_LINE) this.fail(E_LINE_TOO_LONG);
    this.startLine(p, le > p && load<u8>(le - 1) == 13 ? le - 1 : le);
    p = le + 1;
    let blank = false;
    while (p < end) {
      const c = load<u8>(p);
      if (c == 10) { p++; blank = true; break; }
      if (c == 13 && p + 1 < end && load<u8>(p + 1) == 10) { p += 2; blank = true; break; }
      le = scanLine(p, end, true);
      // name HCOLON: the name ends before the ':' and any SP/HT; a known name is checked by
      // matching it, an unknown one must be a token
      const ns = p;
      let q = p;
      while (q < le && load<u8>(q) != 58) q++;
      let ne = q;
      while (ne > ns && (load<u8>(ne - 1) == 32 || load<u8>(ne - 1) == 9)) ne--;
      p = le + 1;
      const id = ne > ns ? headerId(ns, <i32>(ne - ns)) : 0;
      if (q >= le || ne == ns || (id == 0 && skipClass(ns, ne, C_TOKEN) != ne)) { this.fail(E_HEADER_NAME); continue; }
      if (lineErr != 0) this.fail(lineErr);
      if (<i32>(le - ns) > SIP_MAX_LINE) this.fail(E_LINE_TOO_LONG);
      const vs = skipWs(q + 1, le);
      const ve = trimEnd(vs, le);
      const n = this.hdrCount;
      if (n < SIP_MAX_HEADERS) {
        const r = this.hdrs + (<usize>n << 4);
        store<i32>(r, <i32>(ns - base));
        store<i32>(r, <i32>(vs - base), 4);
        store<i32>(r, <i32>(ve - vs), 8);
        store<u16>(r, <u16>(ne - ns), 12);
        store<u16>(r, <u16>id, 14);
        this.hdrCount = n + 1;
      } else this.fail(E_TOO_MANY_HEADERS);
      if (id != 0) this.header(id, vs, ve);
    }
    if (!blank) this.fail(E_TRUNCATED);
    const rest = <i32>(end - p);
    let bl = rest;
    if (blank && this.contentLength >= 0) {
      if (this.contentLength > rest) this.fail(E_BODY_TRUNCATED);
      else bl = this.contentLength;
    }
    this.body.set(<i32>(p - base), blank ? bl : 0);
    if (this.isRequest && this.cseqMethodName.len > 0 && this.methodName.len > 0 &&
        !eqBytes(this.ptr(this.methodName), this.methodName.len, this.ptr(this.cseqMethodName), this.cseqMethodName.len)) {
      this.fail(E_CSEQ_METHOD);
    }
    return this.finish(E_OK);
  }

  private reset(base: usize, len: i32): void {
    this.base = base; this.len = len;
    this.isRequest = false; this.method = M_OTHER; this.versionOk = false; this.status = 0;
    this.cseq = 0; this.cseqMethod = M_OTHER; this.viaCount = 0; this.viaPort = 0; this.viaRport = -1;
    this.viaTopEnd = -1; this.viaUsable = false; this.contactExpires = -1; this.contactStar = false;
    this.contactCount = 0; this.expires = -1; this.maxForwards = -1; this.contentLength = -1;
    this.hdrCount = 0; this.err = E_OK; this.errHdr = -1; this.seen = 0;
    this.methodName.clear(); this.ruri.clear(); this.ruriParts.clear(); this.version.clear();
    this.reason.clear(); this.callId.clear(); this.cseqMethodName.clear(); this.fromUri.clear();
    this.fromTag.clear(); this.fromDisplay.clear(); this.toUri.clear(); this.toTag.clear();
    this.toDisplay.clear(); this.viaHost.clear(); this.viaTransport.clear(); this.viaBranch.clear();
    this.viaReceived.clear(); this.viaRportAt.clear(); this.contactUri.clear();
    this.contentType.clear(); this.body.clear();
  }

  private fail(code: i32): void {
    if (this.err == E_OK) { this.err = code; this.errHdr = this.hdrCount - 1; }
  }

  private finish(code: i32): i32 {
    if (code != E_OK) this.fail(code);
    if (this.err == E_OK && !this.versionOk) this.err = E_VERSION;
    return this.err;
  }

  // ---- start line (RFC 3261 7.1, 7.2)

  private startLine(s: usize, e: usize): void {
    const base = this.base;
    if (e - s >= 4 && (load<u8>(s) | 32) == 115 && (load<u8>(s + 1) | 32) == 105 &&
        (load<u8>(s + 2) | 32) == 112 && load<u8>(s + 3) == 47) {
      let p = s;
      while (p < e && load<u8>(p) != 32) p++;
      this.version.setAbs(base, s, p);
      if (!this.versionSyntax(s, p) || e - p < 4) { this.fail(E_START_LINE); return; }
      const c = p + 1;
      const code = digits(c, c + 3);
      if (code < 0 || (c + 3 < e && load<u8>(c + 3) != 32)) { this.fail(E_START_LINE); return; }
      this.status = <i32>code;
      if (code < 100 || code > 699) this.fail(E_STATUS);
      if (c + 4 <= e) this.reason.setAbs(base, c + 4, e);
      return;
    }
    this.isRequest = true;
    const m = skipClass(s, e, C_TOKEN);
    this.methodName.setAbs(base, s, m);
    this.method = methodId(s, <i32>(m - s));
    if (m == s || m >= e || load<u8>(m) != 32) { this.fail(E_START_LINE); return; }
    let r = e;
    while (r > m + 1 && load<u8>(r - 1) != 32) r--;
    if (r == m + 1 || !this.versionSyntax(r, e)) { this.fail(E_START_LINE); return; }
    this.version.setAbs(base, r, e);
    const us = m + 1, ue = r - 1;
    this.ruri.setAbs(base, us, ue);
    if (ue <= us || load<u8>(us) == 32) { this.fail(E_START_LINE); return; }
    for (let q = us; q < ue; q++) {
      const c = <u32>load<u8>(q);
      if (c <= 32 || c >= 127) { this.fail(E_REQUEST_URI); return; }
    }
    // headers have no place in a Request-URI (RFC 3261 19.1.1 table 1; RFC 4475 3.1.2.11)
    if (!parseUri(base, <i32>(us - base), <i32>(ue - us), this.ruriParts) || this.ruriParts.headers.len > 0) {
      this.fail(E_REQUEST_URI);
    }
  }

  /** "SIP/" 1*DIGIT "." 1*DIGIT (SIP any case); sets versionOk for 2.0. */
  private versionSyntax(s: usize, e: usize): bool {
    if (e - s < 7 || (load<u8>(s) | 32) != 115 || (load<u8>(s + 1) | 32) != 105 ||
        (load<u8>(s + 2) | 32) != 112 || load<u8>(s + 3) != 47) return false;
    const a = s + 4;
    const dot = skipClass(a, e, C_DIGIT);
    if (dot == a || dot >= e || load<u8>(dot) != 46) return false;
    const b = dot + 1;
    if (b >= e || skipClass(b, e, C_DIGIT) != e) return false;
    this.versionOk = digits(a, dot) == 2 && digits(b, e) == 0;
    return true;
  }

  // ---- header values

  private header(id: i32, vs: usize, ve: usize): void {
    const first = !this.has(id);
    this.seen |= <u64>1 << <u64>id;
    switch (id) {
      case H_VIA: this.onVia(vs, ve); break;
      case H_FROM: case H_TO:
        if (!first) this.fail(E_DUPLICATE); else this.onFromTo(id, vs, ve);
        break;
      case H_CALL_ID: {
        if (!first) { this.fail(E_DUPLICATE); break; }
        let q = skipClass(vs, ve, C_WORD);
        if (q > vs && q < ve && load<u8>(q) == 64) {
          const r = skipClass(q + 1, ve, C_WORD);
          q = r > q + 1 ? r : vs;
        }
        if (q == vs || q != ve) this.fail(E_CALL_ID);
        else this.callId.setAbs(this.base, vs, ve);
        break;
      }
      case H_CSEQ: if (!first) this.fail(E_DUPLICATE); else this.onCSeq(vs, ve); break;
      case H_CONTACT: this.onContact(vs, ve); break;
      case H_MAX_FORWARDS: {
        const v = digits(vs, ve);
        if (!first) this.fail(E_DUPLICATE);
        else if (v < 0) this.fail(E_MAX_FORWARDS);
        else this.maxForwards = v > 0x7fffffff ? 0x7fffffff : <i32>v;
        break;
      }
      case H_CONTENT_LENGTH: {
        const v = digits(vs, ve);
        if (v < 0) { this.fail(E_CONTENT_LENGTH); break; }
        const n = v > 0x7fffffff ? 0x7fffffff : <i32>v;
        if (this.contentLength >= 0 && this.contentLength != n) this.fail(E_CONTENT_LENGTH_CONFLICT);
        this.contentLength = n;
        break;
      }
      case H_CONTENT_TYPE: if (first) this.onContentType(vs, ve); break;
      case H_EXPIRES: if (first) this.expires = deltaSeconds(vs, ve); break;
      case H_ROUTE: case H_RECORD_ROUTE: this.onRoute(vs, ve); break;
      case H_REQUIRE: case H_UNSUPPORTED: case H_CONTENT_ENCODING:
        if (!tokenList(vs, ve, false)) this.fail(id == H_CONTENT_ENCODING ? E_CONTENT_ENCODING : E_OPTION_TAGS);
        break;
      case H_SUPPORTED: if (!tokenList(vs, ve, true)) this.fail(E_OPTION_TAGS); break;
      case H_DATE: if (!dateOk(vs, ve)) this.fail(E_DATE); break;
    }
  }

  private onVia(vs: usize, ve: usize): void {
    const base = this.base;
    let p = vs;
    while (true) {
      const q = parseVia(base, p, ve, via);
      this.viaCount++;
      if (this.viaCount == 1 && via.sentBy) {
        this.viaUsable = true;
        this.viaHost.set(via.host.off, via.host.len);
        this.viaPort = via.port;
        this.viaTransport.set(via.transport.off, via.transport.len);
        this.viaBranch.set(via.branch.off, via.branch.len);
        this.viaReceived.set(via.received.off, via.received.len);
        this.viaRport = via.rport;
        this.viaRportAt.set(via.rportAt.off, via.rportAt.len);
        if (q != 0) this.viaTopEnd = via.end;
      }
      if (q == 0) { this.fail(E_VIA); return; }
      if (q >= ve) return;
      p = q + 1;
    }
  }

  private onFromTo(id: i32, vs: usize, ve: usize): void {
    const code = id == H_FROM ? E_FROM : E_TO;
    if (!parseNameAddr(this.base, vs, ve, false, false, na, uri)) { this.fail(code); return; }
    let tagOff = 0, tagLen = 0;
    params.begin(this.base, na.rest, ve);
    while (params.next()) {
      if (params.is(T("tag"))) {
        if (!params.token) { this.fail(code); return; }
        tagOff = params.valOff; tagLen = params.valLen;
      }
    }
    if (params.err || params.p != ve) { this.fail(code); return; }
    if (id == H_FROM) {
      this.fromUri.set(na.uri.off, na.uri.len);
      this.fromDisplay.set(na.display.off, na.display.len);
      this.fromTag.set(tagOff, tagLen);
    } else {
      this.toUri.set(na.uri.off, na.uri.len);
      this.toDisplay.set(na.display.off, na.display.len);
      this.toTag.set(tagOff, tagLen);
    }
  }

  private onCSeq(vs: usize, ve: usize): void {
    const q = skipClass(vs, ve, C_DIGIT);
    let z = vs;
    while (z < q - 1 && load<u8>(z) == 48) z++;
    const n = digits(z, q);
    const r = skipWs(q, ve);
    const m = skipClass(r, ve, C_TOKEN);
    if (n < 0 || n > 0x7fffffff || r == q || m == r || m != ve) { this.fail(E_CSEQ); return; }
    this.cseq = <u32>n;
    this.cseqMethodName.setAbs(this.base, r, m);
    this.cseqMethod = methodId(r, <i32>(m - r));
  }

  private onContact(vs: usize, ve: usize): void {
    if (ve - vs == 1 && load<u8>(vs) == 42) {
      if (this.contactCount > 0) this.fail(E_CONTACT);
      this.contactStar = true;
      return;
    }
    if (this.contactStar) this.fail(E_CONTACT);
    let p = vs;
    while (true) {
      const q = parseContact(this.base, p, ve, na, uri);
      if (q == 0) { this.fail(E_CONTACT); return; }
      if (this.contactCount == 0) {
        this.contactUri.set(na.uri.off, na.uri.len);
        this.contactExpires = contactExpires;
      }
      this.contactCount++;
      if (q >= ve) return;
      p = q + 1;
    }
  }

  private onContentType(vs: usize, ve: usize): void {
    const t = skipClass(vs, ve, C_TOKEN);
    let p = skipWs(t, ve);
    if (t == vs || p >= ve || load<u8>(p) != 47) { this.fail(E_CONTENT_TYPE); return; }
    p = skipWs(p + 1, ve);
    const s = skipClass(p, ve, C_TOKEN);
    if (s == p) { this.fail(E_CONTENT_TYPE); return; }
    params.begin(this.base, s, ve);
    while (params.next()) {}
    if (params.err || params.p != ve) { this.fail(E_CONTENT_TYPE); return; }
    this.contentType.setAbs(this.base, vs, s);
  }

  private onRoute(vs: usize, ve: usize): void {
    let p = vs;
    while (true) {
      if (!parseNameAddr(this.base, p, ve, true, true, na, uri)) { this.fail(E_ROUTE); return; }
      params.begin(this.base, na.rest, ve);
      while (params.next()) {}
      const q = params.p;
      if (params.err || (q < ve && load<u8>(q) != 44)) { this.fail(E_ROUTE); return; }
      if (q >= ve) return;
      p = q + 1;
    }
  }
}

/**
 * Walks every Contact value of a parsed message in order (all Contact headers, comma-separated
 * values too; "*" skipped): uri, display and expires (-1 when absent) of each, e.g. the bindings
 * a registrar returns (RFC 3261 10.2.4). Create once (it owns its scratch), reuse per message.
 */
export class ContactIter {
  uri: Span = new Span();
  display: Span = new Span();
  expires: i32 = -1;
  private m: SipMsg | null = null;
  private hdr: i32 = -1;
  private p: usize = 0;
  private end: usize = 0;
  private na: NameAddr = new NameAddr();
  private u: SipUri = new SipUri();

  begin(m: SipMsg): ContactIter {
    this.m = m; this.hdr = -1; this.p = 0; this.end = 0;
    return this;
  }

  /** Moves to the next contact; false at the end or at a malformed value. */
  next(): bool {
    const m = this.m;
    if (m === null) return false;
    while (this.p >= this.end) {
      const h = m.find(H_CONTACT, this.hdr);
      if (h < 0) return false;
      this.hdr = h;
      this.p = m.base + <usize>m.hdrValueOff(h);
      this.end = this.p + <usize>m.hdrValueLen(h);
      if (this.end - this.p == 1 && load<u8>(this.p) == 42) this.p = this.end;
    }
    const q = parseContact(m.base, this.p, this.end, this.na, this.u);
    if (q == 0) { this.p = this.end; this.hdr = m.hdrCount; return false; }
    this.uri.set(this.na.uri.off, this.na.uri.len);
    this.display.set(this.na.display.off, this.na.display.len);
    this.expires = contactExpires;
    this.p = q < this.end ? q + 1 : this.end;
    return true;
  }
}

/**
 * Walks the comma-separated values of every header with one id, in message order (e.g. all
 * Record-Route entries for a route set, all Supported tags): `item` is each value, trimmed;
 * quoted strings and <...> are respected (ListIter). Empty values are skipped. Create once, reuse.
 */
export class ValueIter {
  private list: ListIter = new ListIter();
  private m: SipMsg | null = null;
  private id: i32 = 0;
  private hdr: i32 = -1;
  private open: bool = false;
  /** The current value, relative to the message base. */
  get item(): Span { return this.list.item; }
  /** Index of the header the current value is in. */
  get header(): i32 { return this.hdr; }

  begin(m: SipMsg, id: i32): ValueIter {
    this.m = m; this.id = id; this.hdr = -1; this.open = false;
    return this;
  }

  /** Moves to the next non-empty value; false when there is none. */
  next(): bool {
    const m = this.m;
    if (m === null) return false;
    while (true) {
      if (this.open && this.list.next()) {
        if (this.list.item.len > 0) return true;
        continue;
      }
      const h = m.find(this.id, this.hdr);
      if (h < 0) { this.open = false; return false; }
      this.hdr = h;
      this.list.begin(m.base, m.hdrValueOff(h), m.hdrValueLen(h));
      this.open = true;
    }
  }
}
