// The network as the firmware sees it: the local IPv4 address (hal.net_local_ip toward the
// registrar, or toward a documentation address when there is none), checked every second; a
// change is published as a `net` event and shown by `status`.
import * as hal from "../hal";
import * as event from "../sys/event";
import { Writer } from "../sys/bytes";
import * as register from "../sip/register";
import * as transport from "../sip/transport";
import { T } from "../sys/text";

const PROBE: u32 = 0xc0000201; // 192.0.2.1 (TEST-NET-1): "the default route"
let ip: u32 = 0;
let known = false;

/** Current local address, 0 when the network is down. */
export function localIp(): u32 { return ip; }

/** Checks the address (every second from the app's housekeeping). */
export function watch(): void {
  const via = register.localAddress();
  const now = via != 0 ? via : hal.net_local_ip(PROBE);
  const probe = now != 0 ? now : hal.net_local_ip(0x7f000001);
  if (known && probe == ip) return;
  known = true;
  ip = probe;
  const e = event.begin(T("net")).str(T("state"), ip != 0 ? T("up") : T("down"));
  if (ip != 0) e.key(T("ip")).byte(34).ip4(ip).byte(34);
  e.end();
}

/** The `status` network line. */
export function status(w: Writer): void {
  if (ip == 0) { w.str(T("down")); return; }
  w.str(T("up, ")).ip4(ip);
  const p = transport.localPort();
  if (p > 0) w.str(T(", SIP on UDP ")).dec(<u64>p);
}
