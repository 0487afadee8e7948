// MD5 message digest (RFC 1321), streaming and allocation-free: reset(), then update() any
// number of byte ranges, so a digest response is hashed straight from its parts (RFC 2617
// 3.2.2) without a concatenation buffer; one digest at a time. Little-endian words load directly
// (wasm is little-endian).
import { Writer } from "../sys/bytes";

// K[i] = floor(abs(sin(i + 1)) * 2^32), RFC 1321 3.4.
const K = memory.data<u32>([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
// Per-round rotations, RFC 1321 3.4.
const S = memory.data<u8>([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);

/** State A, B, C, D (the digest once finished). */
const ST = memory.data(16);
/** The partial block. */
const BUF = memory.data(64);
let fill = 0;
let total: u32 = 0;
const hexW = new Writer(0, 32);

/** Starts a new digest. */
export function reset(): void {
  store<u64>(ST, 0xefcdab8967452301);
  store<u64>(ST, 0x1032547698badcfe, 8);
  fill = 0;
  total = 0;
}

/** Adds len bytes at p (nothing when len <= 0). */
export function update(p: usize, len: i32): void {
  for (let i = 0; i < len; i++) byte(load<u8>(p + <usize>i));
}

/** Adds the content of a quoted-string as its value: each quoted-pair "\x" counts as x. */
export function unquoted(p: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c == 92 && i + 1 < len) c = <i32>load<u8>(p + <usize>++i);
    byte(c);
  }
}

/** Adds one byte. */
export function byte(b: i32): void {
  store<u8>(BUF + <usize>fill, <u8>b);
  total++;
  if (++fill == 64) { block(); fill = 0; }
}

/** Ends the digest: writes the 16-byte hash at out. */
export function finish(out: usize): void {
  const bits = <u64>total << 3;
  byte(0x80);
  while (fill != 56) byte(0);
  store<u64>(BUF + 56, bits);
  block();
  memory.copy(out, ST, 16);
}

/** Ends the digest: writes the hash as 32 lower-case hex digits at out. */
export function finishHex(out: usize): void {
  finish(ST);
  hexW.base = out;
  hexW.reset();
  for (let i: usize = 0; i < 16; i++) hexW.hex(load<u8>(ST + i), 2);
}

function block(): void {
  let a = load<u32>(ST), b = load<u32>(ST, 4), c = load<u32>(ST, 8), d = load<u32>(ST, 12);
  for (let i = 0; i < 64; i++) {
    let f: u32, g: i32;
    const r = i >> 4;
    if (r == 0) { f = (b & c) | (~b & d); g = i; }
    else if (r == 1) { f = (d & b) | (~d & c); g = 5 * i + 1; }
    else if (r == 2) { f = b ^ c ^ d; g = 3 * i + 5; }
    else { f = c ^ (b | ~d); g = 7 * i; }
    f += a + load<u32>(K + (<usize>i << 2)) + load<u32>(BUF + (<usize>(g & 15) << 2));
    a = d; d = c; c = b;
    b += rotl<u32>(f, <u32>load<u8>(S + <usize>((r << 2) | (i & 3))));
  }
  store<u32>(ST, load<u32>(ST) + a);
  store<u32>(ST, load<u32>(ST, 4) + b, 4);
  store<u32>(ST, load<u32>(ST, 8) + c, 8);
  store<u32>(ST, load<u32>(ST, 12) + d, 12);
}
