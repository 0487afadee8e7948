// A host on the VirtualNetwork: VirtualNetPort is the NetStack a device uses (sockets with bounded
// receive queues, local_ip, lookups through the network's hosts table) and the home of scripted
// PeerSockets, which tests use to play a phone, a registrar or an attacker.
import { HalError } from "../../hal/contract.js";
import type { Clock } from "../../clock.js";
import type { NetStack } from "../stubs.js";
import { ip4, ip4str, isLoopback, LOOPBACK, parseIp4 } from "./ip.js";
import {
  checkSend, copyOut, QueryTable, RxQueue, validHostName,
  type Datagram, type NetLimits, type NetStats, type WireDatagram,
} from "./sockets.js";
import type { VirtualNetwork } from "./virtual.js";

/** A datagram as a scripted peer receives it. */
export interface PeerDatagram extends Datagram {
  t: number;
  dstIp: number;
  dstPort: number;
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
