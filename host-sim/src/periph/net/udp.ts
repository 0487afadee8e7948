// The network on real sockets (node:dgram), for interactive use and interop with real SIP peers.
// HAL semantics are non-blocking: udp_open binds synchronously (a lookup function that answers at
// once makes node bind inside bind(), so EADDRINUSE is known before udp_open returns); received
// datagrams wait in a bounded queue per socket and onActivity wakes the firmware; udp_send hands
// the bytes to the kernel and returns (E_AGAIN when too many sends are still queued in libuv).
// local_ip answers the routing question from the interface table; resolve uses dns.lookup (A).
import dgram from "node:dgram";
import dns from "node:dns";
import os from "node:os";
import { HalError } from "../../hal/contract.js";
import type { NetStack } from "../stubs.js";
import { ip4, ip4str, isLoopback, LOOPBACK, maskOf, parseIp4 } from "./ip.js";
import {
  checkSend, copyOut, DEFAULT_LIMITS, QueryTable, RxQueue, validHostName,
  type NetLimits, type NetStats, type WireDatagram,
} from "./sockets.js";

export interface UdpNetConfig {
  /** Local address to bind every socket to (default 0.0.0.0 = all interfaces). */
  bind?: string;
  limits?: Partial<NetLimits>;
  /** Sends still queued in libuv beyond which udp_send answers E_AGAIN (default 64). */
  sendQueueMax?: number;
  /** Interface table (default os.networkInterfaces; tests pass their own). */
  interfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** Name lookup (default dns.lookup with family 4). */
  lookup?: (name: string, done: (err: Error | null, addr?: string) => void) => void;
  /** Time for onDatagram records (default: ms since this object was made). */
  now?: () => number;
}

interface Sock { handle: number; port: number; socket: dgram.Socket; queue: RxQueue }

/** A lookup function that never defers: addresses handed to dgram are always literals. */
const literal = (addr: string, opts: unknown, cb?: (e: Error | null, a: string, f: number) => void): void => {
  const done = (typeof opts === "function" ? opts : cb) as (e: Error | null, a: string, f: number) => void;
  done(null, addr, 4);
};

export class UdpNet implements NetStack {
  onActivity: (() => void) | null = null;
  onDatagram: ((d: WireDatagram) => void) | null = null;
  readonly stats: NetStats & { sendErrors: number } = { sent: 0, received: 0, overflow: 0, sendErrors: 0 };
  /** The last asynchronous send error (ENETUNREACH, EHOSTUNREACH...), for diagnostics. */
  lastSendError: Error | null = null;
  readonly bindAddress: string;
  private readonly bindIp: number;
  private readonly limits: NetLimits;
  private readonly sendQueueMax: number;
  private readonly socks = new Map<number, Sock>();
  private readonly queries: QueryTable;
  private nextHandle = 0;
  private closed = false;
  private readonly started = performance.now();
  private ifCache: { at: number; list: { addr: number; mask: number; internal: boolean }[] } | null = null;

  constructor(private readonly config: UdpNetConfig = {}) {
    this.bindAddress = config.bind ?? "0.0.0.0";
    const b = parseIp4(this.bindAddress);
    if (b === null) throw new Error(`--bind needs an IPv4 address, got ${this.bindAddress}`);
    this.bindIp = b;
    this.limits = { ...DEFAULT_LIMITS, ...config.limits };
    this.sendQueueMax = config.sendQueueMax ?? 64;
    this.queries = new QueryTable(this.limits.maxQueries);
  }

  private now(): number { return this.config.now ? this.config.now() : Math.floor(performance.now() - this.started); }

  udpOpen(port: number): number {
    if (this.closed) return HalError.E_NETDOWN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) return HalError.E_INVAL;
    if (this.socks.size >= this.limits.maxSockets) return HalError.E_NOMEM;
    const socket = dgram.createSocket({ type: "udp4", lookup: literal as never });
    let bindError: NodeJS.ErrnoException | null = null;
    const onBindError = (e: Error): void => { bindError = e as NodeJS.ErrnoException; };
    socket.once("error", onBindError);
    socket.bind({ port, address: this.bindAddress, exclusive: true });
    socket.removeListener("error", onBindError);
    if (bindError) {
      try { socket.close(); } catch { /* never bound */ }
      const code = (bindError as NodeJS.ErrnoException).code;
      return code === "EADDRINUSE" ? HalError.E_ADDRINUSE : code === "EACCES" ? HalError.E_ADDRINUSE : code === "EADDRNOTAVAIL" ? HalError.E_NETDOWN : HalError.E_IO;
    }
    let h = this.nextHandle;
    while (this.socks.has(h)) h = (h + 1) & 0x7fffffff;
    this.nextHandle = (h + 1) & 0x7fffffff;
    const s: Sock = { handle: h, port: socket.address().port, socket, queue: new RxQueue(this.limits.rxQueue) };
    socket.on("error", (e) => { this.stats.sendErrors++; this.lastSendError = e; });
    socket.on("message", (msg, rinfo) => this.onMessage(s, msg, rinfo));
    this.socks.set(h, s);
    return h;
  }

  udpClose(sock: number): number {
    const s = this.socks.get(sock);
    if (!s) return HalError.E_BADF;
    this.socks.delete(sock);
    s.queue.clear();
    try { s.socket.close(); } catch { /* already closed */ }
    return HalError.OK;
  }

  udpLocalPort(sock: number): number { return this.socks.get(sock)?.port ?? HalError.E_BADF; }

  udpSend(sock: number, ip: number, port: number, data: Uint8Array): number {
    const s = this.socks.get(sock);
    if (!s) return HalError.E_BADF;
    const bad = checkSend(ip, port, data);
    if (bad !== HalError.OK) return bad;
    const dst = ip >>> 0;
    if (this.localIp(dst) === 0) return HalError.E_NETDOWN;
    if (s.socket.getSendQueueCount() >= this.sendQueueMax) return HalError.E_AGAIN;
    const copy = Buffer.from(data);
    this.stats.sent++;
    this.onDatagram?.({ dir: "out", t: this.now(), srcIp: this.localIp(dst), srcPort: s.port, dstIp: dst, dstPort: port, data: new Uint8Array(copy) });
    s.socket.send(copy, port, ip4str(dst), (err) => {
      if (err) { this.stats.sendErrors++; this.lastSendError = err; }
    });
    return data.length;
  }

  udpRecv(sock: number, buf: Uint8Array, from: Uint8Array): number {
    const s = this.socks.get(sock);
    if (!s) return HalError.E_BADF;
    if (from.length < 6) return HalError.E_INVAL;
    const d = s.queue.shift();
    if (!d) return HalError.E_AGAIN;
    return copyOut(d, buf, from);
  }

  /** The local address that routes to dest: the bind address when bound to one; 127.0.0.1 for
   *  loopback; else the interface whose subnet holds dest, else the first non-internal IPv4. */
  localIp(dest: number): number {
    if (this.closed) return 0;
    if (this.bindIp !== 0) return this.bindIp;
    if (isLoopback(dest >>> 0)) return LOOPBACK;
    const list = this.interfaceList();
    for (const i of list) if (!i.internal && ((dest >>> 0) & i.mask) >>> 0 === (i.addr & i.mask) >>> 0) return i.addr;
    return list.find((i) => !i.internal)?.addr ?? 0;
  }

  resolve(name: string): number {
    if (this.closed) return HalError.E_NETDOWN;
    if (!validHostName(name)) return HalError.E_INVAL;
    const q = this.queries.start();
    if (q < 0) return q;
    const lit = parseIp4(name);
    if (lit !== null) {
      this.queries.complete(q, lit);
      queueMicrotask(() => this.onActivity?.());
      return q;
    }
    const lookup = this.config.lookup ?? ((n, done) => dns.lookup(n, { family: 4 }, (err, addr) => done(err, addr)));
    lookup(name, (err, addr) => {
      if (this.closed) return;
      const a = !err && addr ? parseIp4(addr) : null;
      if (this.queries.complete(q, a)) this.onActivity?.();
    });
    return q;
  }

  resolveResult(query: number, addr: Uint8Array): number { return this.queries.poll(query, addr); }

  /** The firmware restarted: close its sockets, forget its lookups. */
  reset(): void {
    for (const h of [...this.socks.keys()]) this.udpClose(h);
    this.queries.clear();
  }

  close(): void {
    this.reset();
    this.closed = true;
  }

  get openSockets(): number { return this.socks.size; }

  private onMessage(s: Sock, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.socks.get(s.handle) !== s) return;
    const srcIp = parseIp4(rinfo.address) ?? 0;
    const data = new Uint8Array(msg);                 // a copy: the queue owns its bytes
    this.onDatagram?.({ dir: "in", t: this.now(), srcIp, srcPort: rinfo.port, dstIp: this.localIp(srcIp), dstPort: s.port, data });
    if (!s.queue.push({ srcIp, srcPort: rinfo.port, data })) { this.stats.overflow++; return; }
    this.stats.received++;
    this.onActivity?.();
  }

  private interfaceList(): { addr: number; mask: number; internal: boolean }[] {
    const t = performance.now();
    if (this.ifCache && t - this.ifCache.at < 2000) return this.ifCache.list;
    const list: { addr: number; mask: number; internal: boolean }[] = [];
    const table = (this.config.interfaces ?? os.networkInterfaces)();
    for (const infos of Object.values(table)) {
      for (const i of infos ?? []) {
        if (i.family !== "IPv4") continue;
        list.push({ addr: ip4(i.address), mask: maskOf(i.netmask), internal: i.internal });
      }
    }
    this.ifCache = { at: t, list };
    return list;
  }
}
