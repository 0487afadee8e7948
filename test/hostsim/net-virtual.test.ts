// VirtualNetwork / VirtualNetPort on the virtual clock: the HAL semantics (through the HalHost a
// Device builds, as the firmware calls it), exact delivery times, loss / duplication / jitter with
// a fixed seed, link down, per-direction links, loopback, name resolution and scripted peers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Device, HalError, RealClock, VirtualClock, VirtualNetwork, ip4, type HalHost, type Transmission,
} from "../../host-sim/src/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const DEV = "10.0.0.2", PBX = "10.0.0.1";

function setup(seed = 1) {
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { seed, hosts: { "pbx.test": PBX } });
  const dev = Device.virtual({ network: net, ip: DEV });   // not started: tests call the HAL directly
  return { clock, net, dev, hal: dev.halHost, port: dev.net };
}

function recv(hal: HalHost, sock: number, cap = 1500): { n: number; data: string; ip: number; port: number } {
  const buf = new Uint8Array(cap), from = new Uint8Array(6);
  const n = hal.net_udp_recv(sock, buf, from);
  const dv = new DataView(from.buffer);
  return { n, data: n >= 0 ? dec.decode(buf.subarray(0, Math.min(n, cap))) : "", ip: dv.getUint32(0), port: dv.getUint16(4) };
}

test("udp_open: fixed and ephemeral ports, E_ADDRINUSE, E_INVAL, E_NOMEM, E_BADF", () => {
  const { hal, net, port } = setup();
  const a = hal.net_udp_open(5060);
  assert.ok(a >= 0);
  assert.equal(hal.net_udp_local_port(a), 5060);
  assert.equal(hal.net_udp_open(5060), HalError.E_ADDRINUSE);
  const b = hal.net_udp_open(0);
  assert.equal(hal.net_udp_local_port(b), 49152);
  assert.equal(hal.net_udp_local_port(hal.net_udp_open(0)), 49153);
  assert.equal(hal.net_udp_open(-1), HalError.E_INVAL);
  assert.equal(hal.net_udp_open(65536), HalError.E_INVAL);
  assert.equal(hal.net_udp_close(a), HalError.OK);
  assert.equal(hal.net_udp_close(a), HalError.E_BADF);
  assert.equal(hal.net_udp_local_port(a), HalError.E_BADF);
  assert.ok(hal.net_udp_open(5060) >= 0, "the port is free again after close");
  // a scripted peer on the same host holds its port too
  net.peer(DEV, 7000);
  assert.equal(hal.net_udp_open(7000), HalError.E_ADDRINUSE);
  assert.equal(port.openSockets, 3);
  while (hal.net_udp_open(0) >= 0);
  assert.equal(port.openSockets, 16, "16 sockets per host by default");
  assert.equal(hal.net_udp_open(0), HalError.E_NOMEM);
});

test("a datagram arrives after the link delay, exactly, with its source address and port", () => {
  const { clock, net, hal } = setup();
  const pbx = net.peer(PBX, 5060);
  net.setPath(DEV, PBX, { delayMs: 30 }, true);
  const s = hal.net_udp_open(5060);
  clock.advance(5);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 5060, enc.encode("REGISTER")), 8);
  clock.advance(29);
  assert.equal(pbx.received.length, 0, "not before 30 ms");
  clock.advance(1);
  assert.equal(pbx.received.length, 1);
  const d = pbx.received[0]!;
  assert.deepEqual({ t: d.t, src: d.srcIp, sport: d.srcPort, dst: d.dstIp, dport: d.dstPort, text: dec.decode(d.data) },
    { t: 35, src: ip4(DEV), sport: 5060, dst: ip4(PBX), dport: 5060, text: "REGISTER" });
  // and back: the device is woken and reads it
  let wakes = 0;
  const port = net.host(DEV)!;
  port.onActivity = () => wakes++;
  pbx.send(DEV, 5060, "SIP/2.0 200 OK");
  clock.advance(29);
  assert.equal(recv(hal, s).n, HalError.E_AGAIN);
  assert.equal(wakes, 0);
  clock.advance(1);
  assert.equal(wakes, 1);
  assert.deepEqual(recv(hal, s), { n: 14, data: "SIP/2.0 200 OK", ip: ip4(PBX), port: 5060 });
  assert.equal(recv(hal, s).n, HalError.E_AGAIN);
});

test("udp_recv: truncation returns the full length, from needs 6 bytes, the queue is bounded", () => {
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { limits: { rxQueue: 3 } });
  const dev = Device.virtual({ network: net, ip: DEV });
  const hal = dev.halHost;
  const s = hal.net_udp_open(4000);
  const peer = net.peer(PBX, 4001);
  peer.send(DEV, 4000, "0123456789");
  clock.advance(1);
  assert.equal(hal.net_udp_recv(s, new Uint8Array(10), new Uint8Array(5)), HalError.E_INVAL, "from too short");
  const r = recv(hal, s, 4);
  assert.equal(r.n, 10, "full length");
  assert.equal(r.data, "0123");
  for (let i = 0; i < 5; i++) peer.send(DEV, 4000, `m${i}`);
  clock.advance(1);
  assert.equal(net.stats.overflow, 2);
  assert.equal(dev.net.stats.overflow, 2);
  assert.deepEqual([recv(hal, s).data, recv(hal, s).data, recv(hal, s).data], ["m0", "m1", "m2"]);
  assert.equal(recv(hal, s).n, HalError.E_AGAIN);
  // an empty datagram is a valid datagram
  peer.send(DEV, 4000, new Uint8Array(0));
  clock.advance(1);
  assert.equal(recv(hal, s).n, 0);
});

test("udp_send checks its arguments", () => {
  const { hal } = setup();
  const s = hal.net_udp_open(0);
  const one = new Uint8Array(1);
  assert.equal(hal.net_udp_send(99, ip4(PBX), 5060, one), HalError.E_BADF);
  assert.equal(hal.net_udp_send(s, 0, 5060, one), HalError.E_INVAL);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 0, one), HalError.E_INVAL);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 65536, one), HalError.E_INVAL);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 5060, new Uint8Array(65508)), HalError.E_INVAL);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 5060, new Uint8Array(65507)), 65507);
});

/** Sends n numbered datagrams 1 ms apart from the device to a peer; returns what arrived. */
function blast(seed: number, link: { loss?: number; duplicate?: number; delayMs?: number; jitterMs?: number }, n = 1000) {
  const { clock, net, hal } = setup(seed);
  const pbx = net.peer(PBX, 5060);
  net.setPath(DEV, PBX, link);
  const tx: Transmission[] = [];
  net.onTransmit = (t) => tx.push(t);
  const s = hal.net_udp_open(5060);
  for (let i = 0; i < n; i++) {
    hal.net_udp_send(s, ip4(PBX), 5060, enc.encode(String(i)));
    clock.advance(1);
  }
  clock.advance(1000);
  return { net, got: pbx.received.map((d) => ({ i: Number(dec.decode(d.data)), t: d.t })), tx };
}

test("loss: a fixed seed loses the same datagrams every run, about as many as asked", () => {
  const a = blast(42, { loss: 0.2, delayMs: 5 });
  const b = blast(42, { loss: 0.2, delayMs: 5 });
  const c = blast(43, { loss: 0.2, delayMs: 5 });
  const lostA = a.tx.filter((t) => t.delays.length === 0).map((t) => dec.decode(t.data));
  assert.equal(a.net.stats.sent, 1000);
  assert.equal(a.net.stats.lost, lostA.length);
  assert.equal(a.net.stats.delivered + a.net.stats.lost, 1000);
  assert.equal(a.got.length, 1000 - lostA.length);
  assert.ok(Math.abs(lostA.length - 200) < 4 * Math.sqrt(1000 * 0.2 * 0.8), `lost ${lostA.length} of 1000 at p=0.2`);
  assert.deepEqual(b.got, a.got, "same seed, same run");
  assert.notDeepEqual(c.got.map((g) => g.i), a.got.map((g) => g.i), "another seed loses others");
  for (const g of a.got) assert.equal(g.t, g.i + 5, "each survivor arrives exactly 5 ms after it was sent");
});

test("duplication: duplicated datagrams arrive twice, counted", () => {
  const r = blast(7, { duplicate: 0.1, delayMs: 2 });
  const dup = r.net.stats.duplicated;
  assert.ok(Math.abs(dup - 100) < 4 * Math.sqrt(1000 * 0.1 * 0.9), `duplicated ${dup}`);
  assert.equal(r.got.length, 1000 + dup);
  assert.equal(r.net.stats.delivered, 1000 + dup);
  const count = new Map<number, number>();
  for (const g of r.got) count.set(g.i, (count.get(g.i) ?? 0) + 1);
  assert.equal([...count.values()].filter((v) => v === 2).length, dup);
  assert.equal(count.size, 1000);
});

test("jitter: delays spread over delay..delay+jitter and reorder datagrams, reproducibly", () => {
  const r = blast(9, { delayMs: 10, jitterMs: 40 }, 200);
  const again = blast(9, { delayMs: 10, jitterMs: 40 }, 200);
  assert.deepEqual(r.got, again.got);
  let inversions = 0;
  for (let k = 1; k < r.got.length; k++) if (r.got[k]!.i < r.got[k - 1]!.i) inversions++;
  assert.ok(inversions > 10, `${inversions} reorderings`);
  const delays = r.got.map((g) => g.t - g.i);
  assert.equal(Math.min(...delays), 10);
  assert.equal(Math.max(...delays), 50);
  assert.deepEqual(r.tx.map((t) => t.delays[0]), r.got.slice().sort((x, y) => x.i - y.i).map((g) => g.t - g.i));
});

test("host links: directions are separate, two access links add up", () => {
  const { clock, net, hal } = setup();
  const pbx = net.peer(PBX, 5060);
  const s = hal.net_udp_open(5060);
  net.setHostLink(DEV, { loss: 1 }, "out");
  hal.net_udp_send(s, ip4(PBX), 5060, enc.encode("lost"));
  pbx.send(DEV, 5060, "arrives");
  clock.advance(10);
  assert.equal(pbx.received.length, 0);
  assert.equal(recv(hal, s).data, "arrives");
  net.clearLinks();
  net.setHostLink(DEV, { delayMs: 5 }, "out");
  net.setHostLink(PBX, { delayMs: 7 }, "in");
  hal.net_udp_send(s, ip4(PBX), 5060, enc.encode("x"));
  const t0 = clock.now();
  clock.advance(20);
  assert.equal(pbx.received[0]!.t - t0, 12);
});

test("link down: send answers E_NETDOWN, local_ip is 0, arriving datagrams are dropped", () => {
  const { clock, net, hal } = setup();
  const pbx = net.peer(PBX, 5060);
  const s = hal.net_udp_open(5060);
  assert.equal(hal.net_local_ip(ip4(PBX)), ip4(DEV));
  net.setUp(DEV, false);
  assert.equal(hal.net_local_ip(ip4(PBX)), 0);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 5060, enc.encode("x")), HalError.E_NETDOWN);
  assert.equal(hal.net_resolve(enc.encode("pbx.test")), HalError.E_NETDOWN);
  pbx.send(DEV, 5060, "dropped");
  clock.advance(5);
  assert.equal(net.stats.down, 1);
  assert.equal(recv(hal, s).n, HalError.E_AGAIN);
  assert.equal(hal.net_local_ip(0x7f000001), 0x7f000001, "loopback stays up");
  net.setUp(DEV, true);
  assert.equal(hal.net_udp_send(s, ip4(PBX), 5060, enc.encode("back")), 4);
  clock.advance(5);
  assert.equal(pbx.texts()[0], "back");
  // no host, no socket
  hal.net_udp_send(s, ip4("10.0.0.99"), 5060, enc.encode("x"));
  hal.net_udp_send(s, ip4(PBX), 5999, enc.encode("x"));
  clock.advance(5);
  assert.equal(net.stats.noRoute, 1);
  assert.equal(net.stats.unreachable, 1);
});

test("loopback: a socket reaches another on the same host from 127.0.0.1", () => {
  const { clock, hal } = setup();
  const a = hal.net_udp_open(1000), b = hal.net_udp_open(1001);
  hal.net_udp_send(a, 0x7f000001, 1001, enc.encode("self"));
  hal.net_udp_send(a, ip4(DEV), 1001, enc.encode("own"));
  clock.advance(0);
  assert.deepEqual(recv(hal, b), { n: 4, data: "self", ip: 0x7f000001, port: 1000 });
  assert.deepEqual(recv(hal, b), { n: 3, data: "own", ip: ip4(DEV), port: 1000 });
});

test("resolve: the hosts table after the lookup delay; not found; literals; limits", () => {
  const { clock, hal, net } = setup();
  let wakes = 0;
  net.host(DEV)!.onActivity = () => wakes++;
  const addr = new Uint8Array(4);
  const q = hal.net_resolve(enc.encode("PBX.test"));
  assert.ok(q >= 0);
  assert.equal(hal.net_resolve_result(q, addr), HalError.E_AGAIN);
  assert.equal(hal.net_resolve_result(q, new Uint8Array(3)), HalError.E_INVAL);
  clock.advance(1);
  assert.equal(wakes, 1);
  assert.equal(hal.net_resolve_result(q, addr), HalError.OK);
  assert.deepEqual([...addr], [10, 0, 0, 1]);
  assert.equal(hal.net_resolve_result(q, addr), HalError.E_BADF, "released after OK");
  const nf = hal.net_resolve(enc.encode("nowhere.test"));
  clock.advance(1);
  assert.equal(hal.net_resolve_result(nf, addr), HalError.E_NOTFOUND);
  assert.equal(hal.net_resolve_result(nf, addr), HalError.E_BADF);
  const lit = hal.net_resolve(enc.encode("192.168.7.9"));
  clock.advance(1);
  assert.equal(hal.net_resolve_result(lit, addr), HalError.OK);
  assert.deepEqual([...addr], [192, 168, 7, 9]);
  assert.equal(hal.net_resolve(new Uint8Array(0)), HalError.E_INVAL);
  assert.equal(hal.net_resolve(enc.encode("bad name")), HalError.E_INVAL);
  for (let i = 0; i < 8; i++) assert.ok(hal.net_resolve(enc.encode("pbx.test")) >= 0);
  assert.equal(hal.net_resolve(enc.encode("pbx.test")), HalError.E_NOMEM);
  net.addHost("late.test", "10.0.0.50");
  assert.equal(net.lookup("late.test"), ip4("10.0.0.50"));
});

test("reset (a firmware reboot) closes the device's sockets and lookups, not the peers'", () => {
  const { hal, net, port } = setup();
  const s = hal.net_udp_open(5060);
  const peer = net.peer(DEV, 6000);
  hal.net_resolve(enc.encode("pbx.test"));
  port.reset();
  assert.equal(hal.net_udp_local_port(s), HalError.E_BADF);
  assert.equal(port.openSockets, 0);
  assert.ok(hal.net_udp_open(5060) >= 0);
  assert.equal(hal.net_udp_open(6000), HalError.E_ADDRINUSE, "the scripted socket stays");
  peer.close();
  assert.ok(hal.net_udp_open(6000) >= 0);
});

test("two devices on one network talk to each other", () => {
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { seed: 3, link: { delayMs: 4 } });
  const a = Device.virtual({ network: net, ip: "192.168.1.10" });
  const b = Device.virtual({ network: net, ip: "192.168.1.11" });
  const sa = a.halHost.net_udp_open(5060), sb = b.halHost.net_udp_open(5060);
  a.halHost.net_udp_send(sa, ip4("192.168.1.11"), 5060, enc.encode("INVITE"));
  clock.advance(4);
  assert.deepEqual(recv(b.halHost, sb), { n: 6, data: "INVITE", ip: ip4("192.168.1.10"), port: 5060 });
  assert.throws(() => net.attach("192.168.1.10"), /already attached/);
  assert.throws(() => net.attach("127.0.0.2"), /cannot be a host/);
  assert.throws(() => net.setDefaultLink({ loss: 2 }), /probability/);
});

test("the virtual network runs on the real clock too: delivery after the link delay", async () => {
  const clock = new RealClock();
  const net = new VirtualNetwork(clock, { link: { delayMs: 30 } });
  const a = net.peer("10.0.0.5", 1000), b = net.peer("10.0.0.6", 2000);
  const sent = clock.now();
  const got = new Promise<number>((resolve) => { b.onReceive = (d) => resolve(d.t); });
  a.send("10.0.0.6", 2000, "hello");
  const t = await got;
  assert.ok(t - sent >= 30, `arrived after ${t - sent} ms`);
  assert.equal(b.texts()[0], "hello");
  clock.stop();
});
