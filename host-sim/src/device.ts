// A simulated door unit: the firmware plus its peripherals, joined through the HAL. Tests build
// devices directly (several on one virtual network); the CLI builds one with real sockets.
import { HalError, type HalHost } from "./hal/contract.js";
import { Firmware } from "./firmware.js";
import type { Clock } from "./clock.js";
import { ConsolePort } from "./periph/console.js";
import { MemoryKv, PowerCut, type KvStore, KV_KEY_MAX, KV_VALUE_MAX } from "./periph/kv.js";
import { EventLog } from "./periph/events.js";
import { RandomSource } from "./periph/random.js";
import { NoAudio, NoIo, NoNet, type AudioDevice, type IoBank, type NetStack } from "./periph/stubs.js";
import { RealClock, VirtualClock } from "./clock.js";
import { loadBoard, type Board } from "./board.js";
import { BoardIo } from "./periph/io.js";
import { SimAudio } from "./periph/audio/audio.js";
import type { MicSource } from "./periph/audio/source.js";
import { VirtualNetwork, type VirtualNetPort } from "./periph/net/virtual.js";
import { UdpNet } from "./periph/net/udp.js";
import { PcapWriter } from "./periph/net/pcap.js";
import { FileKv } from "./periph/kv.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const LOG_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

export interface DeviceOptions {
  wasm: Uint8Array | WebAssembly.Module | string;
  clock: Clock;
  kv?: KvStore;
  net?: NetStack;
  audio?: AudioDevice;
  io?: IoBank;
  /** Seed for hal.random_fill (deterministic tests); null = crypto. */
  seed?: number | null;
  board?: string;
  /** The board definition: gives the io (unless io is passed) and the board id. */
  boardDef?: Board;
  /** Capture every datagram the device sends and receives. */
  capture?: PcapWriter;
  serial?: string;
  /** Log lines (default: dropped; the CLI prints them). */
  onLog?: (level: number, text: string) => void;
  /** A trap stops the device instead of rebooting it (tests that expect no trap). */
  stopOnTrap?: boolean;
}

export interface PanicInfo { file: string; line: number; msg: string; t: number }

export class Device {
  readonly clock: Clock;
  readonly console = new ConsolePort();
  readonly events = new EventLog();
  readonly kv: KvStore;
  readonly net: NetStack;
  readonly audio: AudioDevice;
  readonly io: IoBank;
  readonly random: RandomSource;
  readonly firmware: Firmware;
  readonly panics: PanicInfo[] = [];
  readonly traps: string[] = [];
  /** Log lines kept for inspection (bounded). */
  readonly logLines: { t: number; level: number; text: string }[] = [];
  watchdogFeeds = 0;
  /** Clock time of the last (re)boot. */
  bootAt = 0;
  readonly boardDef: Board | null;
  /** The HAL exactly as the firmware's imports call it (tests drive peripherals through it). */
  readonly halHost: HalHost;
  private readonly dec = new TextDecoder();

  constructor(readonly opts: DeviceOptions) {
    this.clock = opts.clock;
    this.kv = opts.kv ?? new MemoryKv();
    this.net = opts.net ?? new NoNet();
    this.audio = opts.audio ?? new NoAudio();
    this.boardDef = opts.boardDef ?? null;
    this.io = opts.io ?? (opts.boardDef ? BoardIo.fromBoard(opts.boardDef, opts.clock) : new NoIo());
    if (opts.capture) { const cap = opts.capture; this.net.onDatagram = (d) => cap.write(d); }
    this.random = new RandomSource(opts.seed ?? null);
    const wake = (): void => this.firmware.wake();
    this.halHost = this.hal();
    this.console.onInput = wake;
    this.net.onActivity = wake;
    this.audio.onFrame = wake;
    this.io.onChange = wake;
    this.firmware = new Firmware({
      wasm: opts.wasm,
      host: this.halHost,
      clock: this.clock,
      onBoot: () => {
        // A reset board: sockets closed, audio path off, outputs at their power-on values.
        this.bootAt = this.clock.now();
        this.net.reset?.();
        this.audio.stop();
        this.io.reset?.();
      },
      onTrap: (err) => {
        this.traps.push(err.message);
        this.log(0, `firmware trapped: ${err.message}; restarting`);
        return !opts.stopOnTrap;
      },
    });
  }

  start(): this { this.firmware.start(); return this; }

  /** Stops the firmware and releases sockets and audio (the device is switched off). */
  stop(): void {
    this.firmware.stop();
    this.net.close();
    this.audio.close();
    this.opts.capture?.close();
  }

  /** The board id reported by hal.sys_info("board"). */
  get boardId(): string { return this.opts.board ?? this.opts.boardDef?.id ?? "host"; }

  /** A device for deterministic tests: virtual clock and network, the board's io, simulated audio. */
  static virtual(o: VirtualDeviceOptions = {}): VirtualDevice {
    const clock = o.network ? (o.network.clock as VirtualClock) : o.clock ?? new VirtualClock();
    const network = o.network ?? new VirtualNetwork(clock, { seed: o.seed ?? 1 });
    const board = typeof o.board === "object" ? o.board : loadBoard(o.board ?? defaultBoardPath());
    const dev = new Device({
      wasm: o.wasm ?? "build/firmware.wasm",
      clock,
      kv: o.kv,
      net: network.attach(o.ip ?? "10.0.0.2"),
      audio: new SimAudio({ clock, mic: o.mic, out: o.audioOut ?? null }),
      boardDef: board,
      seed: o.seed ?? 1,
      serial: o.serial,
      onLog: o.onLog,
      stopOnTrap: o.stopOnTrap,
    });
    return dev as VirtualDevice;
  }

  /** A device on real sockets and (by default) the real clock: what intercom-sim runs. */
  static real(o: RealDeviceOptions = {}): RealDevice {
    const clock = o.clock ?? new RealClock();
    const board = typeof o.board === "object" ? o.board : loadBoard(o.board ?? defaultBoardPath());
    const dev = new Device({
      wasm: o.wasm ?? "build/firmware.wasm",
      clock,
      kv: o.kv ?? (o.stateDir ? new FileKv(join(o.stateDir, "kv")) : undefined),
      net: new UdpNet({ bind: o.bind, now: () => clock.now() }),
      audio: new SimAudio({ clock, mic: o.mic, out: o.audioOut ?? null }),
      boardDef: board,
      seed: o.seed ?? null,
      capture: o.pcap ? new PcapWriter(o.pcap, { epochMs: Date.now() - clock.now() }) : undefined,
      onLog: o.onLog,
      stopOnTrap: o.stopOnTrap,
    });
    return dev as RealDevice;
  }

  private log(level: number, text: string): void {
    this.logLines.push({ t: this.clock.now(), level, text });
    if (this.logLines.length > 5000) this.logLines.splice(0, 1000);
    this.opts.onLog?.(level, text);
  }

  /** The HAL as this device implements it. */
  private hal(): HalHost {
    const text = (b: Uint8Array): string => this.dec.decode(b);
    const kvKey = (k: Uint8Array): string | null => (k.length === 0 || k.length > KV_KEY_MAX ? null : text(k));
    return {
      clock_now_ms: () => BigInt(this.clock.now()),
      random_fill: (buf) => { this.random.fill(buf); return buf.length; },
      console_read: (buf) => this.console.read(buf),
      console_write: (data) => this.console.write(data),
      log_write: (level, msg) => this.log(level, text(msg)),

      net_udp_open: (port) => this.net.udpOpen(port),
      net_udp_close: (sock) => this.net.udpClose(sock),
      net_udp_local_port: (sock) => this.net.udpLocalPort(sock),
      net_udp_send: (sock, ip, port, data) => this.net.udpSend(sock, ip, port, data),
      net_udp_recv: (sock, buf, from) => this.net.udpRecv(sock, buf, from),
      net_local_ip: (dest) => this.net.localIp(dest),
      net_resolve: (name) => this.net.resolve(text(name)),
      net_resolve_result: (q, addr) => this.net.resolveResult(q, addr),

      audio_start: () => this.audio.start(),
      audio_stop: () => this.audio.stop(),
      audio_read: (buf) => this.audio.read(buf),
      audio_write: (data) => this.audio.write(data),
      audio_set_volume: (p) => this.audio.setVolume(p),

      io_find: (name) => this.io.find(text(name)),
      io_read: (h) => this.io.read(h),
      io_write: (h, v) => this.io.write(h, v),

      kv_read: (key, buf) => {
        const k = kvKey(key);
        if (k === null) return HalError.E_INVAL;
        const v = this.kv.read(k);
        if (!v) return HalError.E_NOTFOUND;
        buf.set(v.subarray(0, Math.min(v.length, buf.length)));
        return v.length;
      },
      kv_write: (key, data) => {
        const k = kvKey(key);
        if (k === null) return HalError.E_INVAL;
        if (data.length > KV_VALUE_MAX) return HalError.E_NOSPC;
        try {
          this.kv.write(k, data);
        } catch (e) {
          if (e instanceof PowerCut) { this.powerCut(); throw e; }
          return HalError.E_IO;
        }
        return HalError.OK;
      },
      kv_erase: (key) => {
        const k = kvKey(key);
        if (k === null) return HalError.E_INVAL;
        this.kv.erase(k);
        return HalError.OK;
      },

      event_emit: (json) => { this.events.push(this.clock.now(), text(json)); },

      sys_reboot: () => this.firmware.requestReboot(),
      sys_watchdog_feed: () => { this.watchdogFeeds++; },
      sys_info: (key, buf) => {
        const k = text(key);
        const v = k === "board" ? this.boardId : k === "host" ? `host-sim node ${process.version}` : k === "serial" ? (this.opts.serial ?? "sim-000001") : null;
        if (v === null) return HalError.E_NOTFOUND;
        const b = new TextEncoder().encode(v);
        buf.set(b.subarray(0, buf.length));
        return b.length;
      },
      sys_panic: (file, line, msg) => {
        const p = { file: text(file), line, msg: text(msg), t: this.clock.now() };
        this.panics.push(p);
        this.log(0, `panic at ${p.file}:${p.line}: ${p.msg}`);
      },
    };
  }

  /** A torn kv write: the device lost power; it stays off until start() is called again. */
  private powerCut(): void {
    this.firmware.stop();
  }
}

export interface VirtualDeviceOptions {
  /** Default build/firmware.wasm. */
  wasm?: Uint8Array | WebAssembly.Module | string;
  /** The network to attach to (its clock is used); default a new one on a new VirtualClock. */
  network?: VirtualNetwork;
  /** Used when no network is given. */
  clock?: VirtualClock;
  /** This device's address (default 10.0.0.2). */
  ip?: string;
  /** A board definition or a board file path (default boards/host.json). */
  board?: Board | string;
  /** Seeds hal.random_fill and, when the network is made here, its PRNG (default 1). */
  seed?: number;
  mic?: MicSource | string;
  audioOut?: string;
  kv?: KvStore;
  serial?: string;
  onLog?: (level: number, text: string) => void;
  stopOnTrap?: boolean;
}

export interface RealDeviceOptions {
  wasm?: Uint8Array | WebAssembly.Module | string;
  /** Default RealClock. */
  clock?: RealClock | VirtualClock;
  board?: Board | string;
  /** Local address for the UDP sockets (default 0.0.0.0). */
  bind?: string;
  /** kv files live in <stateDir>/kv (unless kv is given). */
  stateDir?: string;
  kv?: KvStore;
  mic?: MicSource | string;
  audioOut?: string;
  /** Write a pcap file of the device's traffic here. */
  pcap?: string;
  /** null = crypto entropy (default). */
  seed?: number | null;
  onLog?: (level: number, text: string) => void;
  stopOnTrap?: boolean;
}

export type VirtualDevice = Device & { readonly net: VirtualNetPort; readonly io: BoardIo; readonly audio: SimAudio; readonly clock: VirtualClock };
export type RealDevice = Device & { readonly net: UdpNet; readonly io: BoardIo; readonly audio: SimAudio };

/** boards/host.json in the working directory, else next to the bundle (build/../boards). */
export function defaultBoardPath(): string {
  const local = join("boards", "host.json");
  if (existsSync(local)) return local;
  try {
    const near = fileURLToPath(new URL("../boards/host.json", import.meta.url));
    if (existsSync(near)) return near;
  } catch { /* not a file URL */ }
  return local;
}
