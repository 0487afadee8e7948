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
import type { Clock } from "../../clock.js";
import { Prng } from "../prng.js";
import { ip4, ip4str, isLoopback, LOOPBACK, parseIp4 } from "./ip.js";
import { DEFAULT_LIMITS, type NetLimits, type WireDatagram } from "./sockets.js";
import { VirtualNetPort, type PeerSocket } from "./virtual-host.js";

export { VirtualNetPort, PeerSocket, type PeerDatagram } from "./virtual-host.js";

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
export interface Transmission extends Omit<WireDatagram, "dir"> {
  /** Arrival delays of the copies, ms: [] lost, [d] normal, [d1, d2] duplicated. */
  delays: number[];
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
