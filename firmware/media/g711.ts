// G.711 μ-law and A-law (ITU-T G.711; bit-exact with the G.191 STL reference).
// PLACEHOLDER on the media branch: a simple, correct version with the agreed exports, so the media
// layer builds and runs. The real, optimised g711.ts from the codec branch replaces this file at
// merge; nothing else here depends on more than these eight exports.

/** μ-law code of a 16-bit sample (top 14 bits used, negatives one's-complemented). */
export function ulawEncode(x: i16): u8 {
  const v = <i32>x;
  let mag = (v < 0 ? ~v : v) >> 2;
  mag += 33;
  if (mag > 0x1fff) mag = 0x1fff;
  let seg = 1;
  for (let i = mag >> 6; i != 0; i >>= 1) seg++;
  const code = ((8 - seg) << 4) | (15 - ((mag >> seg) & 15));
  return <u8>(v >= 0 ? code | 0x80 : code);
}

/** Sample of a μ-law code: -32124..32124. */
export function ulawDecode(c: u8): i16 {
  const m = ~(<i32>c);
  const exp = (m >> 4) & 7;
  const step = 4 << (exp + 1);
  const mag = (0x80 << exp) + step * (m & 15) + (step >> 1) - 132;
  return <i16>(c < 0x80 ? -mag : mag);
}

/** A-law code of a 16-bit sample (top 13 bits used; even bits inverted, 0x55). */
export function alawEncode(x: i16): u8 {
  const v = <i32>x;
  let ix = (v < 0 ? ~v : v) >> 4;
  if (ix > 15) {
    let exp = 1;
    while (ix > 31) { ix >>= 1; exp++; }
    ix = ix - 16 + (exp << 4);
  }
  if (v >= 0) ix |= 0x80;
  return <u8>(ix ^ 0x55);
}

/** Sample of an A-law code: -32256..32256, never 0. */
export function alawDecode(c: u8): i16 {
  const ix = (<i32>c ^ 0x55) & 0x7f;
  const exp = ix >> 4;
  let mant = ix & 15;
  if (exp > 0) mant += 16;
  mant = (mant << 4) + 8;
  if (exp > 1) mant <<= exp - 1;
  return <i16>(c > 127 ? mant : -mant);
}

/** Encodes n i16 samples at src into n μ-law bytes at dst. */
export function ulawEncodeFrame(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, ulawEncode(load<i16>(src + (<usize>i << 1))));
}

/** Decodes n μ-law bytes at src into n i16 samples at dst. */
export function ulawDecodeFrame(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i16>(dst + (<usize>i << 1), ulawDecode(load<u8>(src + <usize>i)));
}

/** Encodes n i16 samples at src into n A-law bytes at dst. */
export function alawEncodeFrame(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, alawEncode(load<i16>(src + (<usize>i << 1))));
}

/** Decodes n A-law bytes at src into n i16 samples at dst. */
export function alawDecodeFrame(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i16>(dst + (<usize>i << 1), alawDecode(load<u8>(src + <usize>i)));
}
