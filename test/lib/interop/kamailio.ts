// kamailio 5.6 as the registrar and proxy of the interop suites, from the shared configuration
// in /work/shared/peers/kamailio (see its README): digest auth against a db_text copy, locations
// in memory, udp:127.0.0.1:5060. Each instance lives in its own scratch directory (config, db,
// pid and run files, log); restart() starts it again from the same directory, as a registrar that
// reboots (and forgets every binding). Registration state is read from the registrar itself with
// a bindings query (REGISTER without Contact, RFC 3261 10.2.3) signed as the user in question:
// no extra module, no change to the shared configuration, and the answer is kamailio's own.
import { cpSync, chmodSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { scratchDir, spawnPeer, waitUntil, type PeerProcess } from "./proc.js";
import { udpFree } from "./ports.js";
import { queryBindings, SipUac, type Binding } from "./sip-uac.js";

/** Where the shared peer configurations live (INTERCOM_PEERS_DIR overrides, e.g. on CI). */
export function peersDir(): string {
  if (process.env["INTERCOM_PEERS_DIR"]) return process.env["INTERCOM_PEERS_DIR"];
  for (const d of ["/work/shared/peers", "../shared/peers", "shared/peers"]) if (existsSync(join(d, "kamailio", "kamailio.cfg"))) return d;
  return "/work/shared/peers";
}

export interface KamailioOptions {
  /** Directory with kamailio.cfg and db/ (default <peersDir>/kamailio). */
  source?: string;
  /** Time to wait for the first answer, ms (default 5000). */
  startTimeoutMs?: number;
}

/** The SIP domain and address of the shared configuration. */
export const KAMAILIO_HOST = "127.0.0.1";
export const KAMAILIO_PORT = 5060;

/** A running (or stopped) kamailio; create with Kamailio.start(). */
export class Kamailio {
  readonly host = KAMAILIO_HOST;
  readonly port = KAMAILIO_PORT;
  /** Subscribers from db/subscriber: user -> password. */
  readonly users: ReadonlyMap<string, string>;
  proc: PeerProcess | null = null;
  /** How many times it was started (1 after start(), 2 after one restart). */
  starts = 0;
  /** Wall-clock ms of the last start (spawn to first answer) and the last stop. */
  lastStartMs = 0;
  lastStopMs = 0;

  private constructor(readonly dir: string, readonly cfgPath: string, readonly logPath: string, readonly opts: KamailioOptions) {
    this.users = readSubscribers(join(dir, "db", "subscriber"));
  }

  /**
   * Copies the configuration into a fresh scratch directory (db/ with the subscribers, __DB_DIR__
   * filled in), starts kamailio in the foreground (-DD -E) and resolves once it answers an
   * OPTIONS. Rejects with the log tail if it exits or stays silent.
   */
  static async start(opts: KamailioOptions = {}): Promise<Kamailio> {
    const src = opts.source ?? join(peersDir(), "kamailio");
    const dir = scratchDir("kamailio");
    cpSync(join(src, "db"), join(dir, "db"), { recursive: true });
    chmodSync(join(dir, "db"), 0o755);
    for (const f of readdirSync(join(dir, "db"))) chmodSync(join(dir, "db", f), 0o644);   // the shared copy is read-only
    mkdirSync(join(dir, "run"));
    const cfg = readFileSync(join(src, "kamailio.cfg"), "utf8").replaceAll("__DB_DIR__", join(dir, "db"));
    const cfgPath = join(dir, "kamailio.cfg");
    writeFileSync(cfgPath, cfg);
    const k = new Kamailio(dir, cfgPath, join(dir, "kamailio.log"), opts);
    await k.launch();
    return k;
  }

  /** kamailio's output lines since the last (re)start. */
  get lines(): string[] { return this.proc?.lines ?? []; }

  /** The last n log lines, for messages. */
  tail(n = 25): string { return this.proc ? this.proc.tail(n) : "\n(kamailio is not running)"; }

  /** Lines (of the current run) matching re, e.g. /relaying INVITE/. */
  grep(re: RegExp): string[] { return this.lines.filter((l) => re.test(l)); }

  /** The whole log file (every run, appended). */
  log(): string { return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : ""; }

  /** Resolves with the first line of the current run, from index `from`, that matches re. */
  waitLog(re: RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    if (!this.proc) return Promise.reject(new Error("kamailio is not running"));
    return this.proc.waitLine(re, timeoutMs, from);
  }

  get running(): boolean { return this.proc?.alive ?? false; }

  private async launch(): Promise<void> {
    const run = join(this.dir, "run");
    if (!(await udpFree(this.port, this.host))) {
      throw new Error(`${this.host}:${this.port} is taken by another process, so kamailio cannot listen there; run the interop ` +
        "suites as root (npm test puts them in a private network namespace) or stop what holds the port");
    }
    const t0 = Date.now();
    writeFileSync(this.logPath, `\n==== start ${++this.starts} at ${new Date().toISOString()}\n`, { flag: "a" });
    const proc = spawnPeer({
      name: "kamailio", cmd: "kamailio", logPath: this.logPath, cwd: this.dir,
      args: ["-f", this.cfgPath, "-DD", "-E", "-P", join(run, "kamailio.pid"), "-Y", run, "-w", run, "-m", "64", "-M", "8"],
    });
    this.proc = proc;
    const timeout = this.opts.startTimeoutMs ?? 5000;
    const uac = new SipUac({ host: this.host, port: this.port });
    try {
      // Any answer to OPTIONS (kamailio challenges it with 407) means the UDP listener and the
      // script are up. Each probe waits 50 ms; kamailio listens ~0.1-0.2 s after spawn.
      await waitUntil(`kamailio to answer OPTIONS on ${this.host}:${this.port}`, timeout, async () => {
        if (!proc.alive) throw new Error(`kamailio exited during start-up (${proc.exitSignal ?? `code ${proc.exitCode}`})${proc.tail(40)}`);
        try {
          await uac.request({ method: "OPTIONS", uri: `sip:${this.host}:${this.port}`, from: `sip:probe@${this.host}`, timeoutMs: 50 });
          return true;
        } catch { return false; }
      }, { everyMs: 10, context: () => proc.tail(40) });
    } catch (e) {
      await proc.stop(1000);
      throw e;
    } finally {
      uac.close();
    }
    this.lastStartMs = Date.now() - t0;
  }

  /** Stops it by PID (SIGTERM, SIGKILL of its process group after graceMs). */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.proc) return;
    const t0 = Date.now();
    await this.proc.stop(graceMs);
    this.lastStopMs = Date.now() - t0;
  }

  /** Stops and starts again from the same directory: every binding is gone afterwards. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Password of a subscriber (throws for an unknown user). */
  password(user: string): string {
    const p = this.users.get(user);
    if (p === undefined) throw new Error(`no subscriber ${user} in ${join(this.dir, "db", "subscriber")} (have ${[...this.users.keys()].join(", ")})`);
    return p;
  }

  /** The registrar's current bindings of user (empty = not registered). */
  bindings(user: string): Promise<Binding[]> {
    return queryBindings({ host: this.host, port: this.port }, { user, password: this.password(user), domain: this.host });
  }

  /** Whether user has at least one binding now. */
  async isRegistered(user: string): Promise<boolean> {
    return (await this.bindings(user)).length > 0;
  }

  /**
   * Resolves with the bindings once user has one (polling every 100 ms); rejects after timeoutMs
   * with kamailio's log tail. With `registered: false`, waits until it has none.
   */
  async waitRegistered(user: string, timeoutMs = 5000, registered = true): Promise<Binding[]> {
    return waitUntil(`${user} to be ${registered ? "registered" : "unregistered"} at kamailio`, timeoutMs, async () => {
      const b = await this.bindings(user);
      return (b.length > 0) === registered ? b : false;
    }, { everyMs: 100, context: () => this.tail() });
  }
}

function readSubscribers(path: string): Map<string, string> {
  // db_text: first line is the column list, then user:domain:password rows.
  const m = new Map<string, string>();
  const lines = readFileSync(path, "utf8").split("\n");
  const cols = (lines[0] ?? "").split(" ").map((c) => c.replace(/\(.*$/, ""));
  const iu = cols.indexOf("username"), ip = cols.indexOf("password");
  for (const l of lines.slice(1)) {
    if (!l.trim()) continue;
    const f = l.split(":");
    if (iu >= 0 && ip >= 0 && f[iu] && f[ip] !== undefined) m.set(f[iu]!, f[ip]!);
  }
  return m;
}
