// host-sim as a library: what tests, the CLI and tools build on.
export * from "./clock.js";
export * from "./firmware.js";
export * from "./device.js";
export * from "./hal/contract.js";
export * from "./periph/console.js";
export * from "./periph/kv.js";
export * from "./periph/events.js";
export * from "./periph/random.js";
export * from "./periph/stubs.js";
