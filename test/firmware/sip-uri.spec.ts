// URIs (RFC 3261 19.1, 25.1; RFC 3966 tel): components, hosts (IPv4, IPv6 references), escapes,
// and the equivalence rules of RFC 3261 19.1.4 with the RFC's own example pairs.
import { SipUri, parseUri, uriEqual, escEq, S_SIP, S_SIPS, S_TEL, S_OTHER, HOST_NAME, HOST_IP4, HOST_IP6 } from "../../firmware/sip/uri";
import { Span } from "../../firmware/sip/msg";
import { T, Text } from "../../firmware/sys/text";
import { raw, addr, text } from "./sip-util";

const u = new SipUri();
const v = new SipUri();

function parse(s: string, out: SipUri = u): bool {
  const b = raw(s);
  return parseUri(addr(b), 0, b.byteLength, out);
}

let base: usize = 0;
function P(s: string, out: SipUri = u): bool {
  const b = raw(s);
  base = addr(b);
  return parseUri(base, 0, b.byteLength, out);
}
function part(sp: Span): string { return text(base + <usize>sp.off, sp.len); }
const pv = new Span();
/** A uri-parameter's value read on demand ("" when it has none, "absent" when missing). */
function param(name: Text): string { return u.param(base, name, pv) ? part(pv) : "absent"; }

/** RFC 3261 19.1.4 equivalence of a and b, checked both ways. */
function same(a: string, b: string): bool {
  const ba = raw(a), bb = raw(b);
  expect(parseUri(addr(ba), 0, ba.byteLength, u)).toBe(true);
  expect(parseUri(addr(bb), 0, bb.byteLength, v)).toBe(true);
  const x = uriEqual(addr(ba), u, addr(bb), v);
  expect(uriEqual(addr(bb), v, addr(ba), u)).toBe(x);
  return x;
}

describe("SIP URI components", () => {
  it("user, password, host, port, params, headers", () => {
    expect(P("sip:alice:secretword@atlanta.com:5070;transport=tcp;lr;maddr=239.255.255.1;ttl=15;user=phone;method=INVITE?subject=project%20x&priority=urgent")).toBe(true);
    expect(u.scheme).toBe(S_SIP);
    expect(part(u.user)).toBe("alice");
    expect(part(u.password)).toBe("secretword");
    expect(part(u.host)).toBe("atlanta.com");
    expect(u.hostKind).toBe(HOST_NAME);
    expect(u.port).toBe(5070);
    expect(param(T("transport"))).toBe("tcp");
    expect(u.lr).toBe(true);
    expect(param(T("lr"))).toBe("");
    expect(param(T("maddr"))).toBe("239.255.255.1");
    expect(param(T("TTL"))).toBe("15");
    expect(param(T("user"))).toBe("phone");
    expect(param(T("method"))).toBe("INVITE");
    expect(param(T("x"))).toBe("absent");
    expect(part(u.params)).toBe("transport=tcp;lr;maddr=239.255.255.1;ttl=15;user=phone;method=INVITE");
    expect(part(u.headers)).toBe("subject=project%20x&priority=urgent");
  });

  it("hosts: names, IPv4, IPv6 references", () => {
    expect(P("sips:1212@gateway.com")).toBe(true);
    expect(u.scheme).toBe(S_SIPS);
    expect(P("sip:alice@192.0.2.4")).toBe(true);
    expect(u.hostKind).toBe(HOST_IP4);
    expect(P("sip:[2001:db8::10]:5060")).toBe(true);
    expect(u.hostKind).toBe(HOST_IP6);
    expect(part(u.host)).toBe("[2001:db8::10]");
    expect(u.port).toBe(5060);
    expect(u.user.len).toBe(0);
    expect(parse("sip:a@[::1]")).toBe(true);
    expect(parse("sip:a@[::]")).toBe(true);
    expect(parse("sip:a@[1:2:3:4:5:6:7:8]")).toBe(true);
    expect(parse("sip:a@[1:2:3:4:5:6:192.0.2.1]")).toBe(true);
    expect(parse("sip:a@[::ffff:192.0.2.1]")).toBe(true);
    expect(parse("sip:a@[fe80::1%25eth0]")).toBe(false);
    expect(parse("sip:a@[1:2:3:4:5:6:7]")).toBe(false);
    expect(parse("sip:a@[1:2:3:4:5:6:7:8:9]")).toBe(false);
    expect(parse("sip:a@[1::2::3]")).toBe(false);
    expect(parse("sip:a@[12345::1]")).toBe(false);
    expect(parse("sip:a@[1:2:3:4:5:6:7:192.0.2.1]")).toBe(false);
    expect(parse("sip:a@[::1")).toBe(false);
    expect(parse("sip:a@2001:db8::1")).toBe(false);
    expect(parse("sip:a@256.1.1.1")).toBe(false);
    expect(parse("sip:a@1.2.3")).toBe(false);
    expect(parse("sip:a@host..example")).toBe(false);
    expect(parse("sip:a@.example")).toBe(false);
    expect(parse("sip:a@my_host.lan")).toBe(true);
    expect(parse("sip:a@example.com.")).toBe(true);
  });

  it("rejects what is not a SIP URI", () => {
    expect(parse("sip:")).toBe(false);
    expect(parse("sip:@host")).toBe(false);
    expect(parse("sip:a@")).toBe(false);
    expect(parse("sip:a@host:")).toBe(false);
    expect(parse("sip:a@host:0")).toBe(false);
    expect(parse("sip:a@host:65536")).toBe(false);
    expect(parse("sip:a@host;")).toBe(false);
    expect(parse("sip:a@host;=x")).toBe(false);
    expect(parse("sip:a@host;p=")).toBe(false);
    expect(parse("sip:a@host;ttl=256")).toBe(false);
    expect(parse("sip:a@host;maddr=bad..host")).toBe(false);
    expect(parse("sip:a@host?")).toBe(false);
    expect(parse("sip:a@host?x")).toBe(false);
    expect(parse("sip:a@host?x=1&")).toBe(false);
    expect(parse("sip:a b@host")).toBe(false);
    expect(parse("sip:a%4@host")).toBe(false);
    expect(parse("sip:a%g1@host")).toBe(false);
    expect(parse("sip:a#b@host")).toBe(false);
    expect(parse("sip:a@ho st")).toBe(false);
    expect(parse("1sip:a@host")).toBe(false);
    expect(parse("sip")).toBe(false);
    expect(parse(":a@host")).toBe(false);
  });

  it("escapes are checked and kept; users may hold ; ? / and a password", () => {
    expect(P("sip:sips%3Auser%40example.com@example.net")).toBe(true);
    expect(part(u.user)).toBe("sips%3Auser%40example.com");
    expect(P("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com")).toBe(true);
    expect(part(u.password)).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(P("sip:%00@host5.example.com")).toBe(true);
    expect(part(u.user)).toBe("%00");
    expect(parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E")).toBe(true);
    expect(parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31")).toBe(true);
  });

  it("tel and other schemes", () => {
    expect(P("tel:+1-201-555-0123;phone-context=example.com")).toBe(true);
    expect(u.scheme).toBe(S_TEL);
    expect(parse("tel:*31#")).toBe(true);
    expect(P("soap.beep://192.0.2.103:3002")).toBe(true);
    expect(u.scheme).toBe(S_OTHER);
    expect(parse("isbn:2983792873")).toBe(true);
    expect(parse("http://www.example.com/a?b=c")).toBe(true);
    expect(parse("urn:uuid:6f8d2a1c-3b5e")).toBe(true);
    expect(parse("mailto:a b@c")).toBe(false);
    expect(parse("x:")).toBe(false);
  });
});

describe("URI comparison (RFC 3261 19.1.4)", () => {
  it("the RFC's equivalent pairs", () => {
    expect(same("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")).toBe(true);
    expect(same("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")).toBe(true);
    expect(same("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")).toBe(true);
    expect(same("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on")).toBe(true);
    expect(same("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
      "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")).toBe(true);
    expect(same("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
      "sip:alice@atlanta.com?priority=urgent&subject=project%20x")).toBe(true);
  });

  it("the RFC's non-equivalent pairs", () => {
    expect(same("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")).toBe(false);
    expect(same("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")).toBe(false);
    expect(same("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")).toBe(false);
    expect(same("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")).toBe(false);
    expect(same("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")).toBe(false);
    expect(same("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")).toBe(false);
    expect(same("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")).toBe(false);
  });

  it("user, ttl, method, maddr in one only; sip vs sips; escaped reserved characters", () => {
    expect(same("sip:a@h;user=phone", "sip:a@h")).toBe(false);
    expect(same("sip:a@h;ttl=1", "sip:a@h")).toBe(false);
    expect(same("sip:a@h;method=INVITE", "sip:a@h")).toBe(false);
    expect(same("sip:a@h;maddr=192.0.2.1", "sip:a@h")).toBe(false);
    expect(same("sip:a@h", "sips:a@h")).toBe(false);
    expect(same("sip:a%3bb@h", "sip:a;b@h")).toBe(false);
    expect(same("sip:a%3bb@h", "sip:a%3Bb@h")).toBe(true);
    expect(same("sip:%75ser@example.com", "sip:user@example.com")).toBe(true);
    expect(same("sip:User@example.com", "sip:user@example.com")).toBe(false);
    expect(same("sip:a:pw@h", "sip:a@h")).toBe(false);
    expect(same("sip:a@h?x=1", "sip:a@h?x=1&y=2")).toBe(false);
    expect(same("isbn:123", "ISBN:123")).toBe(true);
  });

  it("bounded work: more than 32 parameters never compare equal", () => {
    let a = "sip:a@h", b = "sip:a@h";
    for (let i = 0; i < 32; i++) { a += ";p" + i.toString() + "=1"; b += ";p" + i.toString() + "=1"; }
    expect(same(a, b)).toBe(true);
    expect(same(a + ";x", b + ";x")).toBe(false);
  });

  it("escEq decodes once, not recursively", () => {
    const a = raw("v%61lue%25%34%31"), b = raw("value%41"), c = raw("value%2541");
    expect(escEq(addr(a), a.byteLength, addr(b), b.byteLength, false)).toBe(false);
    expect(escEq(addr(a), a.byteLength, addr(c), c.byteLength, false)).toBe(true);
  });
});
