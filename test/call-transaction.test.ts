// The INVITE client transaction of a button call on the virtual clock (RFC 3261 17.1.1, RFC 6026
// 7.2), every timer to the millisecond: Timer A retransmissions until Timer B (64*T1) when the
// phone never answers, the ACK of a non-2xx final response sent again for each copy until Timer
// D, and the ACK of a 2xx sent again for each retransmitted 2xx (the first ACK lost), inside Timer
// M and after it. The unit's speaker plays the special information tone after the failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rig, hdr, branchOf, frequency, levelDb, join } from "./lib/phone.js";

type Rig = Awaited<ReturnType<typeof rig>>;
function press(s: Rig): number { const t = s.clock.now(); s.dev.io.press("button1"); return t; }

test("a phone that never answers: Timer A at T1 doubling (0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s), Timer B at 64*T1 ends the call with 408", async () => {
  const s = await rig({ settings: { "call.ring_timeout": "60" }, script: { silent: true } });
  const t0 = press(s);
  s.clock.advance(40000);
  const inv = s.phone.requests("INVITE");
  const tInv = t0 + 20; // sent 20 ms after the press, on the wire 5 ms
  assert.deepEqual(inv.map((x) => x.t - 5 - tInv), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.ok(inv.every((x) => x.m.raw === inv[0]!.m.raw), "the same bytes each time");
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"], end["code"], end.t - tInv], ["ended", "no answer from the network", 408, 32000]);
  assert.equal(s.phone.requests("CANCEL").length, 0);
  assert.equal(s.phone.requests("ACK").length, 0);
});

test("after a failure the special information tone plays twice, whole: 950, 1400, 1800 Hz for 330 ms each, 1 s of silence", async () => {
  const s = await rig({ settings: { "call.ring_timeout": "60" }, script: { silent: true } });
  press(s);
  s.clock.advance(40000);
  const end = s.events("call").at(-1)!;
  const x = join(s.speaker.between(end.t - 100, end.t + 6000));
  const i0 = x.findIndex((v) => v !== 0);
  assert.ok(i0 > 0 && i0 < 800 + 320, "starts within 40 ms of the end");
  const seg = 330 * 8, pause = 1000 * 8, rep = 3 * seg + pause;
  for (const r of [0, 1]) {
    [950, 1400, 1800].forEach((f, k) => {
      const at = i0 + r * rep + k * seg;
      const part = x.subarray(at + 40, at + seg - 40);
      assert.ok(Math.abs(frequency(part) - f) < 2, `repetition ${r + 1}, ${f} Hz: ${frequency(part)}`);
      assert.ok(Math.abs(levelDb(part) - -12.25) < 0.5, `${levelDb(part)} dB`);
    });
    assert.equal(levelDb(x.subarray(i0 + r * rep + 3 * seg + 8, i0 + (r + 1) * rep - 8)), -Infinity, `the pause after repetition ${r + 1}`);
  }
  assert.equal(levelDb(x.subarray(i0 + 2 * rep)), -Infinity, "then silence");
});

test("486 retransmitted: the same ACK again for each copy until Timer D (32 s after the 486); a copy after Timer D gets nothing", async () => {
  const s = await rig({ script: { ringAfterMs: null, reject: { code: 486, reason: "Busy Here" } } });
  press(s);
  s.clock.advance(1000);
  const r486 = s.phone.sent().find((x) => x.m.status === 486)!;
  const t486 = r486.t + 5; // Timer D starts when the unit takes the 486
  const resendAt = (t: number): void => { s.clock.runUntil(t - 5); s.phone.resendLast(); };
  resendAt(t486 + 1000);
  resendAt(t486 + 31990);
  resendAt(t486 + 32010);
  s.clock.advance(1000);
  const acks = s.phone.requests("ACK");
  assert.deepEqual(acks.map((x) => x.t - t486), [5, 1005, 31995], "none for the copy after Timer D");
  assert.ok(acks.every((x) => x.m.raw === acks[0]!.m.raw), "the same ACK");
  const inv = s.phone.requests("INVITE")[0]!.m;
  assert.equal(branchOf(acks[0]!.m), branchOf(inv), "the INVITE's branch (17.1.1.3)");
  assert.equal(hdr(acks[0]!.m, "to"), hdr(r486.m, "to"));
  assert.equal(s.events("call").filter((e) => e["state"] === "ended").length, 1, "one end, whatever the copies");
});

test("a 200 retransmitted because the first ACK was lost: ACK again, within Timer M and after it", async () => {
  const s = await rig({ script: { answerAfterMs: 500 } });
  press(s);
  s.clock.runUntilTrue(() => s.phone.requests("INVITE").length > 0, 1000);
  // the first ACK is lost on the way to the phone (nothing else goes there meanwhile)
  s.net.setPath("10.0.0.2", "10.0.0.9", { delayMs: 5, loss: 1 });
  s.clock.runUntilTrue(() => s.events("call").at(-1)?.["state"] === "active", 2000);
  s.clock.advance(1);
  s.net.clearLinks();
  s.clock.advance(3000);
  const acks = s.phone.requests("ACK");
  const oks = s.phone.sent().filter((x) => x.m.status === 200);
  assert.equal(oks.length, 2, "the phone's 200, then its first retransmission (T1)");
  assert.deepEqual(acks.map((x) => x.t - oks[1]!.t), [10], "the copy is acknowledged");
  // after Timer M (32 s) the transaction is gone: a copy of the 200 is the dialog's, ACKed again
  s.clock.advance(40000);
  const before = s.phone.requests("ACK").length;
  const ok = oks[0]!.m.raw;
  s.phone.sip.send("10.0.0.2", 5060, ok);
  s.clock.advance(50);
  assert.equal(s.phone.requests("ACK").length, before + 1);
  const noVia = (raw: string): string => raw.replace(/\r\nVia: [^\r]*/, "");
  assert.equal(noVia(s.phone.requests("ACK").at(-1)!.m.raw), noVia(acks[0]!.m.raw), "the same ACK (with a new branch each time)");
  assert.equal(s.events("call").at(-1)!["state"], "active");
});
