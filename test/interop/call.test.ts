// Calls end to end with real peers on the real clock: kamailio (registrar and proxy with digest
// auth on INVITE and REGISTER, Record-Route) and baresip softphones, the door unit as the
// simulator process (build/intercom-sim.mjs) registered as 2000.
//   - button1 -> 1001 (baresip, auto-answer): audio both ways measured (1 kHz from baresip at the
//     unit's speaker, 440 Hz from the unit's microphone in baresip's recording), the door code
//     by RFC 4733 (sndcode) pulses relay1 for door.relay_ms, baresip hangs up, the `ended` event
//     carries the statistics;
//   - 1001 calls the unit: auto-answered (allowed); a wrong code opens nothing; the unit hangs up
//     (BYE) and baresip sees it;
//   - 1002 (not in answer.allow) calls the unit: rejected 403; a call the unit places from the
//     console to 1002 (not a configured target) carries 1002's digits but never opens the door;
//   - the ring timeout: 1002 rings and does not answer; the unit CANCELs (seen in its pcap).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  Baresip, Kamailio, SimProcess, describeSegments, dominantFrequency, levelDbfs, requirePeers, segments, sipRequestsIn, sleep, stopAll, toneLevelDbfs, waitUntil,
  type SimEvent,
} from "../lib/interop/index.js";

const skip = requirePeers(["kamailio", "baresip"]);

const RELAY_MS = 1500;
const CODE = "1234#";

/** The relay as /api/state shows it: 1 = energised. */
async function relay(sim: SimProcess): Promise<number> {
  return Number((await sim.api.state())["io"]["outputs"]["relay1"]);
}

describe("calls with kamailio and baresip", { skip }, () => {
  let k: Kamailio;
  let sim: SimProcess;
  let a: Baresip;   // 1001: allowed, answers by itself, plays 1 kHz
  let b: Baresip;   // 1002: not allowed, answers by hand, plays 700 Hz
  before(async () => {
    k = await Kamailio.start();
    [sim, a, b] = await Promise.all([
      SimProcess.start({ pcap: true, audioIn: "tone:440:-10" }),
      Baresip.start({ user: "1001", registrar: k, answermode: "auto", audio: { tone: 1000, dbfs: -6 } }),
      Baresip.start({ user: "1002", registrar: k, audio: { tone: 700, dbfs: -6 } }),
    ]);
    const since = await sim.api.mark();
    await sim.api.configure({
      "sip.user": "2000", "sip.password": "pass2000", "sip.domain": "127.0.0.1",
      "button1.call": "1001", "answer.mode": "auto", "answer.allow": "1001",
      "door.code": CODE, "door.relay_ms": String(RELAY_MS), "call.ring_timeout": "6",
    });
    await sim.api.waitEvent((e) => e.type === "registration" && e["state"] === "registered", { since, timeoutMs: 5000 });
    await k.waitRegistered("2000", 3000);
  });
  after(() => stopAll());

  const callEvent = (since: number, state: string, timeoutMs = 10000): Promise<SimEvent> =>
    sim.api.waitEvent((e) => e.type === "call" && e["state"] === state, { since, timeoutMs });
  /** Events of a type seen since `since`. */
  const seen = (since: number, type: string): SimEvent[] => sim.api.seen.filter((e) => e.seq > since && e.type === type);
  /** The digits of the dtmf events since `since`. */
  const digitsSince = (since: number): string => seen(since, "dtmf").map((e) => e["digit"]).join("");
  /** Waits for n dtmf events, then 300 ms more in which nothing else may come. */
  const settleDigits = async (since: number, n: number): Promise<void> => {
    await waitUntil(`${n} dtmf events`, 5000, () => sim.api.events(since).then(() => seen(since, "dtmf").length >= n));
    await sleep(300);
  };

  test("button1 -> 1001 answers: 1 kHz at the speaker, 440 Hz at baresip, the code opens the door for door.relay_ms, baresip hangs up", async (t) => {
    const since = await sim.api.mark();
    a.mark();
    const t0 = Date.now();
    await sim.api.press("button1");
    const active = await callEvent(since, "active");
    await a.waitEvent("CALL_ESTABLISHED");
    t.diagnostic(`button to active: ${Date.now() - t0} ms`);
    assert.equal(active["direction"], "out");
    assert.equal(active["peer"], "sip:1001@127.0.0.1");
    assert.equal(await relay(sim), 0);

    await sleep(2500); // audio both ways
    const tCode = Date.now();
    await a.sendDigits(CODE);
    const open = await sim.api.waitEvent((e) => e.type === "door" && e["state"] === "open", { since, timeoutMs: 5000 });
    assert.equal(open["by"], "dtmf");
    assert.equal(await relay(sim), 1, "relay1 energised");
    // on for door.relay_ms, then off: polled every 25 ms
    const tOn = Date.now();
    await waitUntil("relay1 off", RELAY_MS + 2000, async () => (await relay(sim)) === 0, { everyMs: 25 });
    const onMs = Date.now() - tOn;
    t.diagnostic(`code sent to door open: ${tOn - tCode} ms; relay on for about ${onMs} ms`);
    assert.ok(onMs >= RELAY_MS - 250 && onMs <= RELAY_MS + 250, `relay on for ${onMs} ms, want ${RELAY_MS}`);
    const closed = await sim.api.waitEvent((e) => e.type === "door" && e["state"] === "closed", { since, timeoutMs: 1000 });
    assert.ok(closed.t - open.t >= RELAY_MS && closed.t - open.t <= RELAY_MS + 50, `door open ${closed.t - open.t} ms by the unit's clock`);
    assert.equal(digitsSince(since), CODE);

    await sleep(500);
    await a.hangup();
    const ended = await callEvent(since, "ended", 5000);
    assert.equal(ended["reason"], "hung up by the other side");
    const st = ended["stats"] as Record<string, number>;
    t.diagnostic(`ended: ${JSON.stringify(ended)}`);
    const secs = (ended["duration_ms"] as number) / 1000;
    assert.ok(secs > 3 && secs < 10, `duration ${secs} s`);
    // 50 audio packets a second each way on a clean loopback; baresip's five digits add about a
    // dozen telephone-event packets each (events every 20 ms for ~180 ms, three end packets).
    assert.ok(Math.abs(st["rtp_sent"]! - 50 * secs) < 15, `sent ${st["rtp_sent"]} in ${secs} s`);
    const extra = st["rtp_received"]! - 50 * secs;
    assert.ok(extra > -15 && extra < 15 + 5 * 16, `received ${st["rtp_received"]} in ${secs} s`);
    assert.equal(st["lost"], 0);
    assert.ok((await sim.api.command("status")).includes("call: idle"), "status says the unit is idle");

    // What the unit's speaker played: baresip's 1 kHz at the level it was sent (through PCMU)
    const spk = sim.readSpeaker();
    const segs = segments(spk.samples, spk.sampleRate);
    t.diagnostic(`speaker: ${describeSegments(segs)}`);
    const tone = segs.filter((s) => s.kind === "tone" && Math.abs(s.hz! - 1000) < 20).sort((x, y) => (y.endMs - y.startMs) - (x.endMs - x.startMs))[0];
    assert.ok(tone && tone.endMs - tone.startMs >= 2000, `a 1 kHz stretch of 2 s or more at the speaker: ${describeSegments(segs)}`);
    const from = (tone.startMs + 200) * 8, to = (tone.startMs + 1200) * 8;
    const p = dominantFrequency(spk.samples, spk.sampleRate, { from, to });
    assert.ok(Math.abs(p.hz - 1000) < 2, `speaker at ${p.hz} Hz`);
    assert.ok(Math.abs(levelDbfs(spk.samples, from, to) - -6) < 1.5, `speaker level ${levelDbfs(spk.samples, from, to)} dBFS`);

    // What baresip received: the unit's microphone, 440 Hz at -10 dBFS, and not its own tone
    const dec = await a.readRecording("dec");
    const dfrom = 0.5 * dec.sampleRate, dto = 2 * dec.sampleRate;
    assert.ok(dec.samples.length >= dto, `${dec.path}: ${dec.samples.length} samples`);
    const q = dominantFrequency(dec.samples, dec.sampleRate, { from: dfrom, to: dto });
    t.diagnostic(`baresip heard ${q.hz.toFixed(2)} Hz at ${levelDbfs(dec.samples, dfrom, dto).toFixed(2)} dBFS`);
    assert.ok(Math.abs(q.hz - 440) < 2, `baresip heard ${q.hz} Hz`);
    assert.ok(Math.abs(levelDbfs(dec.samples, dfrom, dto) - -10) < 1.5, `baresip level ${levelDbfs(dec.samples, dfrom, dto)} dBFS`);
    assert.ok(toneLevelDbfs(dec.samples, dec.sampleRate, 1000, { from: dfrom, to: dto }) < -40, "no echo of its own 1 kHz");
  });

  test("1001 calls the unit: auto-answered; a wrong code opens nothing; the unit hangs up and baresip sees the BYE", async () => {
    const since = await sim.api.mark();
    a.mark();
    await a.dial("sip:2000@127.0.0.1");
    const active = await callEvent(since, "active");
    await a.waitEvent("CALL_ESTABLISHED");
    assert.equal(active["direction"], "in");
    assert.match(String(active["peer"]), /^sip:1001@127\.0\.0\.1/);
    await sleep(500);
    await a.sendDigits("9999#");
    await settleDigits(since, 5);
    assert.equal(digitsSince(since), "9999#");
    assert.equal(seen(since, "door").length, 0, "a wrong code opens nothing");
    assert.equal(await relay(sim), 0);
    await sim.api.command("hangup");
    const closed = await a.waitEvent("CALL_CLOSED", { timeoutMs: 5000 });
    assert.match(closed.param ?? "", /reset by peer|connection reset/i, `baresip: ${JSON.stringify(closed)}`);
    const ended = await callEvent(since, "ended", 5000);
    assert.equal(ended["reason"], "ended from the console");
  });

  test("1002 (not allowed) is rejected; in a call the unit places to 1002 its digits never open the door", async () => {
    let since = await sim.api.mark();
    b.mark();
    await b.dial("sip:2000@127.0.0.1");
    const closed = await b.waitEvent("CALL_CLOSED", { timeoutMs: 5000 });
    assert.match(closed.param ?? "", /403/, `baresip: ${JSON.stringify(closed)}`);
    assert.equal(seen(since, "call").filter((e) => e["state"] === "active").length, 0);

    since = await sim.api.mark();
    b.mark();
    await sim.api.command("call 1002");
    await b.waitEvent("CALL_INCOMING", { timeoutMs: 5000 });
    await b.accept();
    await callEvent(since, "active");
    await sleep(500);
    await b.sendDigits(CODE);
    await settleDigits(since, 5);
    assert.equal(digitsSince(since), CODE, "the digits arrive");
    assert.equal(seen(since, "door").length, 0, "but open nothing");
    assert.equal(await relay(sim), 0);
    await b.hangup();
    await callEvent(since, "ended", 5000);
  });

  test("the ring timeout: 1002 rings, nobody answers, the unit sends CANCEL after call.ring_timeout", async (t) => {
    await sim.api.configure({ "button1.call": "1002" });
    const since = await sim.api.mark();
    b.mark();
    const t0 = Date.now();
    await sim.api.press("button1");
    await b.waitEvent("CALL_INCOMING", { timeoutMs: 5000 });
    const closed = await b.waitEvent("CALL_CLOSED", { timeoutMs: 10000 });
    const took = Date.now() - t0;
    t.diagnostic(`press to CALL_CLOSED at 1002: ${took} ms; ${JSON.stringify(closed)}`);
    assert.ok(took >= 5800 && took <= 7500, `cancelled after ${took} ms, call.ring_timeout is 6 s`);
    const ended = await callEvent(since, "ended", 3000);
    assert.equal(ended["reason"], "no answer");
    assert.equal(b.eventsOf("CALL_ESTABLISHED").length, 0);

    await sim.stop();
    const reqs = sipRequestsIn(sim.pcapPath(), "127.0.0.2");
    const cancels = reqs.filter((r) => r.method === "CANCEL" && r.uri === "sip:1002@127.0.0.1");
    assert.equal(cancels.length, 1, reqs.map((r) => `${r.method} ${r.uri}`).join(", "));
    const invites = reqs.filter((r) => r.method === "INVITE" && r.uri === "sip:1002@127.0.0.1");
    const last = invites.at(-1)!;
    // 9.1: the CANCEL has the INVITE's Request-URI, Call-ID, To, From, CSeq number and top Via
    const h = (text: string, name: string): string => new RegExp(`^${name}:\\s*(.*)$`, "im").exec(text)?.[1]?.trim() ?? "";
    for (const name of ["Call-ID", "From", "To", "Via"]) assert.equal(h(cancels[0]!.text, name), h(last.text, name), name);
    assert.equal(h(cancels[0]!.text, "CSeq"), h(last.text, "CSeq").replace("INVITE", "CANCEL"));
    assert.ok(cancels[0]!.t - last.t >= 5.5, "sent at the ring timeout");
  });
});
