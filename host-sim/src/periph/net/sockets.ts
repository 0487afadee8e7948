// What both network stacks share on the HAL side: the socket handle table with a bounded receive
// queue per socket, the copy-out of a datagram into (buf, from) exactly as hal.net_udp_recv
// specifies, and the table of asynchronous name lookups behind hal.net_resolve/_result.
import { HalError } from "../../hal/contract.js";

/** Largest UDP payload over IPv4 (65535 - 20 - 8). */
export const UDP_MAX = 65507;

export interface Datagram {
  srcIp: number;
  srcPort: number;
  data: Uint8Array;
}

/** One datagram as seen on the wire, for observers (pcap capture, tests). */
export interface WireDatagram {
  /** "out": sent by this host; "in": received by this host. */
  dir: "out" | "in";
  t: number;
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  data: Uint8Array;
}

export interface NetLimits {
  /** Open sockets per host (E_NOMEM beyond). */
  maxSockets: number;
  /** Datagrams queued per socket; newer ones are dropped when full, as a kernel does. */
  rxQueue: number;
  /** Lookups in flight (E_NOMEM beyond). */
  maxQueries: number;
}

export const DEFAULT_LIMITS: NetLimits = { maxSockets: 16, rxQueue: 64, maxQueries: 8 };

export interface NetStats {
  sent: number;
  received: number;
  /** Received but dropped because the socket's queue was full. */
  overflow: number;
}

/** Copies a datagram into the firmware's buffers; returns the full length (see hal.net_udp_recv). */
export function copyOut(d: Datagram, buf: Uint8Array, from: Uint8Array): number {
  const n = Math.min(buf.length, d.data.length);
  buf.set(d.data.subarray(0, n));
  from[0] = d.srcIp >>> 24; from[1] = (d.srcIp >>> 16) & 255; from[2] = (d.srcIp >>> 8) & 255; from[3] = d.srcIp & 255;
  from[4] = d.srcPort >>> 8; from[5] = d.srcPort & 255;
  return d.data.length;
}

/** Checks udp_send arguments shared by both stacks; returns an error code or OK. */
export function checkSend(ip: number, port: number, data: Uint8Array): number {
  if (ip === 0 || port < 1 || port > 65535 || !Number.isInteger(port)) return HalError.E_INVAL;
  if (data.length > UDP_MAX) return HalError.E_INVAL;
  return HalError.OK;
}

/** A bounded FIFO of received datagrams. */
export class RxQueue {
  private items: Datagram[] = [];
  constructor(readonly cap: number) {}
  get length(): number { return this.items.length; }
  /** Returns false (and drops d) when full. */
  push(d: Datagram): boolean {
    if (this.items.length >= this.cap) return false;
    this.items.push(d);
    return true;
  }
  shift(): Datagram | undefined { return this.items.shift(); }
  clear(): void { this.items = []; }
}

/** Host-name checks for hal.net_resolve: ASCII, 1..253 bytes, no spaces or controls. */
export function validHostName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[\x21-\x7e]+$/.test(name);
}

type Query = { state: "pending" } | { state: "done"; addr: number } | { state: "notfound" };

/** Lookups in flight: handles are small integers, released when the result is taken. */
export class QueryTable {
  private queries = new Map<number, Query>();
  private nextHandle = 0;
  constructor(private readonly max: number) {}

  /** A new pending query's handle, or E_NOMEM. */
  start(): number {
    if (this.queries.size >= this.max) return HalError.E_NOMEM;
    let h = this.nextHandle;
    while (this.queries.has(h)) h = (h + 1) & 0x7fffffff;
    this.nextHandle = (h + 1) & 0x7fffffff;
    this.queries.set(h, { state: "pending" });
    return h;
  }

  /** Completes a query (addr null = not found); false when the handle is no longer pending. */
  complete(h: number, addr: number | null): boolean {
    if (this.queries.get(h)?.state !== "pending") return false;
    this.queries.set(h, addr === null ? { state: "notfound" } : { state: "done", addr });
    return true;
  }

  /** hal.net_resolve_result. */
  poll(h: number, out: Uint8Array): number {
    const q = this.queries.get(h);
    if (!q) return HalError.E_BADF;
    if (out.length < 4) return HalError.E_INVAL;
    if (q.state === "pending") return HalError.E_AGAIN;
    this.queries.delete(h);
    if (q.state === "notfound") return HalError.E_NOTFOUND;
    out[0] = q.addr >>> 24; out[1] = (q.addr >>> 16) & 255; out[2] = (q.addr >>> 8) & 255; out[3] = q.addr & 255;
    return HalError.OK;
  }

  get size(): number { return this.queries.size; }
  clear(): void { this.queries.clear(); }
}
