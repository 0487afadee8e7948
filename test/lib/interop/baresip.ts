// baresip 1.0 as a scripted softphone for the interop suites, from the shared templates in
// /work/shared/peers/baresip (see its README): one process per account, its own SIP port pair
// (P for UDP/TCP, P+1 for TLS), RTP port range and ctrl_tcp port from the allocator, a WAV file
// as microphone (aufile) and every call recorded by the sndfile module
// (<dir>/rec/dump-<date-time>-dec.wav = what it received, -enc.wav = what it sent).
// Driven over ctrl_tcp (ctrl-tcp.ts): dial, accept, hangup, sndcode, and its events.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CtrlTcp, type BaresipEvent, type BaresipReply } from "./ctrl-tcp.js";
import { peersDir, type Kamailio } from "./kamailio.js";
import { allocPort, allocPorts } from "./ports.js";
import { scratchDir, sleep, spawnPeer, waitUntil, type PeerProcess } from "./proc.js";
import { parseWavAudio, sine, writeWav16, type Audio } from "./wav.js";

/** The microphone: a WAV file (8 kHz mono 16-bit), a sine, or samples (floats at 8 kHz). */
export type AudioSpec = string | { tone: number; dbfs?: number; seconds?: number } | Float64Array;

export interface BaresipOptions {
  /** Account user (1001..1003 in the shared db). */
  user: string;
  /** Password (default: the registrar's subscriber table, else pass<user>). */
  password?: string;
  /** The registrar: used for the password and to confirm registration by a bindings query. */
  registrar?: Kamailio;
  /** auto: answers by itself (no CALL_INCOMING event; wait for CALL_ESTABLISHED). Default manual. */
  answermode?: "auto" | "manual";
  /** Microphone (default a 440 Hz sine at -6 dBFS). aufile ends the call at the end of the file: 120 s by default. */
  audio?: AudioSpec;
  /** Name in messages (default "baresip <user>"). */
  name?: string;
  /** Wait for the registration to show at the registrar (or REGISTER_OK) before resolving (default true). */
  waitRegistered?: boolean;
  timeoutMs?: number;
}

export interface Recording {
  /** The date-time part of the file names (one-second resolution). */
  stamp: string;
  /** What baresip received (decoded) and what it sent (before encoding); null if absent. */
  dec: string | null;
  enc: string | null;
}

/** The domain of the shared accounts template. */
const DOMAIN = "127.0.0.1";

export class Baresip {
  readonly name: string;
  readonly recDir: string;
  /** Wall-clock ms from spawn to registration seen (0 when not waited for). */
  registerMs = 0;
  /** Index of the first event after the last mark() (see waitEvent). */
  private marker = 0;

  private constructor(
    readonly opts: BaresipOptions, readonly dir: string, readonly sipPort: number, readonly ctrlPort: number,
    readonly rtpPorts: [number, number], readonly audioPath: string, readonly proc: PeerProcess, readonly ctrl: CtrlTcp,
  ) {
    this.name = opts.name ?? `baresip ${opts.user}`;
    this.recDir = join(dir, "rec");
  }

  /**
   * Writes config and accounts from the templates into a scratch directory, starts baresip,
   * connects to ctrl_tcp and (by default) waits until the registrar lists this instance's
   * contact. Rejects with the log tail on failure.
   */
  static async start(opts: BaresipOptions): Promise<Baresip> {
    const t0 = Date.now();
    const name = opts.name ?? `baresip ${opts.user}`;
    const dir = scratchDir(`baresip-${opts.user}`);
    mkdirSync(join(dir, "rec"));
    const sipPort = await allocPorts(2, { align: 2 });
    const rtp = await allocPorts(8, { align: 2 });
    const ctrlPort = await allocPort();
    const audioPath = join(dir, "mic.wav");
    writeAudio(audioPath, opts.audio ?? { tone: 440 });
    const password = opts.password ?? opts.registrar?.users.get(opts.user) ?? `pass${opts.user}`;
    const tpl = join(peersDir(), "baresip");
    const fill = (text: string, vars: Record<string, string>): string => {
      for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`__${k}__`, v);
      const left = /__[A-Z_]+__/.exec(text);
      if (left) throw new Error(`baresip template: placeholder ${left[0]} not filled`);
      return text;
    };
    writeFileSync(join(dir, "config"), fill(readFileSync(join(tpl, "config.template"), "utf8"), {
      SIP_PORT: String(sipPort), AUDIO_IN: audioPath, RTP_PORTS: `${rtp}-${rtp + 7}`, CTRL_PORT: String(ctrlPort), REC_DIR: join(dir, "rec"),
    }));
    writeFileSync(join(dir, "accounts"), fill(readFileSync(join(tpl, "accounts.template"), "utf8"), {
      USER: opts.user, PASS: password, ANSWERMODE: opts.answermode ?? "manual",
    }));
    const proc = spawnPeer({ name, cmd: "baresip", args: ["-f", dir], cwd: dir, logPath: join(dir, "baresip.log") });
    const timeout = opts.timeoutMs ?? 5000;
    let ctrl: CtrlTcp;
    try {
      ctrl = await CtrlTcp.connect(ctrlPort, { name, timeoutMs: timeout, context: () => proc.tail(), alive: () => proc.alive });
    } catch (e) {
      await proc.stop(500);
      throw e;
    }
    const b = new Baresip(opts, dir, sipPort, ctrlPort, [rtp, rtp + 7], audioPath, proc, ctrl);
    if (opts.waitRegistered ?? true) {
      try { await b.waitRegistered(timeout); } catch (e) { await b.stop(); throw e; }
      b.registerMs = Date.now() - t0;
    }
    return b;
  }

  /** SIP URI of this account (sip:1001@127.0.0.1). */
  get aor(): string { return `sip:${this.opts.user}@${DOMAIN}`; }

  get events(): BaresipEvent[] { return this.ctrl.events; }

  /** The last n log lines, for messages. */
  tail(n = 25): string { return this.proc.tail(n); }

  /** Marks the current end of the event list: waitEvent() then looks only at later events. */
  mark(): number { this.marker = this.ctrl.events.length; return this.marker; }

  /**
   * Resolves with the first event of this type since the last mark() (or `from`) that passes
   * `match`; rejects after timeoutMs (default 5000) listing the events that did come and the log tail.
   */
  waitEvent(type: string, opts: { timeoutMs?: number; from?: number; match?: (e: BaresipEvent) => boolean } = {}): Promise<BaresipEvent> {
    return this.ctrl.waitEvent(type, { ...opts, from: opts.from ?? this.marker });
  }

  /** Events of a type since the last mark() (or `from`). */
  eventsOf(type: string, from = this.marker): BaresipEvent[] {
    return this.ctrl.events.filter((e) => e.seq >= from && e.type === type);
  }

  /** Sends a ctrl_tcp command; rejects when baresip answers not ok or not at all. */
  async command(command: string, params = "", timeoutMs = 5000): Promise<BaresipReply> {
    const r = await this.ctrl.command(command, params, timeoutMs);
    if (!r.ok) throw new Error(`${this.name}: ${command} ${params} failed: ${r.data.trim() || "(no detail)"}${this.tail()}`);
    return r;
  }

  /** Starts a call (the answer comes as events: CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED). */
  dial(uri: string): Promise<BaresipReply> { return this.command("dial", uri); }

  /** Answers the incoming call (answermode manual; wait for CALL_INCOMING first). */
  accept(): Promise<BaresipReply> { return this.command("accept"); }

  /** Ends the current call. */
  hangup(): Promise<BaresipReply> { return this.command("hangup"); }

  /**
   * Sends DTMF as RFC 4733 events, one sndcode per digit, spacingMs apart (default 250).
   * baresip queues digits and plays each for ~180 ms with ~60 ms between them, so whatever the
   * spacing, digits arrive at most one per ~240 ms, in order, none lost (measured: docs/testing.md).
   */
  async sendDigits(digits: string, opts: { spacingMs?: number } = {}): Promise<void> {
    const spacing = opts.spacingMs ?? 250;
    for (const [i, d] of [...digits].entries()) {
      if (!/^[0-9*#A-D]$/.test(d)) throw new Error(`not a DTMF digit: ${JSON.stringify(d)}`);
      if (i > 0) await sleep(spacing);
      await this.command("sndcode", d);
    }
  }

  /**
   * Resolves once the registrar lists this instance's contact (with a Kamailio) or baresip
   * reports REGISTER_OK / shows OK in reginfo (without one).
   */
  async waitRegistered(timeoutMs = 5000): Promise<void> {
    const reg = this.opts.registrar;
    const mine = (uri: string): boolean => new RegExp(`@${DOMAIN.replace(/\./g, "\\.")}:${this.sipPort}(?![0-9])`).test(uri);
    await waitUntil(`${this.name} (${this.aor}, SIP port ${this.sipPort}) to register`, timeoutMs, async () => {
      if (!this.proc.alive) throw new Error(`${this.name} exited${this.tail()}`);
      if (reg) return (await reg.bindings(this.opts.user)).some((b) => mine(b.uri));
      if (this.ctrl.events.some((e) => e.type === "REGISTER_OK" && e.seq >= this.marker)) return true;
      return /\bOK\b/.test((await this.ctrl.command("reginfo", "")).data);
    }, { everyMs: 50, context: () => `${reg ? reg.tail(10) : ""}${this.tail()}` });
  }

  /**
   * Makes baresip register again now (its own refresh comes only after most of regint = 600 s):
   * deletes the user agent and creates it again from the same account line, which sends a
   * fresh REGISTER. Resolves when the registration is seen (see waitRegistered).
   * uadel unregisters (REGISTER with expires=0, answered after a digest round), and the new user
   * agent often gets the same Contact (its user part is the agent's address in memory): were the
   * new REGISTER to overtake the removal at kamailio, the removal would delete the new binding.
   * So the new agent starts only once the removal has had time for both round trips.
   */
  async reregister(timeoutMs = 5000): Promise<void> {
    const line = readFileSync(join(this.dir, "accounts"), "utf8").split("\n").find((l) => l.startsWith("<sip:"));
    if (!line) throw new Error(`${this.name}: no account line in ${join(this.dir, "accounts")}`);
    this.mark();
    await this.command("uadel", this.aor);
    await sleep(500);
    await this.command("uanew", line.trim());
    await this.waitRegistered(timeoutMs);
  }

  /** Recordings so far, oldest first (sndfile names them by the second the call's audio started). */
  recordings(): Recording[] {
    if (!existsSync(this.recDir)) return [];
    const by = new Map<string, Recording>();
    for (const f of readdirSync(this.recDir)) {
      const m = /^dump-(.+)-(dec|enc)\.wav$/.exec(f);
      if (!m) continue;
      const r = by.get(m[1]!) ?? { stamp: m[1]!, dec: null, enc: null };
      r[m[2] as "dec" | "enc"] = join(this.recDir, f);
      by.set(m[1]!, r);
    }
    return [...by.values()].sort((a, b) => a.stamp.localeCompare(b.stamp));
  }

  /**
   * Reads the newest recording of `kind` (dec = received) once its WAV header is complete
   * (sndfile finishes it when the call's audio stops). Rejects when there is none within timeoutMs.
   */
  async readRecording(kind: "dec" | "enc" = "dec", timeoutMs = 3000): Promise<Audio & { path: string }> {
    return waitUntil(`${this.name}'s ${kind} recording in ${this.recDir} to be complete`, timeoutMs, () => {
      const recs = this.recordings();
      const path = recs[recs.length - 1]?.[kind];
      if (!path) return false;
      const a = parseWavAudio(new Uint8Array(readFileSync(path)), { name: path });
      return a.truncated || statSync(path).size <= 44 ? false : { ...a, path };
    }, { everyMs: 50, context: () => this.tail() });
  }

  get running(): boolean { return this.proc.alive; }

  /**
   * quit over ctrl_tcp (unregisters), then SIGTERM after graceMs (unregistering without a
   * registrar takes baresip 32 s), then SIGKILL. Idempotent.
   */
  async stop(graceMs = 1500): Promise<void> {
    if (this.proc.alive && !this.ctrl.isClosed) {
      this.ctrl.command("quit", "", graceMs).catch(() => { /* it may close before answering */ });
      await Promise.race([this.proc.exited, sleep(graceMs)]);
    }
    this.ctrl.close();
    await this.proc.stop(1000);
  }
}

function writeAudio(path: string, spec: AudioSpec): void {
  if (typeof spec === "string") {
    writeFileSync(path, readFileSync(spec));
    return;
  }
  const x = spec instanceof Float64Array ? spec : sine(spec.tone, spec.seconds ?? 120, { dbfs: spec.dbfs ?? -6 });
  writeWav16(path, x, 8000);
}
