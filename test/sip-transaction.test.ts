// Server transactions on the virtual clock (RFC 3261 17.2 with RFC 6026): a scripted peer sends
// requests to the device and checks every response, retransmission and timer to the millisecond:
// Timer G/H for a non-2xx final to a re-INVITE, Timer I after ACK, request retransmissions answered
// with the stored response, stateless answers to what the unit does not want (never silence), and
// the server slots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, VirtualNetwork, VirtualClock, runCommand, type PeerSocket } from "../host-sim/src/index.js";
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

// The unit answers unwanted INVITEs statelessly (403/486/488, RFC 3261 8.2.7), so the INVITE
// server transaction's non-2xx path is exercised inside a call: a re-INVITE the unit cannot take
// (no codec in common: 488) or one with an old CSeq (500, 12.2.2).
const G729 = ["v=0", "o=- 1 2 IN IP4 10.0.0.9", "s=-", "c=IN IP4 10.0.0.9", "t=0 0", "m=audio 30000 RTP/AVP 18", "a=rtpmap:18 G729/8000", ""].join("\r\n");
const PCMU = G729.replace("RTP/AVP 18", "RTP/AVP 0").replace("a=rtpmap:18 G729/8000", "a=rtpmap:0 PCMU/8000");

/** An incoming call from 1001 (allowed), answered and acknowledged; returns the unit's To tag. */
async function callUp(s: ReturnType<typeof setup>): Promise<string> {
  for (const line of ["set answer.allow 1001", "save"]) assert.equal((await runCommand(s.dev.console, s.clock, line)).at(-1), "ok");
  const contact = ["Contact: <sip:1001@10.0.0.9:5070>", "Content-Type: application/sdp"];
  s.peer.send("10.0.0.2", 5060, req("INVITE", "call1", { callId: "dlg", extra: contact, body: PCMU }));
  s.clock.advance(50);
  const ok = s.rx.find((x) => x.m.status === 200)!;
  assert.ok(ok, "the call is answered");
  const tag = tagOf(hdr(ok.m, "to"))!;
  s.peer.send("10.0.0.2", 5060, req("ACK", "ack1", { callId: "dlg", toTag: tag }));
  s.clock.advance(50);
  s.rx.length = 0;
  return tag;
}

function reinvite(branch: string, tag: string, cseq = 2): string {
  return req("INVITE", branch, { callId: "dlg", toTag: tag, cseq, extra: ["Contact: <sip:1001@10.0.0.9:5070>", "Content-Type: application/sdp"], body: G729 });
}

test("re-INVITE answered 488 without ACK: Timer G retransmits (T1 doubling to T2) until Timer H at 64*T1", async () => {
  const s = setup();
  const tag = await callUp(s);
  const sent = s.clock.now();
  s.peer.send("10.0.0.2", 5060, reinvite("re1", tag));
  s.clock.advance(40000);
  const finals = s.rx.filter((x) => x.m.status === 488);
  const t0 = finals[0]!.t;
  assert.equal(t0 - sent, 10, "answered at once (5 ms each way)");
  assert.deepEqual(finals.map((x) => x.t - t0), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.ok(finals.every((x) => x.m.raw === finals[0]!.m.raw), "the same response each time");
  assert.equal(s.rx.length, finals.length, "nothing else: Timer H at 32000 ends the transaction silently");
  assert.equal(s.dev.events.last("call")!["state"], "active", "the call goes on with its old session");
  assert.equal(s.dev.traps.length, 0);
});

test("re-INVITE answered 488, ACK after the second copy: no more retransmissions; copies absorbed until Timer I (T4)", async () => {
  const s = setup();
  const tag = await callUp(s);
  s.peer.send("10.0.0.2", 5060, reinvite("re2", tag));
  s.clock.advance(600);
  assert.deepEqual(s.rx.map((x) => x.m.status), [488, 488]);
  const final = s.rx[0]!.m;
  s.peer.send("10.0.0.2", 5060, req("ACK", "re2", { callId: "dlg", toTag: tagOf(hdr(final, "to")), cseq: 2 }));
  const ackAt = s.clock.now() + 5; // when the unit takes it: Timer I runs from here
  s.clock.advance(3000);
  assert.equal(s.rx.length, 2, "confirmed: no retransmission");
  s.peer.send("10.0.0.2", 5060, reinvite("re2", tag));
  s.clock.advance(100);
  assert.equal(s.rx.length, 2, "an INVITE copy in confirmed is absorbed");
  s.clock.runUntil(ackAt + 5000 - 5 - 1);
  s.peer.send("10.0.0.2", 5060, reinvite("re2", tag)); // arrives 1 ms before Timer I
  s.clock.advance(20);
  assert.equal(s.rx.length, 2, "still absorbed 1 ms before Timer I");
  s.clock.runUntil(ackAt + 5000 - 5);
  s.peer.send("10.0.0.2", 5060, reinvite("re2", tag)); // arrives exactly at Timer I: the transaction is gone
  s.clock.advance(20);
  assert.deepEqual(s.rx.map((x) => x.m.status), [488, 488, 500], "a new request now, with a CSeq already seen: 500 (12.2.2)");
});

test("a retransmitted re-INVITE while completed gets the final response again at once", async () => {
  const s = setup();
  const tag = await callUp(s);
  s.peer.send("10.0.0.2", 5060, reinvite("re3", tag));
  s.clock.advance(100);
  s.peer.send("10.0.0.2", 5060, reinvite("re3", tag));
  s.clock.advance(20);
  assert.equal(s.rx.length, 2);
  assert.equal(s.rx[1]!.t - s.rx[0]!.t, 100);
  assert.equal(s.rx[1]!.m.raw, s.rx[0]!.m.raw);
  assert.equal(hdr(s.rx[1]!.m, "to"), `<sip:2000@10.0.0.2>;tag=${tag}`, "the dialog's tag");
});

test("a request with a new branch is a new transaction even with the CSeq of the call's INVITE (17.2.3: branches start with the magic cookie z9hG4bK)", async () => {
  const s = setup();
  const tag = await callUp(s);
  // a re-INVITE that (wrongly) reuses CSeq 1: a new transaction by its branch, so it must be answered 500 (12.2.2)
  s.peer.send("10.0.0.2", 5060, reinvite("re4", tag, 1));
  s.clock.advance(20);
  assert.deepEqual(s.rx.map((x) => x.m.status), [500], "answered, not absorbed by the INVITE's transaction");
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

test("a flood of unwanted INVITEs and stray BYEs: each answered statelessly (403, 481), none holds a slot; a wanted call still gets through", async () => {
  const s = setup();
  for (let i = 0; i < 40; i++) s.peer.send("10.0.0.2", 5060, req(i % 2 ? "INVITE" : "BYE", `flood${i}`, { toTag: i % 2 ? undefined : "x" }));
  s.clock.advance(50); // (the host's socket queue holds 64 datagrams)
  for (let i = 0; i < 40; i++) s.peer.send("10.0.0.2", 5060, req("OPTIONS", `fopt${i}`));
  s.clock.advance(200);
  const firsts = new Map<string, number>();
  for (const x of s.rx) { const b = hdr(x.m, "via")!; if (!firsts.has(b)) firsts.set(b, x.m.status); }
  assert.equal(firsts.size, 80, "never silence");
  assert.equal(s.rx.length, 80, "stateless: no retransmissions");
  for (let i = 0; i < 40; i++) assert.equal(firsts.get(VIA(`flood${i}`)), i % 2 ? 403 : 481, `flood${i}`);
  assert.ok([...firsts.entries()].filter(([b]) => b.includes("fopt")).every(([, c]) => c === 200), "OPTIONS need no slot");
  s.rx.length = 0;
  await callUp(s);
  assert.equal(s.dev.events.last("call")!["state"], "active");
});

test("server slots exhausted by requests inside a call: beyond them a stateless 503 with Retry-After", async () => {
  const s = setup();
  const tag = await callUp(s);
  // the INVITE's transaction (Timer L) holds one of the 8 server slots; each INFO's holds another (Timer J)
  for (let i = 0; i < 10; i++) {
    s.peer.send("10.0.0.2", 5060, req("INFO", `info${i}`, { callId: "dlg", toTag: tag, cseq: 2 + i, extra: ["Content-Type: application/dtmf-relay"], body: "Signal=5\r\n" }));
  }
  s.clock.advance(50);
  assert.deepEqual(s.rx.map((x) => x.m.status), [200, 200, 200, 200, 200, 200, 200, 503, 503, 503]);
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
