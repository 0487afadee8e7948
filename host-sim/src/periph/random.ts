// Entropy for hal.random_fill: crypto in normal runs; a seeded generator (xorshift128+) for
// deterministic tests, so a virtual-time scenario produces the same bytes every run.
import { randomFillSync } from "node:crypto";

export class RandomSource {
  private s0: bigint;
  private s1: bigint;
  constructor(readonly seed: number | null = null) {
    this.s0 = BigInt(seed ?? 1) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn | 1n;
    this.s1 = (BigInt(seed ?? 1) ^ 0xdeadbeefcafebaben) & 0xffffffffffffffffn | 2n;
  }

  fill(buf: Uint8Array): void {
    if (this.seed === null) { randomFillSync(buf); return; }
    for (let i = 0; i < buf.length; i += 8) {
      const v = this.next();
      for (let j = 0; j < 8 && i + j < buf.length; j++) buf[i + j] = Number((v >> BigInt(8 * j)) & 0xffn);
    }
  }

  private next(): bigint {
    const M = 0xffffffffffffffffn;
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 = (s1 ^ (s1 << 23n)) & M;
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.s1 + s0) & M;
  }
}
