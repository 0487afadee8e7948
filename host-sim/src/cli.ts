// intercom-sim: runs build/firmware.wasm in a simulated door unit. The firmware's serial console is
// on this terminal (or a pseudo-terminal), the call and exit buttons are keys, outputs show up as
// notices, the speaker can be recorded to a WAV file, UDP goes over real sockets, and the control
// API serves tests and scripts. Flags: cli/args.ts; docs/simulator.md has the whole story.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { RealClock, VirtualClock, VirtualTimeDriver, type Clock } from "./clock.js";
import { Device, defaultBoardPath, type RealDevice } from "./device.js";
import { loadBoard, type Board } from "./board.js";
import { micSource } from "./periph/audio/source.js";
import { ip4str } from "./periph/net/ip.js";
import { ControlServer } from "./control.js";
import { LOG_LEVEL_NAMES, parseCli, USAGE, UsageError, type CliOptions } from "./cli/args.js";
import { Terminal } from "./cli/terminal.js";
import { IoReporter } from "./cli/notices.js";
import { runDot } from "./cli/dot.js";
import { openPty, type PtyBridge } from "./cli/pty.js";
import type { SimEvent } from "./periph/events.js";

const NOTICE_EVENTS = new Set(["registration", "call", "door", "net", "error", "settings"]);

function fail(msg: string, code = 1): never {
  process.stderr.write(`intercom-sim: ${msg}\n`);
  process.exit(code);
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
}

function eventLine(e: SimEvent): string {
  const fields = Object.entries(e).filter(([k]) => k !== "seq" && k !== "t" && k !== "type")
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return `[${e.type}] ${fields.join(" ")}`;
}

async function main(): Promise<void> {
  let o: CliOptions;
  try { o = parseCli(process.argv.slice(2)); } catch (e) {
    if (e instanceof UsageError) fail(`${e.message}\n(intercom-sim --help lists the options)`, 2);
    throw e;
  }
  if (o.help) { process.stdout.write(USAGE + "\n"); return; }
  if (!existsSync(o.firmware)) fail(`no firmware at ${o.firmware}: run \`npm run build\` first (\`npm start\` builds it for you)`);
  let board: Board;
  try { board = loadBoard(o.board ?? defaultBoardPath()); } catch (e) { fail((e as Error).message); }
  let mic;
  try { mic = micSource(o.audioIn); } catch (e) { fail(`--audio-in: ${(e as Error).message}`); }
  mkdirSync(o.stateDir, { recursive: true });

  const tty = o.console === "stdio" && !!process.stdin.isTTY && !!process.stdout.isTTY;
  const clock: Clock = o.virtualTime ? new VirtualClock() : new RealClock();
  const driver = clock instanceof VirtualClock ? new VirtualTimeDriver(clock) : null;
  let logLevel = o.logLevel;
  let term: Terminal | null = null;
  const notice = (s: string): void => { if (term) term.notice(s); else process.stderr.write(s + "\n"); };
  const pcap = o.pcap ? join(o.stateDir, `capture-${stamp()}.pcap`) : undefined;

  let dev: RealDevice;
  try {
    dev = Device.real({
      wasm: o.firmware, clock: clock as RealClock, board, bind: o.bind, stateDir: o.stateDir, mic,
      audioOut: o.audioOut ?? undefined, pcap, seed: o.seed,
      onLog: (level, text) => { if (level <= logLevel) notice(`[${LOG_LEVEL_NAMES[level] ?? level}] ${text}`); },
    });
  } catch (e) { fail((e as Error).message); }

  // ---- shutdown: every path ends here; the WAV and pcap files are finished synchronously.
  let pty: PtyBridge | null = null;
  let control: ControlServer | null = null;
  let down = false;
  const shutdown = (code = 0): void => {
    if (down) return;
    down = true;
    term?.stop();
    if (tty) process.stdout.write("\r\n");
    driver?.stop();
    dev.stop();
    clock.stop();
    pty?.close();
    void control?.close();
    process.exit(code);
  };
  process.on("exit", () => { dev.audio.close(); dev.opts.capture?.close(); term?.stop(); });
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => shutdown(0));
  process.on("uncaughtException", (e) => { process.stderr.write(`intercom-sim: internal error: ${e.stack ?? e}\n`); shutdown(70); });

  // ---- console
  let lastOutput = Date.now();
  if (o.console === "pty") {
    try { pty = await openPty(join(o.stateDir, "console.pty")); } catch (e) { fail((e as Error).message); }
    const p = pty;
    dev.console.onOutput = (b) => { lastOutput = Date.now(); p.output.write(b); };
    p.input.on("data", (d: Buffer) => { dev.console.type(new Uint8Array(d)); driver?.kick(); });
  }
  const t = new Terminal({
    input: process.stdin, output: process.stdout, noticeOutput: process.stderr, tty,
    consoleHere: o.console === "stdio",
    toFirmware: (bytes) => { dev.console.type(bytes); driver?.kick(); },
    onDot: (line) => runDot(line, { dev, setLogLevel: (l) => { logLevel = l; }, quit: () => setImmediate(() => shutdown(0)) }),
    onKey: (k) => {
      const name = k === "call" ? "button1" : "exit";
      if (dev.io.has(name)) dev.io.press(name);
      else notice(`[key] this board has no ${name} input`);
    },
    onQuit: () => shutdown(0),
    onEnd: () => {
      // Piped input is exhausted: once the firmware has been quiet for a while, stop, unless
      // something else keeps the simulator useful (control API, pty console).
      if (control || pty) return;
      const check = (): void => { if (Date.now() - lastOutput >= 500) shutdown(0); else setTimeout(check, 100); };
      setTimeout(check, 500);
    },
  });
  term = t;
  if (o.console === "stdio") dev.console.onOutput = (b) => { lastOutput = Date.now(); t.firmwareOutput(b); };

  // ---- observers
  const reporter = new IoReporter(clock, notice);
  dev.io.onOutput = (name, v) => reporter.output(name, dev.io.line(name)!.kind, v);
  dev.io.onInput = (name, v) => reporter.input(name, dev.io.line(name)!.kind, v);
  dev.audio.onPower = (on) => notice(`[audio] ${on ? "on" : "off"}`);
  dev.events.onEvent = (e) => {
    if (NOTICE_EVENTS.has(e.type) ? logLevel >= 2 : logLevel >= 3) notice(eventLine(e));
  };

  // ---- control API
  if (o.control !== null) {
    control = new ControlServer(dev, { port: o.control });
    try { await control.listen(); } catch (e) { fail(`--control ${o.control}: ${(e as Error).message}`); }
  }

  banner(o, board, dev, tty, control?.port ?? null, pty, pcap);
  t.start();
  dev.start();
  driver?.start();
}

function banner(o: CliOptions, board: Board, dev: RealDevice, tty: boolean, port: number | null, pty: PtyBridge | null, pcap?: string): void {
  const api = port !== null ? `http://127.0.0.1:${port}` : null;
  if (!tty) {
    process.stderr.write(`intercom-sim: ${o.firmware} on board ${board.id}; state in ${o.stateDir}` +
      (api ? `; control API on ${api}` : "") + (pty ? `; console on ${pty.path}` : "") + (pcap ? `; capture ${pcap}` : "") + "\n");
    return;
  }
  const b = "\x1b[1m", r = "\x1b[0m";
  const local = dev.net.localIp(0x08080808);
  const lines = [
    `${b}intercom-sim${r}: a simulated SIP door intercom running ${o.firmware} (board ${board.id})`,
    `  console   you are on the door unit's serial console: type ${b}help${r} for its commands`,
    `  keys      ${b}Ctrl-B${r} call button   ${b}Ctrl-E${r} exit button   ${b}Ctrl-C${r} quit   ${b}.help${r} simulator commands`,
    `  audio     mic ${dev.audio.micSpec}${o.audioOut ? `, speaker recorded to ${o.audioOut}` : ", speaker not recorded (--audio-out)"}`,
    `  network   UDP on ${o.bind}${local ? ` (local address ${ip4str(local)})` : " (no network interface is up)"}${pcap ? `, capture ${pcap}` : ""}`,
  ];
  if (api) lines.push(`  control   ${api}/api/state`);
  if (o.virtualTime) lines.push("  time      virtual: the clock jumps to the next due event when idle");
  lines.push(`  settings  saved in ${o.stateDir}`, "");
  process.stdout.write(lines.join("\r\n") + "\r\n");
}

main().catch((e) => fail((e as Error).stack ?? String(e)));
