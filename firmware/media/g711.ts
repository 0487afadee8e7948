// G.711 (ITU-T G.711, 11/88) μ-law and A-law, bit-exact with the ITU-T G.191 STL reference
// (g711.c: truncating, one's complement of negative samples before the magnitude step); checked
// against /work/shared/vectors/g711 for all 65536 samples and all 256 codes.
//
// Cost in wasm opcodes per sample, counted in the optimized build/bench.wat (loop body divided by
// the unroll factor, loop overhead included; `npm run bench -- --loops` prints the counts):
//   μ-law encode 36.75, A-law encode 34.75, decode 8.4 (either law); the tails after the
//   unrolled loops cost 47 / 45 / 20 a sample. (Reference C: 84 / 72 x86 instructions for
//   encode+decode; on WAMR one opcode is ~11.)
// Encode is computed: clz finds the segment and a left shift by it normalises the magnitude so
// its top five bits are 1 and the mantissa; no branch, no table (a full table would take 8 KB of
// RAM for μ-law and 2 KB for A-law, of the firmware's 128 KB, to save ~25 opcodes). Decode is one
// load from a 256-entry table per law, computed at start-up from the reference formulas (1 KB of
// RAM, no data segment). Frame loops are unrolled (encode by 4, decode by 8) with constant
// load/store offsets; a 160-sample frame has no tail.

const ULAW_DEC = memory.data(512);
const ALAW_DEC = memory.data(512);

// Decode tables from the reference expansions (ulaw_expand, alaw_expand).
for (let c = 0; c < 256; c++) {
  // μ-law: ~c holds exponent e (bits 4-6) and mantissa m (bits 0-3); y = ((8m + 132) << e) - 132.
  const u = ~c;
  const e = (u >> 4) & 7;
  const y = ((((u & 15) << 3) + 0x84) << e) - 0x84;
  store<i16>(ULAW_DEC + (<usize>c << 1), <i16>(c & 0x80 ? y : -y));
  // A-law: even bits inverted; segment 0 is linear, segment s > 0 adds the implicit 16.
  const a = (c ^ 0x55) & 0x7f;
  const s = a >> 4;
  let m = a & 15;
  if (s > 0) m += 16;
  m = (m << 4) + 8;
  if (s > 1) m <<= s - 1;
  store<i16>(ALAW_DEC + (<usize>c << 1), <i16>(c & 0x80 ? m : -m));
}

// The encoders leave junk above bit 7 (callers store a byte). x is the sign-extended sample.
// μ-law: the reference's b = (|x|' >> 2) + 33 (|x|' = x, or ~x when negative) saturated at 0x1FFF;
// here b4 = |x|' + 132 = 4b + (|x|' & 3), which has b's leading bits without the shift. With
// z = clz(b4): segment 24 - z; (b4 << z) >>> 27 is 1 followed by the 4 mantissa bits. The code
// is the complement of segment|mantissa; b4 >= 32768 (b >= 8192) is one step too far, which the
// (b4 >>> 15) term takes back. A negative sample clears bit 7 (m << 7 flips it).
// @ts-ignore: decorator
@inline function ulawCode(x: i32): i32 {
  const m = x >> 31;
  const b4 = <u32>((x ^ m) + 132);
  const z = clz(b4);
  return ((z << 4) - 113 - <i32>((b4 << z) >>> 27) + <i32>(b4 >>> 15)) ^ (m << 7);
}

// A-law: i = |x|' >> 4, 0..2047; shift sh = segment - 1 (0 for segments 0 and 1), found with
// clz(i | 16); (i >> sh) carries the segment's leading 1 into bit 4, sh << 4 adds the rest.
// Then the sign bit (set for x >= 0) and the even-bit inversion 0x55.
// @ts-ignore: decorator
@inline function alawCode(x: i32): i32 {
  const m = x >> 31;
  const i = <u32>((x ^ m) >>> 4);
  const sh = 27 - clz(i | 16);
  return ((<i32>(i >>> sh) + (sh << 4)) ^ (m << 7)) ^ 0xd5;
}

/** μ-law code of a 16-bit linear sample. */
export function ulawEncode(x: i16): u8 {
  return <u8>ulawCode(<i32>x);
}

/** Linear sample (-32124..32124) of a μ-law code. */
export function ulawDecode(c: u8): i16 {
  return load<i16>(<usize>c << 1, ULAW_DEC);
}

/** A-law code (line code, even bits inverted) of a 16-bit linear sample. */
export function alawEncode(x: i16): u8 {
  return <u8>alawCode(<i32>x);
}

/** Linear sample (-32256..32256, never 0) of an A-law code. */
export function alawDecode(c: u8): i16 {
  return load<i16>(<usize>c << 1, ALAW_DEC);
}

/** Encodes n i16 samples at src into n μ-law bytes at dst (n <= 0: nothing). */
export function ulawEncodeFrame(src: usize, dst: usize, n: i32): void {
  if (n <= 0) return;
  const end = dst + <usize>n;
  const end4 = dst + <usize>(n & ~3);
  if (dst < end4) {
    do {
      store<u8>(dst, ulawCode(<i32>load<i16>(src)));
      store<u8>(dst, ulawCode(<i32>load<i16>(src, 2)), 1);
      store<u8>(dst, ulawCode(<i32>load<i16>(src, 4)), 2);
      store<u8>(dst, ulawCode(<i32>load<i16>(src, 6)), 3);
      src += 8;
      dst += 4;
    } while (dst < end4);
  }
  while (dst < end) {
    store<u8>(dst, ulawCode(<i32>load<i16>(src)));
    src += 2;
    dst++;
  }
}

/** Encodes n i16 samples at src into n A-law bytes at dst (n <= 0: nothing). */
export function alawEncodeFrame(src: usize, dst: usize, n: i32): void {
  if (n <= 0) return;
  const end = dst + <usize>n;
  const end4 = dst + <usize>(n & ~3);
  if (dst < end4) {
    do {
      store<u8>(dst, alawCode(<i32>load<i16>(src)));
      store<u8>(dst, alawCode(<i32>load<i16>(src, 2)), 1);
      store<u8>(dst, alawCode(<i32>load<i16>(src, 4)), 2);
      store<u8>(dst, alawCode(<i32>load<i16>(src, 6)), 3);
      src += 8;
      dst += 4;
    } while (dst < end4);
  }
  while (dst < end) {
    store<u8>(dst, alawCode(<i32>load<i16>(src)));
    src += 2;
    dst++;
  }
}

// Both laws decode through one frame loop over DEC, the table of the law last used (a copy of
// ULAW_DEC or ALAW_DEC, made only when the law changes: once per call). The loop keeps its
// constant table offset, so a sample still costs one table load.
const DEC = memory.data(512);
let decLaw: i32 = -1;

function decodeWith(law: i32, src: usize, dst: usize, n: i32): void {
  if (decLaw != law) { memory.copy(DEC, law ? ALAW_DEC : ULAW_DEC, 512); decLaw = law; }
  if (n <= 0) return;
  const end = src + <usize>n;
  const end8 = src + <usize>(n & ~7);
  if (src < end8) {
    do {
      store<i16>(dst, load<i16>(<usize>load<u8>(src) << 1, DEC));
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 1) << 1, DEC), 2);
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 2) << 1, DEC), 4);
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 3) << 1, DEC), 6);
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 4) << 1, DEC), 8);
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 5) << 1, DEC), 10);
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 6) << 1, DEC), 12);
      store<i16>(dst, load<i16>(<usize>load<u8>(src, 7) << 1, DEC), 14);
      src += 8;
      dst += 16;
    } while (src < end8);
  }
  while (src < end) {
    store<i16>(dst, load<i16>(<usize>load<u8>(src) << 1, DEC));
    src++;
    dst += 2;
  }
}

/** Decodes n μ-law bytes at src into n i16 samples at dst (n <= 0: nothing). */
export function ulawDecodeFrame(src: usize, dst: usize, n: i32): void { decodeWith(0, src, dst, n); }

/** Decodes n A-law bytes at src into n i16 samples at dst (n <= 0: nothing). */
export function alawDecodeFrame(src: usize, dst: usize, n: i32): void { decodeWith(1, src, dst, n); }
