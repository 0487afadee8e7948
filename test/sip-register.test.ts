// Registration on the virtual clock against a scripted registrar with digest authentication
// (RFC 3261 10, RFC 2617): exact REGISTER counts over an hour of refreshes, the wrong-password
// back-off, 423 Min-Expires, stale nonces, network loss, account changes and removal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, VirtualNetwork, VirtualClock, runCommand, type PeerSocket } from "../host-sim/src/index.js";
import { parseSip, hdr, param, respond, Registrar, type SipMessage } from "./lib/sip.js";

interface Setup {
  clock: VirtualClock;
  net: VirtualNetwork;
  dev: Device;
  reg: Registrar;
  peer: PeerSocket;
  seen: { t: number; m: SipMessage }[];
  run(line: string): Promise<string[]>;
  configure(values: Record<string, string>): Promise<void>;
  registrations(): string[];
}

function setup(o: { users?: Record<string, string>; minExpires?: number; maxExpires?: number; nonceTtlMs?: number; answer?: boolean;
    nat?: { ip: string; port: number } } = {}): Setup {
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { seed: 7, link: { delayMs: 5 }, hosts: { "pbx.test": "10.0.0.1" } });
  const dev = Device.virtual({ network: net, ip: "10.0.0.2", seed: 11, stopOnTrap: true }).start();
  const reg = new Registrar({ users: o.users ?? { "2000": "pass2000" }, minExpires: o.minExpires, maxExpires: o.maxExpires, nonceTtlMs: o.nonceTtlMs });
  const peer = net.peer("10.0.0.1", 5060);
  const seen: { t: number; m: SipMessage }[] = [];
  peer.onReceive = (d) => {
    const text = new TextDecoder().decode(d.data);
    if (/^\s*$/.test(text)) return; // keep-alive
    const m = parseSip(text);
    seen.push({ t: clock.now(), m });
    if (o.answer === false) return;
    if (m.isRequest && m.method === "REGISTER") {
      let r = reg.handle(m, clock.now());
      // a NAT between unit and registrar: the registrar saw another address (RFC 3581)
      if (o.nat) r = r.replace(/^(Via: [^\r]*);rport/m, `$1;received=${o.nat.ip};rport=${o.nat.port}`);
      peer.send(d.srcIp, d.srcPort, r);
    }
    if (m.isRequest && m.method === "OPTIONS") peer.send(d.srcIp, d.srcPort, respond(m, 200, "OK"));
  };
  clock.advance(100);
  const run = (line: string): Promise<string[]> => runCommand(dev.console, clock, line);
  return {
    clock, net, dev, reg, peer, seen, run,
    async configure(values) {
      for (const [k, v] of Object.entries(values)) assert.deepEqual(await run(`set ${k} ${v}`), ["ok"], k);
      assert.equal((await run("save")).at(-1), "ok");
    },
    registrations: () => dev.events.since(0).filter((e) => e.type === "registration").map((e) => String(e["state"])),
  };
}

const ACCOUNT = { "sip.user": "2000", "sip.password": "pass2000", "sip.domain": "10.0.0.1" };

test("registers with digest: REGISTER, 401, REGISTER with credentials, 200; status and events say registered", async () => {
  const s = setup();
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  const regs = s.seen.filter((x) => x.m.method === "REGISTER").map((x) => x.m);
  assert.equal(regs.length, 2);
  assert.equal(hdr(regs[0]!, "authorization"), undefined);
  assert.ok(hdr(regs[1]!, "authorization"));
  assert.equal(regs[0]!.uri, "sip:10.0.0.1");
  assert.equal(hdr(regs[0]!, "call-id"), hdr(regs[1]!, "call-id"), "one Call-ID for the binding");
  assert.equal(Number(hdr(regs[1]!, "cseq")!.split(" ")[0]), Number(hdr(regs[0]!, "cseq")!.split(" ")[0]) + 1);
  assert.match(hdr(regs[0]!, "via")!, /^SIP\/2\.0\/UDP 10\.0\.0\.2:5060;rport;branch=z9hG4bK[0-9a-f]{16}$/);
  assert.equal(hdr(regs[0]!, "contact"), "<sip:2000@10.0.0.2:5060>");
  assert.equal(hdr(regs[0]!, "expires"), "600");
  assert.equal(s.reg.bindings.get("2000")?.contact, "sip:2000@10.0.0.2:5060");
  const st = await s.run("status");
  assert.match(st[1]!, /^registration: registered sip:2000@10\.0\.0\.1, expires in 59\d s$/);
  assert.deepEqual(s.registrations().slice(-2), ["registering", "registered"]);
  const ev = s.dev.events.last("registration")!;
  assert.equal(ev["expires"], 600);
  assert.equal(ev["registrar"], "10.0.0.1:5060");
  assert.deepEqual(s.dev.traps, []);
});

test("one hour of refreshes: a REGISTER pair every 540 s (90% of 600), exactly", async () => {
  const s = setup({ nonceTtlMs: 30000 });
  await s.configure(ACCOUNT);
  const t0 = s.clock.now();
  const wall = Date.now();
  s.clock.advance(3600 * 1000);
  const regs = s.seen.filter((x) => x.m.method === "REGISTER");
  // At 0 (challenge + answer), then each refresh at 540 s steps: the cached nonce is stale
  // (30 s), so each refresh is answered with stale=true and sent again: 2 per refresh.
  const refreshes = Math.floor(3600 / 540); // 6
  assert.equal(regs.length, 2 + 2 * refreshes);
  const firsts = regs.filter((_, i) => i % 2 === 0).map((x) => Math.round((x.t - t0) / 1000));
  assert.deepEqual(firsts, [0, 540, 1080, 1620, 2160, 2700, 3240]);
  assert.equal(s.registrations().filter((r) => r === "registered").length, 1 + refreshes);
  assert.ok(!s.registrations().includes("failed"));
  assert.ok(Date.now() - wall < 1000, `an hour of protocol time took ${Date.now() - wall} ms`);
});

test("a fresh nonce on refresh is answered with the cached credentials first, then once more", async () => {
  const s = setup();
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  const before = s.seen.length;
  s.clock.advance(540 * 1000);
  const regs = s.seen.slice(before).filter((x) => x.m.method === "REGISTER").map((x) => x.m);
  assert.equal(regs.length, 1, "the nonce is still valid: the refresh carries credentials and succeeds at once");
  assert.ok(hdr(regs[0]!, "authorization")!.includes("nc=00000002"));
});

test("a wrong password: a clear failure, at most a few REGISTERs a minute, growing back-off", async () => {
  const s = setup();
  await s.configure({ ...ACCOUNT, "sip.password": "wrong" });
  s.clock.advance(60 * 1000);
  let regs = s.seen.filter((x) => x.m.method === "REGISTER");
  assert.ok(regs.length <= 4, `${regs.length} REGISTERs in the first minute`);
  assert.equal(regs.length, 4, "the first attempt and one retry, each answering the challenge once");
  const st = await s.run("status");
  assert.match(st[1]!, /^registration: failed sip:2000@10\.0\.0\.1: authentication failed \(401\), retry in \d+ s$/);
  const failed = s.dev.events.since(0).filter((e) => e.type === "registration" && e["state"] === "failed");
  assert.equal(failed[0]!["reason"], "authentication failed");
  assert.equal(failed[0]!["code"], 401);
  s.clock.advance(59 * 60 * 1000);
  regs = s.seen.filter((x) => x.m.method === "REGISTER");
  // back-off 30..60, 60..120, 120..240, 240..480, 480..960, 960..1920 s: at most 6 attempts in the hour
  assert.ok(regs.length >= 2 * 4 && regs.length <= 2 * 7, `${regs.length} REGISTERs in an hour`);
  const gaps = regs.filter((_, i) => i % 2 === 0).map((x, i, a) => (i ? x.t - a[i - 1]!.t : 0)).slice(1);
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]! * 0.9 || gaps[i]! >= 900000, `gaps grow: ${gaps.join(",")}`);
  // Fixing the password registers at once.
  await s.configure({ "sip.password": "pass2000" });
  s.clock.advance(1000);
  assert.equal(s.registrations().at(-1), "registered");
});

test("423 Interval Too Brief: registers again with Min-Expires", async () => {
  const s = setup({ minExpires: 900 });
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  const regs = s.seen.filter((x) => x.m.method === "REGISTER").map((x) => x.m);
  assert.deepEqual(regs.map((m) => hdr(m, "expires")), ["600", "600", "900"]);
  assert.equal(s.dev.events.last("registration")!["expires"], 900);
  s.clock.advance(900 * 900);
  assert.equal(s.seen.filter((x) => x.m.method === "REGISTER").length, 4, "refresh at 810 s, with the cached credentials");
});

test("the registrar grants less than asked: refresh follows the granted expires", async () => {
  const s = setup({ maxExpires: 120 });
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  assert.equal(s.dev.events.last("registration")!["expires"], 120);
  const n = s.seen.length;
  s.clock.advance(107 * 1000 - 100);
  assert.equal(s.seen.length, n, "no refresh before 108 s");
  s.clock.advance(200);
  assert.equal(s.seen.length, n + 1, "refresh at 108 s (90% of 120)");
});

test("no answer: the REGISTER is retransmitted on Timers E (T1 doubling to T2) until Timer F, then back-off", async () => {
  const s = setup({ answer: false });
  await s.configure(ACCOUNT);
  s.clock.advance(40 * 1000);
  const t0 = s.seen[0]!.t;
  const times = s.seen.filter((x) => x.m.method === "REGISTER").map((x) => x.t - t0);
  assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(new Set(s.seen.map((x) => param(hdr(x.m, "via"), "branch"))).size, 1, "one transaction");
  const failed = s.dev.events.since(0).find((e) => e.type === "registration" && e["state"] === "failed")!;
  assert.equal(failed["reason"], "no response from the registrar");
  assert.equal(failed.t - (t0 - 5), 32000, "Timer F = 64*T1 after the first send (5 ms link delay)");
});

test("10% loss on the link: registration still completes and stays up for an hour", async () => {
  const s = setup();
  s.net.setHostLink("10.0.0.2", { loss: 0.1, delayMs: 20, jitterMs: 30 });
  await s.configure(ACCOUNT);
  s.clock.advance(3600 * 1000);
  assert.equal(s.registrations().filter((r) => r === "failed").length, 0);
  assert.equal(s.dev.events.last("registration")!["state"], "registered");
  assert.ok(s.net.stats.lost > 0, "some datagrams were lost");
});

test("the network goes away and comes back: registration waits, then registers at once", async () => {
  const s = setup();
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  s.net.setUp("10.0.0.2", false);
  s.clock.advance(5000);
  assert.equal(s.registrations().at(-1), "unregistered");
  assert.match((await s.run("status"))[1]!, /network down/);
  const n = s.seen.length;
  s.net.setUp("10.0.0.2", true);
  s.clock.advance(3000);
  assert.ok(s.seen.length > n, "REGISTER sent after the network returned");
  assert.equal(s.registrations().at(-1), "registered");
});

test("changing the account removes the old binding (Expires: 0) and registers the new one", async () => {
  const s = setup({ users: { "2000": "pass2000", "2001": "pass2001" } });
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  assert.ok(s.reg.bindings.has("2000"));
  await s.configure({ "sip.user": "2001", "sip.password": "pass2001" });
  s.clock.advance(2000);
  const regs = s.seen.filter((x) => x.m.method === "REGISTER").map((x) => x.m);
  const removal = regs.find((m) => hdr(m, "expires") === "0")!;
  assert.match(hdr(removal, "to")!, /sip:2000@10\.0\.0\.1/);
  assert.ok(s.reg.bindings.has("2001"));
  assert.ok(!s.reg.bindings.has("2000"), "the old binding was removed with the old credentials");
  assert.equal(s.dev.events.last("registration")!["aor"], "sip:2001@10.0.0.1");
});

test("reboot and factory-reset send an un-REGISTER first", async () => {
  const s = setup();
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  await s.run("reboot");
  s.clock.advance(3000);
  const zero = s.seen.filter((x) => x.m.method === "REGISTER" && hdr(x.m, "expires") === "0");
  assert.ok(zero.length >= 1, "un-REGISTER before the reboot");
  assert.equal(s.dev.firmware.boots, 2);
  assert.equal(s.registrations().at(-1), "registered", "registered again after the reboot");
  await s.run("factory-reset");
  s.clock.advance(3000);
  assert.equal(s.seen.filter((x) => x.m.method === "REGISTER" && hdr(x.m, "expires") === "0").length, zero.length + 1);
});

test("sip.domain as a host name: looked up through the HAL, then registered", async () => {
  const s = setup();
  await s.configure({ ...ACCOUNT, "sip.domain": "pbx.test" });
  s.clock.advance(1000);
  const regs = s.seen.filter((x) => x.m.method === "REGISTER").map((x) => x.m);
  assert.equal(regs.length, 2);
  assert.equal(regs[0]!.uri, "sip:pbx.test");
  assert.match(hdr(regs[0]!, "to")!, /sip:2000@pbx\.test/);
  assert.equal(s.dev.events.last("registration")!["state"], "registered");
  assert.equal(s.dev.events.last("registration")!["registrar"], "10.0.0.1:5060");
});

test("an unknown host name: a clear failure, retried with back-off", async () => {
  const s = setup();
  await s.configure({ ...ACCOUNT, "sip.domain": "nowhere.test" });
  s.clock.advance(5000);
  assert.equal(s.seen.length, 0);
  const failed = s.dev.events.last("registration")!;
  assert.equal(failed["state"], "failed");
  assert.equal(failed["reason"], "cannot resolve the registrar");
});

test("behind NAT: the Contact follows the address the registrar saw (Via received/rport, RFC 3581)", async () => {
  const s = setup({ nat: { ip: "203.0.113.7", port: 40123 } });
  await s.configure(ACCOUNT);
  s.clock.advance(1000);
  const regs = s.seen.filter((x) => x.m.method === "REGISTER").map((x) => x.m);
  assert.equal(hdr(regs[0]!, "contact"), "<sip:2000@10.0.0.2:5060>");
  assert.equal(hdr(regs.at(-1)!, "contact"), "<sip:2000@203.0.113.7:40123>", "registered again with the public address");
  assert.equal(s.reg.bindings.get("2000")?.contact, "sip:2000@203.0.113.7:40123");
  const n = regs.length;
  s.clock.advance(600 * 1000);
  assert.equal(s.seen.filter((x) => x.m.method === "REGISTER").length, n + 1, "no loop: one refresh in 10 minutes");
});

test("keep-alive crlf: a CRLF CRLF datagram to the registrar every sip.keepalive_s while registered", async () => {
  const s = setup();
  const pings: number[] = [];
  const prev = s.peer.onReceive!;
  s.peer.onReceive = (d) => { if (new TextDecoder().decode(d.data) === "\r\n\r\n") pings.push(s.clock.now()); else prev(d); };
  await s.configure({ ...ACCOUNT, "sip.keepalive_s": "15" });
  s.clock.advance(61 * 1000);
  assert.equal(pings.length, 4);
  assert.deepEqual(pings.slice(1).map((t, i) => t - pings[i]!), [15000, 15000, 15000]);
});

test("keep-alive options: OPTIONS to the registrar; no answer makes registration start over", async () => {
  const s = setup();
  await s.configure({ ...ACCOUNT, "sip.keepalive": "options", "sip.keepalive_s": "20" });
  s.clock.advance(41 * 1000);
  const opts = s.seen.filter((x) => x.m.method === "OPTIONS").map((x) => x.m);
  assert.equal(opts.length, 2);
  assert.equal(opts[0]!.uri, "sip:10.0.0.1");
  // the registrar goes silent
  const prev = s.peer.onReceive!;
  s.peer.onReceive = () => {};
  s.clock.advance(20000 + 33000);
  assert.equal(s.dev.events.last("registration")!["state"], "failed");
  assert.equal(s.dev.events.last("registration")!["reason"], "registrar not answering");
  s.peer.onReceive = prev;
  s.clock.advance(70 * 1000);
  assert.equal(s.dev.events.last("registration")!["state"], "registered", "back after the back-off");
});
