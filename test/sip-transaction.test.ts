// Server transactions on the virtual clock (RFC 3261 17.2 with RFC 6026): a scripted peer sends
// requests to the device and checks every response, retransmission and timer to the millisecond:
// Timer G/H for a non-2xx final to INVITE, Timer I after ACK, Timer J for non-INVITE, request
// retransmissions answered with the stored response, and the answers to requests the unit does
// not handle (never silence).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, VirtualNetwork, VirtualClock, type PeerSocket } from "../host-sim/src/index.js";
import { parseSip, hdr, tagOf, request, type SipMessage } from "./lib/sip.js";

function setup(link = { delayMs: 5 }): { clock: VirtualClock; net: VirtualNetwork; dev: Device; peer: PeerSocket; rx: { t: number; m: SipMessage }[] } {
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { seed: 3, link });
  const dev = Device.virtual({ network: net, ip: "10.0.0.2", seed: 5, stopOnTrap: true }).start();
  const peer = net.peer("10.0.0.9", 5070);
  const rx: { t: number; m: SipMessage }[] = [];
  peer.onReceive = (d) => rx.push({ t: clock.now(), m: parseSip(new TextDecoder().decode(d.data)) });
  clock.advance(100);
  return { clock, net, dev, peer, rx };
}

const VIA = (branch: string): string => `SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK${branch}`;
function req(method: string, branch: string, o: { cseq?: number; toTag?: string; callId?: string; extra?: string[]; body?: string } = {}): string {
  return request(method, "sip:2000@10.0.0.2", {
    via: VIA(branch), from: "<sip:1001@10.0.0.9>;tag=f1", to: `<sip:2000@10.0.0.2>${o.toTag ? `;tag=${o.toTag}` : ""}`,
    callId: o.callId ?? `c-${branch}`, cseq: o.cseq ?? 1, extra: o.extra, body: o.body,
  });
}

test("OPTIONS: 200 with Allow, Accept, Supported, answered statelessly (8.2.7): a retransmission gets the same bytes, whenever it comes", () => {
  const s = setup();
  s.peer.send("10.0.0.2", 5060, req("OPTIONS", "opt1"));
  s.clock.advance(50);
  assert.equal(s.rx.length, 1);
  const r = s.rx[0]!.m;
  assert.equal(r.status, 200);
  assert.equal(hdr(r, "allow"), "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO");
  assert.equal(hdr(r, "accept"), "application/sdp");
  assert.equal(hdr(r, "supported"), "timer");
  assert.equal(hdr(r, "via"), VIA("opt1"), "sent-by is the source address: no received (18.2.1)");
  assert.ok(tagOf(hdr(r, "to")));
  s.peer.send("10.0.0.2", 5060, req("OPTIONS", "opt1"));
  s.clock.advance(31000);
  assert.equal(s.rx.length, 2);
  assert.equal(s.rx[1]!.m.raw, r.raw, "the stored response, byte for byte");
  s.clock.advance(2000);
  s.peer.send("10.0.0.2", 5060, req("OPTIONS", "opt1"));
  s.clock.advance(50);
  assert.equal(s.rx.length, 3);
  assert.equal(s.rx[2]!.m.raw, r.raw, "the same To tag: stateless tags are a function of the request");
  s.peer.send("10.0.0.2", 5060, req("OPTIONS", "opt2"));
  s.clock.advance(50);
  assert.notEqual(tagOf(hdr(s.rx[3]!.m, "to")), tagOf(hdr(r, "to")), "another request gets another tag");
});

test("rport: the response goes to the source port and the Via says received and rport", () => {
  const s = setup();
  const other = s.net.peer("10.0.0.9", 6000);
  const got: string[] = [];
  other.onReceive = (d) => got.push(new TextDecoder().decode(d.data));
  // sent from port 6000 while the Via claims 5070 (a NAT rewrote the port)
  other.send("10.0.0.2", 5060, request("OPTIONS", "sip:2000@10.0.0.2", { via: "SIP/2.0/UDP 10.0.0.9:5070;rport;branch=z9hG4bKnat1", from: "<sip:a@b>;tag=1", to: "<sip:2000@10.0.0.2>", callId: "nat", cseq: 1 }));
  s.clock.advance(50);
  assert.equal(s.rx.length, 0, "not to the Via port");
  assert.equal(got.length, 1);
  assert.equal(hdr(parseSip(got[0]!), "via"), "SIP/2.0/UDP 10.0.0.9:5070;rport=6000;branch=z9hG4bKnat1;received=10.0.0.9");
});

test("INVITE rejected without ACK: Timer G retransmits (T1 doubling to T2) until Timer H at 64*T1", () => {
  const s = setup();
  s.peer.send("10.0.0.2", 5060, req("INVITE", "inv1"));
  s.clock.advance(40000);
  const finals = s.rx.filter((x) => x.m.status >= 300);
  const t0 = finals[0]!.t;
  assert.deepEqual(finals.map((x) => x.t - t0), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.ok(finals.every((x) => x.m.raw === finals[0]!.m.raw), "the same response each time");
  assert.equal(s.dev.traps.length, 0);
});

test("INVITE rejected, ACK after the second copy: no more retransmissions; later INVITE copies absorbed", () => {
  const s = setup();
  s.peer.send("10.0.0.2", 5060, req("INVITE", "inv2"));
  s.clock.advance(600);
  assert.equal(s.rx.length, 2);
  const final = s.rx[0]!.m;
  s.peer.send("10.0.0.2", 5060, req("ACK", "inv2", { toTag: tagOf(hdr(final, "to")) }));
  s.clock.advance(3000);
  assert.equal(s.rx.length, 2, "confirmed: no retransmission");
  s.peer.send("10.0.0.2", 5060, req("INVITE", "inv2"));
  s.clock.advance(100);
  assert.equal(s.rx.length, 2, "an INVITE copy in confirmed is absorbed");
  s.clock.advance(5000); // Timer I (T4) ends the transaction
});

test("a retransmitted INVITE while completed gets the final response again at once", () => {
  const s = setup();
  s.peer.send("10.0.0.2", 5060, req("INVITE", "inv3"));
  s.clock.advance(100);
  s.peer.send("10.0.0.2", 5060, req("INVITE", "inv3"));
  s.clock.advance(20);
  assert.equal(s.rx.length, 2);
  assert.equal(s.rx[1]!.t - s.rx[0]!.t, 100);
});

test("requests the unit does not take: CANCEL without INVITE 481, BYE outside a dialog 481, REGISTER 405, MESSAGE 405, FOO 501", () => {
  const s = setup();
  const cases: [string, number][] = [["CANCEL", 481], ["BYE", 481], ["REGISTER", 405], ["MESSAGE", 405], ["FOO", 501]];
  cases.forEach(([m], i) => s.peer.send("10.0.0.2", 5060, req(m, `x${i}`)));
  s.clock.advance(100);
  assert.deepEqual(s.rx.map((x) => [x.m.method, x.m.status]), cases);
  assert.equal(hdr(s.rx[2]!.m, "allow"), "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO");
  assert.equal(hdr(s.rx[4]!.m, "allow"), "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO");
});

test("responses that match no transaction are dropped silently", () => {
  const s = setup();
  s.peer.send("10.0.0.2", 5060, ["SIP/2.0 200 OK", `Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKnobody`, "From: <sip:a@b>;tag=1",
    "To: <sip:c@d>;tag=2", "Call-ID: stray", "CSeq: 1 OPTIONS", "Content-Length: 0", "", ""].join("\r\n"));
  s.peer.send("10.0.0.2", 5060, "SIP/2.0 999 Broken\r\n\r\n");
  s.clock.advance(100);
  assert.equal(s.rx.length, 0);
  s.peer.send("10.0.0.2", 5060, req("OPTIONS", "after"));
  s.clock.advance(50);
  assert.equal(s.rx[0]!.m.status, 200, "and the unit still answers");
});

test("a flood of INVITEs: every one gets an answer (beyond the server slots a stateless 503) and OPTIONS still get 200", () => {
  const s = setup();
  for (let i = 0; i < 40; i++) s.peer.send("10.0.0.2", 5060, req("INVITE", `flood${i}`));
  s.clock.advance(50); // (the host's socket queue holds 64 datagrams)
  for (let i = 0; i < 40; i++) s.peer.send("10.0.0.2", 5060, req("OPTIONS", `fopt${i}`));
  s.clock.advance(200);
  const firsts = new Map<string, number>();
  for (const x of s.rx) { const b = hdr(x.m, "via")!; if (!firsts.has(b)) firsts.set(b, x.m.status); }
  assert.equal(firsts.size, 80, "never silence");
  const invites = [...firsts.entries()].filter(([b]) => b.includes("flood")).map(([, c]) => c);
  assert.ok(invites.filter((c) => c === 503).length >= 40 - 8, "beyond the server slots: 503");
  assert.ok(invites.every((c) => c === 480 || c === 503));
  assert.ok([...firsts.entries()].filter(([b]) => b.includes("fopt")).every(([, c]) => c === 200), "OPTIONS need no slot");
  const busy = s.rx.find((x) => x.m.status === 503)!;
  assert.equal(hdr(busy.m, "retry-after"), "5");
});

test("20% loss and 40 ms jitter: a peer retransmitting its OPTIONS always gets its answer", () => {
  const s = setup();
  s.net.setHostLink("10.0.0.9", { loss: 0.2, delayMs: 10, jitterMs: 40 });
  let answered = 0;
  for (let i = 0; i < 50; i++) {
    const branch = `lossy${i}`;
    const before = s.rx.filter((x) => hdr(x.m, "via")!.includes(branch)).length;
    for (let k = 0; k < 7 && s.rx.filter((x) => hdr(x.m, "via")!.includes(branch)).length === before; k++) {
      s.peer.send("10.0.0.2", 5060, req("OPTIONS", branch));
      s.clock.advance(500 << Math.min(k, 3));
    }
    if (s.rx.some((x) => hdr(x.m, "via")!.includes(branch))) answered++;
  }
  assert.equal(answered, 50);
  const byBranch = new Map<string, Set<string>>();
  for (const x of s.rx) {
    const b = hdr(x.m, "via")!;
    if (!byBranch.has(b)) byBranch.set(b, new Set());
    byBranch.get(b)!.add(tagOf(hdr(x.m, "to"))!);
  }
  for (const tags of byBranch.values()) assert.equal(tags.size, 1, "retransmissions answered from the same transaction");
});
