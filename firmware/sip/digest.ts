// HTTP Digest authentication for SIP (RFC 3261 22.4, RFC 2617 3.2, RFC 7616 3.4 for MD5 and
// MD5-sess): parse a WWW-Authenticate / Proxy-Authenticate challenge, and answer it with an
// Authorization / Proxy-Authorization header. qop=auth and the RFC 2069 form without qop (a
// challenge offering only qop=auth-int, which hashes the body, is refused); nc counts per
// nonce; cnonce from sys/random. The password is only ever read where the caller keeps it: it
// is hashed in place, never copied, never written anywhere.
import { DIGEST_FIELD_MAX } from "../config";
import { at, C_TOKEN, skipWs, skipClass, spanFields, Span } from "./scan";
import { params } from "./params";
import { SipMsg, list, H_WWW_AUTHENTICATE, H_PROXY_AUTHENTICATE, H_AUTHORIZATION, H_PROXY_AUTHORIZATION } from "./msg";
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
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the declared defaults are zero unless set here).
@final export class Challenge {
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
  constructor() {
    const c = __new(offsetof<Challenge>(), idof<Challenge>());
    spanFields(c, offsetof<Challenge>(), 3);
    changetype<Challenge>(c).algorithm = ALG_MD5;
    return changetype<Challenge>(c);
  }
}


/**
 * Parses a challenge value [off, off+len) of a message at base into c (RFC 2617 3.2.1): the
 * scheme, then name=value pairs (token or quoted-string) separated by commas, any order, names
 * in any case, unknown ones ignored. Returns D_OK, or why the challenge cannot be answered.
 */
export function parseChallenge(base: usize, off: i32, len: i32, c: Challenge): i32 {
  memory.fill(changetype<usize>(c), 0, 14);          // scheme, algorithm, qop, stale, hasOpaque
  c.algorithm = ALG_MD5;
  memory.fill(changetype<usize>(c.realm), 0, 24);
  let p = base + <usize>off;
  const end = p + <usize>len;
  p = skipWs(p, end);
  const s = p;
  p = skipClass(p, end, C_TOKEN);
  if (p == s) return D_SYNTAX;
  c.scheme = eqNoCase(s, <i32>(p - s), T("Digest")) ? SCHEME_DIGEST : eqNoCase(s, <i32>(p - s), T("Basic")) ? SCHEME_BASIC : SCHEME_OTHER;
  if (c.scheme != SCHEME_DIGEST) return D_SCHEME;
  let offered = false, auth = false, hasRealm = false;
  params.begin(base, p, end);
  while (true) {
    p = skipWs(p, end);
    while (at(p, end, 44)) p = skipWs(p + 1, end);
    if (p >= end) break;
    if (!params.at(p) || !params.hasValue) {
      if (!params.err && c.nonce.len > 0) break;       // the next challenge's scheme: this one is done
      return D_SYNTAX;
    }
    const vs = base + <usize>params.valOff, vl = params.valLen;
    if (params.is(T("realm"))) { c.realm.set(params.valOff, vl); hasRealm = true; }
    else if (params.is(T("nonce"))) c.nonce.set(params.valOff, vl);
    else if (params.is(T("opaque"))) { c.opaque.set(params.valOff, vl); c.hasOpaque = true; }
    else if (params.is(T("stale"))) c.stale = eqNoCase(vs, vl, T("true"));
    else if (params.is(T("algorithm"))) {
      c.algorithm = eqNoCase(vs, vl, T("MD5")) ? ALG_MD5 : eqNoCase(vs, vl, T("MD5-sess")) ? ALG_MD5_SESS : ALG_OTHER;
    } else if (params.is(T("qop"))) {
      offered = true;
      list.begin(base, params.valOff, vl);
      while (list.next()) auth = auth || eqNoCase(base + <usize>list.item.off, list.item.len, T("auth"));
    }
    p = skipWs(params.p, end);
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

/** Hashes a quoted-string's content [p, p+n) as its value, and a ':'. */
function partValue(p: usize, n: i32): void { md5.unquoted(p, n); md5.byte(58); }

/**
 * The request-digest (RFC 2617 3.2.2.1, RFC 7616 3.4.1) as 32 hex digits at out. realm and nonce
 * as a quoted-string's content (a quoted-pair counts as the byte it escapes); qop QOP_NONE is the
 * RFC 2069 form (nc and cnonce unused). The password is read in place only; the HA1 scratch is
 * wiped after use.
 */
export function digestResponse(out: usize, alg: i32, qop: i32,
    user: usize, userLen: i32, realm: usize, realmLen: i32, pass: usize, passLen: i32,
    method: usize, methodLen: i32, uri: usize, uriLen: i32, nonce: usize, nonceLen: i32,
    nc: u32, cnonce: usize, cnonceLen: i32): void {
  md5.reset(); part(user, userLen); partValue(realm, realmLen); md5.update(pass, passLen); md5.finishHex(ha1);
  if (alg == ALG_MD5_SESS) { md5.reset(); part(ha1, 32); partValue(nonce, nonceLen); md5.update(cnonce, cnonceLen); md5.finishHex(ha1); }
  md5.reset(); part(method, methodLen); md5.update(uri, uriLen); md5.finishHex(ha2);
  md5.reset(); part(ha1, 32); partValue(nonce, nonceLen);
  if (qop != QOP_NONE) {
    ncW.reset().hex(<u64>nc, 8);
    part(ncW.base, 8); part(cnonce, cnonceLen); part(textPtr(T("auth")), 4);
  }
  md5.update(ha2, 32);
  md5.finishHex(out);
  memory.fill(ha1, 0, 32);
}

/** Copies a span's bytes (a quoted-string's content as written) to dst; their length. */
function keep(dst: usize, base: usize, s: Span): i32 {
  memory.copy(dst, base + <usize>s.off, <usize>s.len);
  return s.len;
}

/** A quoted-string whose content [p, p+n) is already escaped. */
function quotedRaw(w: Writer, p: usize, n: i32): Writer { return w.byte(34).bytes(p, n).byte(34); }

const resp = memory.data(32);
const cnonceBuf = memory.data(16);
const cnonceW = new Writer(cnonceBuf, 16);

/**
 * One account's digest state against one server (RFC 2617 3.2.2): the realm, nonce and opaque of
 * the challenge it answers (copied, so later requests can reuse them), and the nonce count.
 */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the declared defaults are zero unless set here).
@final export class DigestClient {
  private realm: usize = 0;
  private nonce: usize = 0;
  private opaque: usize = 0;
  private realmLen: i32 = 0;
  private nonceLen: i32 = 0;
  private opaqueLen: i32 = -1;
  algorithm: i32 = ALG_MD5;
  qop: i32 = QOP_NONE;
  // realm, nonce and opaque as the challenge wrote them (quoted-pairs kept): written back as
  // they came, hashed unescaped
  /** Requests answered with the current nonce (the last nc sent). */
  nc: u32 = 0;
  /** The challenge came in Proxy-Authenticate: answer with Proxy-Authorization. */
  proxy: bool = false;
  /** A challenge has been accepted. */
  ready: bool = false;

  constructor() {
    const d = changetype<DigestClient>(__new(offsetof<DigestClient>(), idof<DigestClient>()));
    d.realm = heap.alloc(<usize>DIGEST_FIELD_MAX);
    d.nonce = heap.alloc(<usize>DIGEST_FIELD_MAX);
    d.opaque = heap.alloc(<usize>DIGEST_FIELD_MAX);
    d.opaqueLen = -1;
    d.algorithm = ALG_MD5;
    return d;
  }

  /** Takes over challenge c (parsed over base); nc restarts for a new nonce. D_OK or D_TOO_LONG
   *  (then the state is unchanged). */
  accept(base: usize, c: Challenge, proxy: bool): i32 {
    const n = c.nonce;
    if (n.len > DIGEST_FIELD_MAX || c.realm.len > DIGEST_FIELD_MAX || c.opaque.len > DIGEST_FIELD_MAX) return D_TOO_LONG;
    if (!eqBytes(base + <usize>n.off, n.len, this.nonce, this.nonceLen)) this.nc = 0;
    this.nonceLen = keep(this.nonce, base, n);
    this.realmLen = keep(this.realm, base, c.realm);
    this.opaqueLen = c.hasOpaque ? keep(this.opaque, base, c.opaque) : -1;
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
    quotedRaw(w, this.realm, this.realmLen).str(T(", nonce="));
    quotedRaw(w, this.nonce, this.nonceLen).str(T(", uri="));
    quoted(w, uri, uriLen).str(T(", response=\"")).bytes(resp, 32).str(T("\", algorithm=MD5"));
    if (sess) w.str(T("-sess"));
    if (qop) quoted(w.str(T(", cnonce=")), cnonce, cnonceLen);
    if (this.opaqueLen >= 0) quotedRaw(w.str(T(", opaque=")), this.opaque, this.opaqueLen);
    if (qop) w.str(T(", qop=auth, nc=")).hex(<u64>this.nc, 8);
    return w.crlf();
  }
}
