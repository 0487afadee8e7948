// The network's PRNG: xoshiro128** against the reference output for state (1, 2, 3, 4), seeding
// reproducibility, and the helpers' ranges.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Prng } from "../../host-sim/src/index.js";

test("xoshiro128** matches the reference sequence for state 1, 2, 3, 4", () => {
  const p = Prng.fromState(1, 2, 3, 4);
  assert.deepEqual(Array.from({ length: 10 }, () => p.u32()),
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
});

test("a seed gives the same sequence; another seed another; float, int and chance stay in range", () => {
  const a = new Prng(5), b = new Prng(5), c = new Prng(6);
  const sa = Array.from({ length: 100 }, () => a.u32());
  assert.deepEqual(Array.from({ length: 100 }, () => b.u32()), sa);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c.u32()), sa);
  const p = new Prng(1);
  let sum = 0;
  const hist = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) { const f = p.float(); assert.ok(f >= 0 && f < 1); sum += f; hist[p.int(10)]++; }
  assert.ok(Math.abs(sum / 100000 - 0.5) < 0.01);
  for (const h of hist) assert.ok(Math.abs(h - 10000) < 500, `bucket ${h}`);
  const q = new Prng(2), r = new Prng(2);
  assert.equal(q.chance(0), false);
  assert.equal(q.chance(1), true);
  assert.equal(q.u32(), r.u32(), "probabilities 0 and 1 draw nothing");
});
