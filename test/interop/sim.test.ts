// The simulator as a process, driven the way the interop scenarios drive the door unit: started on
// the real clock with its own loopback address, a control API on a port it picked, tone in and
// WAV out; the console over POST /api/console (version, status, configure = set + save, errors),
// GET /api/state and the event poller, io injection, a restart that keeps the settings, and
// SIGTERM leaving a valid speaker WAV. The SIP features are not in the firmware yet.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { InteropTimeout, SimProcess, consoleValue, groupAlive, parseWavAudio, stopAll } from "../lib/interop/index.js";

const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

describe("intercom-sim as a process with its control API", () => {
  let sim: SimProcess;
  before(async () => { sim = await SimProcess.start({ bind: "127.0.0.2", audioIn: "tone:440" }); });
  after(() => stopAll());

  test("it boots on the real clock: /api/state has the documented shape, the boot event carries the version", async (t) => {
    t.diagnostic(`intercom-sim spawn to firmware running (control API answering): ${sim.startMs} ms`);
    const s = await sim.api.state();
    for (const k of ["board", "running", "uptime_ms", "clock_ms", "boots", "ticks", "traps", "last_trap", "panics",
      "registration", "call", "door", "net", "io", "memory", "last_event"]) assert.ok(k in s, `state has ${k}: ${JSON.stringify(s)}`);
    assert.equal(s["board"], "host");
    assert.equal(s["running"], true);
    assert.equal(s["boots"], 1);
    assert.equal(s["traps"], 0);
    assert.deepEqual(Object.keys(s["io"].inputs).sort(), ["button1", "door", "exit"]);
    assert.deepEqual(Object.keys(s["io"].outputs).sort(), ["led_call", "led_status", "relay1"]);
    assert.ok(s["memory"].pages >= 1);
    const boot = await sim.api.waitEvent("boot", { timeoutMs: 2000 });
    assert.equal(boot["version"], version);
    // Real clock: uptime grows with wall time.
    const u0 = s["uptime_ms"] as number;
    await new Promise((r) => setTimeout(r, 300));
    const u1 = (await sim.api.state())["uptime_ms"] as number;
    assert.ok(u1 - u0 >= 250 && u1 - u0 < 2000, `uptime went from ${u0} to ${u1} in 300 ms`);
  });

  test("console: version and status over POST /api/console; the unit's address is the --bind address", async () => {
    const v = await sim.api.command("version");
    assert.equal(v[0], `firmware ${version}`);
    assert.ok(v.includes("board host"), v.join("|"));
    assert.match(v.find((l) => l.startsWith("host ")) ?? "", /^host host-sim node v\d+/);
    const st = await sim.api.command("status");
    assert.ok(st.some((l) => /^network: up, 127\.0\.0\.2,/.test(l)), st.join("|"));
    const bad = await sim.api.console("frobnicate");
    assert.match(bad[bad.length - 1]!, /^error: /);
    await assert.rejects(sim.api.command("frobnicate"), /console: frobnicate answered \["error: /);
  });

  test("configure: set + save for every key, values quoted where needed, secrets masked, a bad value is refused", async () => {
    const since = await sim.api.mark();
    const saved = await sim.api.configure({
      "sip.user": "2000", "sip.password": "pass2000", "sip.domain": "127.0.0.1", "sip.display": "Front door", "answer.allow": "1001,1002", "sip.expires": 120,
    });
    assert.match(saved.join("\n"), /^saved generation \d+, 6 changed$/);
    const ev = await sim.api.waitEvent("settings", { since, timeoutMs: 2000 });
    assert.equal(ev["saved"], 6);
    assert.deepEqual(await sim.api.command("get sip.display"), ["Front door"]);
    assert.deepEqual(await sim.api.command("get sip.password"), ["********"]);
    assert.deepEqual(await sim.api.command("get sip.expires"), ["120"]);
    await assert.rejects(sim.api.configure({ "sip.expires": 5 }), /console: set sip\.expires 5 answered \["error: sip\.expires must be 60\.\.86400"\]/);
    await assert.rejects(sim.api.configure({ "sip.password": "x y" , "sip.nope": 1 }), (e: Error) => {
      assert.match(e.message, /set sip\.nope 1 answered \["error: unknown key sip\.nope"\]/);
      assert.doesNotMatch(e.message, /x y/, "no secret in the message");
      return true;
    });
    await sim.api.command("revert");
    assert.equal(consoleValue(""), '""');
    assert.equal(consoleValue(" padded"), '" padded"');
    assert.equal(consoleValue('"quoted"'), '""quoted""');
    assert.equal(consoleValue("plain words"), "plain words");
  });

  test("io: inputs injected over POST /api/io show in /api/state; outputs and unknown names are refused", async () => {
    assert.deepEqual(await sim.api.io("door", { value: 1 }), { name: "door", value: 1 });
    assert.equal((await sim.api.state())["io"].inputs.door, 1);
    await sim.api.io("door", { value: 0 });
    await sim.api.io("button1", { pressed: true });
    assert.equal((await sim.api.state())["io"].inputs.button1, 1);
    await sim.api.io("button1", { pressed: false });
    assert.equal((await sim.api.state())["io"].inputs.button1, 0);
    await sim.api.press("exit", 50);
    assert.equal((await sim.api.state())["io"].inputs.exit, 0);
    assert.equal((await sim.api.call("POST", "/api/io/relay1", { value: 1 })).status, 404);
    await assert.rejects(sim.api.io("button9", { pressed: true }), /answered 404: .*no io named button9/);
  });

  test("a wait that times out says what it waited for, lists the events seen and shows the simulator's output", async () => {
    const since = await sim.api.mark();
    await sim.api.command("version");
    await assert.rejects(sim.api.waitEvent("call", { since: 0, timeoutMs: 300 }), (e: Error) => {
      assert.ok(e instanceof InteropTimeout, e.name);
      assert.match(e.message, /timed out after 300 ms waiting for a call event; events since #0: \{"/);
      assert.match(e.message, /"type":"boot"/);
      assert.match(e.message, /--- last \d+ lines of intercom-sim \(pid \d+, running; full log .*sim\.log\) ---/);
      return true;
    });
    assert.ok(since >= 1);
  });

  test("restart on the same state dir keeps the saved settings; SIGTERM exits 0 and leaves a valid speaker WAV", async (t) => {
    const old = sim;
    const t0 = Date.now();
    sim = await old.restart();
    t.diagnostic(`intercom-sim restart (SIGTERM, exit, spawn, running): ${Date.now() - t0} ms`);
    assert.equal(old.proc.exitCode, 0, "SIGTERM is a clean exit");
    assert.equal(groupAlive(old.proc.pid), false);
    assert.notEqual(sim.proc.pid, old.proc.pid);
    assert.equal(sim.stateDir, old.stateDir);
    assert.deepEqual(await sim.api.command("get sip.user"), ["2000"]);
    assert.deepEqual(await sim.api.command("get sip.display"), ["Front door"]);
    assert.match((await sim.api.command("status")).join("\n"), /^settings: generation \d+$/m);
    const wav = parseWavAudio(new Uint8Array(readFileSync(old.audioOut!)), { name: old.audioOut! });
    assert.deepEqual([wav.sampleRate, wav.channels, wav.bitsPerSample, wav.format, wav.truncated], [8000, 1, 16, 1, false]);
    assert.equal(wav.samples.length, 0, "no call, so the audio path never ran: an empty but valid WAV");
    const code = await sim.stop();
    assert.equal(code, 0);
  });
});
