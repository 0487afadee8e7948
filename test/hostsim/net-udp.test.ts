// UdpNet over real loopback sockets (bound to 127.0.0.1): synchronous bind and EADDRINUSE, the
// bounded receive queue and wake-ups, recv semantics, local_ip's routing answer (with a given
// interface table), dns.lookup-based resolve, reset and close.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { once } from "node:events";
import { HalError, UdpNet, ip4, type WireDatagram } from "../../host-sim/src/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const LO = 0x7f000001;

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function plainSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  s.bind(0, "127.0.0.1");
  await once(s, "listening");
  return s;
}

test("udp_open binds synchronously: the port is known at once, a taken port is E_ADDRINUSE", () => {
  const net = new UdpNet({ bind: "127.0.0.1" });
  try {
    const a = net.udpOpen(0);
    assert.ok(a >= 0);
    const port = net.udpLocalPort(a);
    assert.ok(port > 0 && port < 65536);
    assert.equal(net.udpOpen(port), HalError.E_ADDRINUSE);
    assert.equal(net.udpOpen(70000), HalError.E_INVAL);
    assert.equal(net.udpClose(a), HalError.OK);
    assert.equal(net.udpClose(a), HalError.E_BADF);
    const again = net.udpOpen(port);
    assert.ok(again >= 0, "the port is free after close");
    assert.equal(net.udpLocalPort(again), port);
  } finally { net.close(); }
});

test("datagrams both ways over loopback; recv copies, truncates, reports the source; wakes the firmware", async () => {
  const net = new UdpNet({ bind: "127.0.0.1" });
  const peer = await plainSocket();
  try {
    let wakes = 0;
    net.onActivity = () => wakes++;
    const s = net.udpOpen(0);
    const port = net.udpLocalPort(s);
    const got: Buffer[] = [];
    peer.on("message", (m) => got.push(m));
    assert.equal(net.udpSend(s, LO, peer.address().port, enc.encode("OPTIONS sip:x SIP/2.0")), 21);
    await until(() => got.length === 1);
    assert.equal(got[0]!.toString(), "OPTIONS sip:x SIP/2.0");

    const buf = new Uint8Array(64), from = new Uint8Array(6);
    assert.equal(net.udpRecv(s, buf, from), HalError.E_AGAIN);
    peer.send("SIP/2.0 200 OK", port, "127.0.0.1");
    await until(() => wakes === 1);
    assert.equal(net.udpRecv(s, buf, new Uint8Array(4)), HalError.E_INVAL);
    assert.equal(net.udpRecv(s, buf, from), 14);
    assert.equal(dec.decode(buf.subarray(0, 14)), "SIP/2.0 200 OK");
    assert.deepEqual([...from], [127, 0, 0, 1, peer.address().port >> 8, peer.address().port & 255]);
    peer.send("0123456789", port, "127.0.0.1");
    await until(() => wakes === 2);
    const small = new Uint8Array(4);
    assert.equal(net.udpRecv(s, small, from), 10, "the full length of a truncated datagram");
    assert.equal(dec.decode(small), "0123");
    assert.equal(net.udpSend(s, 0, 5060, small), HalError.E_INVAL);
    assert.equal(net.udpSend(99, LO, 5060, small), HalError.E_BADF);
  } finally { net.close(); peer.close(); }
});

test("the receive queue is bounded: datagrams beyond it are dropped and counted", async () => {
  const net = new UdpNet({ bind: "127.0.0.1", limits: { rxQueue: 3 } });
  const peer = await plainSocket();
  try {
    const s = net.udpOpen(0);
    for (let i = 0; i < 5; i++) peer.send(`m${i}`, net.udpLocalPort(s), "127.0.0.1");
    await until(() => net.stats.received + net.stats.overflow === 5);
    assert.equal(net.stats.received, 3);
    assert.equal(net.stats.overflow, 2);
    const buf = new Uint8Array(8), from = new Uint8Array(6);
    const texts: string[] = [];
    for (let n; (n = net.udpRecv(s, buf, from)) >= 0;) texts.push(dec.decode(buf.subarray(0, n)));
    assert.deepEqual(texts, ["m0", "m1", "m2"]);
  } finally { net.close(); peer.close(); }
});

test("onDatagram sees what is sent and received", async () => {
  const net = new UdpNet({ bind: "127.0.0.1" });
  const peer = await plainSocket();
  const seen: WireDatagram[] = [];
  net.onDatagram = (d) => seen.push(d);
  try {
    const s = net.udpOpen(0);
    net.udpSend(s, LO, peer.address().port, enc.encode("out"));
    peer.send("in", net.udpLocalPort(s), "127.0.0.1");
    await until(() => seen.length === 2);
    assert.deepEqual(seen.map((d) => [d.dir, d.srcIp, d.dstIp, dec.decode(d.data)]), [["out", LO, LO, "out"], ["in", LO, LO, "in"]]);
    assert.equal(seen[0]!.srcPort, net.udpLocalPort(s));
    assert.equal(seen[1]!.dstPort, net.udpLocalPort(s));
  } finally { net.close(); peer.close(); }
});

test("local_ip: loopback, the subnet's interface, else the first external one, 0 without; the bind address wins", () => {
  const table = {
    lo: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", internal: true, mac: "", cidr: null }],
    eth0: [{ address: "192.168.1.20", netmask: "255.255.255.0", family: "IPv4", internal: false, mac: "", cidr: null },
      { address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", internal: false, mac: "", cidr: null, scopeid: 1 }],
    wg0: [{ address: "10.8.0.5", netmask: "255.255.0.0", family: "IPv4", internal: false, mac: "", cidr: null }],
  } as never;
  const net = new UdpNet({ interfaces: () => table });
  assert.equal(net.localIp(LO), LO);
  assert.equal(net.localIp(ip4("127.0.0.53")), LO);
  assert.equal(net.localIp(ip4("10.8.3.4")), ip4("10.8.0.5"));
  assert.equal(net.localIp(ip4("192.168.1.1")), ip4("192.168.1.20"));
  assert.equal(net.localIp(ip4("8.8.8.8")), ip4("192.168.1.20"));
  const none = new UdpNet({ bind: "127.0.0.1", interfaces: () => ({ lo: (table as Record<string, unknown[]>)["lo"] }) as never });
  assert.equal(none.localIp(LO), LO);
  const down = new UdpNet({ interfaces: () => ({ lo: (table as Record<string, unknown[]>)["lo"] }) as never });
  assert.equal(down.localIp(ip4("8.8.8.8")), 0, "no external interface: down");
  assert.equal(down.localIp(LO), LO);
  const s = down.udpOpen(0);
  assert.equal(down.udpSend(s, ip4("8.8.8.8"), 53, new Uint8Array(1)), HalError.E_NETDOWN);
  assert.equal(down.udpSend(s, LO, 9, new Uint8Array(1)), 1, "loopback still works");
  down.close();
  none.close();
  const bound = new UdpNet({ bind: "192.168.1.20", interfaces: () => table });
  assert.equal(bound.localIp(ip4("10.8.3.4")), ip4("192.168.1.20"));
  net.close();
  assert.equal(net.localIp(LO), 0, "closed: down");
  assert.equal(net.udpOpen(0), HalError.E_NETDOWN);
  assert.throws(() => new UdpNet({ bind: "localhost" }), /IPv4 address/);
});

test("resolve: dns.lookup for names (localhost), literals at once, not found, bad names", async () => {
  const net = new UdpNet({ bind: "127.0.0.1" });
  let wakes = 0;
  net.onActivity = () => wakes++;
  const addr = new Uint8Array(4);
  const q = net.resolve("localhost");
  assert.ok(q >= 0);
  await until(() => net.resolveResult(q, addr) !== HalError.E_AGAIN || false);
  assert.deepEqual([...addr], [127, 0, 0, 1]);
  assert.equal(net.resolveResult(q, addr), HalError.E_BADF);
  const lit = net.resolve("10.1.2.3");
  assert.equal(net.resolveResult(lit, addr), HalError.OK);
  assert.deepEqual([...addr], [10, 1, 2, 3]);
  assert.equal(net.resolve(""), HalError.E_INVAL);
  assert.equal(net.resolve("a b"), HalError.E_INVAL);
  await until(() => wakes >= 2);
  net.close();
  const fake = new UdpNet({ lookup: (name, done) => setTimeout(() => (name === "pbx.lan" ? done(null, "10.0.0.1") : done(new Error("ENOTFOUND"))), 5) });
  const a = fake.resolve("pbx.lan"), b = fake.resolve("nope.lan");
  assert.equal(fake.resolveResult(a, addr), HalError.E_AGAIN);
  await until(() => fake.resolveResult(b, addr) === HalError.E_NOTFOUND);
  assert.equal(fake.resolveResult(a, addr), HalError.OK);
  assert.deepEqual([...addr], [10, 0, 0, 1]);
  fake.close();
});

test("reset closes every socket so a rebooted firmware can bind its ports again", () => {
  const net = new UdpNet({ bind: "127.0.0.1" });
  const s = net.udpOpen(0);
  const port = net.udpLocalPort(s);
  net.reset();
  assert.equal(net.openSockets, 0);
  assert.equal(net.udpLocalPort(s), HalError.E_BADF);
  const again = net.udpOpen(port);
  assert.ok(again >= 0);
  net.close();
});
