// Runs build/firmware.wasm: instantiates it against a HalHost, calls init() once and tick(now)
// whenever the firmware asked to be woken or a peripheral has something for it. A trap (panic or
// bounds check) or hal.sys_reboot restarts the instance, as a watchdog reset would on a board.
import { readFileSync } from "node:fs";
import { bindHal, HAL_MODULE, type HalHost } from "./hal/contract.js";
import type { Clock, ClockEvent } from "./clock.js";

export interface FirmwareExports {
  init(): void;
  tick(nowMs: bigint): number;
  memory: WebAssembly.Memory;
}

export interface FirmwareOptions {
  /** The wasm binary, a compiled module, or a path. */
  wasm: Uint8Array | WebAssembly.Module | string;
  host: HalHost;
  clock: Clock;
  /** Called after every trap with its message; return false to stay stopped instead of rebooting. */
  onTrap?: (err: Error) => boolean;
  /** Called before each (re)start, before the instance is made: peripherals reset here. */
  onBoot?: () => void;
  /** Called after each (re)start, once init() returned. */
  onStart?: (boots: number) => void;
  /** Delay before a restart after a trap, ms (a board's reset and boot time). */
  rebootDelayMs?: number;
}

const moduleCache = new Map<string, WebAssembly.Module>();

export function loadModule(wasm: Uint8Array | WebAssembly.Module | string): WebAssembly.Module {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (typeof wasm === "string") {
    let m = moduleCache.get(wasm);
    if (!m) { m = new WebAssembly.Module(readFileSync(wasm)); moduleCache.set(wasm, m); }
    return m;
  }
  return new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
}

export class Firmware {
  exports: FirmwareExports | null = null;
  boots = 0;
  ticks = 0;
  private next: ClockEvent | null = null;
  private rebootRequested = false;
  private stopped = true;
  private readonly module: WebAssembly.Module;

  constructor(private readonly opts: FirmwareOptions) {
    this.module = loadModule(opts.wasm);
  }

  get memory(): WebAssembly.Memory | null { return this.exports?.memory ?? null; }
  get running(): boolean { return !this.stopped; }

  start(): void {
    this.stopped = false;
    this.boot();
  }

  stop(): void {
    this.stopped = true;
    this.next?.cancel();
    this.next = null;
  }

  /** hal.sys_reboot: restart once the current tick returns. */
  requestReboot(): void { this.rebootRequested = true; }

  /** Something arrived for the firmware: tick as soon as possible. */
  wake(): void {
    if (this.stopped || !this.exports) return;
    const now = this.opts.clock.now();
    if (this.next && this.next.at <= now) return;
    this.schedule(now);
  }

  private boot(): void {
    this.rebootRequested = false;
    this.opts.onBoot?.();
    let exp: FirmwareExports;
    const imports = { [HAL_MODULE]: bindHal(this.opts.host, () => exp.memory) } as unknown as WebAssembly.Imports;
    try {
      const inst = new WebAssembly.Instance(this.module, imports);
      exp = inst.exports as unknown as FirmwareExports;
      this.exports = exp;
      this.boots++;
      exp.init();
    } catch (e) {
      this.trap(e as Error);
      return;
    }
    this.opts.onStart?.(this.boots);
    this.schedule(this.opts.clock.now());
  }

  private schedule(at: number): void {
    this.next?.cancel();
    this.next = this.opts.clock.at(at, () => this.runTick());
  }

  private runTick(): void {
    this.next = null;
    if (this.stopped || !this.exports) return;
    let wait: number;
    try {
      wait = this.exports.tick(BigInt(this.opts.clock.now()));
      this.ticks++;
    } catch (e) {
      this.trap(e as Error);
      return;
    }
    if (this.rebootRequested) {
      this.exports = null;
      this.next = this.opts.clock.after(this.opts.rebootDelayMs ?? 100, () => { if (!this.stopped) this.boot(); });
      return;
    }
    if (!this.next) this.schedule(this.opts.clock.now() + Math.max(0, wait));
  }

  private trap(err: Error): void {
    this.exports = null;
    this.next?.cancel();
    this.next = null;
    const again = this.opts.onTrap ? this.opts.onTrap(err) : true;
    if (!again) { this.stopped = true; return; }
    this.next = this.opts.clock.after(this.opts.rebootDelayMs ?? 1000, () => { if (!this.stopped) this.boot(); });
  }
}
