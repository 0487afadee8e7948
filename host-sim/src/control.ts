// The control API: HTTP + JSON on 127.0.0.1 only, for tests, scripts and the web panel.
//   GET  /api/state            status (registration, call, door, net from the newest event of each
//                              type), io inputs and outputs, memory, uptime, boots, traps
//   GET  /api/events?since=N   events with seq > N
//   POST /api/io/<name>        {"pressed": true|false} or {"value": 0|1} -> inject an input
//   POST /api/console          {"line": "..."} -> {"output": ["...", "ok"]}
// Errors are JSON too: {"error": "..."} with 400 (bad body), 404 (unknown route or io name),
// 405 (wrong method), 413 (body over 64 KiB), 503 (firmware stopped), 504 (no console answer).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Device } from "./device.js";
import { BoardIo } from "./periph/io.js";

export interface ControlOptions {
  /** TCP port (0 = any free port; see ControlServer.port after listen). */
  port: number;
  /** Wall-clock time to wait for the firmware to answer a console line, ms (default 5000). */
  consoleTimeoutMs?: number;
}

const BODY_MAX = 65536;
const STATUS_TYPES = ["registration", "call", "door", "net"] as const;

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** The state document of GET /api/state. */
export function deviceState(dev: Device): Record<string, unknown> {
  const status: Record<string, unknown> = {};
  for (const t of STATUS_TYPES) status[t] = dev.events.last(t) ?? null;
  const mem = dev.events.last("memory");
  const buf = dev.firmware.memory?.buffer;
  const io = dev.io instanceof BoardIo ? dev.io.state() : { inputs: {}, outputs: {} };
  return {
    board: dev.boardId,
    running: dev.firmware.running,
    uptime_ms: dev.firmware.running ? dev.clock.now() - dev.bootAt : 0,
    clock_ms: dev.clock.now(),
    boots: dev.firmware.boots,
    ticks: dev.firmware.ticks,
    traps: dev.traps.length,
    last_trap: dev.traps[dev.traps.length - 1] ?? null,
    panics: dev.panics.length,
    ...status,
    io,
    memory: {
      pages: buf ? buf.byteLength / 65536 : (mem?.["pages"] ?? null),
      heap: mem?.["heap"] ?? null,
      data: mem?.["data"] ?? null,
      top: mem?.["top"] ?? null,
    },
    last_event: dev.events.lastSeq,
  };
}

export class ControlServer {
  private server: http.Server | null = null;
  private readonly sockets = new Set<import("node:net").Socket>();

  constructor(readonly dev: Device, readonly opts: ControlOptions) {}

  /** Starts listening on 127.0.0.1; resolves with the port. */
  listen(): Promise<number> {
    const server = http.createServer((req, res) => { void this.handle(req, res); });
    server.on("connection", (s) => { this.sockets.add(s); s.on("close", () => this.sockets.delete(s)); });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, "127.0.0.1", () => {
        server.removeListener("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number | null {
    const a = this.server?.address();
    return a && typeof a === "object" ? a.port : null;
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return Promise.resolve();
    for (const c of this.sockets) c.destroy();
    return new Promise((resolve) => s.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = url.pathname;
      let out: unknown;
      if (path === "/api/state") { method(req, "GET"); out = deviceState(this.dev); }
      else if (path === "/api/events") { method(req, "GET"); out = this.events(url); }
      else if (path.startsWith("/api/io/")) { method(req, "POST"); out = this.io(decodeURIComponent(path.slice(8)), await jsonBody(req)); }
      else if (path === "/api/console") { method(req, "POST"); out = await this.console(await jsonBody(req)); }
      else throw new HttpError(404, `no such route: ${req.method} ${path}`);
      send(res, 200, out);
    } catch (e) {
      if (e instanceof HttpError) send(res, e.status, { error: e.message });
      else send(res, 500, { error: (e as Error).message });
    }
  }

  private events(url: URL): unknown {
    const s = url.searchParams.get("since") ?? "0";
    if (!/^\d+$/.test(s)) throw new HttpError(400, "since must be a non-negative integer");
    return { last: this.dev.events.lastSeq, events: this.dev.events.since(Number(s)) };
  }

  private io(name: string, body: unknown): unknown {
    const io = this.dev.io;
    if (!(io instanceof BoardIo) || !io.has(name)) throw new HttpError(404, `no io named ${name}`);
    if (!io.isInput(name)) throw new HttpError(404, `${name} is an output; only inputs can be injected`);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be {"pressed": true|false} or {"value": 0|1}');
    const b = body as Record<string, unknown>;
    let value: number;
    if (typeof b["pressed"] === "boolean" && b["value"] === undefined) value = b["pressed"] ? 1 : 0;
    else if (b["pressed"] === undefined && (b["value"] === 0 || b["value"] === 1)) value = b["value"] as number;
    else throw new HttpError(400, 'body must be {"pressed": true|false} or {"value": 0|1}');
    io.set(name, value);
    return { name, value };
  }

  private async console(body: unknown): Promise<unknown> {
    const line = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["line"] : undefined;
    if (typeof line !== "string" || /[\r\n]/.test(line) || line.length > 1024) throw new HttpError(400, 'body must be {"line": "..."} (one line, at most 1024 characters)');
    if (!this.dev.firmware.running) throw new HttpError(503, "the firmware is not running");
    const ms = this.opts.consoleTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new HttpError(504, `no answer from the firmware within ${ms} ms`)), ms); });
    try {
      return { output: await Promise.race([this.dev.console.command(line), timeout]) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function method(req: http.IncomingMessage, want: string): void {
  if (req.method !== want) throw new HttpError(405, `use ${want}`);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

function jsonBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > BODY_MAX) { reject(new HttpError(413, "body too large")); req.destroy(); return; }
      chunks.push(c);
    });
    req.on("end", () => {
      try { resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))); }
      catch (e) { reject(new HttpError(400, `bad JSON: ${(e as Error).message}`)); }
    });
    req.on("error", reject);
  });
}
