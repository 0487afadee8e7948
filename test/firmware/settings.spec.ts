import { textString } from "./fixture";
// Settings validation (firmware/console/validate.ts): every rule of every type with its exact
// error text, the normalised value on success, and nothing changed on error. Addresses are
// checked with the SIP URI parser (firmware/sip/uri.ts): what it takes is what the SIP stack uses.
import { Writer } from "../../firmware/sys/bytes";
import * as settings from "../../firmware/console/settings";
import { check, norm, textOk } from "../../firmware/console/validate";

settings.loadDefaults();

const ERR_CAP: i32 = 256;
const err = new Writer(memory.data(ERR_CAP), ERR_CAP);

function key(name: string): i32 {
  const b = String.UTF8.encode(name);
  return settings.find(changetype<usize>(b), b.byteLength);
}

/** The normalised value, or "error: <reason>". */
function v(name: string, value: string): string {
  const k = key(name);
  if (k < 0) return "no such key";
  const b = String.UTF8.encode(value);
  err.reset();
  const m = check(k, changetype<usize>(b), b.byteLength, err);
  if (m < 0) {
    if (err.len == 0) return "error without a reason";
    return "error: " + String.UTF8.decodeUnsafe(err.base, err.len);
  }
  if (err.len != 0) return "a reason on success";
  return String.UTF8.decodeUnsafe(norm, m);
}

function longestChoice(pattern: string): i32 {
  const c = pattern.split("|");
  let m = 0;
  for (let i = 0; i < c.length; i++) if (c[i].length > m) m = c[i].length;
  return m;
}

describe("T_INT", () => {
  it("takes decimals in range and normalises them", () => {
    expect(v("sip.expires", "60")).toBe("60");
    expect(v("sip.expires", "86400")).toBe("86400");
    expect(v("sip.expires", "000120")).toBe("120");
    expect(v("audio.volume", "0")).toBe("0");
  });
  it("refuses out of range, signs, non-digits, empty and huge", () => {
    const e = "error: sip.expires must be 60..86400";
    expect(v("sip.expires", "59")).toBe(e);
    expect(v("sip.expires", "86401")).toBe(e);
    expect(v("sip.expires", "-60")).toBe(e);
    expect(v("sip.expires", "+60")).toBe(e);
    expect(v("sip.expires", "6 0")).toBe(e);
    expect(v("sip.expires", "")).toBe(e);
    expect(v("sip.expires", "99999999999")).toBe(e);
    expect(v("sip.port", "0")).toBe("error: sip.port must be 1..65535");
  });
  it("refuses odd numbers where the schema says even", () => {
    expect(v("rtp.port", "40002")).toBe("40002");
    expect(v("rtp.port", "40003")).toBe("error: rtp.port must be even");
    expect(v("rtp.port", "1022")).toBe("error: rtp.port must be 1024..65534");
  });
});

describe("T_ENUM", () => {
  it("takes a choice in any case and stores its canonical spelling", () => {
    expect(v("answer.mode", "off")).toBe("off");
    expect(v("answer.mode", "AUTO")).toBe("auto");
    expect(v("call.codecs", "pcma,pcmu")).toBe("pcma,pcmu");
    expect(v("log.level", "Trace")).toBe("trace");
  });
  it("refuses anything else", () => {
    expect(v("answer.mode", "maybe")).toBe("error: answer.mode must be one of auto|off");
    expect(v("answer.mode", "")).toBe("error: answer.mode must be one of auto|off");
    expect(v("answer.mode", "aut")).toBe("error: answer.mode must be one of auto|off");
    expect(v("answer.mode", "auto|off")).toBe("error: answer.mode must be one of auto|off");
    expect(v("call.codecs", "pcmu, pcma")).toBe("error: call.codecs must be one of pcmu,pcma|pcma,pcmu|pcmu|pcma");
  });
});

describe("T_STR", () => {
  it("takes text up to its length, UTF-8 included, and empty", () => {
    expect(v("sip.display", "Haustür")).toBe("Haustür");
    expect(v("sip.display", "")).toBe("");
    expect(v("sip.user", "u".repeat(64))).toBe("u".repeat(64));
    expect(v("sip.display", "日本語 ✓ 𝄞")).toBe("日本語 ✓ 𝄞");
  });
  it("refuses too long, control characters and bad UTF-8", () => {
    expect(v("sip.user", "u".repeat(65))).toBe("error: sip.user is longer than 64 bytes");
    expect(v("sip.display", "ü".repeat(33))).toBe("error: sip.display is longer than 64 bytes");
    const e = " must be UTF-8 text without control characters";
    expect(v("sip.password", "a\tb")).toBe("error: sip.password" + e);
    expect(v("sip.display", "a\x7fb")).toBe("error: sip.display" + e);
    expect(v("sip.display", "a\u0085b")).toBe("error: sip.display" + e);
    expect(v("sip.display", "a\u00a0b")).toBe("a\u00a0b"); // U+00A0 is not a control character
  });
  it("checks UTF-8 byte by byte (RFC 3629)", () => {
    const b = memory.data(8);
    store<u8>(b, 0x61); store<u8>(b + 1, 0xc3); store<u8>(b + 2, 0xbc);
    expect(textOk(b, 3)).toBe(true);           // "aü"
    expect(textOk(b, 2)).toBe(false);          // cut inside ü
    store<u8>(b + 1, 0xc0); store<u8>(b + 2, 0xaf);
    expect(textOk(b, 3)).toBe(false);          // overlong "/"
    store<u8>(b, 0xed); store<u8>(b + 1, 0xa0); store<u8>(b + 2, 0x80);
    expect(textOk(b, 3)).toBe(false);          // a UTF-16 surrogate
    store<u8>(b, 0xed); store<u8>(b + 1, 0x9f); store<u8>(b + 2, 0xbf);
    expect(textOk(b, 3)).toBe(true);           // U+D7FF, just below the surrogates
    store<u8>(b, 0xf4); store<u8>(b + 1, 0x90); store<u8>(b + 2, 0x80); store<u8>(b + 3, 0x80);
    expect(textOk(b, 4)).toBe(false);          // above U+10FFFF
    store<u8>(b, 0xf4); store<u8>(b + 1, 0x8f); store<u8>(b + 2, 0xbf); store<u8>(b + 3, 0xbf);
    expect(textOk(b, 4)).toBe(true);           // U+10FFFF
    store<u8>(b, 0xf0); store<u8>(b + 1, 0x8f);
    expect(textOk(b, 4)).toBe(false);          // overlong 4-byte form
    store<u8>(b, 0xe0); store<u8>(b + 1, 0x9f); store<u8>(b + 2, 0xbf);
    expect(textOk(b, 3)).toBe(false);          // overlong 3-byte form
    store<u8>(b, 0xc2); store<u8>(b + 1, 0x9f);
    expect(textOk(b, 2)).toBe(false);          // U+009F, a C1 control
    store<u8>(b, 0xff);
    expect(textOk(b, 1)).toBe(false);
    store<u8>(b, 0xf8);
    expect(textOk(b, 1)).toBe(false);
    store<u8>(b, 0x80);
    expect(textOk(b, 1)).toBe(false);          // a lone continuation byte
  });
  it("leaves the stored value alone on error", () => {
    const k = key("sip.user");
    const before = settings.pendingLenOf(k);
    expect(v("sip.user", "u".repeat(65)).startsWith("error: ")).toBe(true);
    expect(settings.pendingLenOf(k)).toBe(before);
  });
});

describe("T_HOST", () => {
  it("takes host names, IPv4 addresses, optional ports, and empty", () => {
    expect(v("sip.domain", "pbx.example.com")).toBe("pbx.example.com");
    expect(v("sip.domain", "pbx")).toBe("pbx");
    expect(v("sip.domain", "a-b.c1.EXAMPLE:5060")).toBe("a-b.c1.EXAMPLE:5060");
    expect(v("sip.domain", "10.0.0.1")).toBe("10.0.0.1");
    expect(v("sip.domain", "10.0.0.1:65535")).toBe("10.0.0.1:65535");
    expect(v("sip.domain", "3com.example")).toBe("3com.example");
    expect(v("sip.domain", "")).toBe("");
    expect(v("sip.domain", "a".repeat(63) + ".b")).toBe("a".repeat(63) + ".b");
    // what the SIP parser takes as a host, the setting takes too
    expect(v("sip.domain", "pbx_1.example")).toBe("pbx_1.example");
    expect(v("sip.domain", "pbx.example.")).toBe("pbx.example.");
  });
  it("refuses bad names, bad addresses and bad ports", () => {
    const e = "error: sip.domain must be host[:port]";
    expect(v("sip.domain", "pbx..example")).toBe(e);
    expect(v("sip.domain", ".pbx")).toBe(e);
    expect(v("sip.domain", "pbx/1")).toBe(e);
    expect(v("sip.domain", "pbx example")).toBe(e);
    expect(v("sip.domain", "[::1]")).toBe(e);
    expect(v("sip.domain", "[::1]:5060")).toBe(e);
    expect(v("sip.domain", "user@pbx")).toBe(e);
    expect(v("sip.domain", "pbx;transport=tcp")).toBe(e);
    expect(v("sip.domain", "pbx?x=y")).toBe(e);
    expect(v("sip.domain", "sip:pbx")).toBe(e);
    expect(v("sip.domain", ":5060")).toBe(e);
    expect(v("sip.domain", "10.0.0.256")).toBe(e);
    expect(v("sip.domain", "10.0.0")).toBe(e);
    expect(v("sip.domain", "1.2.3.4.5")).toBe(e);
    expect(v("sip.domain", "pbx:0")).toBe(e);
    expect(v("sip.domain", "pbx:65536")).toBe(e);
    expect(v("sip.domain", "pbx:")).toBe(e);
    expect(v("sip.domain", "pbx:50x")).toBe(e);
    expect(v("sip.domain", "pbx:5060:1")).toBe(e);
    expect(v("sip.domain", "h".repeat(129))).toBe("error: sip.domain is longer than 128 bytes");
  });
});

describe("T_URI", () => {
  it("takes sip: and sips: URIs with user, port and parameters, and empty", () => {
    expect(v("sip.proxy", "sip:10.0.0.1")).toBe("sip:10.0.0.1");
    expect(v("sip.proxy", "sip:10.0.0.1:5060;lr")).toBe("sip:10.0.0.1:5060;lr");
    expect(v("sip.proxy", "SIPS:proxy.example.org;transport=tls;lr")).toBe("SIPS:proxy.example.org;transport=tls;lr");
    expect(v("sip.proxy", "sip:+49-30%20x@p.example")).toBe("sip:+49-30%20x@p.example");
    expect(v("sip.proxy", "sip:p.example;maddr=10.0.0.1")).toBe("sip:p.example;maddr=10.0.0.1");
    expect(v("sip.proxy", "sip:[2001:db8::1]:5060")).toBe("sip:[2001:db8::1]:5060");
    expect(v("sip.proxy", "")).toBe("");
  });
  it("refuses other schemes and what is not a SIP URI", () => {
    const e = "error: sip.proxy must be a sip: or sips: URI";
    expect(v("sip.proxy", "10.0.0.1")).toBe(e);
    expect(v("sip.proxy", "tel:+4930")).toBe(e);
    expect(v("sip.proxy", "sipx:p")).toBe(e);
    expect(v("sip.proxy", ":p")).toBe(e);
    expect(v("sip.proxy", "sip:")).toBe(e);
    expect(v("sip.proxy", "sip:@p.example")).toBe(e);
    expect(v("sip.proxy", "sip:a%2@p.example")).toBe(e);
    expect(v("sip.proxy", "sip:a b@p.example")).toBe(e);
    expect(v("sip.proxy", "sip:p.example:0")).toBe(e);
    expect(v("sip.proxy", "sip:p.example;")).toBe(e);
    expect(v("sip.proxy", "sip:p.example;=x")).toBe(e);
    expect(v("sip.proxy", "sip:p.example;a=")).toBe(e);
    expect(v("sip.proxy", "sip:p.example;a b")).toBe(e);
    expect(v("sip.proxy", "sip:p.example;maddr=[10.0.0.1]")).toBe(e);
    expect(v("sip.proxy", "sip:" + "p".repeat(125))).toBe("error: sip.proxy is longer than 128 bytes");
  });
});

describe("T_LIST", () => {
  it("takes SIP URIs and user parts, drops spaces around items", () => {
    expect(v("button1.call", "1001")).toBe("1001");
    expect(v("button1.call", " 1001 , sip:1002@pbx.example;transport=udp,+4930123 ")).toBe("1001,sip:1002@pbx.example;transport=udp,+4930123");
    expect(v("button1.call", "")).toBe("");
    expect(v("button1.call", "   ")).toBe("");
    expect(v("answer.allow", "*")).toBe("*");
    expect(v("answer.allow", "1001,*")).toBe("1001,*");
    expect(v("answer.allow", "alice.smith,sips:bob@b.example")).toBe("alice.smith,sips:bob@b.example");
  });
  it("refuses empty items, bad items and * where it makes no sense", () => {
    const e = " is not a number, user or SIP URI";
    expect(v("button1.call", "1001,")).toBe("error: button1.call: item 2" + e);
    expect(v("button1.call", ",1001")).toBe("error: button1.call: item 1" + e);
    expect(v("button1.call", "1001, ,1002")).toBe("error: button1.call: item 2" + e);
    expect(v("button1.call", "*")).toBe("error: button1.call: item 1" + e);
    expect(v("button1.call", "10 01")).toBe("error: button1.call: item 1" + e);
    expect(v("button1.call", "1001@pbx")).toBe("error: button1.call: item 1" + e);
    expect(v("button1.call", "1001:5")).toBe("error: button1.call: item 1" + e);
    expect(v("button1.call", "Tür")).toBe("error: button1.call: item 1" + e);
    expect(v("answer.allow", "1001,sip:x@bad..host")).toBe("error: answer.allow: item 2" + e);
    expect(v("answer.allow", "sip:a b@c")).toBe("error: answer.allow: item 1" + e);
    expect(v("answer.allow", "sip:c:0")).toBe("error: answer.allow: item 1" + e);
    expect(v("answer.allow", "tel:1001")).toBe("error: answer.allow: item 1" + e);
    expect(v("button1.call", "1234567,".repeat(32) + "1")).toBe("error: button1.call is longer than 256 bytes");
  });
});

describe("T_DTMF", () => {
  it("takes 1..16 of 0-9 * # A-D (a-d upper-cased), and empty", () => {
    expect(v("door.code", "1234#")).toBe("1234#");
    expect(v("door.code", "*0ab#CD9")).toBe("*0AB#CD9");
    expect(v("door.code", "1234567890123456")).toBe("1234567890123456");
    expect(v("door.code", "")).toBe("");
  });
  it("refuses other characters and more than 16", () => {
    const e = "error: door.code must be 1..16 of 0-9 * # A-D";
    expect(v("door.code", "12E4")).toBe(e);
    expect(v("door.code", "12 4")).toBe(e);
    expect(v("door.code", "12345678901234567")).toBe(e);
  });
});

describe("keys", () => {
  it("every default validates as itself and every value fits its slot", () => {
    for (let k = 0; k < settings.COUNT; k++) {
      const d = textString(settings.field(k, settings.F_DEF));
      expect(v(textString(settings.keyOf(k)), d)).toBe(d, textString(settings.keyOf(k)));
      const t = settings.typeOf(k);
      const most = t == settings.T_INT ? settings.field(k, settings.F_MAX).toString().length
        : t == settings.T_ENUM ? longestChoice(textString(settings.field(k, settings.F_PATTERN))) : <i32>settings.field(k, settings.F_MAX);
      expect(settings.slotSize(k)).toBeGreaterThanOrEqual(most, textString(settings.keyOf(k)));
    }
  });
  it("finds keys by exact name", () => {
    expect(key("sip.user")).toBe(settings.K_SIP_USER);
    expect(key("log.level")).toBe(settings.K_LOG_LEVEL);
    expect(key("sip.use")).toBe(-1);
    expect(key("SIP.USER")).toBe(-1);
  });
  it("masks secrets: sip.password and door.code", () => {
    let secrets = "";
    for (let k = 0; k < settings.COUNT; k++) if (settings.isSecret(k)) secrets += textString(settings.keyOf(k)) + " ";
    expect(secrets).toBe("sip.password door.code ");
  });
});
