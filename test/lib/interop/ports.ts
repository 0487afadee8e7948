// Port allocation for the interop suites: blocks of consecutive ports that are free for UDP and
// TCP on the given address right now, and never handed out twice within this process. Suites run
// one file at a time (and inside their own network namespace when root), so checking by binding
// plus the in-process record keeps peers from colliding. The search starts at a place derived from
// the PID, so two test processes on a shared host network rarely probe the same ports first.
import dgram from "node:dgram";
import net from "node:net";

const LOW = 20000;
const HIGH = 59999;
const taken = new Set<number>();
let cursor = LOW + ((process.pid * 97) % (HIGH - LOW - 1000));

/** Whether port is bindable for UDP on host now. */
export function udpFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.once("error", () => { s.close(); resolve(false); });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Whether port is bindable for UDP and TCP on host now. */
export async function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return (await udpFree(port, host)) && (await tcpFree(port, host));
}

/**
 * Returns the first port of `count` consecutive ports, each free for UDP and TCP on host, and
 * marks them taken for this process. `align` makes the first port a multiple of it (RTP wants an
 * even port). Throws when the range 20000..59999 is exhausted.
 */
export async function allocPorts(count: number, opts: { host?: string; align?: number } = {}): Promise<number> {
  const host = opts.host ?? "127.0.0.1";
  const align = opts.align ?? 2;
  let wrapped = false;
  for (;;) {
    const p = Math.ceil(cursor / align) * align;
    if (p + count > HIGH) {
      if (wrapped) throw new Error(`no ${count} consecutive free ports left in ${LOW}..${HIGH}`);
      wrapped = true;
      cursor = LOW;
      continue;
    }
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      if (taken.has(p + i) || !(await portFree(p + i, host))) { ok = false; cursor = p + i + 1; }
    }
    if (!ok) continue;
    for (let i = 0; i < count; i++) taken.add(p + i);
    cursor = p + count;
    return p;
  }
}

/** One free port (UDP and TCP). */
export function allocPort(host = "127.0.0.1"): Promise<number> {
  return allocPorts(1, { host, align: 1 });
}
