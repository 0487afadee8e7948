// Outgoing calls that do not simply get answered, on the virtual clock: the ring timeout
// (CANCEL only after a provisional response, RFC 3261 9.1; 487 and its ACK), busy (486 and the
// busy tone), digest challenges on INVITE (401, 407), redirects (followed, bounded), a forking
// proxy's second 2xx (ACK and BYE, 13.2.2.4), early media (183 with SDP), and three targets
// ringing in parallel where the first to answer wins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rig, Phone, hdr, tagOf, branchOf, frequency, levelDb, cadence, join } from "./lib/phone.js";
import { digestResponse, parseDigest } from "./lib/sip.js";

type Rig = Awaited<ReturnType<typeof rig>>;
function press(s: Rig): number { const t = s.clock.now(); s.dev.io.press("button1"); return t; }
const silentAfter = (s: Rig, t: number): boolean => s.speaker.between(t, s.clock.now()).every((f) => levelDb(f) === -Infinity);

test("ring timeout: CANCEL at call.ring_timeout (the phone has rung), 487 -> ACK, ended with reason no answer", async () => {
  const s = await rig({ settings: { "call.ring_timeout": "5" }, script: { answerAfterMs: null } });
  const t0 = press(s);
  s.clock.advance(8000);
  const inv = s.phone.requests("INVITE")[0]!.m;
  const cancels = s.phone.requests("CANCEL");
  assert.equal(cancels.length, 1);
  assert.equal(cancels[0]!.t - t0, 20 + 5000 + 5, "ring_timeout after the INVITE left");
  const c = cancels[0]!.m;
  assert.equal(c.uri, inv.uri);
  assert.equal(hdr(c, "via"), hdr(inv, "via"), "the INVITE's branch (9.1)");
  assert.equal(hdr(c, "cseq"), "1 CANCEL");
  assert.equal(hdr(c, "to"), hdr(inv, "to"), "no To tag");
  assert.equal(hdr(c, "from"), hdr(inv, "from"));
  assert.equal(hdr(c, "call-id"), hdr(inv, "call-id"));
  // 200 to the CANCEL, 487 to the INVITE; the ACK for the 487 belongs to the INVITE's transaction
  const ack = s.phone.requests("ACK");
  assert.equal(ack.length, 1);
  assert.equal(ack[0]!.t - t0, 5035);
  assert.equal(branchOf(ack[0]!.m), branchOf(inv));
  assert.equal(hdr(ack[0]!.m, "cseq"), "1 ACK");
  const r487 = s.phone.sent().find((x) => x.m.status === 487)!;
  assert.equal(r487.t - t0, 5025);
  assert.equal(hdr(ack[0]!.m, "to"), hdr(r487.m, "to"), "To from the 487, with the phone's tag");
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"], end.t - t0], ["ended", "no answer", 5030]);
  assert.ok(silentAfter(s, t0 + 5100), "ringback stopped, no error tone for an unanswered call");
  assert.equal(s.dev.io.value("led_call"), 0);
});

test("ring timeout before any provisional response: no CANCEL (9.1); Timer B ends the INVITE and the call", async () => {
  const s = await rig({ settings: { "call.ring_timeout": "5" }, script: { silent: true } });
  const t0 = press(s);
  s.clock.advance(40000);
  assert.equal(s.phone.requests("CANCEL").length, 0);
  const inv = s.phone.requests("INVITE");
  assert.deepEqual(inv.map((x) => x.t - inv[0]!.t), [0, 500, 1500, 3500, 7500, 15500, 31500], "Timer A goes on");
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"], end.t - t0], ["ended", "no answer", 20 + 32000]);
  assert.ok(silentAfter(s, t0), "never rang: never a ringback");
});

test("ring timeout, then the first provisional is a late 100 and a 200 right after: CANCEL at the 100; the 200 gets ACK and BYE; the unit is idle again", async () => {
  // the phone's 100 comes 6 s after the INVITE, after the 5 s ring timeout; its 200 5 ms later
  // crosses the CANCEL on the wire
  const s = await rig({ settings: { "call.ring_timeout": "5" }, script: { trying: 6000, ringAfterMs: null, answerAfterMs: 6005 } });
  const t0 = press(s);
  s.clock.advance(10000);
  const cancels = s.phone.requests("CANCEL");
  assert.equal(cancels.length, 1, "a 100 is a provisional response: the pending CANCEL goes out");
  assert.equal(cancels[0]!.t - t0, 20 + 5 + 6000 + 10);
  const acks = s.phone.requests("ACK");
  const byes = s.phone.requests("BYE");
  assert.equal(acks.length, 1, "the 2xx that crossed the CANCEL is acknowledged");
  assert.equal(byes.length, 1, "and ended");
  assert.equal(hdr(byes[0]!.m, "cseq"), "2 BYE");
  assert.equal(byes[0]!.t - t0, 20 + 5 + 6005 + 10);
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"]], ["ended", "no answer"]);
  assert.deepEqual((await s.run("status"))[2], "call: idle", "not stuck in ending");
  s.dev.io.press("button1");
  s.clock.advance(100);
  assert.equal(s.events("call").at(-1)!["state"], "calling", "the button calls again");
});

test("busy: 486 -> ACK, ended with reason busy and code 486, the busy tone for 3 s (425 Hz, 0.5 s on, 0.5 s off)", async () => {
  const s = await rig({ script: { ringAfterMs: null, reject: { code: 486, reason: "Busy Here", afterMs: 1000 } } });
  const t0 = press(s);
  s.clock.advance(6000);
  const ack = s.phone.requests("ACK");
  assert.equal(ack.length, 1);
  assert.equal(ack[0]!.t - t0, 20 + 5 + 1000 + 10);
  assert.equal(branchOf(ack[0]!.m), branchOf(s.phone.requests("INVITE")[0]!.m));
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"], end["code"], end.t - t0], ["ended", "busy", 486, 1030]);
  const tone = s.speaker.between(end.t, s.clock.now());
  const runs = cadence(tone);
  const from = runs[0]![0] ? 0 : 1;
  assert.ok(from === 0 || runs[0]![1] <= 2, "starts within 40 ms");
  assert.deepEqual(runs.slice(from, from + 7).map((r) => [r[0], r[1]]).slice(0, 6), [[true, 25], [false, 25], [true, 25], [false, 25], [true, 25], [false, runs[from + 5]![1]]]);
  assert.equal(runs.length, from + 6, "three cycles, then silence");
  const burst = join(tone.slice(from ? runs[0]![1] : 0).slice(0, 25));
  assert.ok(Math.abs(frequency(burst) - 425) < 1, `${frequency(burst)} Hz`);
});

for (const code of [401, 407] as const) {
  test(`${code} on INVITE: answered once with ${code === 401 ? "Authorization" : "Proxy-Authorization"} (same Call-ID and tag, CSeq + 1), then the call goes through`, async () => {
    const s = await rig({
      settings: { "sip.password": "secret" },
      script: { challenge: code, answerAfterMs: 500 },
      phone: { auth: { user: "2000", password: "secret" } },
    });
    press(s);
    s.clock.advance(3000);
    const inv = s.phone.requests("INVITE").map((x) => x.m);
    assert.equal(inv.length, 2);
    const h = code === 401 ? "authorization" : "proxy-authorization";
    assert.equal(hdr(inv[0]!, h), undefined);
    const a = parseDigest(hdr(inv[1]!, h)!);
    assert.deepEqual([a["username"], a["realm"], a["nonce"], a["uri"], a["qop"], a["nc"]], ["2000", "phone.test", "nonce1", "sip:1001@10.0.0.9", "auth", "00000001"]);
    assert.equal(a["response"], digestResponse(a, "secret", "INVITE"));
    assert.equal(hdr(inv[1]!, "call-id"), hdr(inv[0]!, "call-id"));
    assert.equal(hdr(inv[1]!, "from"), hdr(inv[0]!, "from"));
    assert.equal(hdr(inv[1]!, "cseq"), "2 INVITE");
    assert.notEqual(branchOf(inv[1]!), branchOf(inv[0]!));
    assert.equal(s.phone.requests("ACK").length, 2, "one for the challenge, one for the 200");
    assert.equal(s.events("call").at(-1)!["state"], "active");
  });
}

test("a wrong password: the second challenge ends the call (rejected, 401); two INVITEs only", async () => {
  const s = await rig({ settings: { "sip.password": "wrong" }, script: { challenge: 401 }, phone: { auth: { user: "2000", password: "secret" } } });
  press(s);
  s.clock.advance(3000);
  assert.equal(s.phone.requests("INVITE").length, 2);
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"], end["code"]], ["ended", "rejected", 401]);
});

test("302 redirect: a new INVITE (new Call-ID) to the Contact, which answers", async () => {
  const s = await rig({ script: { redirect: "sip:1002@10.0.0.10" } });
  const b = new Phone(s.net, { ip: "10.0.0.10", user: "1002", script: { answerAfterMs: 500 }, seed: 2 });
  press(s);
  s.clock.advance(3000);
  const first = s.phone.requests("INVITE")[0]!.m;
  assert.equal(s.phone.requests("ACK").length, 1, "the 302 acknowledged");
  const inv = b.requests("INVITE");
  assert.equal(inv.length, 1);
  assert.equal(inv[0]!.m.uri, "sip:1002@10.0.0.10");
  assert.equal(hdr(inv[0]!.m, "to"), "<sip:1002@10.0.0.10>");
  assert.notEqual(hdr(inv[0]!.m, "call-id"), hdr(first, "call-id"));
  const active = s.events("call").at(-1)!;
  assert.equal(active["state"], "active");
  assert.equal(active["peer"], "sip:1002@10.0.0.10");
  const t = active.t;
  s.clock.advance(2000);
  assert.ok(Math.abs(frequency(b.rtpIn.samples(t + 500, t + 1500)) - 440) < 0.5, "audio with the new target");
});

test("a redirect loop is followed 3 times, then the call ends; the ringback stops", async () => {
  const self = "sip:1001@10.0.0.9";
  const s = await rig({ script: { reject: { code: 302, reason: "Moved Temporarily", headers: [`Contact: <${self}>`], afterMs: 1000 } } });
  const t0 = press(s);
  s.clock.advance(10000);
  assert.equal(s.phone.requests("INVITE").length, 4, "the first INVITE and 3 redirects");
  assert.equal(s.phone.requests("ACK").length, 4);
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["code"]], ["ended", 302]);
  assert.equal(end.t - t0, 20 + 4 * 1010, "4 x (INVITE, 1 s of ringing, 302)");
  assert.ok(s.speaker.between(t0, end.t).some((f) => levelDb(f) > -20), "it rang");
  assert.ok(silentAfter(s, end.t + 40), "and the ringback ends with the call");
});

test("forked 2xx: the second dialog's 200 gets its own ACK and a BYE; the first stays up", async () => {
  const s = await rig({ script: { answerAfterMs: 500, forks: ["fork2"] } });
  press(s);
  s.clock.advance(3000);
  const acks = s.phone.requests("ACK");
  assert.deepEqual(acks.map((x) => tagOf(hdr(x.m, "to"))), [s.phone.dialog!.localTag, "fork2"]);
  assert.equal(acks[1]!.m.uri, "sip:1001-fork2@10.0.0.9:5060", "to the fork's Contact");
  assert.equal(hdr(acks[1]!.m, "cseq"), "1 ACK");
  const byes = s.phone.requests("BYE");
  assert.equal(byes.length, 1);
  assert.equal(tagOf(hdr(byes[0]!.m, "to")), "fork2");
  assert.equal(byes[0]!.m.uri, "sip:1001-fork2@10.0.0.9:5060");
  assert.equal(hdr(byes[0]!.m, "cseq"), "2 BYE");
  assert.equal(hdr(byes[0]!.m, "call-id"), hdr(acks[0]!.m, "call-id"));
  assert.equal(s.events("call").at(-1)!["state"], "active");
  const t = s.events("call").at(-1)!.t;
  assert.ok(Math.abs(frequency(join(s.speaker.between(t + 500, t + 2500))) - 1000) < 0.5);
});

test("183 with SDP: early media from the phone on the speaker before the answer", async () => {
  const s = await rig({ script: { ringAfterMs: null, earlyAfterMs: 0, answerAfterMs: 4000 } });
  const t0 = press(s);
  s.clock.advance(6000);
  assert.deepEqual(s.events("call").map((e) => [e["state"], e.t - t0]), [["calling", 20], ["ringing", 30], ["early", 30], ["active", 4030]]);
  const early = join(s.speaker.between(t0 + 500, t0 + 4000));
  assert.ok(Math.abs(frequency(early) - 1000) < 0.5, `${frequency(early)} Hz`);
  assert.ok(Math.abs(levelDb(early) - -10) < 0.2, `${levelDb(early)} dB`);
  const acks = s.phone.requests("ACK");
  assert.equal(acks.length, 1);
});

test("three targets ring in parallel: the first to answer wins, the others are cancelled (the slow one once its 100 arrives)", async () => {
  const s = await rig({
    settings: { "button1.call": "sip:1001@10.0.0.9, sip:1002@10.0.0.10,sip:1003@10.0.0.11" },
    script: { ringAfterMs: 0, answerAfterMs: 2000 },
  });
  const b = new Phone(s.net, { ip: "10.0.0.10", user: "1002", script: { answerAfterMs: null }, seed: 2 });
  const c = new Phone(s.net, { ip: "10.0.0.11", user: "1003", script: { trying: 2500, ringAfterMs: 5000, answerAfterMs: null }, seed: 3 });
  const t0 = press(s);
  s.clock.advance(8000);
  const invs = [s.phone, b, c].map((p) => p.requests("INVITE"));
  assert.deepEqual(invs.map((x) => x.length), [1, 1, 3], "C's INVITE is retransmitted until its 100 (Timer A)");
  assert.deepEqual(invs.map((x) => x[0]!.t - t0), [25, 25, 25], "all at once");
  assert.equal(new Set(invs.map((x) => hdr(x[0]!.m, "call-id"))).size, 3, "a dialog each");
  const active = s.events("call").at(-1)!;
  assert.deepEqual([active["state"], active["peer"], active.t - t0], ["active", "sip:1001@10.0.0.9", 2030]);
  // B had rung: cancelled at the answer
  const cb = b.requests("CANCEL");
  assert.equal(cb.length, 1);
  assert.equal(cb[0]!.t - t0, 2035);
  assert.equal(b.requests("ACK").length, 1, "B's 487 acknowledged");
  // C said nothing before the answer: its CANCEL waits for its first provisional, the 100 at 2.5 s
  const cc = c.requests("CANCEL");
  assert.equal(cc.length, 1);
  assert.equal(cc[0]!.t - t0, 25 + 2500 + 10);
  assert.equal(c.requests("ACK").length, 1);
  assert.equal(s.phone.requests("BYE").length, 0);
  assert.equal(s.events("call").at(-1)!["state"], "active");
});
