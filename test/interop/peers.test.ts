// The interop harness proven against the real peers alone (no door firmware): kamailio answers
// and forgets its bindings on restart; two baresip softphones register as 1001 and 1002, call
// each other through kamailio with digest auth, hear each other's tone (1000 Hz one way, 440 Hz
// the other, through PCMU), exchange RFC 4733 DTMF, hang up, and register again after the
// registrar restarts. Timings are printed as diagnostics (docs/testing.md lists them).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Baresip, Kamailio, SipUac, describeSegments, dominantFrequency, levelDbfs, groupAlive, peersDir, requirePeers, scratchDir, runningProcesses, segments, stopAll, toneLevelDbfs, waitUntil,
} from "../lib/interop/index.js";

const skip = requirePeers();

describe("harness errors with the real kamailio", { skip }, () => {
  after(() => stopAll());

  test("a kamailio that cannot start fails fast with the reason from its log", async () => {
    const src = scratchDir("broken-cfg");
    cpSync(join(peersDir(), "kamailio", "db"), join(src, "db"), { recursive: true });
    writeFileSync(join(src, "kamailio.cfg"), readFileSync(join(peersDir(), "kamailio", "kamailio.cfg"), "utf8").replace('loadmodule "tm.so"', 'loadmodule "no_such_module.so"'));
    const t0 = Date.now();
    await assert.rejects(Kamailio.start({ source: src }), (e: Error) => {
      assert.match(e.message, /kamailio exited during start-up \(code \d+\)/);
      assert.match(e.message, /no_such_module/, "the log tail names the problem");
      return true;
    });
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(runningProcesses(), []);
  });
});

describe("real peers: kamailio and two baresip", { skip }, () => {
  let k: Kamailio;
  let a: Baresip;                 // 1001, sends 1000 Hz, dials
  let b: Baresip;                 // 1002, sends 440 Hz, answers by itself
  after(() => stopAll());

  before(async () => { k = await Kamailio.start(); });

  test("kamailio answers OPTIONS with a digest challenge; no user is registered yet", async (t) => {
    t.diagnostic(`kamailio start (spawn to first answer): ${k.lastStartMs} ms`);
    const uac = new SipUac({ host: k.host, port: k.port });
    try {
      const r = await uac.request({ method: "OPTIONS", uri: "sip:127.0.0.1", from: "sip:1003@127.0.0.1" });
      assert.equal(r.status, 407, r.raw);
      assert.match(r.headers.get("proxy-authenticate")?.[0] ?? "", /^Digest .*realm="127\.0\.0\.1"/);
      const authed = await uac.request({ method: "OPTIONS", uri: "sip:127.0.0.1", from: "sip:1003@127.0.0.1", auth: { user: "1003", password: "pass1003" } });
      assert.notEqual(authed.status, 407, "the credentials of 1003 are accepted");
      const wrong = await uac.request({ method: "OPTIONS", uri: "sip:127.0.0.1", from: "sip:1003@127.0.0.1", auth: { user: "1003", password: "wrong" } });
      assert.equal(wrong.status, 407, "a wrong password is challenged again");
    } finally { uac.close(); }
    for (const u of ["1001", "1002", "1003"]) assert.deepEqual(await k.bindings(u), [], u);
    assert.equal(await k.isRegistered("1001"), false);
  });

  test("1001 and 1002 register; the registrar lists each one's contact", async (t) => {
    [a, b] = await Promise.all([
      Baresip.start({ user: "1001", registrar: k, audio: { tone: 1000 } }),
      Baresip.start({ user: "1002", registrar: k, audio: { tone: 440 }, answermode: "auto" }),
    ]);
    t.diagnostic(`baresip spawn to registered (seen at the registrar): 1001 ${a.registerMs} ms, 1002 ${b.registerMs} ms`);
    assert.notEqual(a.sipPort, b.sipPort);
    assert.ok(Math.abs(a.sipPort - b.sipPort) >= 2, "SIP ports at least 2 apart");
    for (const p of [a, b]) {
      const binds = await k.bindings(p.opts.user);
      assert.equal(binds.length, 1, JSON.stringify(binds));
      assert.match(binds[0]!.uri, new RegExp(`^sip:${p.opts.user}-[^@]*@127\\.0\\.0\\.1:${p.sipPort}\\b`));
      assert.ok(binds[0]!.expires > 500 && binds[0]!.expires <= 600, `expires ${binds[0]!.expires}`);
    }
    assert.equal(await k.isRegistered("1003"), false);
    assert.ok(k.grep(/ERROR/).length === 0, k.grep(/ERROR/).join("\n"));
  });

  test("1001 calls 1002 through kamailio: auto-answer, tones both ways, DTMF in order, hang-up seen by both", async (t) => {
    a.mark(); b.mark();
    const logFrom = k.lines.length;
    const t0 = Date.now();
    await a.dial("sip:1002@127.0.0.1");
    const [ea, eb] = await Promise.all([a.waitEvent("CALL_ESTABLISHED"), b.waitEvent("CALL_ESTABLISHED")]);
    t.diagnostic(`call setup (dial to CALL_ESTABLISHED): caller ${ea.at - t0} ms, callee ${eb.at - t0} ms`);
    assert.equal(ea.direction, "outgoing");
    assert.equal(eb.direction, "incoming");
    assert.equal(eb.peeruri, "sip:1001@127.0.0.1");
    assert.equal(b.eventsOf("CALL_INCOMING").length, 0, "answermode=auto answers without CALL_INCOMING");
    await k.waitLog(/relaying INVITE sip:1001@127\.0\.0\.1 -> sip:1002-[^@]*@127\.0\.0\.1:\d+/, 2000, logFrom);

    await new Promise((r) => setTimeout(r, 1500));           // 1.5 s of audio before the digits
    const digits = "159#*0";
    const t1 = Date.now();
    await a.sendDigits(digits);
    await waitUntil(`${digits.length} CALL_DTMF_START events at 1002`, 5000, () => b.eventsOf("CALL_DTMF_START").length >= digits.length,
      { context: () => `; got ${b.eventsOf("CALL_DTMF_START").map((e) => e.param).join("")}${b.tail()}` });
    const lastAt = b.eventsOf("CALL_DTMF_START")[digits.length - 1]!.at;
    await new Promise((r) => setTimeout(r, 300));            // nothing more may come
    assert.deepEqual(b.eventsOf("CALL_DTMF_START").map((e) => e.param), [...digits]);
    t.diagnostic(`DTMF: ${digits.length} digits sent 250 ms apart; first CALL_DTMF_START ${b.eventsOf("CALL_DTMF_START")[0]!.at - t1} ms after sending it, last ${lastAt - t1} ms after the first was sent`);

    await a.hangup();
    const [ca, cb] = await Promise.all([a.waitEvent("CALL_CLOSED"), b.waitEvent("CALL_CLOSED")]);
    assert.equal(ca.id, cb.id, "same call");
    assert.match(cb.param ?? "", /reset by peer/i, "the callee sees the caller's BYE");

    // What each side received: the other's tone, at about the level it was sent (-6 dBFS), and
    // not its own. The window is the first second after 300 ms, before any DTMF.
    for (const [who, want, own] of [[a, 440, 1000], [b, 1000, 440]] as const) {
      const dec = await who.readRecording("dec");
      assert.equal(dec.sampleRate, 8000, dec.path);
      const from = 0.3 * dec.sampleRate, to = 1.3 * dec.sampleRate;
      assert.ok(dec.samples.length >= to, `${dec.path}: only ${dec.samples.length} samples`);
      const p = dominantFrequency(dec.samples, dec.sampleRate, { from, to });
      const segs = describeSegments(segments(dec.samples, dec.sampleRate));
      t.diagnostic(`${who.name} received ${p.hz.toFixed(3)} Hz at ${p.dbfs.toFixed(2)} dBFS; segments: ${segs}`);
      assert.ok(Math.abs(p.hz - want) < 2, `${who.name} heard ${p.hz} Hz, want ${want} (${segs})`);
      assert.ok(Math.abs(levelDbfs(dec.samples, from, to) - -6) < 1, `${who.name} level ${levelDbfs(dec.samples, from, to)} dBFS`);
      assert.ok(toneLevelDbfs(dec.samples, dec.sampleRate, own, { from, to }) < -50, `${who.name} hears its own ${own} Hz`);
      const enc = await who.readRecording("enc");
      assert.ok(Math.abs(dominantFrequency(enc.samples, enc.sampleRate, { from, to }).hz - own) < 0.1, `${who.name} sent its own tone`);
    }
  });

  test("kamailio restarts: the bindings are gone; baresip registers again; a new call goes through", async (t) => {
    const t0 = Date.now();
    await k.restart();
    t.diagnostic(`kamailio restart: stop ${k.lastStopMs} ms, start ${k.lastStartMs} ms, total ${Date.now() - t0} ms`);
    assert.equal(k.starts, 2);
    assert.equal(await k.isRegistered("1001"), false, "a restarted registrar has no bindings (usrloc db_mode 0)");
    assert.equal(await k.isRegistered("1002"), false);
    const t1 = Date.now();
    await Promise.all([a.reregister(), b.reregister()]);
    t.diagnostic(`re-registration of both (uadel + uanew): ${Date.now() - t1} ms`);
    assert.equal((await k.bindings("1001")).length, 1);
    assert.equal((await k.bindings("1002")).length, 1);

    a.mark(); b.mark();
    await b.dial("sip:1001@127.0.0.1");                    // the other way round: 1001 answers by hand
    await a.waitEvent("CALL_INCOMING");
    await a.accept();
    await Promise.all([a.waitEvent("CALL_ESTABLISHED"), b.waitEvent("CALL_ESTABLISHED")]);
    await b.hangup();
    await Promise.all([a.waitEvent("CALL_CLOSED"), b.waitEvent("CALL_CLOSED")]);
  });

  test("stopping: kamailio and both baresip exit by PID and leave no process behind", async (t) => {
    const ta = Date.now();
    await a.stop();
    t.diagnostic(`baresip stop (quit, unregister): ${Date.now() - ta} ms`);
    assert.equal(a.running, false);
    await k.waitRegistered("1001", 2000, false);             // quit unregistered 1001
    await b.stop();
    await k.stop();
    t.diagnostic(`kamailio stop (SIGTERM to exit of every worker): ${k.lastStopMs} ms`);
    assert.equal(k.running, false);
    assert.equal(k.proc!.exitSignal ?? k.proc!.exitCode, 0, "kamailio exits 0 on SIGTERM");
    for (const p of [a.proc, b.proc, k.proc!]) assert.equal(groupAlive(p.pid), false, `${p.opts.name} (group ${p.pid}) left a process`);
    assert.deepEqual(runningProcesses(), []);
  });
});
