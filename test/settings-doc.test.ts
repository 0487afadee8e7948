// docs/console.md's settings table matches the firmware's schema: every key, in order, with the
// values, default, secret flag and meaning that `help <key>` prints on the device.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Device, VirtualClock, runCommand } from "../host-sim/src/index.js";

test("the settings table in docs/console.md is the firmware's schema", async () => {
  const doc = readFileSync("docs/console.md", "utf8");
  const table = doc.slice(doc.indexOf("<!-- settings-table"), doc.indexOf("<!-- /settings-table -->"));
  const rows = table.split("\n").filter((l) => l.startsWith("| `"));
  const cell = (s: string) => s.trim().replace(/\\\|/g, "|").replace(/^`(.*)`$/, "$1");
  const documented = rows.map((r) => {
    const cells = r.slice(1, -1).split(/(?<!\\)\|/).map(cell);
    assert.equal(cells.length, 5, r);
    const [key, values, def, secret, meaning] = cells as [string, string, string, string, string];
    return { key, line: `${key}: ${values}${secret === "yes" ? ", secret" : ""}, default ${def} - ${meaning}` };
  });

  const clock = new VirtualClock();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, stopOnTrap: true }).start();
  clock.advance(10);
  const keys = (await runCommand(dev.console, clock, "show")).slice(0, -1).map((l) => l.slice(0, l.indexOf(" = ")));
  assert.deepEqual(documented.map((d) => d.key), keys, "the same keys in the same order");
  const help = new Map<string, string>();
  for (const prefix of new Set(keys.map((k) => k.slice(0, k.indexOf(".") + 1)))) {
    for (const line of (await runCommand(dev.console, clock, `help ${prefix}`)).slice(0, -1)) help.set(line.slice(0, line.indexOf(":")), line);
  }
  for (const d of documented) assert.equal(d.line, help.get(d.key), d.key);
  dev.stop();
});
