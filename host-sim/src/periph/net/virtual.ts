// An in-memory IPv4/UDP network on the simulator's Clock, for deterministic tests: devices and
// scripted peers (a phone, a registrar) attach with an address; a datagram is delivered after the
// link's delay, or lost, or duplicated, or reordered by jitter, all drawn from one seeded PRNG in
// send order, so a run on the VirtualClock is the same every time. The shape follows pjsip's
// loopback transport (settable loss, delay, failure) and avr8js's peripherals (config object,
// inject methods, nullable observe callbacks).
//
//   const net = new VirtualNetwork(clock, { seed: 7, hosts: { "pbx.test": "10.0.0.1" } });
//   const dev = Device.virtual({ network: net, ip: "10.0.0.2" });
//   const pbx = net.peer("10.0.0.1", 5060);           // scripted peer socket
//   pbx.onReceive = (d) => pbx.send(d.srcIp, d.srcPort, reply);
//   net.setHostLink("10.0.0.2", { loss: 0.1, jitterMs: 30 });
import { HalError } from "../../hal/contract.js";
import type { Clock } from "../../clock.js";
import type { NetStack } from "../stubs.js";
import { Prng } from "../prng.js";
import { ip4, ip4str, isLoopback, LOOPBACK, parseIp4 } from "./ip.js";
import {
  checkSend, copyOut, DEFAULT_LIMITS, QueryTable, RxQueue, validHostName,
  type Datagram, type NetLimits, type NetStats, type WireDatagram,
} from "./sockets.js";

/** How a link treats datagrams. Omitted fields are 0. */
export interface LinkConfig {
  /** Fixed one-way delay, ms. */
  delayMs?: number;
  /** Extra delay drawn uniformly from 0..jitterMs (integer ms): datagrams can overtake each other. */
  jitterMs?: number;
  /** Probability 0..1 that a datagram is lost. */
  loss?: number;
  /** Probability 0..1 that a datagram arrives twice (each copy with its own jitter). */
  duplicate?: number;
}

export interface VirtualNetworkConfig {
  /** PRNG seed for loss, jitter and duplication (default 1). */
  seed?: number;
  /** The link used when no host link or path is set (default: 1 ms delay, no impairment). */
  link?: LinkConfig;
  /** Time a name lookup takes, ms (default 1). */
  resolveDelayMs?: number;
  /** Name -> IPv4 address table for hal.net_resolve. */
  hosts?: Record<string, string>;
  /** Per-host socket limits. */
  limits?: Partial<NetLimits>;
}

export interface VirtualNetStats {
  /** Datagrams put on the wire (loopback excluded). */
  sent: number;
  /** Copies that reached a socket. */
  delivered: number;
  lost: number;
  duplicated: number;
  /** Arrived at a host with no socket on that port. */
  unreachable: number;
  /** Arrived at a host whose link is down. */
  down: number;
  /** Sent to an address no host has. */
  noRoute: number;
  /** Arrived at a socket whose queue was full. */
  overflow: number;
}

/** One transmission as the network decided it: how many copies and when each arrives. */
export interface Transmission {
  t: number;
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  data: Uint8Array;
  /** Arrival delays of the copies, ms: [] lost, [d] normal, [d1, d2] duplicated. */
  delays: number[];
}

/** A datagram as a scripted peer receives it. */
export interface PeerDatagram extends Datagram {
  t: number;
  dstIp: number;
  dstPort: number;
}

interface Impairment { delayMs: number; jitterMs: number; loss: number; duplicate: number }

const NONE: Impairment = { delayMs: 0, jitterMs: 0, loss: 0, duplicate: 0 };

function impairment(c: LinkConfig): Impairment {
  const p = (v: number | undefined, name: string): number => {
    const x = v ?? 0;
    if (!(x >= 0 && x <= 1)) throw new RangeError(`${name} must be a probability 0..1, got ${v}`);
    return x;
  };
  const ms = (v: number | undefined, name: string): number => {
    const x = v ?? 0;
    if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`${name} must be whole milliseconds >= 0, got ${v}`);
    return x;
  };
  return { delayMs: ms(c.delayMs, "delayMs"), jitterMs: ms(c.jitterMs, "jitterMs"), loss: p(c.loss, "loss"), duplicate: p(c.duplicate, "duplicate") };
}

/** Two links in series: delays add, losses and duplications compound. */
function series(a: Impairment, b: Impairment): Impairment {
  return {
    delayMs: a.delayMs + b.delayMs,
    jitterMs: a.jitterMs + b.jitterMs,
    loss: 1 - (1 - a.loss) * (1 - b.loss),
    duplicate: 1 - (1 - a.duplicate) * (1 - b.duplicate),
  };
}

export class VirtualNetwork {
  readonly prng: Prng;
  readonly stats: VirtualNetStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, unreachable: 0, down: 0, noRoute: 0, overflow: 0 };
  /** Observe every transmission between hosts (after the loss/duplicate/delay draw). */
  onTransmit: ((t: Transmission) => void) | null = null;
  readonly resolveDelayMs: number;
  readonly limits: NetLimits;

  private readonly hosts = new Map<number, VirtualNetPort>();
  private readonly names = new Map<string, number>();
  private defaultLink: Impairment;
  private readonly hostOut = new Map<number, Impairment>();
  private readonly hostIn = new Map<number, Impairment>();
  private readonly paths = new Map<string, Impairment>();

  constructor(readonly clock: Clock, config: VirtualNetworkConfig = {}) {
    this.prng = new Prng(config.seed ?? 1);
    this.defaultLink = impairment(config.link ?? { delayMs: 1 });
    this.resolveDelayMs = config.resolveDelayMs ?? 1;
    this.limits = { ...DEFAULT_LIMITS, ...config.limits };
    for (const [name, addr] of Object.entries(config.hosts ?? {})) this.addHost(name, addr);
  }

  // ---- topology

  /** Attaches a host (a device's network interface). Throws when the address is taken or invalid. */
  attach(ip: string | number, limits: Partial<NetLimits> = {}): VirtualNetPort {
    const a = ip4(ip);
    if (a === 0 || isLoopback(a) || a >= 0xe0000000) throw new Error(`${ip4str(a)} cannot be a host address`);
    if (this.hosts.has(a)) throw new Error(`${ip4str(a)} is already attached`);
    const h = new VirtualNetPort(this, a, { ...this.limits, ...limits });
    this.hosts.set(a, h);
    return h;
  }

  /** Removes a host; datagrams in flight to it are then counted as noRoute. */
  detach(ip: string | number): void {
    const a = ip4(ip);
    this.hosts.get(a)?.close();
    this.hosts.delete(a);
  }

  host(ip: string | number): VirtualNetPort | undefined { return this.hosts.get(ip4(ip)); }

  /** A scripted socket on host ip (attached on first use), bound to port (0 = any free port). */
  peer(ip: string | number, port = 0): PeerSocket {
    const h = this.hosts.get(ip4(ip)) ?? this.attach(ip);
    return h.socket(port);
  }

  /** Adds a name to the lookup table. */
  addHost(name: string, ip: string | number): void { this.names.set(name.toLowerCase(), ip4(ip)); }
  removeHost(name: string): void { this.names.delete(name.toLowerCase()); }

  /** Name lookup as the network's DNS answers it: null = not found. */
  lookup(name: string): number | null {
    const lit = parseIp4(name);
    if (lit !== null) return lit;
    const n = name.toLowerCase().replace(/\.$/, "");
    if (n === "localhost") return LOOPBACK;
    return this.names.get(n) ?? null;
  }

  // ---- link behaviour

  /** The link used between hosts that have no host link or path of their own. */
  setDefaultLink(cfg: LinkConfig): void { this.defaultLink = impairment(cfg); }

  /** A host's access link: "out" applies to what it sends, "in" to what it receives. */
  setHostLink(ip: string | number, cfg: LinkConfig, dir: "both" | "out" | "in" = "both"): void {
    const a = ip4(ip), imp = impairment(cfg);
    if (dir !== "in") this.hostOut.set(a, imp);
    if (dir !== "out") this.hostIn.set(a, imp);
  }

  /** The path from one host to another (overrides host links); both = also the way back. */
  setPath(from: string | number, to: string | number, cfg: LinkConfig, both = false): void {
    const a = ip4(from), b = ip4(to), imp = impairment(cfg);
    this.paths.set(`${a}>${b}`, imp);
    if (both) this.paths.set(`${b}>${a}`, imp);
  }

  /** Forgets host links and paths (the default link stays). */
  clearLinks(): void { this.hostOut.clear(); this.hostIn.clear(); this.paths.clear(); }

  /** Takes a host's link down (cable pulled, Wi-Fi lost) or up again. */
  setUp(ip: string | number, up: boolean): void {
    const h = this.hosts.get(ip4(ip));
    if (!h) throw new Error(`no host ${ip4str(ip4(ip))}`);
    h.setLinkUp(up);
  }

  /** The impairment between two hosts, as set. */
  linkBetween(src: number, dst: number): Impairment {
    const p = this.paths.get(`${src}>${dst}`);
    if (p) return p;
    const o = this.hostOut.get(src), i = this.hostIn.get(dst);
    if (!o && !i) return this.defaultLink;
    return series(o ?? NONE, i ?? NONE);
  }

  // ---- delivery (called by hosts)

  /** Puts a datagram on the wire from src. */
  transmit(src: VirtualNetPort, srcPort: number, dstIp: number, dstPort: number, data: Uint8Array): void {
    this.stats.sent++;
    const imp = this.linkBetween(src.ip, dstIp);
    let copies = 1;
    if (this.prng.chance(imp.loss)) copies = 0;
    else if (this.prng.chance(imp.duplicate)) copies = 2;
    if (copies === 0) this.stats.lost++;
    if (copies === 2) this.stats.duplicated++;
    const delays: number[] = [];
    for (let i = 0; i < copies; i++) delays.push(imp.delayMs + (imp.jitterMs > 0 ? this.prng.int(imp.jitterMs + 1) : 0));
    const t = this.clock.now();
    this.onTransmit?.({ t, srcIp: src.ip, srcPort, dstIp, dstPort, data, delays });
    for (const d of delays) this.clock.after(d, () => this.arrive(src.ip, srcPort, dstIp, dstPort, data));
  }

  private arrive(srcIp: number, srcPort: number, dstIp: number, dstPort: number, data: Uint8Array): void {
    const h = this.hosts.get(dstIp);
    if (!h) { this.stats.noRoute++; return; }
    if (!h.up) { this.stats.down++; return; }
    const r = h.receive(srcIp, srcPort, dstIp, dstPort, data);
    if (r === "delivered") this.stats.delivered++;
    else if (r === "unreachable") this.stats.unreachable++;
    else this.stats.overflow++;
  }
}

interface HalSocket { handle: number; port: number; queue: RxQueue }

/** A host on a VirtualNetwork: the NetStack a device uses, and the home of scripted PeerSockets. */
export class VirtualNetPort implements NetStack {
  onActivity: (() => void) | null = null;
  onDatagram: ((d: WireDatagram) => void) | null = null;
  readonly stats: NetStats = { sent: 0, received: 0, overflow: 0 };
  private linkUp = true;
  private readonly ports = new Map<number, HalSocket | PeerSocket>();
  private readonly handles = new Map<number, HalSocket>();
  private readonly queries: QueryTable;
  private nextHandle = 0;
  private nextEphemeral = 49152;

  constructor(readonly network: VirtualNetwork, readonly ip: number, readonly limits: NetLimits) {
    this.queries = new QueryTable(limits.maxQueries);
  }

  get up(): boolean { return this.linkUp; }
  get address(): string { return ip4str(this.ip); }
  get clock(): Clock { return this.network.clock; }

  /** Use VirtualNetwork.setUp. */
  setLinkUp(up: boolean): void { this.linkUp = up; }

  // ---- scripted side

  /** A scripted socket bound to port (0 = any free port); throws when the port is taken. */
  socket(port = 0): PeerSocket {
    const p = this.bindPort(port);
    if (p < 0) throw new Error(`${this.address}: cannot bind port ${port} (${p === HalError.E_ADDRINUSE ? "in use" : "invalid"})`);
    const s = new PeerSocket(this, p);
    this.ports.set(p, s);
    return s;
  }

  /** Used by PeerSocket.close. */
  unbind(port: number, owner: HalSocket | PeerSocket): void {
    if (this.ports.get(port) === owner) this.ports.delete(port);
  }

  // ---- HAL side

  udpOpen(port: number): number {
    if (!Number.isInteger(port) || port < 0 || port > 65535) return HalError.E_INVAL;
    if (this.handles.size >= this.limits.maxSockets) return HalError.E_NOMEM;
    const p = this.bindPort(port);
    if (p < 0) return p;
    let h = this.nextHandle;
    while (this.handles.has(h)) h = (h + 1) & 0x7fffffff;
    this.nextHandle = (h + 1) & 0x7fffffff;
    const s: HalSocket = { handle: h, port: p, queue: new RxQueue(this.limits.rxQueue) };
    this.handles.set(h, s);
    this.ports.set(p, s);
    return h;
  }

  udpClose(sock: number): number {
    const s = this.handles.get(sock);
    if (!s) return HalError.E_BADF;
    this.handles.delete(sock);
    this.unbind(s.port, s);
    return HalError.OK;
  }

  udpLocalPort(sock: number): number { return this.handles.get(sock)?.port ?? HalError.E_BADF; }

  udpSend(sock: number, ip: number, port: number, data: Uint8Array): number {
    const s = this.handles.get(sock);
    if (!s) return HalError.E_BADF;
    const bad = checkSend(ip, port, data);
    if (bad !== HalError.OK) return bad;
    if (!this.sendFrom(s.port, ip >>> 0, port, data)) return HalError.E_NETDOWN;
    return data.length;
  }

  udpRecv(sock: number, buf: Uint8Array, from: Uint8Array): number {
    const s = this.handles.get(sock);
    if (!s) return HalError.E_BADF;
    if (from.length < 6) return HalError.E_INVAL;
    const d = s.queue.shift();
    if (!d) return HalError.E_AGAIN;
    return copyOut(d, buf, from);
  }

  localIp(dest: number): number {
    if (isLoopback(dest >>> 0)) return LOOPBACK;
    return this.linkUp ? this.ip : 0;
  }

  resolve(name: string): number {
    if (!validHostName(name)) return HalError.E_INVAL;
    if (!this.linkUp && this.network.lookup(name) !== LOOPBACK && parseIp4(name) === null) return HalError.E_NETDOWN;
    const q = this.queries.start();
    if (q < 0) return q;
    const addr = this.network.lookup(name);
    this.clock.after(this.network.resolveDelayMs, () => {
      if (this.queries.complete(q, addr)) this.onActivity?.();
    });
    return q;
  }

  resolveResult(query: number, addr: Uint8Array): number { return this.queries.poll(query, addr); }

  /** The firmware restarted: its sockets and lookups are gone (scripted sockets stay). */
  reset(): void {
    for (const s of this.handles.values()) this.unbind(s.port, s);
    this.handles.clear();
    this.queries.clear();
  }

  close(): void { this.reset(); }

  /** HAL sockets currently open. */
  get openSockets(): number { return this.handles.size; }

  // ---- internals

  private bindPort(port: number): number {
    if (!Number.isInteger(port) || port < 0 || port > 65535) return HalError.E_INVAL;
    if (port !== 0) return this.ports.has(port) ? HalError.E_ADDRINUSE : port;
    for (let i = 0; i < 16384; i++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= 65535 ? 49152 : p + 1;
      if (!this.ports.has(p)) return p;
    }
    return HalError.E_NOMEM;
  }

  /** Sends from a local port; false when the link is down (loopback always works). */
  sendFrom(srcPort: number, dstIp: number, dstPort: number, payload: Uint8Array): boolean {
    const data = payload.slice();
    const local = isLoopback(dstIp) || dstIp === this.ip;
    if (!local && !this.linkUp) return false;
    const srcIp = isLoopback(dstIp) ? LOOPBACK : this.ip;
    this.stats.sent++;
    this.onDatagram?.({ dir: "out", t: this.clock.now(), srcIp, srcPort, dstIp, dstPort, data });
    if (local) this.clock.after(0, () => this.receive(srcIp, srcPort, dstIp, dstPort, data));
    else this.network.transmit(this, srcPort, dstIp, dstPort, data);
    return true;
  }

  /** A datagram arrives at this host. */
  receive(srcIp: number, srcPort: number, dstIp: number, dstPort: number, data: Uint8Array): "delivered" | "unreachable" | "overflow" {
    const t = this.clock.now();
    this.onDatagram?.({ dir: "in", t, srcIp, srcPort, dstIp, dstPort, data });
    const ep = this.ports.get(dstPort);
    if (!ep) return "unreachable";
    if (ep instanceof PeerSocket) {
      ep.deliver({ t, srcIp, srcPort, dstIp, dstPort, data });
      return "delivered";
    }
    if (!ep.queue.push({ srcIp, srcPort, data })) { this.stats.overflow++; return "overflow"; }
    this.stats.received++;
    this.onActivity?.();
    return "delivered";
  }
}

/** A scripted endpoint (a test's phone, registrar or attacker): send bytes, receive by callback. */
export class PeerSocket {
  /** Called for each datagram that arrives. */
  onReceive: ((d: PeerDatagram) => void) | null = null;
  /** Every datagram received, oldest first (tests read and clear it). */
  readonly received: PeerDatagram[] = [];
  private closed = false;

  constructor(readonly host: VirtualNetPort, readonly port: number) {}

  get ip(): number { return this.host.ip; }

  /** Sends a datagram (text is UTF-8 encoded). Throws when closed or when the link is down. */
  send(ip: string | number, port: number, data: Uint8Array | string): void {
    if (this.closed) throw new Error(`peer socket ${this.host.address}:${this.port} is closed`);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (!this.host.sendFrom(this.port, ip4(ip), port, bytes)) throw new Error(`${this.host.address}: link is down`);
  }

  /** Removes and returns the oldest received datagram. */
  take(): PeerDatagram | undefined { return this.received.shift(); }

  /** The received datagrams' payloads as text. */
  texts(): string[] { return this.received.map((d) => new TextDecoder().decode(d.data)); }

  close(): void {
    this.closed = true;
    this.host.unbind(this.port, this);
  }

  /** Used by the host. */
  deliver(d: PeerDatagram): void {
    this.received.push(d);
    this.onReceive?.(d);
  }
}
