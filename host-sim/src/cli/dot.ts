// The simulator's own commands, typed as lines starting with "." (never sent to the firmware).
import type { Device } from "../device.js";
import { BoardIo, PRESS_MS } from "../periph/io.js";
import { deviceState } from "../control.js";
import { LOG_LEVEL_NAMES } from "./args.js";

export const DOT_HELP = [
  ".help                  this list",
  ".press <input> [ms]    press a button, release after ms (default 100)",
  ".hold <input>          press and keep pressed (.release to let go)",
  ".release <input>       release",
  ".set <input> 0|1       set an input level",
  ".door open|closed      the door contact",
  ".io                    inputs and outputs",
  ".state                 the device state (as GET /api/state)",
  ".events [n]            the last n firmware events (default 10)",
  ".log <level>           show log lines up to error|warn|info|debug|trace",
  ".quit                  stop the simulator (also Ctrl-C)",
];

export interface DotContext {
  dev: Device;
  setLogLevel(level: number): void;
  quit(): void;
}

/** Runs one dot-command line; returns the lines to show. */
export function runDot(line: string, ctx: DotContext): string[] {
  const [cmd, ...args] = line.trim().split(/\s+/);
  const io = ctx.dev.io instanceof BoardIo ? ctx.dev.io : null;
  const input = (name: string | undefined): string | null => {
    if (!io) return "this board has no io";
    if (!name) return "which input? (" + io.lines.filter((l) => l.dir === "in").map((l) => l.name).join(", ") + ")";
    if (!io.has(name)) return `no io named ${name}`;
    if (!io.isInput(name)) return `${name} is an output`;
    return null;
  };
  switch (cmd) {
    case ".help": case ".": return DOT_HELP;
    case ".press": {
      const bad = input(args[0]); if (bad) return [bad];
      const ms = args[1] === undefined ? PRESS_MS : Number(args[1]);
      if (!Number.isInteger(ms) || ms < 1 || ms > 600000) return ["hold time: 1..600000 ms"];
      io!.press(args[0]!, ms);
      return [];
    }
    case ".hold": { const bad = input(args[0]); if (bad) return [bad]; io!.press(args[0]!, null); return []; }
    case ".release": { const bad = input(args[0]); if (bad) return [bad]; io!.release(args[0]!); return []; }
    case ".set": {
      const bad = input(args[0]); if (bad) return [bad];
      if (args[1] !== "0" && args[1] !== "1") return ["value: 0 or 1"];
      io!.set(args[0]!, Number(args[1]));
      return [];
    }
    case ".door": {
      const bad = input("door"); if (bad) return [bad];
      if (args[0] !== "open" && args[0] !== "closed") return ["usage: .door open|closed"];
      io!.set("door", args[0] === "open" ? 1 : 0);
      return [];
    }
    case ".io": {
      if (!io) return ["this board has no io"];
      return io.lines.map((l) => `${l.dir === "in" ? "in " : "out"} ${l.name.padEnd(11)} ${String(l.value).padStart(3)}  ${l.kind}${l.label ? ": " + l.label : ""}`);
    }
    case ".state": return JSON.stringify(deviceState(ctx.dev), null, 2).split("\n");
    case ".events": {
      const n = args[0] === undefined ? 10 : Number(args[0]);
      if (!Number.isInteger(n) || n < 1) return ["usage: .events [n]"];
      const ev = ctx.dev.events.since(0).slice(-n);
      return ev.length ? ev.map((e) => JSON.stringify(e)) : ["no events yet"];
    }
    case ".log": {
      const i = (LOG_LEVEL_NAMES as readonly string[]).indexOf(args[0] ?? "");
      if (i < 0) return [`usage: .log ${LOG_LEVEL_NAMES.join("|")}`];
      ctx.setLogLevel(i);
      return [`showing log lines up to ${args[0]}`];
    }
    case ".quit": case ".exit": ctx.quit(); return [];
    default: return [`unknown simulator command ${cmd}; .help lists them`];
  }
}
