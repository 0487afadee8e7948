// Whether the real peers an interop suite needs are installed. Without them the suite is skipped
// with the reason, except under INTERCOM_REQUIRE_PEERS=1 (set by .ci/run), where a missing peer
// is an error: CI must never pass by skipping.
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { peersDir } from "./kamailio.js";

export type PeerTool = "kamailio" | "baresip" | "sox";

const INSTALL: Record<PeerTool, string> = { kamailio: "kamailio", baresip: "baresip-core", sox: "sox" };

/** The path of an executable found on PATH (plus /usr/sbin and /sbin, where kamailio lives), or null. */
export function which(cmd: string): string | null {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/local/sbin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, cmd);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

/** Why the tools cannot run here (missing programs or the shared configurations), or null when they can. */
export function missingPeers(tools: PeerTool[] = ["kamailio", "baresip"]): string | null {
  const missing = tools.filter((t) => !which(t));
  const problems: string[] = [];
  if (missing.length) problems.push(`${missing.join(", ")} not installed (apt-get install ${missing.map((t) => INSTALL[t]).join(" ")})`);
  const dir = peersDir();
  if (tools.includes("kamailio") && !existsSync(join(dir, "kamailio", "kamailio.cfg"))) problems.push(`no ${join(dir, "kamailio", "kamailio.cfg")} (set INTERCOM_PEERS_DIR)`);
  if (tools.includes("baresip") && !existsSync(join(dir, "baresip", "config.template"))) problems.push(`no ${join(dir, "baresip", "config.template")} (set INTERCOM_PEERS_DIR)`);
  return problems.length ? problems.join("; ") : null;
}

/**
 * For `describe(name, { skip: requirePeers() }, ...)` / `test(name, { skip: ... })`: false when
 * the tools are there, else the reason to skip. Throws under INTERCOM_REQUIRE_PEERS=1 instead of
 * skipping, so the file fails with the reason.
 */
export function requirePeers(tools: PeerTool[] = ["kamailio", "baresip"]): false | string {
  const why = missingPeers(tools);
  if (!why) return false;
  if (process.env["INTERCOM_REQUIRE_PEERS"] === "1") throw new Error(`interop peers required (INTERCOM_REQUIRE_PEERS=1) but ${why}`);
  return `real SIP peers missing: ${why}`;
}
