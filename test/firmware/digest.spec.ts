// Digest authentication (RFC 2617, RFC 7616, RFC 2069; qop=auth-int is refused): published test vectors, challenge
// parsing (kamailio, Asterisk, odd but legal forms, refused schemes), and a kamailio 401 round
// trip. Expected responses not printed in an RFC were computed once, independently, with Node:
//   const md5 = (s) => require("crypto").createHash("md5").update(s).digest("hex");
//   md5(`${md5("1001:127.0.0.1:pass1001")}:${nonce}:00000001:0a1b2c3d4e5f6071:auth:${md5("REGISTER:sip:127.0.0.1")}`)
// and pasted here as literals (test vectors, not results of the code under test).
import { SipMsg, Span } from "../../firmware/sip/msg";
import { Challenge, DigestClient, parseChallenge, findChallenge, digestResponse, D_OK, D_SCHEME, D_ALGORITHM,
  D_QOP, D_MISSING, D_SYNTAX, SCHEME_DIGEST, SCHEME_BASIC, SCHEME_OTHER, ALG_MD5, ALG_MD5_SESS, QOP_NONE,
  QOP_AUTH } from "../../firmware/sip/digest";
import { Writer } from "../../firmware/sys/bytes";
import { raw, addr, text, file, parseBuf, parseText, str } from "./sip-util";

const out = new ArrayBuffer(32);
const c = new Challenge();
const m = new SipMsg();
const wb = new ArrayBuffer(1024);
const w = new Writer(changetype<usize>(wb), 1024);

function resp(alg: i32, qop: i32, user: string, realm: string, pass: string, method: string, uri: string,
    nonce: string, nc: u32, cnonce: string): string {
  const u = raw(user), r = raw(realm), p = raw(pass), me = raw(method), ur = raw(uri), n = raw(nonce), cn = raw(cnonce);
  digestResponse(addr(out), alg, qop, addr(u), u.byteLength, addr(r), r.byteLength, addr(p), p.byteLength,
    addr(me), me.byteLength, addr(ur), ur.byteLength, addr(n), n.byteLength, nc, addr(cn), cn.byteLength);
  return text(addr(out), 32);
}

let cbase: usize = 0;
function chal(s: string): i32 {
  const b = raw(s);
  cbase = addr(b);
  return parseChallenge(cbase, 0, b.byteLength, c);
}
function cs(sp: Span): string { return text(cbase + <usize>sp.off, sp.len); }

/** Occurrences of the ASCII bytes of s anywhere in linear memory. */
function countInMemory(s: string): i32 {
  const n = s.length;
  const top = <usize>memory.size() << 16;
  const c0 = <u8>s.charCodeAt(0);
  let k = 0;
  for (let p: usize = 0; p + <usize>n <= top; p++) {
    if (load<u8>(p) != c0) continue;
    let i = 1;
    while (i < n && <i32>load<u8>(p + <usize>i) == s.charCodeAt(i)) i++;
    if (i == n) k++;
  }
  return k;
}

describe("request-digest test vectors", () => {
  it("RFC 2617 3.5 (Mufasa, qop=auth)", () => {
    expect(resp(ALG_MD5, QOP_AUTH, "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
      "dcd98b7102dd2f0e8b11d0f600bfb0c093", 1, "0a4f113b")).toBe("6629fae49393a05397450978507c4ef1");
  });
  it("RFC 7616 3.9.1 (MD5)", () => {
    expect(resp(ALG_MD5, QOP_AUTH, "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html",
      "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"))
      .toBe("8ca523f5e9506fed4657c9700eebdbec");
  });
  it("RFC 2069 (no qop)", () => {
    expect(resp(ALG_MD5, QOP_NONE, "Mufasa", "testrealm@host.com", "CircleOfLife", "GET", "/dir/index.html",
      "dcd98b7102dd2f0e8b11d0f600bfb0c093", 0, "")).toBe("1949323746fe6a43ef61f9606e7febea");
  });
  it("MD5-sess (vector from Node crypto)", () => {
    expect(resp(ALG_MD5_SESS, QOP_AUTH, "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
      "dcd98b7102dd2f0e8b11d0f600bfb0c093", 1, "0a4f113b")).toBe("8e3825c57e897f5a0dec6c2d4e5059d0");
  });
});

describe("challenges", () => {
  it("RFC 2617 example: qop list, opaque", () => {
    expect(chal("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")).toBe(D_OK);
    expect(c.scheme).toBe(SCHEME_DIGEST);
    expect(cs(c.realm)).toBe("testrealm@host.com");
    expect(cs(c.nonce)).toBe("dcd98b7102dd2f0e8b11d0f600bfb0c093");
    expect(cs(c.opaque)).toBe("5ccc069c403ebaf9f0171e9517f40e41");
    expect(c.qop).toBe(QOP_AUTH);
    expect(c.algorithm).toBe(ALG_MD5);
    expect(c.stale).toBe(false);
  });

  it("names in any case, token values, any order, unknown ones ignored", () => {
    expect(chal("DIGEST STALE=TRUE,ALGORITHM=MD5-SESS , charset=UTF-8,userhash=false,NONCE=\"n1\",domain=\"sip:a sip:b\",REALM=r1")).toBe(D_OK);
    expect(cs(c.realm)).toBe("r1");
    expect(cs(c.nonce)).toBe("n1");
    expect(c.algorithm).toBe(ALG_MD5_SESS);
    expect(c.stale).toBe(true);
    expect(c.qop).toBe(QOP_NONE);
    expect(c.hasOpaque).toBe(false);
    expect(chal("Digest realm=\"\", nonce=\"x\", qop=\"auth-int,auth\"")).toBe(D_OK);
    expect(c.qop).toBe(QOP_AUTH);
    expect(c.realm.len).toBe(0);
  });

  it("refuses what it cannot answer", () => {
    expect(chal("Basic realm=\"WallyWorld\"")).toBe(D_SCHEME);
    expect(c.scheme).toBe(SCHEME_BASIC);
    expect(chal("NoOneKnowsThisScheme opaque-data=here")).toBe(D_SCHEME);
    expect(c.scheme).toBe(SCHEME_OTHER);
    expect(chal("Digest realm=\"a\", nonce=\"b\", algorithm=SHA-256")).toBe(D_ALGORITHM);
    expect(chal("Digest realm=\"a\", nonce=\"b\", qop=\"token\"")).toBe(D_QOP);
    expect(chal("Digest realm=\"a\", nonce=\"b\", qop=auth-int")).toBe(D_QOP);
    expect(chal("Digest realm=\"a\"")).toBe(D_MISSING);
    expect(chal("Digest nonce=\"a\"")).toBe(D_MISSING);
    expect(chal("Digest realm=\"a, nonce=\"b\"")).toBe(D_SYNTAX);
    expect(chal("Digest realm")).toBe(D_SYNTAX);
    expect(chal("")).toBe(D_SYNTAX);
  });

  it("picks the MD5 challenge when SHA-256 is offered first (RFC 8760)", () => {
    parseText(m, "SIP/2.0 401 Unauthorized\nVia: SIP/2.0/UDP 192.0.2.50;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: x\nCSeq: 1 REGISTER\n" +
      "WWW-Authenticate: Digest realm=\"b\", nonce=\"n256\", algorithm=SHA-256, qop=\"auth\"\nWWW-Authenticate: Digest realm=\"b\", nonce=\"n5\", algorithm=MD5, qop=\"auth\"\nContent-Length: 0\n\n");
    expect(findChallenge(m, false, c)).toBe(D_OK);
    expect(str(m, c.nonce)).toBe("n5");
    expect(findChallenge(m, true, c)).toBe(D_MISSING);
  });
});

describe("answering a challenge", () => {
  it("kamailio 401 round trip (REGISTER)", () => {
    parseBuf(m, file("test/fixtures/sip/kamailio-401.sip"));
    expect(findChallenge(m, false, c)).toBe(D_OK);
    const dc = new DigestClient();
    expect(dc.accept(m.base, c, false)).toBe(D_OK);
    const method = raw("REGISTER"), uri = raw("sip:127.0.0.1"), user = raw("1001"), pass = raw("pass1001"), cn = raw("0a1b2c3d4e5f6071");
    dc.write(w.reset(), addr(method), 8, addr(uri), uri.byteLength, addr(user), 4, addr(pass), 8, addr(cn), 16);
    expect(text(w.base, w.len)).toBe("Authorization: Digest username=\"1001\", realm=\"127.0.0.1\", nonce=\"ZP5qXWT+aTEOaZkNm1j1lOEh2Ajn2ycc\", uri=\"sip:127.0.0.1\", response=\"47f7e1c0ef88102ac075dad28ff92618\", algorithm=MD5, cnonce=\"0a1b2c3d4e5f6071\", qop=auth, nc=00000001\r\n");
    // the next request with the same nonce counts on
    dc.write(w.reset(), addr(method), 8, addr(uri), uri.byteLength, addr(user), 4, addr(pass), 8, addr(cn), 16);
    expect(text(w.base, w.len).includes("response=\"24b4537af0cd7cb20557e4f62da93ad9\"")).toBe(true);
    expect(text(w.base, w.len).endsWith("nc=00000002\r\n")).toBe(true);
    // the password was read in place: its only copy is the caller's; HA1 is not left behind
    expect(countInMemory("pass1001")).toBe(1);
    expect(countInMemory("b2cbe95523d385e3307859eac79e94e1")).toBe(0);
    // the same challenge again (stale=false re-challenge with the same nonce) keeps the count
    expect(dc.accept(m.base, c, false)).toBe(D_OK);
    expect(dc.nc).toBe(2);
    // a new nonce restarts it
    expect(chal("Digest realm=\"127.0.0.1\", nonce=\"other\", qop=\"auth\"")).toBe(D_OK);
    dc.accept(cbase, c, false);
    expect(dc.nc).toBe(0);
    // a fresh cnonce when none is given: 16 hex digits, the response still verifies
    dc.write(w.reset(), addr(method), 8, addr(uri), uri.byteLength, addr(user), 4, addr(pass), 8);
    const s = text(w.base, w.len);
    const at = s.indexOf("cnonce=\"") + 8;
    const fresh = s.substring(at, at + 16);
    expect(s.charAt(at + 16)).toBe("\"");
    const r = resp(ALG_MD5, QOP_AUTH, "1001", "127.0.0.1", "pass1001", "REGISTER", "sip:127.0.0.1", "other", 1, fresh);
    expect(s.includes("response=\"" + r + "\"")).toBe(true);
  });

  it("Asterisk 407: Proxy-Authorization with opaque", () => {
    parseBuf(m, file("test/fixtures/sip/asterisk-407.sip"));
    expect(findChallenge(m, false, c)).toBe(D_MISSING);
    expect(findChallenge(m, true, c)).toBe(D_OK);
    const dc = new DigestClient();
    dc.accept(m.base, c, true);
    const method = raw("INVITE"), uri = raw("sip:100@192.168.1.10"), user = raw("door"), pass = raw("s3cret!"), cn = raw("0a1b2c3d4e5f6071");
    dc.write(w.reset(), addr(method), 6, addr(uri), uri.byteLength, addr(user), 4, addr(pass), 7, addr(cn), 16);
    expect(text(w.base, w.len)).toBe("Proxy-Authorization: Digest username=\"door\", realm=\"asterisk\", nonce=\"1700585612/4a9ae3c5d1f2b6c7e8a90b1c2d3e4f50\", uri=\"sip:100@192.168.1.10\", response=\"bff7bc7fd3a4e67aa665eba32e6dbb2f\", algorithm=MD5, cnonce=\"0a1b2c3d4e5f6071\", opaque=\"63cf01f23d3e2a11\", qop=auth, nc=00000001\r\n");
  });

  it("RFC 2069 server: no qop, no cnonce, no nc", () => {
    expect(chal("Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")).toBe(D_OK);
    const dc = new DigestClient();
    dc.accept(cbase, c, false);
    const method = raw("GET"), uri = raw("/dir/index.html"), user = raw("Mufasa"), pass = raw("CircleOfLife");
    dc.write(w.reset(), addr(method), 3, addr(uri), uri.byteLength, addr(user), 6, addr(pass), 12);
    expect(text(w.base, w.len)).toBe("Authorization: Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", response=\"1949323746fe6a43ef61f9606e7febea\", algorithm=MD5, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n");
  });

  it("realm with quoted-pairs is hashed and written back correctly", () => {
    expect(chal("Digest realm=\"a\\\"b\", nonce=\"n\"")).toBe(D_OK);
    const dc = new DigestClient();
    dc.accept(cbase, c, false);
    const method = raw("GET"), uri = raw("/"), user = raw("u"), pass = raw("p");
    dc.write(w.reset(), addr(method), 3, addr(uri), 1, addr(user), 1, addr(pass), 1);
    const r = resp(ALG_MD5, QOP_NONE, "u", "a\"b", "p", "GET", "/", "n", 0, "");
    expect(text(w.base, w.len)).toBe("Authorization: Digest username=\"u\", realm=\"a\\\"b\", nonce=\"n\", uri=\"/\", response=\"" + r + "\", algorithm=MD5\r\n");
  });
});
