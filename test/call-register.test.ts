// A registration refresh and a call on the virtual clock (RFC 3261 10.2.4, issue: "a registration
// refresh must not disturb a call in progress and must not be blocked by one"): the unit
// registers with sip.expires 60 at the scripted phone, which doubles as registrar, and places a
// call that lasts through three refreshes. The refreshes go out on time (90% of the granted 60 s)
// while the call is up, and the call's audio does not miss a packet while they happen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rig, hdr } from "./lib/phone.js";

test("refreshes every 54 s while a call is up; the call and its audio are undisturbed", async () => {
  const s = await rig({ settings: { "sip.domain": "10.0.0.9", "sip.expires": "60" }, script: { answerAfterMs: 500 } });
  assert.ok(s.clock.runUntilTrue(() => s.events("registration").at(-1)?.["state"] === "registered", 5000), "registered");
  const regs = () => s.phone.requests("REGISTER");
  const tReg = regs().at(-1)!.t;
  s.clock.advance(10000);
  s.dev.io.press("button1");
  assert.ok(s.clock.runUntilTrue(() => s.events("call").at(-1)?.["state"] === "active", 5000), "the call is up");
  const tA = s.clock.now();
  s.clock.runUntil(tA + 1000);
  const underruns = s.dev.audio.stats.underruns;
  s.clock.runUntil(tReg + 170000);
  // three refreshes during the call, 54 s apart, each one REGISTER (the registrar does not challenge)
  const during = regs().filter((r) => r.t > tA);
  // each 54 s (90% of 60) after the 200 that answered the one before, which arrives 10 ms after
  // its request on the 5 ms link
  const times = [tReg, ...during.map((r) => r.t)];
  assert.deepEqual(times.slice(1).map((t, i) => t - times[i]!), [54010, 54010, 54010], "on time, none blocked by the call");
  for (const r of during) {
    assert.equal(hdr(r.m, "expires") ?? /expires=(\d+)/.exec(hdr(r.m, "contact") ?? "")?.[1], "60");
    assert.equal(hdr(r.m, "call-id"), hdr(regs()[0]!.m, "call-id"), "the same registration (10.2.4)");
  }
  assert.equal(s.events("call").at(-1)!["state"], "active", "the call is still up");
  assert.equal(s.events("registration").at(-1)!["state"], "registered");
  // the unit's audio at the phone: one packet every 20 ms throughout, consecutive sequence numbers
  const rx = s.phone.rtpIn.audio(tA + 1000, tA + 150000);
  const expected = 149000 / 20;
  assert.ok(Math.abs(rx.length - expected) <= 1, `${rx.length} packets of ${expected}`);
  const gaps = rx.filter((p, i) => i > 0 && ((p.seq - rx[i - 1]!.seq) & 0xffff) !== 1).length;
  assert.equal(gaps, 0, "no packet missing or out of order");
  assert.equal(s.dev.audio.stats.underruns, underruns, "the firmware wrote every speaker frame");
  assert.deepEqual(s.dev.traps, []);
});
