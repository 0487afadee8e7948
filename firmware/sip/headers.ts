// SIP header field names and methods (RFC 3261 7.3, 20; compact forms 7.3.3 and the IANA SIP
// parameters registry), the iterator over comma-separated header values (7.3.1), and two value
// rules several headers share: option-tag lists (20.32) and the RFC 1123 date (20.17).
// Names are case-insensitive: a 128-slot open-addressing table keyed on length, first and last
// byte finds the candidate, one comparison confirms it. Methods are case-sensitive tokens.
import { find, cls, trimEnd, C_WS, C_TOKEN, C_ALPHA, C_DIGIT, skipQuoted, skipWs, skipClass, Span } from "./scan";
import { T, Text, textLen, textAt, textPtr } from "../sys/text";

export const H_OTHER = 0, H_VIA = 1, H_FROM = 2, H_TO = 3, H_CALL_ID = 4, H_CSEQ = 5, H_CONTACT = 6,
  H_MAX_FORWARDS = 7, H_CONTENT_LENGTH = 8, H_CONTENT_TYPE = 9, H_EXPIRES = 10, H_MIN_EXPIRES = 11,
  H_ROUTE = 12, H_RECORD_ROUTE = 13, H_WWW_AUTHENTICATE = 14, H_PROXY_AUTHENTICATE = 15,
  H_AUTHORIZATION = 16, H_PROXY_AUTHORIZATION = 17, H_REQUIRE = 18, H_PROXY_REQUIRE = 19,
  H_SUPPORTED = 20, H_UNSUPPORTED = 21, H_ALLOW = 22, H_ACCEPT = 23, H_SESSION_EXPIRES = 24,
  H_MIN_SE = 25, H_USER_AGENT = 26, H_SERVER = 27, H_WARNING = 28, H_EVENT = 29, H_RETRY_AFTER = 30,
  H_REASON = 31, H_CONTENT_ENCODING = 32, H_DATE = 33, H_SUBJECT = 34,
  // beyond the agreed list
  H_ALLOW_EVENTS = 35, H_REFER_TO = 36, H_REFERRED_BY = 37, H_RSEQ = 38, H_RACK = 39,
  H_SUBSCRIPTION_STATE = 40, H_ACCEPT_ENCODING = 41, H_ACCEPT_LANGUAGE = 42, H_TIMESTAMP = 43,
  H_P_ASSERTED_IDENTITY = 44, H_REPLACES = 45, H_CONTENT_DISPOSITION = 46, H_CALL_INFO = 47,
  H_ALERT_INFO = 48, H_SERVICE_ROUTE = 49, H_AUTHENTICATION_INFO = 50, H_PATH = 51;
export const H_COUNT = 52;

/** Canonical header names in id order from H_VIA (what builders write). */
// One literal (continued lines, no '+': a concatenation would be built at run time).
const HEADER_LIST = T("Via From To Call-ID CSeq Contact Max-Forwards Content-Length Content-Type \
Expires Min-Expires Route Record-Route WWW-Authenticate Proxy-Authenticate Authorization \
Proxy-Authorization Require Proxy-Require Supported Unsupported Allow Accept Session-Expires Min-SE \
User-Agent Server Warning Event Retry-After Reason Content-Encoding Date Subject Allow-Events Refer-To \
Referred-By RSeq RAck Subscription-State Accept-Encoding Accept-Language Timestamp P-Asserted-Identity \
Replaces Content-Disposition Call-Info Alert-Info Service-Route Authentication-Info Path");

const SLOTS: i32 = 128;
const table = memory.data(SLOTS);                 // slot -> header id (0 = empty)
const names = memory.data(H_COUNT << 2);          // id -> Text of its name
/** Compact forms 'a'..'z' -> header id: b Referred-By, c Content-Type, e Content-Encoding, f From,
 *  i Call-ID, k Supported, l Content-Length, m Contact, o Event, r Refer-To, s Subject, t To,
 *  u Allow-Events, v Via, x Session-Expires (a spec checks each). */
const compact = memory.data<u8>([0, 37, 9, 0, 32, 2, 0, 0, 4, 0, 20, 8, 6, 0, 29, 0, 0, 36, 34, 3, 35, 1, 0, 24, 0, 0]);

// @ts-ignore: decorator
@inline function slotOf(n: i32, first: u32, last: u32): i32 {
  return <i32>((<u32>n * 7 + (first | 32) * 3 + (last | 32)) & <u32>(SLOTS - 1));
}

/** Splits a space-separated list literal into one Text per word at dst (4 bytes per index,
 *  from index 1). */
function split(list: Text, dst: usize): void {
  const n = textLen(list);
  let id: usize = 1, start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && textAt(list, i) != 32) continue;
    store<u32>(dst + (id++ << 2), (list - <u32>n) + (<u32>start << 12) + <u32>(i - start));
    start = i + 1;
  }
}

function initNames(): void {
  split(HEADER_LIST, names);
  for (let id = 1; id < H_COUNT; id++) {
    const p = headerNamePtr(id), n = headerNameLen(id);
    let slot = slotOf(n, load<u8>(p), load<u8>(p + <usize>n - 1));
    while (load<u8>(table + <usize>slot) != 0) slot = (slot + 1) & (SLOTS - 1);
    store<u8>(table + <usize>slot, <u8>id);
  }
  split(T("INVITE ACK BYE CANCEL OPTIONS REGISTER INFO PRACK UPDATE SUBSCRIBE NOTIFY REFER MESSAGE PUBLISH"), methods);
}

/** Address of header id's canonical name (ASCII); 1 <= id < H_COUNT. */
export function headerNamePtr(id: i32): usize { return textPtr(load<u32>(names + (<usize>id << 2))); }
/** Length of header id's canonical name. */
export function headerNameLen(id: i32): i32 { return textLen(load<u32>(names + (<usize>id << 2))); }

/** Header id of the name [p, p+n) (any case, compact forms too); H_OTHER when unknown. */
export function headerId(p: usize, n: i32): i32 {
  const first = <u32>load<u8>(p);
  if (n == 1) {
    const l = (first | 32) - 97;
    return l < 26 ? <i32>load<u8>(compact + <usize>l) : H_OTHER;
  }
  let slot = slotOf(n, first, <u32>load<u8>(p + <usize>n - 1));
  while (true) {
    const id = <i32>load<u8>(table + <usize>slot);
    if (id == 0) return H_OTHER;
    if (headerNameLen(id) == n && sameName(p, headerNamePtr(id), n)) return id;
    slot = (slot + 1) & (SLOTS - 1);
  }
}

/**
 * [p, p+n) equals the name at q, ignoring case, four bytes at a time. '|0x20' folds letters; a
 * non-letter matches only itself or its 0x20 twin: '-' also matches CR (0x0d), which the line
 * scanner has already reported as an error, so the message is rejected either way.
 */
function sameName(p: usize, q: usize, n: i32): bool {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    if (((load<u32>(p + <usize>i) ^ load<u32>(q + <usize>i)) & 0xdfdfdfdf) != 0) return false;
  }
  for (; i < n; i++) {
    if (((<u32>load<u8>(p + <usize>i) ^ <u32>load<u8>(q + <usize>i)) & 0xdf) != 0) return false;
  }
  return true;
}

// ---- methods

export const M_OTHER = 0, M_INVITE = 1, M_ACK = 2, M_BYE = 3, M_CANCEL = 4, M_OPTIONS = 5, M_REGISTER = 6,
  M_INFO = 7, M_PRACK = 8, M_UPDATE = 9, M_SUBSCRIBE = 10, M_NOTIFY = 11, M_REFER = 12, M_MESSAGE = 13,
  M_PUBLISH = 14;
export const M_COUNT = 15;

const methods = memory.data(M_COUNT << 2);        // id -> Text of its name
initNames();

/** Address of method id's name (ASCII); 1 <= id < M_COUNT. */
export function methodNamePtr(id: i32): usize { return textPtr(load<u32>(methods + (<usize>id << 2))); }
/** Length of method id's name. */
export function methodNameLen(id: i32): i32 { return textLen(load<u32>(methods + (<usize>id << 2))); }

/** Method id of the token [p, p+n) (case-sensitive, RFC 3261 7.1); M_OTHER when unknown. */
export function methodId(p: usize, n: i32): i32 {
  for (let id = 1; id < M_COUNT; id++) {
    if (methodNameLen(id) == n && memory.compare(p, methodNamePtr(id), <usize>n) == 0) return id;
  }
  return M_OTHER;
}

// ---- comma-separated values

/**
 * Walks the elements of a comma-separated header value (RFC 3261 7.3.1): a comma inside a
 * quoted-string or between < and > does not separate. Each element comes back trimmed of LWS,
 * possibly empty (the header's grammar decides whether that is an error). Create once, reuse.
 */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the declared defaults are zero unless set here).
@final export class ListIter {
  base: usize = 0;
  p: usize = 0;
  end: usize = 0;
  /** Current element, relative to base. */
  item: Span = changetype<Span>(0);
  /** Set when a quoted-string or <...> was not closed (the element runs to the end). */
  broken: bool = false;
  private more: bool = false;

  constructor() {
    const l = changetype<ListIter>(__new(offsetof<ListIter>(), idof<ListIter>()));
    l.item = new Span();
    return l;
  }

  /** Starts over the value [off, off+len) of a message at base. */
  begin(base: usize, off: i32, len: i32): ListIter {
    this.base = base;
    this.p = base + <usize>off;
    this.end = this.p + <usize>len;
    this.broken = false;
    this.more = len > 0;
    return this;
  }

  /** Moves to the next element; false when there is none. */
  next(): bool {
    if (!this.more) return false;
    const end = this.end;
    let p = skipWs(this.p, end);
    const s = p;
    this.more = false;
    while (p < end) {
      const c = <u32>load<u8>(p);
      if (c == 44) { this.more = true; break; }
      if (c == 34) {
        const q = skipQuoted(p, end);
        if (q == 0) { this.broken = true; p = end; break; }
        p = q;
      } else if (c == 60) {
        p = find(p, end, 62);
        if (p >= end) { this.broken = true; break; }
        p++;
      } else p++;
    }
    this.item.setAbs(this.base, s, trimEnd(s, p));
    this.p = p + 1;
    return true;
  }
}

/** The comma-list walker the SIP layer shares (validate, digest, register): no user calls another
 *  while it walks a list. */
export const list = new ListIter();

// ---- value rules shared by several headers

/** token *( COMMA token ), or empty when allowed (RFC 3261 20.32, 20.37, 20.40). */
export function tokenList(p: usize, end: usize, empty: bool): bool {
  if (p >= end) return empty;
  while (true) {
    p = skipWs(p, end);
    const t = skipClass(p, end, C_TOKEN);
    if (t == p) return false;
    p = skipWs(t, end);
    if (p >= end) return true;
    if (load<u8>(p) != 44) return false;
    p++;
  }
}

/** The shape of an rfc1123-date, wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":"
 *  2DIGIT SP "GMT" (RFC 3261 20.17; the only time zone SIP allows is GMT): 'a' a letter, 'd' a
 *  digit. Day and month names are not looked up: well formed is enough for a UA. */
export function dateOk(p: usize, end: usize): bool {
  const shape = T("aaa, dd aaa dddd dd:dd:dd GMT");
  const n = textLen(shape);
  if (<i32>(end - p) != n) return false;
  for (let i = 0; i < n; i++) {
    const k = textAt(shape, i), c = <u32>load<u8>(p + <usize>i);
    if (k == 97 ? (cls(c) & C_ALPHA) == 0 : k == 100 ? (cls(c) & C_DIGIT) == 0 : <i32>c != k) return false;
  }
  return true;
}
