// Registration against a real registrar (kamailio 5.6 with digest auth, ../shared/peers), real
// clock, real sockets: the unit is configured over its console exactly as an installer would
// (set sip.user / sip.password / sip.domain, save), registers, shows it in /api/state and in
// `status`, and kamailio lists its contact. After kamailio restarts (losing its bindings) the unit
// registers again by itself; with a wrong password it reports a clear failure and sends only a
// few REGISTERs a minute (counted in the unit's own packet capture).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Kamailio, SimProcess, requirePeers, sipRequestsIn, stopAll } from "../lib/interop/index.js";

const skip = requirePeers();

/** The REGISTERs the unit sent at or after `fromSec`, as its own capture shows them. */
interface Reg { t: number; cseq: number; auth: boolean; removal: boolean }
function registersIn(path: string, src: string, fromSec: number): Reg[] {
  return sipRequestsIn(path, src).filter((r) => r.method === "REGISTER" && r.t >= fromSec).map(({ t, text }) => ({
    t, cseq: Number(/^CSeq:\s*(\d+)/im.exec(text)?.[1] ?? -1), auth: /^Authorization:/im.test(text),
    removal: /^Expires:\s*0\s*$/im.test(text) || /^Contact:.*;expires=0\b/im.test(text) || /^Contact:\s*\*/im.test(text),
  }));
}

describe("registration with kamailio", { skip }, () => {
  let k: Kamailio;
  let sim: SimProcess;
  before(async () => {
    k = await Kamailio.start();
    sim = await SimProcess.start({ pcap: true });
  });
  after(() => stopAll());

  test("set sip.user / sip.password / sip.domain, save: registered in /api/state, in status and at kamailio", async () => {
    const since = await sim.api.mark();
    await sim.api.configure({ "sip.user": "2000", "sip.password": "pass2000", "sip.domain": "127.0.0.1" });
    const ev = await sim.api.waitEvent((e) => e.type === "registration" && e["state"] === "registered", { since, timeoutMs: 5000 });
    assert.equal(ev["aor"], "sip:2000@127.0.0.1");
    assert.equal(ev["registrar"], "127.0.0.1:5060");
    assert.equal(ev["expires"], 600);
    const state = await sim.api.state();
    assert.equal(state["registration"]["state"], "registered");
    const status = await sim.api.command("status");
    assert.ok(status.some((l) => /^registration: registered sip:2000@127\.0\.0\.1, expires in \d+ s$/.test(l)), status.join("|"));
    const b = await k.waitRegistered("2000", 3000);
    assert.ok(b.some((x) => x.uri.includes("@127.0.0.2:5060")), JSON.stringify(b));
  });

  test("kamailio restarts and forgets the binding: the unit registers again by itself", { timeout: 120000 }, async () => {
    const since = await sim.api.mark();
    await sim.api.configure({ "sip.expires": "60" });
    await sim.api.waitEvent((e) => e.type === "registration" && e["state"] === "registered" && e["expires"] === 60, { since, timeoutMs: 5000 });
    await k.restart();
    assert.equal(await k.isRegistered("2000"), false, "the restarted registrar has no binding");
    const t0 = Date.now();
    await k.waitRegistered("2000", 70000);
    const took = Date.now() - t0;
    assert.ok(took <= 60000, `registered again after ${took} ms (refresh at 90% of 60 s)`);
  });

  test("a wrong password: a clear failure state, and at most a few REGISTERs a minute", { timeout: 120000 }, async () => {
    const since = await sim.api.mark();
    const startSec = Date.now() / 1000;
    await sim.api.configure({ "sip.password": "wrong", "sip.expires": "600" });
    const failed = await sim.api.waitEvent((e) => e.type === "registration" && e["state"] === "failed", { since, timeoutMs: 10000 });
    assert.equal(failed["reason"], "authentication failed");
    assert.equal(failed["code"], 401);
    const status = await sim.api.command("status");
    const line = status.find((l) => l.startsWith("registration: "))!;
    assert.match(line, /^registration: failed sip:2000@127\.0\.0\.1: authentication failed \(401\), retry in (\d+) s$/);
    assert.ok(Number(/retry in (\d+) s/.exec(line)![1]) >= 15, line);
    assert.equal(await k.isRegistered("2000"), false);
    await new Promise((r) => setTimeout(r, 60000 - (Date.now() / 1000 - startSec) * 1000));
    await sim.stop();
    const all = registersIn(sim.pcapPath(), "127.0.0.2", startSec);
    // The old binding is removed once, with the credentials it was made with (they were right).
    const removals = all.filter((r) => r.removal);
    assert.ok(removals.length >= 1 && removals.length <= 2, `removal of the old binding: ${JSON.stringify(all)}`);
    // Then the new account: each attempt is at most one challenge round, backed off between.
    const regs = all.filter((r) => !r.removal);
    assert.ok(regs.length >= 2 && regs.length <= 4, `${regs.length} REGISTERs in the minute after the change: ${JSON.stringify(all)}`);
    assert.ok(regs.filter((r) => r.auth).length <= 2, "credentials sent at most once per attempt");
  });
});

