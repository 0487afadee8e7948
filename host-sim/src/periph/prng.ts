// A small seeded generator for simulated randomness that is not the firmware's entropy: packet
// loss, jitter and duplication on the virtual network. xoshiro128** (Blackman & Vigna, 2018),
// seeded through splitmix32, so a seed gives the same sequence on every run and every platform.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split(); this.b = split(); this.c = split(); this.d = split();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A generator with the given raw xoshiro128 state (reference test vectors). */
  static fromState(a: number, b: number, c: number, d: number): Prng {
    const p = new Prng(0);
    p.a = a >>> 0; p.b = b >>> 0; p.c = c >>> 0; p.d = d >>> 0;
    return p;
  }

  /** The next 32-bit unsigned value. */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    this.a >>>= 0; this.b >>>= 0;
    return r;
  }

  /** A float in [0, 1). */
  float(): number { return this.u32() / 4294967296; }

  /** An integer in [0, n). */
  int(n: number): number { return Math.floor(this.float() * n); }

  /** True with probability p (0 never draws: a zero probability does not consume the sequence). */
  chance(p: number): boolean { return p > 0 && (p >= 1 || this.float() < p); }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }
