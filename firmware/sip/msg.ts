// SIP message parsing (RFC 3261 7, 18.3, 20; RFC 4475): one pass over a received datagram, in
// place. It indexes every header field (name, value, id), parses the values a user agent needs
// (start line, Via, From, To, Call-ID, CSeq, Contact, Max-Forwards, Expires, Content-Length,
// Content-Type) into spans, and checks the syntax of the headers that decide how a request is
// answered (Route, Record-Route, Require, Supported, Content-Encoding, Date). Unknown headers are
// only framed. Nothing allocates after the SipMsg is constructed (at start-up).
//
// Spans are preallocated Span objects (one block per message, cleared at once), offsets relative
// to `base`; a SipMsg stays valid as long as the bytes it was parsed over. See docs/sip-parser.md.
import { SIP_MAX_HEADERS, SIP_MAX_LINE, SIP_MAX_MSG } from "../config";
import { at, find, C_TOKEN, C_DIGIT, C_WORD, scanLine, lineErr, skipWs, trimEnd, skipClass, digits, capped, deltaSeconds,
  spanFields, Span } from "./scan";
import { headerId, methodId, tokenList, dateOk, ListIter, list, M_OTHER, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_CONTACT,
  H_MAX_FORWARDS, H_CONTENT_LENGTH, H_CONTENT_TYPE, H_EXPIRES, H_ROUTE, H_RECORD_ROUTE, H_REQUIRE, H_SUPPORTED,
  H_UNSUPPORTED, H_CONTENT_ENCODING, H_DATE } from "./headers";
import { E_OK, E_EMPTY, E_TOO_LONG, E_START_LINE, E_REQUEST_URI, E_STATUS, E_LINE_TOO_LONG, E_TOO_MANY_HEADERS,
  E_HEADER_NAME, E_TRUNCATED, E_VIA, E_FROM, E_CALL_ID, E_CSEQ, E_CSEQ_METHOD, E_CONTACT, E_MAX_FORWARDS,
  E_CONTENT_LENGTH, E_CONTENT_LENGTH_CONFLICT, E_BODY_TRUNCATED, E_CONTENT_TYPE, E_ROUTE, E_OPTION_TAGS, E_DATE,
  E_DUPLICATE, E_VERSION, E_CONTENT_ENCODING } from "./error";
import { SipUri, parseUri, scratch as uri } from "./uri";
import { parseVia, viaSpans, viaPort, viaRport, viaSentBy, viaEnd } from "./via";
import { NameAddr, parseContact, contactExpires, nameAddrParams, paramFound, paramOff, paramLen, paramToken } from "./nameaddr";
import { params } from "./params";
import { eqBytes } from "../sys/bytes";
import { T } from "../sys/text";

export * from "./headers";
export * from "./error";
export { Span, EXPIRES_DEFAULT } from "./scan";

// Shared scratch for value parsing (one message is parsed at a time).
const na = new NameAddr();

/** Headers of which a second one is an error (E_DUPLICATE), and those of which only the first
 *  is read. */
const SINGLE: u64 = (1 << H_FROM) | (1 << H_TO) | (1 << H_CALL_ID) | (1 << H_CSEQ) | (1 << H_MAX_FORWARDS);
const FIRST: u64 = (1 << H_CONTENT_TYPE) | (1 << H_EXPIRES);

// SipMsg's layout, as declared (base, len, ruriParts, hdrs; 7 fields reset to -1; the rest up
// to the SPANS spans reset to 0): parse() resets a message with three memory.fill.
/** find()'s default `after`: an inlined constant, which asc passes at the call site; a literal
 *  -1 (or a plain const) as default sends every one-argument call through a varargs stub. */
// @ts-ignore: decorator
@inline const NO_HEADER: i32 = -1;

const MINUS_AT: usize = 16, ZERO_AT: usize = MINUS_AT + 28, SPANS: i32 = 20;

// Built by the constructor over a zero-filled __new block (no field-by-field initialisation;
// @final allows the explicit return): reset() sets every field parse() uses.
@final export class SipMsg {
  base: usize;
  len: i32;
  /** The Request-URI parsed (scheme, user, host, port, params). */
  ruriParts: SipUri = changetype<SipUri>(0);
  private hdrs: usize = 0;
  // ---- reset to -1 by parse: 7 i32 from byte MINUS_AT
  viaRport: i32;
  /** End of the top via-parm (before a ',' or the end of its header), -1 when unknown. */
  viaTopEnd: i32;
  contactExpires: i32;
  expires: i32;
  maxForwards: i32;
  contentLength: i32;
  errHdr: i32;
  // ---- reset to 0 / false by parse: from byte ZERO_AT to the spans
  isRequest: bool;
  /** The start line names SIP/2.0 (any case). */
  versionOk: bool;
  /** The top Via's sent-protocol and sent-by parsed: a response can be sent. */
  viaUsable: bool;
  contactStar: bool;
  method: i32;
  status: i32;
  cseq: u32;
  cseqMethod: i32;
  /** Via values in all Via headers. */
  viaCount: i32;
  viaPort: i32;
  contactCount: i32;
  hdrCount: i32;
  /** First error (E_*), 0 when none; errHdr: index of the header it was found in (for a line
   *  that is no header, the header before it), -1 for the start line. */
  err: i32;
  /** Bit per header id (< 64) seen in this message. */
  seen: u64;
  // ---- the SPANS last fields: spans in one block, cleared at once (the order of from*, to*
  // and via* matters: they are copied as groups)
  methodName: Span = changetype<Span>(0);
  ruri: Span = changetype<Span>(0);
  version: Span = changetype<Span>(0);
  reason: Span = changetype<Span>(0);
  callId: Span = changetype<Span>(0);
  cseqMethodName: Span = changetype<Span>(0);
  fromUri: Span = changetype<Span>(0);
  fromTag: Span = changetype<Span>(0);
  fromDisplay: Span = changetype<Span>(0);
  toUri: Span = changetype<Span>(0);
  toTag: Span = changetype<Span>(0);
  toDisplay: Span = changetype<Span>(0);
  viaHost: Span = changetype<Span>(0);
  viaTransport: Span = changetype<Span>(0);
  viaBranch: Span = changetype<Span>(0);
  viaReceived: Span = changetype<Span>(0);
  /** The top Via's whole "rport[=n]" parameter (len 0 when absent). */
  viaRportAt: Span = changetype<Span>(0);
  contactUri: Span = changetype<Span>(0);
  /** type "/" subtype, without parameters. */
  contentType: Span = changetype<Span>(0);
  body: Span = changetype<Span>(0);

  constructor() {
    const m = changetype<SipMsg>(__new(offsetof<SipMsg>(), idof<SipMsg>()));
    m.ruriParts = new SipUri();
    m.hdrs = heap.alloc(<usize>SIP_MAX_HEADERS << 4);
    spanFields(changetype<usize>(m), offsetof<SipMsg>(), SPANS);
    m.reset(0, 0);
    return m;
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
  find(id: i32, after: i32 = NO_HEADER): i32 {
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
    if (<u32>len > <u32>SIP_MAX_MSG) return this.finish(E_TOO_LONG);
    const end = base + <usize>len;
    let p = base;
    while (p < end && (load<u8>(p) == 13 || load<u8>(p) == 10)) p++;
    if (p >= end) return this.finish(E_EMPTY);
    let le = scanLine(p, end, false);
    this.lineChecks(p, le);
    this.fail(this.startLine(p, le > p && load<u8>(le - 1) == 13 ? le - 1 : le));
    p = le + 1;
    let blank = false;
    while (p < end) {
      const c = load<u8>(p);
      if (c == 10 || (c == 13 && p + 1 < end && load<u8>(p + 1) == 10)) { p += c == 10 ? 1 : 2; blank = true; break; }
      le = scanLine(p, end, true);
      // name HCOLON: the name ends before the ':' and any SP/HT; a known name is checked by
      // matching it, an unknown one must be a token
      const ns = p;
      const q = find(p, le, 58);
      let ne = q;
      while (ne > ns && (load<u8>(ne - 1) == 32 || load<u8>(ne - 1) == 9)) ne--;
      p = le + 1;
      const id = ne > ns ? headerId(ns, <i32>(ne - ns)) : 0;
      if (q >= le || ne == ns || (id == 0 && skipClass(ns, ne, C_TOKEN) != ne)) { this.fail(E_HEADER_NAME); continue; }
      this.lineChecks(ns, le);
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
      if (id != 0) this.fail(this.header(id, vs, ve));
    }
    if (!blank) this.fail(E_TRUNCATED);
    let bl = <i32>(end - p);
    const cl = this.contentLength;
    if (!blank) bl = 0;
    else if (cl >= 0) {
      if (cl > bl) this.fail(E_BODY_TRUNCATED);
      else bl = cl;
    }
    this.body.setAbs(base, p, p + <usize>bl);
    const mn = this.methodName, cm = this.cseqMethodName;
    if (this.isRequest && cm.len > 0 && mn.len > 0 && !eqBytes(this.ptr(mn), mn.len, this.ptr(cm), cm.len)) {
      this.fail(E_CSEQ_METHOD);
    }
    return this.finish(E_OK);
  }

  private reset(base: usize, len: i32): void {
    this.base = base; this.len = len;
    const a = changetype<usize>(this);
    memory.fill(a + MINUS_AT, 0xff, ZERO_AT - MINUS_AT);
    memory.fill(a + ZERO_AT, 0, offsetof<SipMsg>() - (<usize>SPANS << 2) - ZERO_AT);
    memory.fill(changetype<usize>(this.methodName), 0, <usize>SPANS << 3);
    this.ruriParts.clear();
  }

  /** Records code (E_OK: nothing) unless an error came before. */
  private fail(code: i32): void {
    if (this.err == E_OK && code != E_OK) { this.err = code; this.errHdr = this.hdrCount - 1; }
  }

  private finish(code: i32): i32 {
    this.fail(code);
    if (this.err == E_OK && !this.versionOk) this.err = E_VERSION;
    return this.err;
  }

  /** A line [p, le) just scanned: its control bytes and its length. */
  private lineChecks(p: usize, le: usize): void {
    if (lineErr != 0) this.fail(lineErr);
    if (<i32>(le - p) > SIP_MAX_LINE) this.fail(E_LINE_TOO_LONG);
  }

  // ---- start line (RFC 3261 7.1, 7.2)

  /** The error it finds (E_*), E_OK when none. */
  private startLine(s: usize, e: usize): i32 {
    const base = this.base;
    if (e - s >= 4 && (load<u32>(s) | 0x202020) == 0x2f706973) {       // "SIP/" any case
      const p = find(s, e, 32);
      this.version.setAbs(base, s, p);
      const c = p + 1;
      if (!this.versionSyntax(s, p) || e - p < 4) return E_START_LINE;
      const code = digits(c, c + 3);
      if (code < 0 || (c + 3 < e && load<u8>(c + 3) != 32)) return E_START_LINE;
      this.status = <i32>code;
      if (c + 4 <= e) this.reason.setAbs(base, c + 4, e);
      return code < 100 || code > 699 ? E_STATUS : E_OK;
    }
    this.isRequest = true;
    const m = skipClass(s, e, C_TOKEN);
    this.methodName.setAbs(base, s, m);
    this.method = methodId(s, <i32>(m - s));
    if (m == s || !at(m, e, 32)) return E_START_LINE;
    let r = e;
    while (r > m + 1 && load<u8>(r - 1) != 32) r--;
    if (r == m + 1 || !this.versionSyntax(r, e)) return E_START_LINE;
    this.version.setAbs(base, r, e);
    const us = m + 1, ue = r - 1;
    this.ruri.setAbs(base, us, ue);
    if (ue <= us || load<u8>(us) == 32) return E_START_LINE;
    for (let q = us; q < ue; q++) {
      if (<u32>load<u8>(q) - 33 > 93) return E_REQUEST_URI;
    }
    // headers have no place in a Request-URI (RFC 3261 19.1.1 table 1; RFC 4475 3.1.2.11)
    return !parseUri(base, <i32>(us - base), <i32>(ue - us), this.ruriParts) || this.ruriParts.headers.len > 0
      ? E_REQUEST_URI : E_OK;
  }

  /** "SIP/" 1*DIGIT "." 1*DIGIT (SIP any case); sets versionOk for 2.0. */
  private versionSyntax(s: usize, e: usize): bool {
    if (e - s < 7 || (load<u32>(s) | 0x202020) != 0x2f706973) return false;
    const a = s + 4;
    const dot = skipClass(a, e, C_DIGIT);
    if (dot == a || !at(dot, e, 46)) return false;
    const b = dot + 1;
    if (b >= e || skipClass(b, e, C_DIGIT) != e) return false;
    this.versionOk = digits(a, dot) == 2 && digits(b, e) == 0;
    return true;
  }

  // ---- header values

  /** Parses a known header value [vs, ve); the error it finds (E_*), E_OK when none. */
  private header(id: i32, vs: usize, ve: usize): i32 {
    const bit = <u64>1 << <u64>id;
    const first = (this.seen & bit) == 0;
    this.seen |= bit;
    if (!first && ((SINGLE | FIRST) & bit) != 0) {
      return (SINGLE & bit) != 0 ? E_DUPLICATE : E_OK;
    }
    switch (id) {
      case H_VIA: case H_CONTACT: case H_ROUTE: case H_RECORD_ROUTE: {
        // comma lists: 1#via-parm, 1#( name-addr / addr-spec ) with params, or Contact: *
        const code = id == H_VIA ? E_VIA : id == H_CONTACT ? E_CONTACT : E_ROUTE;
        if (id == H_CONTACT) {
          const star = ve - vs == 1 && load<u8>(vs) == 42;
          if (star ? this.contactCount > 0 : this.contactStar) return E_CONTACT;
          if (star) { this.contactStar = true; return E_OK; }
        }
        let p = vs;
        while (true) {
          let q: usize;
          if (id == H_VIA) {
            q = parseVia(this.base, p, ve);
            if (this.viaCount++ == 0 && viaSentBy) {
              this.viaUsable = true;
              memory.copy(changetype<usize>(this.viaHost), viaSpans, 40);
              this.viaPort = viaPort;
              this.viaRport = viaRport;
              if (q != 0) this.viaTopEnd = viaEnd;
            }
          } else if (id == H_CONTACT) {
            q = parseContact(this.base, p, ve, na, uri);
            if (q != 0 && this.contactCount++ == 0) {
              this.contactUri.copy(na.uri);
              this.contactExpires = contactExpires;
            }
          } else q = nameAddrParams(this.base, p, ve, true, true, na, uri, 0);
          if (q == 0) return code;
          if (q >= ve) return E_OK;
          p = q + 1;
        }
      }
      case H_FROM: case H_TO: return this.onFromTo(id, vs, ve);
      case H_CALL_ID: {
        // word [ "@" word ]
        let q = skipClass(vs, ve, C_WORD);
        if (q > vs && at(q, ve, 64)) {
          const r = skipClass(q + 1, ve, C_WORD);
          q = r > q + 1 ? r : vs;
        }
        if (q == vs || q != ve) return E_CALL_ID;
        this.callId.setAbs(this.base, vs, ve);
        return E_OK;
      }
      case H_CSEQ: {
        // 1*DIGIT LWS Method, the number below 2^31 (leading zeros allowed)
        const q = skipClass(vs, ve, C_DIGIT);
        const n = digits(vs, q);
        const r = skipWs(q, ve);
        const m = skipClass(r, ve, C_TOKEN);
        if (<u64>n > 0x7fffffff || r == q || m == r || m != ve) return E_CSEQ;
        this.cseq = <u32>n;
        this.cseqMethodName.setAbs(this.base, r, m);
        this.cseqMethod = methodId(r, <i32>(m - r));
        return E_OK;
      }
      case H_MAX_FORWARDS: {
        const v = digits(vs, ve);
        if (v < 0) return E_MAX_FORWARDS;
        this.maxForwards = capped(v);
        return E_OK;
      }
      case H_CONTENT_LENGTH: {
        const v = digits(vs, ve);
        if (v < 0) return E_CONTENT_LENGTH;
        const n = capped(v), cl = this.contentLength;
        this.contentLength = n;
        return cl >= 0 && cl != n ? E_CONTENT_LENGTH_CONFLICT : E_OK;
      }
      case H_CONTENT_TYPE: {
        // type "/" subtype *( SEMI m-parameter )
        const t = skipClass(vs, ve, C_TOKEN);
        let p = skipWs(t, ve);
        let s = vs;                     // stays vs when malformed
        if (t > vs && at(p, ve, 47)) {
          p = skipWs(p + 1, ve);
          s = skipClass(p, ve, C_TOKEN);
          if (s == p) s = vs;
        }
        params.begin(this.base, s, ve);
        while (params.next()) {}
        if (s == vs || params.err || params.p != ve) return E_CONTENT_TYPE;
        this.contentType.setAbs(this.base, vs, s);
        return E_OK;
      }
      case H_EXPIRES: this.expires = deltaSeconds(vs, ve); return E_OK;
      case H_REQUIRE: case H_UNSUPPORTED: case H_CONTENT_ENCODING: case H_SUPPORTED:
        return tokenList(vs, ve, id == H_SUPPORTED) ? E_OK : id == H_CONTENT_ENCODING ? E_CONTENT_ENCODING : E_OPTION_TAGS;
      case H_DATE: return dateOk(vs, ve) ? E_OK : E_DATE;
    }
    return E_OK;
  }

  private onFromTo(id: i32, vs: usize, ve: usize): i32 {
    // From and To spans are groups of three (uri, tag, display); E_TO = E_FROM + 1
    if (nameAddrParams(this.base, vs, ve, false, false, na, uri, T("tag")) == 0 || (paramFound && !paramToken)) {
      return E_FROM + id - H_FROM;
    }
    const t = id == H_FROM ? this.fromUri : this.toUri;
    t.copy(na.uri);
    changetype<Span>(changetype<usize>(t) + 8).set(paramFound ? paramOff : 0, paramFound ? paramLen : 0);
    changetype<Span>(changetype<usize>(t) + 16).copy(na.display);
    return E_OK;
  }

}

// ---- the comma-separated values of every header with one id, through the shared `list`

let walkMsg: SipMsg = changetype<SipMsg>(0);
let walkId = 0, walkHdr = -1;

/** Starts a walk over the comma-separated values of every header `id` of m, in message order;
 *  each nextValue() puts the next one (trimmed, possibly empty) in `list.item`. One walk at a
 *  time (it uses the shared ListIter). */
export function values(m: SipMsg, id: i32): void {
  walkMsg = m; walkId = id; walkHdr = -1;
  list.begin(0, 0, 0);
}

/** Moves the walk to the next value; false when there is none. */
export function nextValue(): bool {
  while (!list.next()) {
    const m = walkMsg, h = m.find(walkId, walkHdr);
    if (h < 0) return false;
    walkHdr = h;
    list.begin(m.base, m.hdrValueOff(h), m.hdrValueLen(h));
  }
  return true;
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
    this.uri.copy(this.na.uri);
    this.display.copy(this.na.display);
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
