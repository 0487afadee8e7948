// SIP over UDP (RFC 3261 section 18, RFC 3581): the one SIP socket. Sends datagrams and takes
// received ones; parsing and routing belong to ua.ts. The socket is opened on sip.port and
// reopened when the setting changes; a bind failure is retried every few seconds (the port may be
// taken for a moment after a restart).
import * as hal from "../hal";
import * as log from "../sys/log";
import { Timer } from "../sys/clock";
import { SIP_RX_CAP } from "../config";
import { T } from "../sys/text";

let sock: i32 = -1;
let port: i32 = 0;
let wantPort: i32 = 5060;

/** Receive buffer: one datagram at a time, parsed in place. */
export const rxBuf = memory.data(SIP_RX_CAP + 1);
/** Source of the last datagram taken by receive(). */
export let rxIp: u32 = 0;
export let rxPort: i32 = 0;
const from = memory.data(8);

/** Datagrams dropped because they were larger than the receive buffer. */
export let oversize: i32 = 0;

// (A timer callback restarts itself through its argument: AssemblyScript cannot compile a
// global whose initializer reaches code that names the global.)
function onRetry(t: Timer): void { if (!open()) t.start(5000); }
const retryOpen = new Timer(onRetry);

/** The local SIP port in use (0 while the socket is not open). */
export function localPort(): i32 { return sock >= 0 ? port : 0; }

/** Opens the socket on `p` (closing the old one when the port changes). */
export function configure(p: i32): void {
  if (p == wantPort && sock >= 0) return;
  wantPort = p;
  close();
  if (!open()) retryOpen.start(5000);
}

function open(): bool {
  if (sock >= 0) return true;
  const s = hal.net_udp_open(wantPort);
  if (s < 0) {
    log.warn().str(T("sip: cannot open UDP port ")).dec(wantPort).str(T(" (error ")).int(s).str(T("), retrying")).end();
    return false;
  }
  sock = s;
  port = hal.net_udp_local_port(s);
  log.info().str(T("sip: listening on UDP port ")).dec(port).end();
  return true;
}

export function close(): void {
  retryOpen.cancel();
  if (sock >= 0) hal.net_udp_close(sock);
  sock = -1;
  port = 0;
}

/** Sends one datagram; false when it could not be sent. */
export function send(ip: u32, dport: i32, p: usize, n: i32): bool {
  if (sock < 0 || ip == 0 || dport <= 0 || dport > 65535) return false;
  const r = hal.net_udp_send(sock, ip, dport, p, n);
  if (r < 0) {
    log.debug().str(T("sip: send failed (error ")).int(r).str(T(")")).end();
    return false;
  }
  if (log.on(log.TRACE)) log.trace().str(T("sip: sent ")).dec(n).str(T(" bytes to ")).ip4(ip).byte(58).dec(dport).end();
  return true;
}

/** Takes the next datagram into rxBuf; returns its length, or -1 when none is waiting.
 *  Oversized datagrams are dropped here (a UDP SIP message larger than the buffer cannot be
 *  parsed whole; RFC 3261 18.1.1 keeps UDP messages under the path MTU anyway). */
export function receive(): i32 {
  if (sock < 0) return -1;
  for (let guard = 0; guard < 8; guard++) {
    const n = hal.net_udp_recv(sock, rxBuf, SIP_RX_CAP, from, 6);
    if (n < 0) return -1;
    rxIp = bswap<u32>(load<u32>(from));
    rxPort = (<i32>load<u8>(from + 4) << 8) | <i32>load<u8>(from + 5);
    if (n > SIP_RX_CAP) { oversize++; continue; }
    store<u8>(rxBuf + <usize>n, 0);
    return n;
  }
  return -1;
}
