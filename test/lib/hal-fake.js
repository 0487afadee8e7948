// The HAL for as-pect specs: the full contract with inert or in-memory behaviour (no network, no
// audio), deterministic random bytes, kv in a Map. Plain JS so as-pect.config.js can load it.
import { readFileSync } from "node:fs";

const contract = JSON.parse(readFileSync(new URL("../../hal/contract.json", import.meta.url), "utf8"));
const E = Object.fromEntries(contract.errors.map((e) => [e.name, e.code]));

export function halFake(memory) {
  const bytes = (p, n) => new Uint8Array(memory().buffer, p >>> 0, n >>> 0);
  const text = (p, n) => new TextDecoder().decode(bytes(p, n));
  const kv = new Map();
  let seed = 0x12345678;
  let now = 0n;
  const impl = {
    clock_now_ms: () => now,
    random_fill: (p, n) => { const b = bytes(p, n); for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b[i] = seed >>> 24; } return n; },
    console_read: () => 0,
    console_write: (p, n) => n,
    log_write: () => {},
    net_udp_open: () => E.E_NETDOWN,
    net_udp_close: () => E.E_BADF,
    net_udp_local_port: () => E.E_BADF,
    net_udp_send: () => E.E_BADF,
    net_udp_recv: () => E.E_BADF,
    net_local_ip: () => 0,
    net_resolve: () => E.E_NETDOWN,
    net_resolve_result: () => E.E_BADF,
    audio_start: () => E.E_UNSUPPORTED,
    audio_stop: () => E.OK,
    audio_read: () => E.E_BADF,
    audio_write: () => E.E_BADF,
    audio_set_volume: () => E.E_UNSUPPORTED,
    io_find: () => E.E_NOTFOUND,
    io_read: () => E.E_BADF,
    io_write: () => E.E_BADF,
    kv_read: (kp, kn, bp, bn) => {
      const v = kv.get(text(kp, kn));
      if (!v) return E.E_NOTFOUND;
      bytes(bp, bn).set(v.subarray(0, Math.min(v.length, bn)));
      return v.length;
    },
    kv_write: (kp, kn, dp, dn) => { kv.set(text(kp, kn), bytes(dp, dn).slice()); return E.OK; },
    kv_erase: (kp, kn) => { kv.delete(text(kp, kn)); return E.OK; },
    event_emit: () => {},
    sys_reboot: () => {},
    sys_watchdog_feed: () => {},
    sys_info: () => E.E_NOTFOUND,
    sys_panic: (fp, fn, line, mp, mn) => { throw new Error(`panic at ${text(fp, fn)}:${line}: ${text(mp, mn)}`); },
  };
  for (const g of contract.groups) for (const f of g.functions) {
    if (!(`${g.name}_${f.name}` in impl)) throw new Error(`hal-fake lacks ${g.name}_${f.name}`);
  }
  return impl;
}

/** Module "fixture" for specs: reads files (paths relative to the repository root) into memory. */
export function fixtureImports(memory) {
  const text = (p, n) => new TextDecoder().decode(new Uint8Array(memory().buffer, p >>> 0, n >>> 0));
  const cache = new Map();
  const file = (p, n) => {
    const path = text(p, n);
    if (!cache.has(path)) {
      try { cache.set(path, new Uint8Array(readFileSync(path))); } catch { cache.set(path, null); }
    }
    return cache.get(path);
  };
  return {
    size: (p, n) => { const f = file(p, n); return f ? f.length : -1; },
    load: (p, n, dst, cap) => {
      const f = file(p, n);
      if (!f) return -1;
      const k = Math.min(f.length, cap);
      new Uint8Array(memory().buffer, dst >>> 0, k).set(f.subarray(0, k));
      return f.length;
    },
  };
}
