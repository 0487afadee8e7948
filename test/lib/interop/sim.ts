// The simulator as a process for the interop suites: build/intercom-sim.mjs on the real clock,
// its UDP on a loopback address of its own (default 127.0.0.2, so the unit's port 5060 does not
// clash with kamailio's on 127.0.0.1), settings in a scratch state dir, microphone from a tone or
// a WAV, speaker recorded to a WAV; and a client for its control API (docs/simulator.md):
// state, events with a poller, io injection, console lines, configure = set ... + save.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { scratchDir, sleep, spawnPeer, waitUntil, withTimeout, type PeerProcess } from "./proc.js";
import { readWavAudio, writeWav16, type Audio } from "./wav.js";

/** A firmware event as served by GET /api/events. */
export interface SimEvent {
  seq: number;
  t: number;
  type: string;
  [field: string]: unknown;
}

export interface SimOptions {
  /** Local IPv4 address for the unit's UDP sockets (default 127.0.0.2). */
  bind?: string;
  /** Microphone: "tone:440", "tone:440:-12", "silence", a WAV path, or samples (8 kHz floats, written to a WAV). Default silence. */
  audioIn?: string | Float64Array;
  /** Record the speaker (default true: <dir>/speaker.wav; a string picks the path). */
  audioOut?: boolean | string;
  /** Settings from an earlier run (a restart keeps them); default a fresh scratch dir. */
  stateDir?: string;
  firmware?: string;
  board?: string;
  seed?: number;
  logLevel?: "error" | "warn" | "info" | "debug" | "trace";
  pcap?: boolean;
  /** More intercom-sim flags. */
  args?: string[];
  name?: string;
  timeoutMs?: number;
}

/** What an HTTP call to the control API gave back. */
export interface ApiReply { status: number; body: any }

/** HTTP + JSON client for the control API on 127.0.0.1:<port>. */
export class ControlClient {
  /** Every event fetched so far, by ascending seq (the poller's memory). */
  readonly seen: SimEvent[] = [];
  private cursor = 0;

  constructor(readonly port: number, private readonly context: () => string = () => "") {}

  /** One request; resolves with status and parsed body whatever the status. */
  async call(method: "GET" | "POST", path: string, body?: unknown, timeoutMs = 10000): Promise<ApiReply> {
    const res = await withTimeout(fetch(`http://127.0.0.1:${this.port}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { "content-type": "application/json" },
    }), timeoutMs, `${method} ${path}`, this.context);
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* keep text */ }
    return { status: res.status, body: parsed };
  }

  private async ok(method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}${this.context()}`);
    return r.body;
  }

  /** GET /api/state. */
  state(): Promise<Record<string, any>> { return this.ok("GET", "/api/state"); }

  /** GET /api/events?since=N: the events with seq > since (and records them in `seen`). */
  async events(since = 0): Promise<SimEvent[]> {
    const r = await this.ok("GET", `/api/events?since=${since}`) as { last: number; events: SimEvent[] };
    for (const e of r.events) if (e.seq > this.cursor) { this.seen.push(e); this.cursor = e.seq; }
    return r.events;
  }

  /** The seq of the newest event now: pass it as `since` to wait only for what comes after. */
  async mark(): Promise<number> { return (await this.state())["last_event"] as number; }

  /**
   * Polls the event stream (every 50 ms) until an event with seq > since matches; resolves with
   * it. `match` is a type name or a predicate. Rejects after timeoutMs with the events seen.
   */
  async waitEvent(match: string | ((e: SimEvent) => boolean), opts: { timeoutMs?: number; since?: number } = {}): Promise<SimEvent> {
    const pred = typeof match === "string" ? (e: SimEvent) => e.type === match : match;
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const what = typeof match === "string" ? `a ${match} event` : "a matching event";
    return waitUntil(what, timeoutMs, async () => {
      await this.events(this.cursor);
      return this.seen.find((e) => e.seq > since && pred(e)) ?? false;
    }, { everyMs: 50, context: () => `; events since #${since}: ${this.seen.filter((e) => e.seq > since).slice(-15).map((e) => JSON.stringify(e)).join(" ") || "none"}${this.context()}` });
  }

  /** POST /api/io/<name> with {pressed} or {value}. */
  io(name: string, body: { pressed: boolean } | { value: 0 | 1 }): Promise<{ name: string; value: number }> {
    return this.ok("POST", `/api/io/${encodeURIComponent(name)}`, body);
  }

  /** Presses a button for ms (default 100: the firmware debounces about 20 ms) and releases it. */
  async press(name: string, ms = 100): Promise<void> {
    await this.io(name, { pressed: true });
    await sleep(ms);
    await this.io(name, { pressed: false });
  }

  /** POST /api/console: the firmware's answer lines, the last one `ok` or `error: ...`. */
  async console(line: string): Promise<string[]> {
    return ((await this.ok("POST", "/api/console", { line })) as { output: string[] }).output;
  }

  /** Runs a console line and returns its result lines; throws unless the answer ends in `ok`. */
  async command(line: string): Promise<string[]> {
    const out = await this.console(line);
    if (out[out.length - 1] !== "ok") throw new Error(`console: ${redact(line)} answered ${JSON.stringify(out)}`);
    return out.slice(0, -1);
  }

  /**
   * `set <key> <value>` for each entry, then `save`; every answer must end in `ok`. Values are
   * quoted when the console would otherwise strip or misread them. Resolves with save's lines.
   */
  async configure(settings: Record<string, string | number>): Promise<string[]> {
    for (const [k, v] of Object.entries(settings)) await this.command(`set ${k} ${consoleValue(String(v))}`);
    return this.command("save");
  }
}

/** A value as `set` needs it: quoted when empty, padded with spaces or itself wrapped in quotes. */
export function consoleValue(v: string): string {
  if (/[\r\n]/.test(v)) throw new Error("a setting value cannot hold a line break");
  return v === "" || /^\s|\s$/.test(v) || (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) ? `"${v}"` : v;
}

function redact(line: string): string {
  return line.replace(/^(set\s+(?:sip\.password|door\.code)\s+).*/i, "$1***");
}

/** The intercom-sim process. */
export class SimProcess {
  readonly name: string;
  readonly api: ControlClient;
  /** Wall-clock ms from spawn to the control API answering with the firmware running. */
  startMs = 0;

  private constructor(
    readonly opts: SimOptions, readonly dir: string, readonly stateDir: string, readonly audioOut: string | null,
    readonly proc: PeerProcess, readonly port: number,
  ) {
    this.name = opts.name ?? "intercom-sim";
    this.api = new ControlClient(port, () => this.tail());
  }

  /** The local address of the unit's UDP sockets. */
  get bind(): string { return this.opts.bind ?? "127.0.0.2"; }

  /**
   * Starts build/intercom-sim.mjs with --control 0 (the port comes from its start-up line) and
   * resolves once GET /api/state says the firmware runs. Rejects with the log tail on failure.
   */
  static async start(opts: SimOptions = {}): Promise<SimProcess> {
    const t0 = Date.now();
    const cli = resolve("build/intercom-sim.mjs");
    if (!existsSync(cli)) throw new Error(`no ${cli}: run \`npm run build\` first`);
    const name = opts.name ?? "intercom-sim";
    const dir = scratchDir("sim");
    const stateDir = opts.stateDir ?? join(dir, "state");
    const audioOut = opts.audioOut === false ? null : typeof opts.audioOut === "string" ? opts.audioOut : join(dir, "speaker.wav");
    let audioIn = "silence";
    if (opts.audioIn instanceof Float64Array) { audioIn = join(dir, "mic.wav"); writeWav16(audioIn, opts.audioIn, 8000); }
    else if (opts.audioIn !== undefined) audioIn = opts.audioIn;
    const args = [
      "--enable-source-maps", cli, "--state-dir", stateDir, "--bind", opts.bind ?? "127.0.0.2", "--control", "0",
      "--audio-in", audioIn, "--log-level", opts.logLevel ?? "debug",
      ...(audioOut ? ["--audio-out", audioOut] : []),
      ...(opts.firmware ? ["--firmware", resolve(opts.firmware)] : []),
      ...(opts.board ? ["--board", resolve(opts.board)] : []),
      ...(opts.seed !== undefined ? ["--seed", String(opts.seed)] : []),
      ...(opts.pcap ? ["--pcap"] : []),
      ...(opts.args ?? []),
    ];
    const proc = spawnPeer({ name, cmd: process.execPath, args, logPath: join(dir, "sim.log") });
    const timeout = opts.timeoutMs ?? 10000;
    let port: number;
    try {
      const line = await proc.waitLine(/control API on http:\/\/127\.0\.0\.1:(\d+)/, timeout);
      port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
      const sim = new SimProcess(opts, dir, stateDir, audioOut, proc, port);
      await waitUntil(`${name}'s firmware to run`, timeout, async () => {
        if (!proc.alive) throw new Error(`${name} exited during start-up${proc.tail()}`);
        try { return (await sim.api.state())["running"] === true; } catch { return false; }
      }, { everyMs: 25, context: () => proc.tail() });
      sim.startMs = Date.now() - t0;
      return sim;
    } catch (e) {
      await proc.stop(1000);
      throw e;
    }
  }

  /** The last n lines of its output (banner, notices, log lines, events), for messages. */
  tail(n = 25): string { return this.proc.tail(n); }

  get running(): boolean { return this.proc.alive; }

  /**
   * SIGTERM (the simulator finishes its WAV and pcap files and exits 0), SIGKILL after graceMs.
   * Resolves with the exit code (null when it had to be killed).
   */
  async stop(graceMs = 3000): Promise<number | null> {
    await this.proc.stop(graceMs);
    return this.proc.exitCode;
  }

  /** Stops and starts a new process on the same state dir (settings kept) and options. */
  async restart(): Promise<SimProcess> {
    await this.stop();
    return SimProcess.start({ ...this.opts, stateDir: this.stateDir });
  }

  /** The speaker recording (complete after stop(); valid, up to the last second, while running). */
  readSpeaker(): Audio {
    if (!this.audioOut) throw new Error(`${this.name} was started with audioOut: false`);
    return readWavAudio(this.audioOut);
  }

  /** The packet capture of a run started with `pcap: true` (in the state dir); throws when there is none. */
  pcapPath(): string {
    const f = existsSync(this.stateDir) ? readdirSync(this.stateDir).find((n) => n.endsWith(".pcap")) : undefined;
    if (!f) throw new Error(`${this.name}: no .pcap in ${this.stateDir} (start it with pcap: true)`);
    return join(this.stateDir, f);
  }

  /** Its log (every line it printed) as one string. */
  log(): string { return existsSync(this.proc.opts.logPath) ? readFileSync(this.proc.opts.logPath, "utf8") : ""; }
}
