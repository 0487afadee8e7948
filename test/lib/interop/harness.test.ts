// Self-test of the interop harness's pieces that need no SIP peer: process stop by PID with the
// SIGKILL fallback (also for forked children), log waiting and its timeout message, port
// allocation, netstring framing and the ctrl_tcp client against a scripted server, SIP response
// parsing, RFC 2617 digest, the UDP SIP client against a scripted registrar (challenge,
// retransmission, bindings query), and the peer check. A unit suite: runs without peers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import {
  CtrlTcp, InteropTimeout, NetstringDecoder, SipUac, allocPorts, digestAuthorization, groupAlive, missingPeers, netstring,
  parseChallenge, parseResponse, pidAlive, portFree, queryBindings, requirePeers, runningProcesses, scratchDir, spawnPeer, splitList, stopAll, waitUntil, which,
} from "./index.js";

// Child mode: this same bundled file, run as a plain script, starts a peer and then ends
// without stopping it (process.exit, or waits for a signal); the parent checks the peer died.
if (process.env["INTERCOM_HARNESS_CHILD"]) {
  const p = spawnPeer({ name: "orphan", cmd: "sh", args: ["-c", "trap '' TERM; sleep 30 & echo child $!; wait; wait"], logPath: `${scratchDir("child")}/o.log` });
  const line = await p.waitLine(/^child \d+$/, 2000);
  process.stdout.write(`${p.pid} ${line.split(" ")[1]} ${dirname(dirname(p.opts.logPath))}\n`);
  if (process.env["INTERCOM_HARNESS_CHILD"] === "exit") process.exit(3);
  setInterval(() => {}, 1000);                                // wait for the signal
}

after(() => stopAll());

test("spawnPeer: SIGTERM stops a process; one that ignores it is killed after the grace time, children included", async () => {
  const dir = scratchDir("proc");
  const polite = spawnPeer({ name: "polite", cmd: "sh", args: ["-c", "echo ready; exec sleep 30"], logPath: `${dir}/polite.log` });
  await polite.waitLine(/^ready$/, 2000);
  assert.ok(runningProcesses().includes(polite));
  let t0 = Date.now();
  await polite.stop(2000);
  assert.ok(Date.now() - t0 < 1000, `SIGTERM took ${Date.now() - t0} ms`);
  assert.equal(polite.exitSignal, "SIGTERM");
  assert.equal(runningProcesses().includes(polite), false);

  // Ignores SIGTERM and forks a child that ignores it too: both must go.
  const stubborn = spawnPeer({ name: "stubborn", cmd: "sh", args: ["-c", "trap '' TERM; sleep 30 & echo child $!; wait; wait"], logPath: `${dir}/stubborn.log` });
  const line = await stubborn.waitLine(/^child \d+$/, 2000);
  const child = Number(line.split(" ")[1]);
  t0 = Date.now();
  await stubborn.stop(300);
  const took = Date.now() - t0;
  assert.ok(took >= 290 && took < 2000, `stop took ${took} ms`);
  assert.equal(stubborn.exitSignal, "SIGKILL");
  assert.equal(groupAlive(stubborn.pid), false, "no process left in the group");
  assert.equal(pidAlive(child), false, "the forked child is gone");
  await stubborn.stop();                                   // idempotent
});

test("a test process that ends without stopping its peers takes them along (exit, SIGTERM, SIGINT)", async () => {
  const self = fileURLToPath(import.meta.url);
  for (const how of ["exit", "SIGTERM", "SIGINT"] as const) {
    const child = spawn(process.execPath, [self], { env: { ...process.env, INTERCOM_HARNESS_CHILD: how, INTERCOM_KEEP_TMP: "" }, stdio: ["ignore", "pipe", "inherit"] });
    const [main, sub, root] = await new Promise<string[]>((resolve, reject) => {
      child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim().split(" ")));
      child.once("exit", (c) => reject(new Error(`child exited ${c} before reporting`)));
    });
    if (how !== "exit") child.kill(how);
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    assert.equal(code, how === "exit" ? 3 : how === "SIGTERM" ? 143 : 130, how);
    rmSync(root!, { recursive: true, force: true });
    // SIGKILL is sent before the test process exits; the kernel finishes the kill a moment later.
    for (const pid of [Number(main), Number(sub)]) await waitUntil(`${how}: process ${pid} to die with its test process`, 1000, () => !pidAlive(pid));
    assert.equal(groupAlive(Number(main)), false);
  }
});

test("waitLine: finds lines already logged and later ones; a timeout names the pattern and shows the log tail", async () => {
  const dir = scratchDir("proc");
  const p = spawnPeer({ name: "talker", cmd: "sh", args: ["-c", "echo one; echo two >&2; sleep 0.2; echo three; exec sleep 30"], logPath: `${dir}/t.log` });
  assert.equal(await p.waitLine(/three/, 2000), "three");
  assert.equal(await p.waitLine(/^one$/, 10), "one", "already there");
  await assert.rejects(p.waitLine(/four/, 100), (e: Error) => {
    assert.ok(e instanceof InteropTimeout);
    assert.match(e.message, /timed out after 100 ms waiting for talker to log \/four\//);
    assert.match(e.message, /--- last 3 lines of talker \(pid \d+, running; full log .*t\.log\) ---\n {2}one\n {2}two\n {2}three/);
    return true;
  });
  await p.stop();
  await assert.rejects(p.waitLine(/four/, 1000), /talker exited before logging \/four\//);
  const gone = spawnPeer({ name: "nosuch", cmd: "/nonexistent/peer", args: [], logPath: `${dir}/n.log` });
  await gone.exited;
  assert.equal(gone.alive, false);
  assert.match(gone.lines.join("\n"), /spawn error: .*ENOENT/);
});

test("allocPorts: blocks are free, aligned, never handed out twice, and skip a port in use", async () => {
  const seen = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const p = await allocPorts(2, { align: 2 });
    assert.equal(p % 2, 0);
    for (const q of [p, p + 1]) { assert.equal(seen.has(q), false, `port ${q} twice`); seen.add(q); }
  }
  const next = await allocPorts(1, { align: 1 });
  const blocker = dgram.createSocket("udp4");
  await new Promise<void>((r) => blocker.bind(next + 1, "127.0.0.1", () => r()));
  try {
    assert.equal(await portFree(next + 1), false);
    const p = await allocPorts(3, { align: 1 });
    assert.ok(p > next + 1, `allocated ${p}..${p + 2} across the busy ${next + 1}`);
  } finally { blocker.close(); }
});

test("netstrings: encode, decode across chunk boundaries, refuse malformed frames", () => {
  assert.deepEqual([...netstring('{"a":1}')], [...Buffer.from('7:{"a":1},')]);
  assert.deepEqual([...netstring("ü")], [...Buffer.from("2:ü,")], "length in bytes");
  const d = new NetstringDecoder();
  assert.deepEqual(d.push(Buffer.from("5:hel")), []);
  assert.deepEqual(d.push(Buffer.from("lo,3:abc,0:,1")), ["hello", "abc", ""]);
  assert.deepEqual(d.push(Buffer.from(":x,")), ["x"]);
  assert.throws(() => new NetstringDecoder().push(Buffer.from("x:abc,")), /bad length/);
  assert.throws(() => new NetstringDecoder().push(Buffer.from("3:abcd")), /missing trailing comma/);
  assert.throws(() => new NetstringDecoder(10).push(Buffer.from("11:")), /over 10/);
});

test("CtrlTcp against a scripted ctrl_tcp server: replies by token, events kept in order, waitEvent before and after", async () => {
  const server = net.createServer((s) => {
    const dec = new NetstringDecoder();
    s.write(netstring(JSON.stringify({ event: true, type: "REGISTER_OK", class: "register", accountaor: "sip:1001@127.0.0.1" })));
    s.on("data", (d: Buffer) => {
      for (const m of dec.push(d)) {
        const c = JSON.parse(m) as { command: string; params: string; token: string };
        if (c.command === "dial") {
          s.write(netstring(JSON.stringify({ event: true, type: "CALL_RINGING", param: c.params })));
          setTimeout(() => s.write(Buffer.concat([
            netstring(JSON.stringify({ event: true, type: "CALL_ESTABLISHED", param: c.params, id: "c1" })),
            netstring(JSON.stringify({ response: true, ok: true, data: "", token: c.token })),
          ])), 30);
        } else if (c.command === "silent") { /* no reply */ }
        else s.write(netstring(JSON.stringify({ response: true, ok: false, data: `no ${c.command}\n`, token: c.token })));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const c = await CtrlTcp.connect(port, { name: "fake" });
  try {
    const reg = await c.waitEvent("REGISTER_OK", { timeoutMs: 1000 });
    assert.equal(reg.accountaor, "sip:1001@127.0.0.1");
    const est = c.waitEvent("CALL_ESTABLISHED", { timeoutMs: 1000 });
    const r = await c.command("dial", "sip:1002@127.0.0.1");
    assert.deepEqual(r, { ok: true, data: "", token: "1" });
    assert.equal((await est).id, "c1");
    assert.deepEqual(c.events.map((e) => [e.seq, e.type]), [[0, "REGISTER_OK"], [1, "CALL_RINGING"], [2, "CALL_ESTABLISHED"]]);
    assert.deepEqual(await c.command("frob", "x"), { ok: false, data: "no frob\n", token: "2" });
    await assert.rejects(c.command("silent", "", 100), /fake: no reply to silent {2}within 100 ms/);
    await assert.rejects(c.waitEvent("CALL_CLOSED", { timeoutMs: 100, from: 1 }),
      /fake: timed out after 100 ms waiting for event CALL_CLOSED; events since #1: CALL_RINGING\(sip:1002@127\.0\.0\.1\), CALL_ESTABLISHED\(sip:1002@127\.0\.0\.1\)/);
  } finally {
    c.close();
    server.close();
  }
  await assert.rejects(CtrlTcp.connect(port, { name: "gone", timeoutMs: 100 }), /could not connect to ctrl_tcp on port \d+/);
});

test("SIP responses: status, folded and compact headers, lists split outside quotes and brackets", () => {
  const r = parseResponse("SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bKx\r\nContact: <sip:a@h;x=1,2>;expires=60,\r\n <sip:b@h>;expires=30\r\nm: <sip:c@h>\r\n\r\nbody");
  assert.equal(r.status, 200);
  assert.equal(r.reason, "OK");
  assert.deepEqual(r.headers.get("via"), ["SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bKx"]);
  assert.deepEqual(r.headers.get("contact"), ["<sip:a@h;x=1,2>;expires=60, <sip:b@h>;expires=30", "<sip:c@h>"]);
  assert.deepEqual(splitList(r.headers.get("contact")![0]!), ["<sip:a@h;x=1,2>;expires=60", "<sip:b@h>;expires=30"]);
  assert.deepEqual(parseChallenge('Digest realm="a, b", nonce="n\\"1", qop="auth,auth-int", algorithm=MD5'),
    { realm: "a, b", nonce: 'n"1', qop: "auth,auth-int", algorithm: "MD5" });
  assert.throws(() => parseResponse("INVITE sip:a@b SIP/2.0\r\n\r\n"), /not a SIP response/);
});

test("digest: the RFC 2617 3.5 example (qop=auth) and the RFC 2069 form", () => {
  const h = digestAuthorization(
    { realm: "testrealm@host.com", qop: "auth,auth-int", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque: "5ccc069c403ebaf9f0171e9517f40e41" },
    { method: "GET", uri: "/dir/index.html", user: "Mufasa", password: "Circle Of Life", cnonce: "0a4f113b", nc: 1 });
  assert.match(h, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(h, /qop=auth, nc=00000001, cnonce="0a4f113b"/);
  assert.match(h, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  const old = digestAuthorization({ realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093" },
    { method: "GET", uri: "/dir/index.html", user: "Mufasa", password: "Circle Of Life" });
  assert.doesNotMatch(old, /qop/);
  assert.match(old, /response="[0-9a-f]{32}"/);
  assert.throws(() => digestAuthorization({ algorithm: "SHA-256" }, { method: "GET", uri: "/", user: "u", password: "p" }), /not supported/);
});

test("SipUac against a scripted registrar: lost first request retransmitted, 401 answered, bindings listed", async () => {
  const srv = dgram.createSocket("udp4");
  await new Promise<void>((r) => srv.bind(0, "127.0.0.1", () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  const got: string[] = [];
  srv.on("message", (m, rinfo) => {
    const req = m.toString();
    got.push(req);
    if (got.length === 1) return;                            // drop the first: Timer E must resend
    const via = /^Via: (.*)$/m.exec(req)![1]!;
    const head = (status: string, extra: string[]): string => [`SIP/2.0 ${status}`, `Via: ${via}`, ...extra, "Content-Length: 0", "", ""].join("\r\n");
    const auth = /^Authorization: (.*)$/m.exec(req)?.[1];
    let resp: string;
    if (!auth) resp = head("401 Unauthorized", ['WWW-Authenticate: Digest realm="127.0.0.1", nonce="abc", qop="auth"']);
    else {
      const ch = parseChallenge(auth);
      const want = parseChallenge(digestAuthorization({ realm: "127.0.0.1", nonce: "abc", qop: "auth" },
        { method: "REGISTER", uri: "sip:127.0.0.1", user: "1001", password: "pass1001", cnonce: ch["cnonce"], nc: 1 }));
      resp = ch["response"] === want["response"]
        ? head("200 OK", ["Contact: <sip:1001-x@127.0.0.1:20000>;expires=581, <sip:1001-y@127.0.0.1:20002>;expires=12"])
        : head("403 Forbidden", []);
    }
    srv.send(head("100 Trying", []), rinfo.port, rinfo.address);
    srv.send(resp, rinfo.port, rinfo.address);
  });
  try {
    const b = await queryBindings({ host: "127.0.0.1", port }, { user: "1001", password: "pass1001", domain: "127.0.0.1" });
    assert.deepEqual(b, [{ uri: "sip:1001-x@127.0.0.1:20000", expires: 581 }, { uri: "sip:1001-y@127.0.0.1:20002", expires: 12 }]);
    assert.equal(got.length, 3, "lost REGISTER, its retransmission, the authorised REGISTER");
    assert.equal(got[0], got[1], "a retransmission is the same bytes");
    assert.doesNotMatch(got[2]!, /^Contact:/m, "a query has no Contact");
    assert.match(got[2]!, /^CSeq: 2 REGISTER$/m);
    assert.equal(/^Call-ID: (.*)$/m.exec(got[0]!)![1], /^Call-ID: (.*)$/m.exec(got[2]!)![1], "same Call-ID after the challenge");
    await assert.rejects(queryBindings({ host: "127.0.0.1", port }, { user: "1001", password: "nope", domain: "127.0.0.1" }), /answered the bindings query for sip:1001@127\.0\.0\.1 with 403 Forbidden/);
  } finally { srv.close(); }
  const mute = dgram.createSocket("udp4");
  await new Promise<void>((r) => mute.bind(0, "127.0.0.1", () => r()));
  const uac = new SipUac({ host: "127.0.0.1", port: (mute.address() as net.AddressInfo).port });
  try {
    await assert.rejects(uac.request({ method: "OPTIONS", uri: "sip:127.0.0.1", from: "sip:x@127.0.0.1", timeoutMs: 200 }), /no final response to OPTIONS sip:127\.0\.0\.1/);
  } finally { uac.close(); mute.close(); }
});

test("requirePeers: false when present; a reason naming the package when missing; an error under INTERCOM_REQUIRE_PEERS=1", () => {
  assert.equal(which("sh") !== null, true);
  assert.equal(which("no-such-peer-xyz"), null);
  const saved = { path: process.env["PATH"], req: process.env["INTERCOM_REQUIRE_PEERS"] };
  try {
    process.env["PATH"] = "/nonexistent";
    delete process.env["INTERCOM_REQUIRE_PEERS"];
    const why = missingPeers(["sox"]);
    if (which("sox")) assert.equal(why, null, "sox in /usr/sbin or /sbin");
    else {
      assert.match(why ?? "", /sox not installed \(apt-get install sox\)/);
      assert.match(String(requirePeers(["sox"])), /^real SIP peers missing: sox not installed/);
      process.env["INTERCOM_REQUIRE_PEERS"] = "1";
      assert.throws(() => requirePeers(["sox"]), /interop peers required \(INTERCOM_REQUIRE_PEERS=1\) but sox not installed/);
    }
  } finally {
    process.env["PATH"] = saved.path;
    if (saved.req === undefined) delete process.env["INTERCOM_REQUIRE_PEERS"]; else process.env["INTERCOM_REQUIRE_PEERS"] = saved.req;
  }
});
