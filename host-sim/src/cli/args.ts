// intercom-sim's command line: flags, defaults and --help.
import { parseArgs } from "node:util";

export const LOG_LEVEL_NAMES = ["error", "warn", "info", "debug", "trace"] as const;

export interface CliOptions {
  firmware: string;
  board: string | null;
  stateDir: string;
  console: "stdio" | "pty";
  audioIn: string;
  audioOut: string | null;
  control: number | null;
  virtualTime: boolean;
  bind: string;
  seed: number | null;
  logLevel: number;
  pcap: boolean;
  help: boolean;
}

export const USAGE = `intercom-sim: runs the intercom firmware (build/firmware.wasm) in a simulated door unit.

usage: intercom-sim [options]        (npm start -- [options] builds first)

  --firmware <file.wasm>   firmware to run (default build/firmware.wasm)
  --board <file.json>      board definition (default boards/host.json)
  --state-dir <dir>        settings (kv files) and captures live here (default ./.sim-state)
  --console stdio|pty      the serial console on this terminal (default) or on a pseudo-terminal
                           (<state-dir>/console.pty; needs socat or python3)
  --audio-in <src>         microphone: file.wav (8 kHz mono 16-bit), tone:HZ[:dBFS], silence (default)
  --audio-out <file.wav>   record the speaker to a WAV file
  --control <port>         HTTP control API on 127.0.0.1:<port> (0 = any free port)
  --virtual-time           virtual clock: time jumps to the next due event when idle
  --bind <addr>            local IPv4 address for the UDP sockets (default 0.0.0.0)
  --seed <n>               deterministic hal.random_fill (default: real entropy)
  --log-level <level>      error, warn, info (default), debug, trace
  --pcap                   write the device's UDP traffic to <state-dir>/capture-<time>.pcap
  --help                   this text

keys (on a terminal): Ctrl-B presses the call button (button1), Ctrl-E the exit button,
Ctrl-C quits. Lines starting with "." are for the simulator (.help lists them), everything
else goes to the firmware's console (type "help").`;

export class UsageError extends Error {}

export function parseCli(argv: string[]): CliOptions {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        firmware: { type: "string" }, board: { type: "string" }, "state-dir": { type: "string" },
        console: { type: "string" }, "audio-in": { type: "string" }, "audio-out": { type: "string" },
        control: { type: "string" }, "virtual-time": { type: "boolean" }, bind: { type: "string" },
        seed: { type: "string" }, "log-level": { type: "string" }, pcap: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/, ""));
  }
  const con = v.console ?? "stdio";
  if (con !== "stdio" && con !== "pty") throw new UsageError(`--console must be stdio or pty, not ${con}`);
  let control: number | null = null;
  if (v.control !== undefined) {
    if (!/^\d+$/.test(v.control) || Number(v.control) > 65535) throw new UsageError(`--control needs a TCP port 0..65535, not ${v.control}`);
    control = Number(v.control);
  }
  let seed: number | null = null;
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed) || Number(v.seed) > 0xffffffff) throw new UsageError(`--seed needs an integer 0..4294967295, not ${v.seed}`);
    seed = Number(v.seed);
  }
  const lvl = v["log-level"] ?? "info";
  const logLevel = (LOG_LEVEL_NAMES as readonly string[]).indexOf(lvl);
  if (logLevel < 0) throw new UsageError(`--log-level must be one of ${LOG_LEVEL_NAMES.join(", ")}, not ${lvl}`);
  return {
    firmware: v.firmware ?? "build/firmware.wasm",
    board: v.board ?? null,
    stateDir: v["state-dir"] ?? ".sim-state",
    console: con,
    audioIn: v["audio-in"] ?? "silence",
    audioOut: v["audio-out"] ?? null,
    control,
    virtualTime: v["virtual-time"] ?? false,
    bind: v.bind ?? "0.0.0.0",
    seed,
    logLevel,
    pcap: v.pcap ?? false,
    help: v.help ?? false,
  };
}
