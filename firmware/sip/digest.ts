// HTTP Digest authentication for SIP (RFC 3261 22.4, RFC 2617 3.2, RFC 7616 3.4 for MD5 and
// MD5-sess): parse a WWW-Authenticate / Proxy-Authenticate challenge, and answer it with an
// Authorization / Proxy-Authorization header. qop=auth and the RFC 2069 form without qop (a
// challenge offering only qop=auth-int, which hashes the body, is refused); nc counts per
// nonce; cnonce from sys/random. The password is only ever read where the caller keeps it: it
// is hashed in place, never copied, never written anywhere.
import { DIGEST_FIELD_MAX } from "../config";
import { C_TOKEN, skipWs, skipClass, skipQuoted, wordIndex, spanFields, Span } from "./scan";
import { SipMsg, ListIter, H_WWW_AUTHENTICATE, H_PROXY_AUTHENTICATE, H_AUTHORIZATION, H_PROXY_AUTHORIZATION } from "./msg";
import * as md5 from "./md5";
import { Writer, eqNoCase, eqBytes } from "../sys/bytes";
import { quoted, header } from "./build";
import * as random from "../sys/random";
import { T, textPtr } from "../sys/text";

export const D_OK = 0;
export const D_SYNTAX = 1;       // not `scheme params` with name=value pairs
export const D_SCHEME = 2;       // not Digest (Basic, unknown): refused
export const D_ALGORITHM = 3;    // algorithm other than MD5 / MD5-sess (SHA-256 ...)
export const D_QOP = 4;          // qop offered, but not auth
export const D_MISSING = 5;      // realm or nonce missing
export const D_TOO_LONG = 6;     // realm, nonce or opaque longer than DIGEST_FIELD_MAX

export const SCHEME_DIGEST = 1, SCHEME_BASIC = 2, SCHEME_OTHER = 3;
export const ALG_MD5 = 1, ALG_MD5_SESS = 2, ALG_OTHER = 3;
export const QOP_NONE = 0, QOP_AUTH = 1;

/** A parsed challenge; spans (inside the quotes, escapes as written) relative to the base. */
export class Challenge {
  scheme: i32 = 0;
  algorithm: i32 = ALG_MD5;
  /** The qop the answer will use: QOP_AUTH when offered, else QOP_NONE. */
  qop: i32 = QOP_NONE;
  stale: bool = false;
  /** Whether the challenge had an opaque parameter (it may be empty). */
  hasOpaque: bool = false;
  realm: Span = changetype<Span>(0);
  nonce: Span = changetype<Span>(0);
  opaque: Span = changetype<Span>(0);
  constructor() { spanFields(changetype<usize>(this), offsetof<Challenge>(), 3); }
}

const list = new ListIter();

/**
 * Parses a challenge value [off, off+len) of a message at base into c (RFC 2617 3.2.1): the
 * scheme, then name=value pairs (token or quoted-string) separated by commas, any order, names
 * in any case, unknown ones ignored. Returns D_OK, or why the challenge cannot be answered.
 */
export function parseChallenge(base: usize, off: i32, len: i32, c: Challenge): i32 {
  c.scheme = 0; c.algorithm = ALG_MD5; c.qop = QOP_NONE; c.stale = false; c.hasOpaque = false;
  memory.fill(changetype<usize>(c.realm), 0, 24);
  let p = base + <usize>off;
  const end = p + <usize>len;
  p = skipWs(p, end);
  const s = p;
  p = skipClass(p, end, C_TOKEN);
  if (p == s) return D_SYNTAX;
  const k = wordIndex(s, <i32>(p - s), T("Digest Basic"));
  c.scheme = k < 0 ? SCHEME_OTHER : k + 1;
  if (k != 0) return D_SCHEME;
  let offered = false, auth = false, hasRealm = false;
  while (true) {
    p = skipWs(p, end);
    while (p < end && load<u8>(p) == 44) p = skipWs(p + 1, end);
    if (p >= end) break;
    const ns = p;
    p = skipClass(p, end, C_TOKEN);
    const nl = <i32>(p - ns);
    p = skipWs(p, end);
    if (nl == 0 || p >= end || load<u8>(p) != 61) {
      if (nl > 0 && c.nonce.len > 0) break;        // the next challenge's scheme: this one is done
      return D_SYNTAX;
    }
    p = skipWs(p + 1, end);
    let vs = p, ve: usize;
    if (p < end && load<u8>(p) == 34) {
      const q = skipQuoted(p, end);
      if (q == 0) return D_SYNTAX;
      vs = p + 1; ve = q - 1; p = q;
    } else ve = p = skipClass(p, end, C_TOKEN);
    const vl = <i32>(ve - vs);
    const i = wordIndex(ns, nl, T("realm nonce opaque stale algorithm qop"));
    if (<u32>i < 3) {
      // realm, nonce and opaque are spans in a row
      changetype<Span>(changetype<usize>(c.realm) + (<usize>i << 3)).setAbs(base, vs, ve);
      if (i == 0) hasRealm = true;
      if (i == 2) c.hasOpaque = true;
    } else if (i == 3) c.stale = eqNoCase(vs, vl, T("true"));
    else if (i == 4) {
      const a = wordIndex(vs, vl, T("MD5 MD5-sess"));
      c.algorithm = a < 0 ? ALG_OTHER : a + 1;
    } else if (i == 5) {
      offered = true;
      list.begin(base, <i32>(vs - base), vl);
      while (list.next()) auth = auth || eqNoCase(base + <usize>list.item.off, list.item.len, T("auth"));
    }
    p = skipWs(p, end);
    if (p < end && load<u8>(p) != 44) return D_SYNTAX;
  }
  if (!hasRealm || c.nonce.len == 0) return D_MISSING;
  if (c.algorithm == ALG_OTHER) return D_ALGORITHM;
  if (offered) {
    if (!auth) return D_QOP;
    c.qop = QOP_AUTH;
  }
  return D_OK;
}

/**
 * Finds the first answerable Digest challenge in m's WWW-Authenticate (proxy: Proxy-Authenticate)
 * headers (RFC 8760 servers may offer SHA-256 first). Returns D_OK with it in c, or the reason
 * the last one was refused (D_MISSING when there is none).
 */
export function findChallenge(m: SipMsg, proxy: bool, c: Challenge): i32 {
  const id = proxy ? H_PROXY_AUTHENTICATE : H_WWW_AUTHENTICATE;
  let r = D_MISSING;
  for (let i = m.find(id); i >= 0; i = m.find(id, i)) {
    r = parseChallenge(m.base, m.hdrValueOff(i), m.hdrValueLen(i), c);
    if (r == D_OK) return r;
  }
  return r;
}

// ---- answering

const ha1 = memory.data(32);
const ha2 = memory.data(32);
const ncW = new Writer(memory.data(8), 8);

/** Hashes [p, p+n) and a ':'. */
function part(p: usize, n: i32): void { md5.update(p, n); md5.byte(58); }

/**
 * The request-digest (RFC 2617 3.2.2.1, RFC 7616 3.4.1) as 32 hex digits at out. realm and nonce
 * are values (unescaped); qop QOP_NONE is the RFC 2069 form (nc and cnonce unused). The password
 * is read in place only; the HA1 scratch is wiped after use.
 */
export function digestResponse(out: usize, alg: i32, qop: i32,
    user: usize, userLen: i32, realm: usize, realmLen: i32, pass: usize, passLen: i32,
    method: usize, methodLen: i32, uri: usize, uriLen: i32, nonce: usize, nonceLen: i32,
    nc: u32, cnonce: usize, cnonceLen: i32): void {
  md5.reset(); part(user, userLen); part(realm, realmLen); md5.update(pass, passLen); md5.finishHex(ha1);
  if (alg == ALG_MD5_SESS) { md5.reset(); part(ha1, 32); part(nonce, nonceLen); md5.update(cnonce, cnonceLen); md5.finishHex(ha1); }
  md5.reset(); part(method, methodLen); md5.update(uri, uriLen); md5.finishHex(ha2);
  md5.reset(); part(ha1, 32); part(nonce, nonceLen);
  if (qop != QOP_NONE) {
    ncW.reset().hex(<u64>nc, 8);
    part(ncW.base, 8); part(cnonce, cnonceLen); part(textPtr(T("auth")), 4);
  }
  md5.update(ha2, 32);
  md5.finishHex(out);
  memory.fill(ha1, 0, 32);
}

/** Copies a value (quoted-pairs resolved) into dst; its length, or -1 when over DIGEST_FIELD_MAX. */
function unquote(dst: usize, p: usize, n: i32): i32 {
  let o = 0;
  for (let i = 0; i < n; i++) {
    let c = load<u8>(p + <usize>i);
    if (c == 92 && i + 1 < n) c = load<u8>(p + <usize>++i);
    if (o == DIGEST_FIELD_MAX) return -1;
    store<u8>(dst + <usize>o, c);
    o++;
  }
  return o;
}

const staging = memory.data(DIGEST_FIELD_MAX);
const resp = memory.data(32);
const cnonceBuf = memory.data(16);
const cnonceW = new Writer(cnonceBuf, 16);

/**
 * One account's digest state against one server (RFC 2617 3.2.2): the realm, nonce and opaque of
 * the challenge it answers (copied, so later requests can reuse them), and the nonce count.
 */
export class DigestClient {
  private realm: usize = heap.alloc(<usize>DIGEST_FIELD_MAX);
  private nonce: usize = heap.alloc(<usize>DIGEST_FIELD_MAX);
  private opaque: usize = heap.alloc(<usize>DIGEST_FIELD_MAX);
  private realmLen: i32 = 0;
  private nonceLen: i32 = 0;
  private opaqueLen: i32 = -1;
  algorithm: i32 = ALG_MD5;
  qop: i32 = QOP_NONE;
  /** Requests answered with the current nonce (the last nc sent). */
  nc: u32 = 0;
  /** The challenge came in Proxy-Authenticate: answer with Proxy-Authorization. */
  proxy: bool = false;
  /** A challenge has been accepted. */
  ready: bool = false;

  /** Takes over challenge c (parsed over base); nc restarts for a new nonce. D_OK or D_TOO_LONG
   *  (then the state is unchanged). */
  accept(base: usize, c: Challenge, proxy: bool): i32 {
    const n = unquote(staging, base + <usize>c.nonce.off, c.nonce.len);
    if (n < 0 || c.realm.len > DIGEST_FIELD_MAX || c.opaque.len > DIGEST_FIELD_MAX) return D_TOO_LONG;
    if (!eqBytes(staging, n, this.nonce, this.nonceLen)) this.nc = 0;
    memory.copy(this.nonce, staging, <usize>n);
    this.nonceLen = n;
    this.realmLen = unquote(this.realm, base + <usize>c.realm.off, c.realm.len);
    this.opaqueLen = c.hasOpaque ? unquote(this.opaque, base + <usize>c.opaque.off, c.opaque.len) : -1;
    this.algorithm = c.algorithm;
    this.qop = c.qop;
    this.proxy = proxy;
    this.ready = true;
    return D_OK;
  }

  /**
   * Writes the Authorization (or Proxy-Authorization) header line, CRLF included, for a request
   * with this method and Request-URI: username, realm, nonce, uri, response, algorithm, and with
   * qop: cnonce, qop, nc (the next count); opaque when the challenge had one. cnonce: 64 random
   * bits unless given (tests).
   */
  write(w: Writer, method: usize, methodLen: i32, uri: usize, uriLen: i32, user: usize, userLen: i32,
      pass: usize, passLen: i32, cnonce: usize = 0, cnonceLen: i32 = 0): Writer {
    this.nc++;
    if (cnonceLen == 0) {
      random.hex(cnonceW.reset(), 16);
      cnonce = cnonceBuf; cnonceLen = 16;
    }
    const sess = this.algorithm == ALG_MD5_SESS, qop = this.qop != QOP_NONE;
    digestResponse(resp, this.algorithm, this.qop, user, userLen, this.realm, this.realmLen, pass, passLen,
      method, methodLen, uri, uriLen, this.nonce, this.nonceLen, this.nc, cnonce, cnonceLen);
    header(w, this.proxy ? H_PROXY_AUTHORIZATION : H_AUTHORIZATION).str(T("Digest username="));
    quoted(w, user, userLen).str(T(", realm="));
    quoted(w, this.realm, this.realmLen).str(T(", nonce="));
    quoted(w, this.nonce, this.nonceLen).str(T(", uri="));
    quoted(w, uri, uriLen).str(T(", response=\"")).bytes(resp, 32).str(T("\", algorithm=MD5"));
    if (sess) w.str(T("-sess"));
    if (qop) quoted(w.str(T(", cnonce=")), cnonce, cnonceLen);
    if (this.opaqueLen >= 0) quoted(w.str(T(", opaque=")), this.opaque, this.opaqueLen);
    if (qop) w.str(T(", qop=auth, nc=")).hex(<u64>this.nc, 8);
    return w.crlf();
  }
}
