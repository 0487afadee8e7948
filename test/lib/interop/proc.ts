// Child processes for the interop suites (kamailio, baresip, intercom-sim): started in their own
// process group, their output captured to a log file and kept in memory for waiting and for error
// messages, stopped by PID (SIGTERM, wait, SIGKILL of the whole group), and recorded in one
// registry so that nothing outlives the test file, also when a test fails or the runner is
// interrupted. Also the per-file scratch directory and the timeout helper every waiter uses.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A timeout that says what was awaited and shows the tail of the log of the process concerned. */
export class InteropTimeout extends Error {
  override name = "InteropTimeout";
}

/**
 * Resolves with what `poll` returns once it is not undefined/false, polling every `everyMs`;
 * rejects with InteropTimeout(`what` + context()) after `timeoutMs`. `poll` may be async; a
 * throw from it rejects at once.
 */
export async function waitUntil<T>(what: string, timeoutMs: number, poll: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { everyMs?: number; context?: () => string } = {}): Promise<T> {
  const end = Date.now() + timeoutMs;
  const every = opts.everyMs ?? 20;
  for (;;) {
    const v = await poll();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= end) throw new InteropTimeout(`timed out after ${timeoutMs} ms waiting for ${what}${opts.context ? opts.context() : ""}`);
    await sleep(Math.min(every, Math.max(1, end - Date.now())));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Races `p` against a timer; the timeout error carries `what` and context(). */
export function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string, context?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InteropTimeout(`timed out after ${timeoutMs} ms waiting for ${what}${context ? context() : ""}`)), timeoutMs);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ---- scratch directory: one per test file, removed at exit unless a test failed or
// INTERCOM_KEEP_TMP=1 (then its path is printed, with every log and recording in it).
let scratchRoot: string | null = null;

/** A fresh directory for `name` under this file's scratch root (created on first use). */
export function scratchDir(name: string): string {
  if (!scratchRoot) scratchRoot = mkdtempSync(join(tmpdir(), "intercom-interop-"));
  const d = mkdtempSync(join(scratchRoot, `${name.replace(/[^A-Za-z0-9._-]/g, "_")}-`));
  mkdirSync(d, { recursive: true });
  return d;
}

// ---- the registry of running processes
const running = new Set<PeerProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", (code) => {
    for (const p of running) p.killGroupSync();
    if (!scratchRoot) return;
    const failed = (code ?? 0) !== 0 || (process.exitCode ?? 0) !== 0;
    if (failed || process.env["INTERCOM_KEEP_TMP"] === "1") process.stderr.write(`interop: logs and recordings kept in ${scratchRoot}\n`);
    else rmSync(scratchRoot, { recursive: true, force: true });
  });
  // The test runner stops a file's process with SIGTERM (timeout, Ctrl-C): take the peers along.
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.once(sig, () => {
      for (const p of running) p.killGroupSync();
      process.exit(128 + (sig === "SIGTERM" ? 15 : sig === "SIGINT" ? 2 : 1));
    });
  }
}

/** Stops every process still running (SIGTERM, then SIGKILL after graceMs); for after() hooks. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(graceMs)));
}

/** The processes started and not yet stopped (newest last). */
export function runningProcesses(): PeerProcess[] { return [...running]; }

export interface SpawnOptions {
  /** Short name for messages ("kamailio", "baresip 1001"). */
  name: string;
  cmd: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** File that receives stdout and stderr (appended). */
  logPath: string;
}

/** One child process with its output captured; see spawnPeer. */
export class PeerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt = Date.now();
  /** Every output line so far (stdout and stderr interleaved as they arrived). */
  readonly lines: string[] = [];
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private partial = "";
  private readonly log: WriteStream;
  private readonly lineWaiters = new Set<() => void>();

  constructor(readonly opts: SpawnOptions) {
    hookExit();
    this.log = createWriteStream(opts.logPath, { flags: "a" });
    // detached: own process group, so a SIGKILL reaches forked workers too (kamailio forks).
    this.child = spawn(opts.cmd, opts.args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (this.child.pid === undefined) {
      // spawn failed synchronously (ENOENT comes as an 'error' event, pid undefined).
      this.pid = -1;
    } else this.pid = this.child.pid;
    const onData = (d: Buffer): void => {
      this.log.write(d);
      const text = this.partial + d.toString("utf8");
      const parts = text.split("\n");
      this.partial = parts.pop()!;
      for (const l of parts) this.lines.push(l.replace(/\r$/, ""));
      for (const w of this.lineWaiters) w();
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, sig: NodeJS.Signals | null): void => {
        if (this.partial) { this.lines.push(this.partial); this.partial = ""; }
        this.exitCode = code;
        this.exitSignal = sig;
        running.delete(this);
        this.log.end();
        for (const w of this.lineWaiters) w();
        resolve();
      };
      this.child.once("exit", done);
      this.child.once("error", (e) => { this.lines.push(`spawn error: ${e.message}`); done(127, null); });
    });
    if (this.pid > 0) running.add(this);
  }

  get alive(): boolean { return this.exitCode === null && this.exitSignal === null && this.pid > 0; }

  /** The last n output lines, indented, for error messages. */
  tail(n = 25): string {
    const l = this.lines.slice(-n);
    const state = this.alive ? "running" : `exited (${this.exitSignal ?? `code ${this.exitCode}`})`;
    return `\n--- last ${l.length} lines of ${this.opts.name} (pid ${this.pid}, ${state}; full log ${this.opts.logPath}) ---\n` +
      l.map((s) => `  ${s}`).join("\n");
  }

  /**
   * Resolves with the first output line from index `from` on that matches `re`; rejects on
   * timeout (with the log tail) or when the process exits first.
   */
  waitLine(re: RegExp, timeoutMs: number, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = (): void => {
        for (; i < this.lines.length; i++) {
          if (re.test(this.lines[i]!)) { finish(); resolve(this.lines[i]!); return; }
        }
        if (!this.alive) { finish(); reject(new Error(`${this.opts.name} exited before logging ${re}${this.tail()}`)); }
      };
      const timer = setTimeout(() => { finish(); reject(new InteropTimeout(`timed out after ${timeoutMs} ms waiting for ${this.opts.name} to log ${re}${this.tail()}`)); }, timeoutMs);
      const finish = (): void => { clearTimeout(timer); this.lineWaiters.delete(check); };
      this.lineWaiters.add(check);
      check();
    });
  }

  /**
   * SIGTERM to the main process, then waits up to graceMs for it to exit; then SIGKILL to the
   * whole group (also when the main process went but forked workers linger). Resolves when the
   * main process has exited. Idempotent.
   */
  async stop(graceMs = 3000): Promise<void> {
    if (this.alive) {
      try { process.kill(this.pid, "SIGTERM"); } catch { /* already gone */ }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(true), graceMs); }),
      ]);
      clearTimeout(timer);
      if (timedOut) this.killGroupSync();
    }
    await this.exited;
    // Workers of a forking daemon may still be shutting down: give them a moment, then kill.
    const end = Date.now() + graceMs;
    while (groupAlive(this.pid) && Date.now() < end) await sleep(20);
    if (groupAlive(this.pid)) this.killGroupSync();
  }

  /** SIGKILL to the process group (synchronous; for exit handlers). */
  killGroupSync(): void {
    if (this.pid <= 0) return;
    try { process.kill(-this.pid, "SIGKILL"); } catch { /* no such group */ }
    try { process.kill(this.pid, "SIGKILL"); } catch { /* already gone */ }
  }
}

/** Whether pid is a live process (a zombie counts as gone; /proc is read where there is one). */
export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch { return existsSync("/proc/self") ? false : true; }
}

/**
 * Whether a live (not zombie) process is left in the group. Reads /proc where there is one: a
 * zombie whose parent is gone may never be reaped in a container, and kill(-pgid, 0) counts it.
 */
export function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try { process.kill(-pgid, 0); } catch { return false; }
  let entries: string[];
  try { entries = readdirSync("/proc"); } catch { return true; }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${e}/stat`, "latin1"); } catch { continue; }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses: split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(f[2]) === pgid && f[0] !== "Z" && f[0] !== "X") return true;
  }
  return false;
}

/** Starts a process and registers it for cleanup. Check `alive`/`exited` for spawn failures. */
export function spawnPeer(opts: SpawnOptions): PeerProcess {
  return new PeerProcess(opts);
}
