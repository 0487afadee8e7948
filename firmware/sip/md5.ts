// MD5 message digest (RFC 1321), streaming and allocation-free after construction: update() any
// number of byte ranges, so a digest response is hashed straight from its parts (RFC 2617 3.2.2)
// without a concatenation buffer. Little-endian words load directly (wasm is little-endian).

// T[i] = floor(abs(sin(i + 1)) * 2^32), RFC 1321 3.4.
const T = memory.data<u32>([
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

export class Md5 {
  /** State A, B, C, D at +0..15, the partial block at +16..79. */
  private st: usize = heap.alloc(80);
  private fill: i32 = 0;
  private total: u64 = 0;

  constructor() { this.reset(); }

  /** Starts a new digest. */
  reset(): Md5 {
    store<u32>(this.st, 0x67452301);
    store<u32>(this.st, 0xefcdab89, 4);
    store<u32>(this.st, 0x98badcfe, 8);
    store<u32>(this.st, 0x10325476, 12);
    this.fill = 0;
    this.total = 0;
    return this;
  }

  /** Adds len bytes at p (nothing when len <= 0). */
  update(p: usize, len: i32): Md5 {
    if (len <= 0) return this;
    const buf = this.st + 16;
    this.total += <u64>len;
    while (len > 0) {
      if (this.fill == 0 && len >= 64) {
        this.block(p);
        p += 64; len -= 64;
        continue;
      }
      const n = len < 64 - this.fill ? len : 64 - this.fill;
      memory.copy(buf + <usize>this.fill, p, <usize>n);
      this.fill += n; p += <usize>n; len -= n;
      if (this.fill == 64) { this.block(buf); this.fill = 0; }
    }
    return this;
  }

  /** Adds one byte. */
  byte(b: i32): Md5 {
    store<u8>(this.st + 16 + <usize>this.fill, <u8>b);
    this.total++;
    if (++this.fill == 64) { this.block(this.st + 16); this.fill = 0; }
    return this;
  }

  /** Adds the content of a quoted-string as its value: each quoted-pair "\x" counts as x. */
  unquoted(p: usize, len: i32): Md5 {
    for (let i = 0; i < len; i++) {
      let c = <i32>load<u8>(p + <usize>i);
      if (c == 92 && i + 1 < len) c = <i32>load<u8>(p + <usize>++i);
      this.byte(c);
    }
    return this;
  }

  /** Ends the digest: writes the 16-byte hash at out. */
  finish(out: usize): void {
    const bits = this.total << 3;
    this.byte(0x80);
    while (this.fill != 56) this.byte(0);
    store<u64>(this.st + 16 + 56, bits);
    this.block(this.st + 16);
    memory.copy(out, this.st, 16);
  }

  /** Ends the digest: writes the hash as 32 lower-case hex digits at out. */
  finishHex(out: usize): void {
    this.finish(out + 16);
    for (let i = 0; i < 16; i++) {
      const b = <i32>load<u8>(out + 16 + <usize>i);
      const h = b >> 4, l = b & 15;
      store<u8>(out + <usize>(i << 1), <u8>(h < 10 ? 48 + h : 87 + h));
      store<u8>(out + <usize>(i << 1) + 1, <u8>(l < 10 ? 48 + l : 87 + l));
    }
  }

  private block(x: usize): void {
    const st = this.st;
    let a = load<u32>(st), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
    for (let i = 0; i < 64; i++) {
      let f: u32, g: i32;
      const r = i >> 4;
      if (r == 0) { f = (b & c) | (~b & d); g = i; }
      else if (r == 1) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (r == 2) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      f += a + load<u32>(T + (<usize>i << 2)) + load<u32>(x + (<usize>g << 2));
      a = d; d = c; c = b;
      b += rotl<u32>(f, <u32>load<u8>(S + <usize>((r << 2) | (i & 3))));
    }
    store<u32>(st, load<u32>(st) + a);
    store<u32>(st, load<u32>(st, 4) + b, 4);
    store<u32>(st, load<u32>(st, 8) + c, 8);
    store<u32>(st, load<u32>(st, 12) + d, 12);
  }
}
