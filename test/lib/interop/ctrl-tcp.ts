// Client for baresip's ctrl_tcp module: JSON messages framed as netstrings
// (D. J. Bernstein, "Netstrings", 1997: `<decimal length>:<bytes>,`) on a TCP connection.
// Commands go out as {"command", "params", "token"}; replies come back with "response": true and
// the same token; events arrive unprompted with "event": true and a "type" (CALL_ESTABLISHED,
// CALL_DTMF_START, REGISTER_OK, ...). Events are kept in arrival order so a test can wait for one
// that came before it started waiting.
import net from "node:net";
import { InteropTimeout } from "./proc.js";

export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
  /** Arrival time, Date.now() ms. */
  at: number;
  /** Index in the event list. */
  seq: number;
  [k: string]: unknown;
}

export interface BaresipReply {
  ok: boolean;
  data: string;
  token?: string;
}

/** Encodes one netstring. */
export function netstring(payload: string): Buffer {
  const body = Buffer.from(payload, "utf8");
  return Buffer.concat([Buffer.from(`${body.length}:`, "latin1"), body, Buffer.from(",", "latin1")]);
}

/**
 * Incremental netstring decoder: push bytes, get complete payloads. Throws on a malformed frame
 * (a non-digit length, a length over maxLen, a missing trailing comma).
 */
export class NetstringDecoder {
  private buf: Buffer = Buffer.alloc(0);
  constructor(readonly maxLen = 1 << 20) {}
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[] = [];
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) {
        if (this.buf.length > 10) throw new Error("netstring: no length prefix");
        break;
      }
      const lenText = this.buf.subarray(0, colon).toString("latin1");
      if (!/^\d{1,10}$/.test(lenText)) throw new Error(`netstring: bad length ${JSON.stringify(lenText.slice(0, 20))}`);
      const len = Number(lenText);
      if (len > this.maxLen) throw new Error(`netstring: length ${len} over ${this.maxLen}`);
      if (this.buf.length < colon + 1 + len + 1) break;
      if (this.buf[colon + 1 + len] !== 0x2c) throw new Error("netstring: missing trailing comma");
      out.push(this.buf.subarray(colon + 1, colon + 1 + len).toString("utf8"));
      this.buf = this.buf.subarray(colon + 2 + len);
    }
    return out;
  }
}

type Waiter = { match: (e: BaresipEvent) => boolean; resolve: (e: BaresipEvent) => void };

/** One ctrl_tcp connection. */
export class CtrlTcp {
  readonly events: BaresipEvent[] = [];
  /** Called for every event (after it is recorded). */
  onEvent: ((e: BaresipEvent) => void) | null = null;
  private readonly decoder = new NetstringDecoder();
  private readonly replies = new Map<string, (r: BaresipReply) => void>();
  private readonly waiters = new Set<Waiter>();
  private token = 0;
  private closed = false;
  private closeReason = "";

  private constructor(private readonly sock: net.Socket, readonly name: string, private readonly context: () => string) {
    sock.on("data", (d: Buffer) => {
      let msgs: string[];
      try { msgs = this.decoder.push(d); } catch (e) { this.fail(`${(e as Error).message}`); return; }
      for (const m of msgs) this.handle(m);
    });
    sock.on("close", () => this.fail("connection closed"));
    sock.on("error", (e) => this.fail(e.message));
  }

  /** Connects, retrying until timeoutMs (baresip opens the port a little after it starts). */
  static async connect(port: number, opts: { host?: string; name?: string; timeoutMs?: number; context?: () => string; alive?: () => boolean } = {}): Promise<CtrlTcp> {
    const end = Date.now() + (opts.timeoutMs ?? 5000);
    const context = opts.context ?? (() => "");
    let last = "";
    for (;;) {
      try {
        const s = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, opts.host ?? "127.0.0.1");
          s.once("connect", () => { s.removeAllListeners("error"); resolve(s); });
          s.once("error", reject);
        });
        s.setNoDelay(true);
        return new CtrlTcp(s, opts.name ?? `ctrl_tcp:${port}`, context);
      } catch (e) { last = (e as Error).message; }
      if (opts.alive && !opts.alive()) throw new Error(`${opts.name ?? "baresip"} exited before its ctrl_tcp port ${port} opened${context()}`);
      if (Date.now() >= end) throw new InteropTimeout(`could not connect to ctrl_tcp on port ${port} (${last})${context()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private handle(text: string): void {
    let m: Record<string, unknown>;
    try { m = JSON.parse(text) as Record<string, unknown>; } catch { return; }
    if (m["response"] === true) {
      const tok = typeof m["token"] === "string" ? m["token"] : undefined;
      const r: BaresipReply = { ok: m["ok"] === true, data: typeof m["data"] === "string" ? m["data"] : "", token: tok };
      if (tok !== undefined) { this.replies.get(tok)?.(r); this.replies.delete(tok); }
      return;
    }
    if (m["event"] === true && typeof m["type"] === "string") {
      const e = { ...m, at: Date.now(), seq: this.events.length } as BaresipEvent;
      this.events.push(e);
      this.onEvent?.(e);
      for (const w of this.waiters) if (w.match(e)) { this.waiters.delete(w); w.resolve(e); }
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const [, r] of this.replies) r({ ok: false, data: `ctrl_tcp ${reason}` });
    this.replies.clear();
  }

  get isClosed(): boolean { return this.closed; }

  /**
   * Sends a command and resolves with baresip's reply; rejects if none comes within timeoutMs or
   * the connection closes. A reply with ok=false resolves (the caller decides).
   */
  command(command: string, params = "", timeoutMs = 5000): Promise<BaresipReply> {
    if (this.closed) return Promise.reject(new Error(`${this.name}: ${command}: ctrl_tcp ${this.closeReason}${this.context()}`));
    const token = String(++this.token);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(token);
        reject(new InteropTimeout(`${this.name}: no reply to ${command} ${params} within ${timeoutMs} ms${this.context()}`));
      }, timeoutMs);
      this.replies.set(token, (r) => { clearTimeout(timer); resolve(r); });
      this.sock.write(netstring(JSON.stringify({ command, params, token })));
    });
  }

  /**
   * Resolves with the first event from index `from` on (default: every event so far) of this
   * type that passes `match`; rejects after timeoutMs with what did arrive and the peer's log tail.
   */
  waitEvent(type: string, opts: { timeoutMs?: number; from?: number; match?: (e: BaresipEvent) => boolean } = {}): Promise<BaresipEvent> {
    const from = opts.from ?? 0;
    const ok = (e: BaresipEvent): boolean => e.type === type && e.seq >= from && (opts.match ? opts.match(e) : true);
    const found = this.events.find(ok);
    if (found) return Promise.resolve(found);
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const w: Waiter = { match: ok, resolve: (e) => { clearTimeout(timer); resolve(e); } };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        const seen = this.events.slice(from).map((e) => e.param ? `${e.type}(${e.param})` : e.type).join(", ") || "none";
        reject(new InteropTimeout(`${this.name}: timed out after ${timeoutMs} ms waiting for event ${type}; events since #${from}: ${seen}${this.context()}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  close(): void {
    this.fail("closed by the test");
    this.sock.destroy();
  }
}
