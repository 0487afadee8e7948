// G.711 against the ITU-T G.191 reference vectors: every one of the 65536 samples and every one of
// the 256 codes, through the per-sample and the frame functions (whole frames, odd lengths that
// exercise the tail loop, and n <= 0 that must write nothing).
import {
  ulawEncode, ulawDecode, alawEncode, alawDecode,
  ulawEncodeFrame, ulawDecodeFrame, alawEncodeFrame, alawDecodeFrame,
} from "../../firmware/media/g711";
import { loadFile } from "./fixture";

const VEC = "../shared/vectors/g711/";
// The specs run on a collecting runtime: keep the buffers referenced, use their addresses.
const ulawEncBuf = loadFile(VEC + "ulaw_enc.bin");
const alawEncBuf = loadFile(VEC + "alaw_enc.bin");
const ulawDecBuf = loadFile(VEC + "ulaw_dec.bin");
const alawDecBuf = loadFile(VEC + "alaw_dec.bin");
const samplesBuf = new ArrayBuffer(65536 * 2);
const codesBuf = new ArrayBuffer(256);
const outBBuf = new ArrayBuffer(65536 + 16);
const outSBuf = new ArrayBuffer(512 + 32);
const ulawEnc = changetype<usize>(ulawEncBuf);
const alawEnc = changetype<usize>(alawEncBuf);
const ulawDec = changetype<usize>(ulawDecBuf);
const alawDec = changetype<usize>(alawDecBuf);
const samples = changetype<usize>(samplesBuf);
const codes = changetype<usize>(codesBuf);
const outB = changetype<usize>(outBBuf);
const outS = changetype<usize>(outSBuf);

// All 65536 samples in vector order (x = i - 32768), and all 256 codes.
for (let i = 0; i < 65536; i++) store<i16>(samples + (<usize>i << 1), <i16>(i - 32768));
for (let c = 0; c < 256; c++) store<u8>(codes + <usize>c, <u8>c);

/** Index of the first byte that differs, or -1. */
function firstDiff(a: usize, b: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return i;
  return -1;
}

/** Encodes all samples in chunks of `chunk` (the last one shorter). */
function encodeAll(law: i32, chunk: i32): void {
  for (let i = 0; i < 65536; i += chunk) {
    const n = min(chunk, 65536 - i);
    if (law == 0) ulawEncodeFrame(samples + (<usize>i << 1), outB + <usize>i, n);
    else alawEncodeFrame(samples + (<usize>i << 1), outB + <usize>i, n);
  }
}

describe("G.711 μ-law", () => {
  it("encodes every 16-bit sample like the reference", () => {
    let bad = 0, first = -1;
    for (let i = 0; i < 65536; i++) {
      if (ulawEncode(<i16>(i - 32768)) != load<u8>(ulawEnc + <usize>i)) { bad++; if (first < 0) first = i - 32768; }
    }
    expect(bad).toBe(0, "samples encoded differently");
    expect(first).toBe(-1, "first differing sample");
  });
  it("decodes every code like the reference", () => {
    for (let c = 0; c < 256; c++) expect(ulawDecode(<u8>c)).toBe(load<i16>(ulawDec + (<usize>c << 1)));
  });
  it("known points: 0x7F and 0xFF decode to 0, extremes to ±32124, -1 is the one's complement of 0", () => {
    expect(ulawDecode(0x7f)).toBe(0);
    expect(ulawDecode(0xff)).toBe(0);
    expect(ulawDecode(0x00)).toBe(-32124);
    expect(ulawDecode(0x80)).toBe(32124);
    expect(ulawEncode(0)).toBe(0xff);
    expect(ulawEncode(-1)).toBe(0x7f);
    expect(ulawEncode(32767)).toBe(0x80);
    expect(ulawEncode(-32768)).toBe(0x00);
  });
  it("encodes frames: 160-sample frames and a 7-sample chunking with tails", () => {
    encodeAll(0, 160);
    expect(firstDiff(outB, ulawEnc, 65536)).toBe(-1);
    memory.fill(outB, 0, 65536);
    encodeAll(0, 7);
    expect(firstDiff(outB, ulawEnc, 65536)).toBe(-1);
  });
  it("decodes frames of 256, 255 and 3 codes", () => {
    ulawDecodeFrame(codes, outS, 256);
    expect(firstDiff(outS, ulawDec, 512)).toBe(-1);
    memory.fill(outS, 0xaa, 544);
    ulawDecodeFrame(codes + 1, outS, 255);
    expect(firstDiff(outS, ulawDec + 2, 510)).toBe(-1);
    expect(load<u16>(outS + 510)).toBe(0xaaaa, "wrote past n samples");
    ulawDecodeFrame(codes + 5, outS, 3);
    expect(firstDiff(outS, ulawDec + 10, 6)).toBe(-1);
  });
  it("writes nothing for n <= 0", () => {
    memory.fill(outB, 0xaa, 16);
    ulawEncodeFrame(samples, outB, 0);
    ulawEncodeFrame(samples, outB, -5);
    ulawDecodeFrame(codes, outB, -1);
    expect(load<u64>(outB)).toBe(0xaaaaaaaaaaaaaaaa);
    expect(load<u64>(outB + 8)).toBe(0xaaaaaaaaaaaaaaaa);
  });
});

describe("G.711 A-law", () => {
  it("encodes every 16-bit sample like the reference", () => {
    let bad = 0, first = -1;
    for (let i = 0; i < 65536; i++) {
      if (alawEncode(<i16>(i - 32768)) != load<u8>(alawEnc + <usize>i)) { bad++; if (first < 0) first = i - 32768; }
    }
    expect(bad).toBe(0, "samples encoded differently");
    expect(first).toBe(-1, "first differing sample");
  });
  it("decodes every code like the reference, never to 0", () => {
    for (let c = 0; c < 256; c++) {
      expect(alawDecode(<u8>c)).toBe(load<i16>(alawDec + (<usize>c << 1)));
      expect(alawDecode(<u8>c)).not.toBe(0);
    }
  });
  it("known points: 0xD5 is +8, 0x55 is -8, extremes ±32256", () => {
    expect(alawEncode(0)).toBe(0xd5);
    expect(alawEncode(-1)).toBe(0x55);
    expect(alawDecode(0xd5)).toBe(8);
    expect(alawDecode(0x55)).toBe(-8);
    expect(alawEncode(32767)).toBe(0xaa);
    expect(alawDecode(0xaa)).toBe(32256);
    expect(alawEncode(-32768)).toBe(0x2a);
    expect(alawDecode(0x2a)).toBe(-32256);
  });
  it("encodes frames: 160-sample frames and a 7-sample chunking with tails", () => {
    encodeAll(1, 160);
    expect(firstDiff(outB, alawEnc, 65536)).toBe(-1);
    memory.fill(outB, 0, 65536);
    encodeAll(1, 7);
    expect(firstDiff(outB, alawEnc, 65536)).toBe(-1);
  });
  it("decodes frames of 256, 255 and 3 codes", () => {
    alawDecodeFrame(codes, outS, 256);
    expect(firstDiff(outS, alawDec, 512)).toBe(-1);
    memory.fill(outS, 0xaa, 544);
    alawDecodeFrame(codes + 1, outS, 255);
    expect(firstDiff(outS, alawDec + 2, 510)).toBe(-1);
    expect(load<u16>(outS + 510)).toBe(0xaaaa, "wrote past n samples");
    alawDecodeFrame(codes + 5, outS, 3);
    expect(firstDiff(outS, alawDec + 10, 6)).toBe(-1);
  });
  it("encoding a decoded code gives the code back (all 256)", () => {
    for (let c = 0; c < 256; c++) {
      expect(alawEncode(alawDecode(<u8>c))).toBe(<u8>c);
      // μ-law: 0x7F decodes to 0, which encodes to 0xFF (the two zeros); every other code round-trips.
      expect(ulawEncode(ulawDecode(<u8>c))).toBe(c == 0x7f ? 0xff : <u8>c);
    }
  });
});
