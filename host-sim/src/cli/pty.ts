// --console pty: the firmware's console on a pseudo-terminal, so a serial terminal program
// (screen, picocom, minicom, or tools that expect a serial port) can attach to it. Node has no
// pty support without a native addon, so a helper process owns the pty and relays its master
// side over pipes: socat when installed (`socat pty,link=PATH,raw,echo=0 STDIO`), else python3
// with the standard pty module (the script below). Neither present: a clear error.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, unlinkSync } from "node:fs";

export interface PtyBridge {
  /** The symlink to the pty's slave device (e.g. .sim-state/console.pty -> /dev/pts/7). */
  path: string;
  /** Bytes typed on the pty. */
  input: NodeJS.ReadableStream;
  /** Bytes shown on the pty. */
  output: NodeJS.WritableStream;
  /** Which helper provides it. */
  via: "socat" | "python3";
  close(): void;
}

// Opens a pty in raw mode, links it at argv[1], then relays master <-> stdin/stdout. The slave fd
// stays open here, so a client may come and go without the master seeing EOF.
const PY = `
import os, pty, sys, tty, select
m, s = pty.openpty()
tty.setraw(s)
link = sys.argv[1]
try: os.unlink(link)
except FileNotFoundError: pass
os.symlink(os.ttyname(s), link)
sys.stderr.write("pty " + os.ttyname(s) + "\\n"); sys.stderr.flush()
while True:
    r, _, _ = select.select([m, 0], [], [])
    if m in r:
        try: d = os.read(m, 4096)
        except OSError: d = b""
        if d: os.write(1, d)
    if 0 in r:
        d = os.read(0, 4096)
        if not d: break
        os.write(m, d)
try: os.unlink(link)
except OSError: pass
`;

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** Starts the pty helper; resolves once the link exists. Rejects with a clear message when no helper is installed. */
export function openPty(path: string, prefer: "socat" | "python3" | null = null): Promise<PtyBridge> {
  const socat = prefer !== "python3" && has("socat", ["-V"]);
  const python = !socat && prefer !== "socat" && has("python3", ["-c", "import pty, tty, select"]);
  if (!socat && !python) {
    return Promise.reject(new Error("--console pty needs socat or python3 to provide the pseudo-terminal (e.g. `apt install socat`); or use --console stdio"));
  }
  try { if (lstatSync(path).isSymbolicLink()) unlinkSync(path); } catch { /* none */ }
  const child: ChildProcess = socat
    ? spawn("socat", [`pty,link=${path},raw,echo=0`, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] })
    : spawn("python3", ["-c", PY, path], { stdio: ["pipe", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
    const started = Date.now();
    const poll = (): void => {
      if (existsSync(path)) {
        resolve({
          path, input: child.stdout!, output: child.stdin!, via: socat ? "socat" : "python3",
          close: () => { child.stdin!.end(); child.kill("SIGTERM"); try { unlinkSync(path); } catch { /* gone */ } },
        });
        return;
      }
      if (child.exitCode !== null || Date.now() - started > 5000) {
        child.kill("SIGKILL");
        reject(new Error(`could not open a pseudo-terminal via ${socat ? "socat" : "python3"}: ${err.trim() || "timed out"}`));
        return;
      }
      setTimeout(poll, 20);
    };
    poll();
  });
}
