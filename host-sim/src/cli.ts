// intercom-sim: runs build/firmware.wasm with the Node HAL on the real clock, console on stdio.
import { join } from "node:path";
import { RealClock } from "./clock.js";
import { Device, LOG_LEVELS } from "./device.js";
import { FileKv } from "./periph/kv.js";

const stateDir = ".sim-state";
const dev = new Device({
  wasm: "build/firmware.wasm",
  clock: new RealClock(),
  kv: new FileKv(join(stateDir, "kv")),
  onLog: (level, text) => process.stderr.write(`[${LOG_LEVELS[level] ?? level}] ${text}\n`),
});
dev.console.onOutput = (b) => process.stdout.write(b);
process.stdin.on("data", (d: Buffer) => dev.console.type(new Uint8Array(d)));
process.stdin.on("end", () => { dev.stop(); process.exit(0); });
dev.start();
