import { T } from "../../firmware/sys/text";
import { Writer, eqNoCase, parseU32, parseIp4 } from "../../firmware/sys/bytes";

describe("Writer", () => {
  it("writes decimals, hex and literals and flags overflow", () => {
    const buf = memory.data(16);
    const w = new Writer(buf, 16);
    w.str(T("a=")).dec(4294967295).byte(32).hex(0xbe, 2);
    expect(w.len).toBe(15);
    expect(load<u8>(buf + 2)).toBe(52);
    expect(w.ok).toBe(true);
    w.str(T("xy"));
    expect(w.ok).toBe(false);
  });
  it("writes negative numbers and IPv4", () => {
    const buf = memory.data(32);
    const w = new Writer(buf, 32);
    w.int(-42).byte(32).ip4(0x7f000001);
    expect(String.UTF8.decodeUnsafe(buf, w.len)).toBe("-42 127.0.0.1");
  });
});

describe("scanners", () => {
  it("compares case-insensitively and parses numbers", () => {
    const s = String.UTF8.encode("Via");
    expect(eqNoCase(changetype<usize>(s), 3, T("VIA"))).toBe(true);
    const n = String.UTF8.encode("4294967296");
    expect(parseU32(changetype<usize>(n), 10)).toBe(-1);
    const ip = String.UTF8.encode("10.0.0.255");
    expect(parseIp4(changetype<usize>(ip), ip.byteLength)).toBe(0x0a0000ff);
  });
});

import { fileSize, loadFile } from "./fixture";

describe("fixtures", () => {
  it("reads shared test data", () => {
    expect(fileSize("../shared/vectors/g711/ulaw_dec.bin")).toBe(512);
    const b = loadFile("../shared/vectors/g711/ulaw_dec.bin");
    expect(load<i16>(changetype<usize>(b))).toBe(-32124);
    expect(fileSize("no/such/file")).toBe(-1);
  });
});
