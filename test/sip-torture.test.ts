// RFC 4475 torture messages, black-box over UDP: the simulator (the intercom-sim CLI, real
// sockets, real clock) gets each message of ../shared/sip-torture/ as one datagram, and must give
// the answer its manifest names (400 for invalid syntax, 505 for a bad version, 501 for an
// unknown method, 416 for an unknown URI scheme, 405 for REGISTER (not a registrar), 406 for an
// Accept without SDP; valid requests get their normal answer, never 400; responses are dropped),
// then answer an OPTIONS right after each one, without a trap.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { parseSip, request, hdrs, type SipMessage } from "./lib/sip.js";

const DIR = "../shared/sip-torture";
const manifest = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")).messages as Record<string, { category: string; section: string }>;
const UNIT = "127.0.0.4";
const PEER = "127.0.0.5";
const CONTROL = 18000 + (process.pid % 1000);

// The unit's decision for each message; `valid` means "its normal answer, anything but 400".
const EXPECT: Record<string, number | "valid" | "drop"> = {
  wsinv: "valid", intmeth: 501, esc01: "valid", escnull: 405, lwsdisp: 200, longreq: "valid", dblreq: 405, transports: 200,
  noreason: "drop", badinv01: 400, clerr: 400, ncl: 400, scalar02: 400, quotbal: 400, lwsruri: 400, lwsstart: 400,
  trws: 400, baddate: 400, regbadct: 400, baddn: 400, badvers: 505, mismatch01: 400, insuf: 400, novelsc: 416,
  unksm2: 405, regaut01: 405, mcl01: 400, zeromf: 200, cparam01: 405, cparam02: 405, regescrt: 405, sdp01: 406, inv2543: "valid",
};

let sim: ChildProcess;
let state: string;
const sockets = new Map<number, Socket>();
const inbox: { port: number; m: SipMessage }[] = [];

async function listen(port: number): Promise<Socket> {
  let s = sockets.get(port);
  if (s) return s;
  s = createSocket("udp4");
  s.on("message", (b) => inbox.push({ port, m: parseSip(b.toString("latin1")) }));
  await new Promise<void>((res, rej) => { s!.once("error", rej); s!.bind(port, PEER, () => res()); });
  sockets.set(port, s);
  return s;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends one datagram and collects the responses to it: same top Via branch and CSeq method
 *  (answers to earlier INVITEs, which the unit retransmits until an ACK that never comes, are
 *  left out; several torture messages share a branch). */
async function exchange(bytes: Uint8Array, viaPort: number, waitMs = 400): Promise<SipMessage[]> {
  const s = await listen(viaPort);
  const topVia = /^(Via|v)[ \t]*:([^\r\n]*)/im.exec(Buffer.from(bytes).toString("latin1"))?.[2] ?? "";
  const branch = /branch=([^;,\s]+)/i.exec(topVia.split(",")[0]!)?.[1];
  const text = Buffer.from(bytes).toString("latin1");
  const methods = [text.split(" ")[0]!, /^CSeq[ \t]*:\s*\d+\s+(\S+)/im.exec(text)?.[1] ?? ""];
  const mine = (m: SipMessage): boolean => (!branch || (hdrs(m, "via")[0] ?? "").includes(branch)) && (m.method === "" || methods.includes(m.method));
  const start = inbox.length;
  s.send(bytes, 5060, UNIT);
  const end = Date.now() + waitMs;
  while (Date.now() < end && !inbox.slice(start).some((x) => mine(x.m))) await sleep(5);
  await sleep(30); // anything else that follows
  return inbox.slice(start).map((x) => x.m).filter(mine);
}

async function api(path: string): Promise<any> {
  const r = await fetch(`http://127.0.0.1:${CONTROL}${path}`);
  return r.json();
}

before(async () => {
  state = mkdtempSync(join(tmpdir(), "torture-"));
  sim = spawn(process.execPath, ["build/intercom-sim.mjs", "--state-dir", state, "--bind", UNIT, "--control", String(CONTROL)],
    { stdio: ["pipe", "ignore", "pipe"] });
  for (let i = 0; i < 100; i++) {
    try { if ((await api("/api/state")).running) break; } catch { /* not up yet */ }
    await sleep(50);
  }
  await listen(5060);
  await listen(5050);
});

after(async () => {
  for (const s of sockets.values()) s.close();
  sim.stdin?.end();
  sim.kill("SIGTERM");
  await new Promise((r) => sim.once("exit", r));
  rmSync(state, { recursive: true, force: true });
});

let optionsSeq = 0;
async function optionsAnswered(): Promise<void> {
  const n = ++optionsSeq;
  const msg = request("OPTIONS", `sip:${UNIT}`, { via: `SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bKprobe${n}`, from: `<sip:probe@${PEER}>;tag=p${n}`,
    to: `<sip:${UNIT}>`, callId: `probe-${n}`, cseq: n });
  const r = await exchange(Buffer.from(msg), 5060);
  assert.equal(r.length, 1, "one answer to OPTIONS");
  assert.equal(r[0]!.status, 200, "OPTIONS answered with 200");
}

test("every manifest message has an expected decision", () => {
  assert.deepEqual(Object.keys(EXPECT).sort(), Object.keys(manifest).sort());
  for (const [name, m] of Object.entries(manifest)) {
    if (m.category === "invalid syntax") assert.ok(EXPECT[name] === 400 || EXPECT[name] === 505, name);
  }
});

for (const name of Object.keys(EXPECT).sort()) {
  test(`${name} (RFC 4475 ${manifest[name]?.section}, ${manifest[name]?.category}): ${EXPECT[name]}, then OPTIONS answered`, async () => {
    const bytes = readFileSync(join(DIR, `${name}.dat`));
    const top = /^Via[ \t]*:[^\r\n]*/im.exec(bytes.toString("latin1"))?.[0] ?? "";
    const viaPort = Number(/:\s*SIP\/[^ ]+\s+[^;:, ]+:(\d+)/i.exec(top)?.[1] ?? 5060);
    const answers = await exchange(bytes, viaPort);
    const want = EXPECT[name]!;
    if (want === "drop") {
      assert.equal(answers.length, 0, "a response is never answered");
    } else {
      const finals = answers.filter((m) => m.status >= 200);
      assert.equal(finals.length, 1, `one final response, got ${answers.map((m) => m.status).join(",")}`);
      if (want === "valid") assert.ok(finals[0]!.status !== 400 && finals[0]!.status >= 200, `valid request answered ${finals[0]!.status}`);
      else assert.equal(finals[0]!.status, want);
    }
    await optionsAnswered();
  });
}

test("no trap, no reboot during the whole run", async () => {
  const s = await api("/api/state");
  assert.equal(s.traps, 0);
  assert.equal(s.boots, 1);
});
