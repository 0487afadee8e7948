// MD5 (RFC 1321): the appendix A.5 test suite, padding boundaries and streaming splits.
// Expected digests: A.5 as printed in the RFC; the others computed once with Node's
// crypto.createHash("md5") (e.g. node -e 'console.log(require("crypto").createHash("md5").update("a".repeat(55)).digest("hex"))').
import * as md5h from "../../firmware/sip/md5";
import { raw, addr, text } from "./sip-util";

const out = new ArrayBuffer(32);

function md5(s: string): string {
  const b = raw(s);
  md5h.reset(); md5h.update(addr(b), b.byteLength); md5h.finishHex(addr(out));
  return text(addr(out), 32);
}

describe("MD5", () => {
  it("RFC 1321 A.5 test suite", () => {
    expect(md5("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5("a")).toBe("0cc175b9c0f1b6a831c399e269772661");
    expect(md5("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(md5("message digest")).toBe("f96b697d7cb7938d525a2f31aaf161d0");
    expect(md5("abcdefghijklmnopqrstuvwxyz")).toBe("c3fcd3d76192e4007dfb496cca67e13b");
    expect(md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")).toBe("d174ab98d277d9f5a5611c2c9f419d9f");
    expect(md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });

  it("lengths around the 56- and 64-byte padding boundaries", () => {
    expect(md5("a".repeat(55))).toBe("ef1772b6dff9a122358552954ad0df65");
    expect(md5("a".repeat(56))).toBe("3b0c8ac703f828b04c6c197006d17218");
    expect(md5("a".repeat(57))).toBe("652b906d60af96844ebd21b674f35e93");
    expect(md5("a".repeat(63))).toBe("b06521f39153d618550606be297466d5");
    expect(md5("a".repeat(64))).toBe("014842d480b571495a4a0363793f7367");
    expect(md5("a".repeat(65))).toBe("c743a45e0d2e6a95cb859adae0248435");
    expect(md5("a".repeat(119))).toBe("8a7bd0732ed6a28ce75f6dabc90e1613");
    expect(md5("a".repeat(120))).toBe("5f61c0ccad4cac44c75ff505e1f1e537");
    expect(md5("a".repeat(128))).toBe("e510683b3f5ffe4093d021808bc6ff70");
  });

  it("streaming: any split of the input gives the same digest", () => {
    const b = raw("12345678901234567890123456789012345678901234567890123456789012345678901234567890");
    const p = addr(b);
    for (let k = 0; k <= 80; k++) {
      md5h.reset(); md5h.update(p, k); md5h.update(p + <usize>k, 80 - k); md5h.finishHex(addr(out));
      expect(text(addr(out), 32)).toBe("57edf4a22be3c955ac49da2e2107b67a");
    }
    md5h.reset();
    for (let k = 0; k < 80; k++) md5h.byte(load<u8>(p + <usize>k));
    md5h.finishHex(addr(out));
    expect(text(addr(out), 32)).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });

  it("a million 'a' and all 256 byte values", () => {
    const a = raw("a".repeat(1000));
    md5h.reset();
    for (let i = 0; i < 1000; i++) md5h.update(addr(a), 1000);
    md5h.finishHex(addr(out));
    expect(text(addr(out), 32)).toBe("7707d6ae4e027c70eea2a935c2296f21");
    const all = new ArrayBuffer(256);
    for (let i = 0; i < 256; i++) store<u8>(addr(all) + <usize>i, <u8>i);
    md5h.reset(); md5h.update(addr(all), 256); md5h.finish(addr(out));
    expect(load<u32>(addr(out))).toBe(0xdb65c8e2);
  });
});
