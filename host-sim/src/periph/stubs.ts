// Inert peripherals for hosts without the hardware: no network, no audio, no io.
import { HalError } from "../hal/contract.js";
import type { WireDatagram } from "./net/sockets.js";

export interface NetStack {
  /** Called when a datagram or a lookup result arrives, to wake the firmware. */
  onActivity: (() => void) | null;
  udpOpen(port: number): number;
  udpClose(sock: number): number;
  udpLocalPort(sock: number): number;
  udpSend(sock: number, ip: number, port: number, data: Uint8Array): number;
  udpRecv(sock: number, buf: Uint8Array, from: Uint8Array): number;
  localIp(dest: number): number;
  resolve(name: string): number;
  resolveResult(query: number, addr: Uint8Array): number;
  /** Observe every datagram sent or received (pcap capture, tests); optional. */
  onDatagram?: ((d: WireDatagram) => void) | null;
  /** The firmware restarts: close its sockets and forget its lookups, as a reset board would. */
  reset?(): void;
  close(): void;
}

export class NoNet implements NetStack {
  onActivity: (() => void) | null = null;
  udpOpen(): number { return HalError.E_NETDOWN; }
  udpClose(): number { return HalError.E_BADF; }
  udpLocalPort(): number { return HalError.E_BADF; }
  udpSend(): number { return HalError.E_BADF; }
  udpRecv(): number { return HalError.E_BADF; }
  localIp(): number { return 0; }
  resolve(): number { return HalError.E_NETDOWN; }
  resolveResult(): number { return HalError.E_BADF; }
  close(): void {}
}

export interface AudioDevice {
  /** Called when a microphone frame is ready, to wake the firmware. */
  onFrame: (() => void) | null;
  start(): number;
  stop(): number;
  read(buf: Uint8Array): number;
  write(data: Uint8Array): number;
  setVolume(percent: number): number;
  close(): void;
}

export class NoAudio implements AudioDevice {
  onFrame: (() => void) | null = null;
  start(): number { return HalError.E_UNSUPPORTED; }
  stop(): number { return HalError.OK; }
  read(): number { return HalError.E_BADF; }
  write(): number { return HalError.E_BADF; }
  setVolume(): number { return HalError.E_UNSUPPORTED; }
  close(): void {}
}

export interface IoBank {
  /** Called when an input changes, to wake the firmware. */
  onChange: (() => void) | null;
  find(name: string): number;
  read(handle: number): number;
  write(handle: number, value: number): number;
  /** The firmware restarts: outputs go back to their power-on values. */
  reset?(): void;
}

export class NoIo implements IoBank {
  onChange: (() => void) | null = null;
  find(): number { return HalError.E_NOTFOUND; }
  read(): number { return HalError.E_BADF; }
  write(): number { return HalError.E_BADF; }
}
