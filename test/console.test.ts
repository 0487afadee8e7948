// The serial console on host-sim's Device (virtual clock): the line editor as a terminal sees it
// (echo, prompt, CR/LF/CRLF, backspace, Ctrl-C, escape sequences, UTF-8, over-long lines),
// back-pressure from the host, and every command's exact answer (docs/console.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, HalError, MemoryKv, VirtualClock, runCommand } from "../host-sim/src/index.js";

const VERSION = "0.1.0";
const BANNER = `\r\nsip-intercom ${VERSION}, type help for commands\r\n> `;

function boot(kv = new MemoryKv()) {
  const clock = new VirtualClock();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, kv, stopOnTrap: true, seed: 1 });
  let out = "";
  const dec = new TextDecoder();
  dev.console.onOutput = (b) => { out += dec.decode(b, { stream: true }); };
  dev.start();
  clock.advance(10);
  return {
    clock, dev, kv,
    run: (line: string) => runCommand(dev.console, clock, line),
    /** Types raw bytes, lets the firmware run, returns the output they caused. */
    type: (data: string | Uint8Array, ms = 50) => { const from = out.length; dev.console.type(data); clock.advance(ms); return out.slice(from); },
    get output() { return out; },
  };
}

const DEFAULTS = [
  "sip.user = \"\"",
  "sip.password = \"\"",
  "sip.auth_user = \"\"",
  "sip.domain = \"\"",
  "sip.proxy = \"\"",
  "sip.port = 5060",
  "sip.expires = 600",
  "sip.display = Door",
  "sip.keepalive = crlf",
  "sip.keepalive_s = 30",
  "button1.call = \"\"",
  "call.ring_timeout = 30",
  "call.max_duration = 300",
  "call.codecs = pcmu,pcma",
  "answer.mode = auto",
  "answer.allow = \"\"",
  "door.code = \"\"",
  "door.relay_ms = 3000",
  "door.code_timeout = 5",
  "audio.volume = 80",
  "rtp.port = 40000",
  "log.level = info",
];

test("boot prints the banner and the prompt", () => {
  const s = boot();
  assert.equal(s.output, BANNER);
  assert.deepEqual(s.dev.traps, []);
});

test("echo, CRLF line ends and the prompt after every answer", () => {
  const s = boot();
  assert.equal(s.type("get sip.port\r\n"), "get sip.port\r\n5060\r\nok\r\n> ");
  assert.equal(s.type("get sip.expires\r"), "get sip.expires\r\n600\r\nok\r\n> ");
  assert.equal(s.type("get sip.display\n"), "get sip.display\r\nDoor\r\nok\r\n> ");
  // CR and LF of one CRLF in separate reads are still one line end
  assert.equal(s.type("get audio.volume\r") + s.type("\n"), "get audio.volume\r\n80\r\nok\r\n> ");
  // an empty line: just a new prompt
  assert.equal(s.type("\r\n"), "\r\n> ");
  assert.equal(s.type("   \n"), "   \r\n> ");
  // several lines in one read, mixed line ends: one answer each
  const out = s.type("get sip.port\rget sip.port\nget sip.port\r\n");
  assert.equal(out.split("\r\n").filter((l) => l === "ok").length, 3);
  assert.equal(out, "get sip.port\r\n5060\r\nok\r\n> ".repeat(3));
});

test("backspace (BS and DEL) edits the line and echoes BS SP BS", () => {
  const s = boot();
  assert.equal(s.type("gex\x7ft sip.portt\x08\r"), "gex\b \bt sip.portt\b \b\r\n5060\r\nok\r\n> ");
  // backspace on an empty line echoes nothing
  assert.equal(s.type("\x7f\x08get audio.volume\r"), "get audio.volume\r\n80\r\nok\r\n> ");
});

test("UTF-8: display names with umlauts; backspace removes a whole character", async () => {
  const s = boot();
  assert.deepEqual(await s.run("set sip.display Haustür"), ["ok"]);
  assert.deepEqual(await s.run("get sip.display"), ["Haustür (pending, saved: Door)", "ok"]);
  // "Tü" + DEL + "r": the DEL takes both bytes of ü
  const out = s.type(Buffer.from("set sip.display Tü\x7fr\r", "utf8"));
  assert.equal(out, "set sip.display Tü\b \br\r\nok\r\n> ");
  assert.deepEqual(await s.run("get sip.display"), ["Tr (pending, saved: Door)", "ok"]);
  // not UTF-8 / control characters are refused
  assert.equal(s.type(new Uint8Array([...Buffer.from("set sip.display a"), 0xff, 0x62, 13])).split("\r\n")[1],
    "error: sip.display must be UTF-8 text without control characters");
  assert.equal(s.type(new Uint8Array([...Buffer.from("set sip.display a"), 0xc2, 0x85, 13])).split("\r\n")[1],
    "error: sip.display must be UTF-8 text without control characters");
});

test("Ctrl-C drops the line; escape sequences and other control bytes are ignored", async () => {
  const s = boot();
  assert.equal(s.type("set sip.port 5070\x03"), "set sip.port 5070^C\r\n> ");
  assert.deepEqual(await s.run("get sip.port"), ["5060"].concat("ok"));
  // arrow keys (ESC [ A, ESC O D), a tab and a bell vanish
  assert.equal(s.type("get\x1b[A\x1bOD sip\t.port\x07\r"), "get sip.port\r\n5060\r\nok\r\n> ");
});

test("an over-long line is rejected whole, never truncated or run", async () => {
  const s = boot();
  const max = 300;
  // exactly max bytes: runs (and fails validation as a whole value)
  const ok = "set sip.user " + "a".repeat(max - "set sip.user ".length);
  assert.equal(ok.length, max);
  assert.deepEqual(await s.run(ok), ["error: sip.user is longer than 64 bytes"]);
  // max + 1: not run, the echo stops at max
  const long = "set sip.display " + "b".repeat(max + 1 - "set sip.display ".length);
  const out = s.type(long + "\r\n");
  assert.equal(out, long.slice(0, max) + "\r\nerror: line too long (max 300 bytes)\r\n> ");
  assert.deepEqual(await s.run("get sip.display"), ["Door", "ok"]);
  // a long line through command() resolves with the error too
  assert.deepEqual(await s.run("set sip.display " + "c".repeat(400)), ["error: line too long (max 300 bytes)"]);
  // a line that was too long and then shortened by backspace is still rejected
  assert.match(s.type("x".repeat(max + 5) + "\x7f".repeat(10) + "\r"), /error: line too long \(max 300 bytes\)\r\n> $/);
});

test("help lists every command", async () => {
  const s = boot();
  assert.deepEqual(await s.run("help"), [
    "help [prefix]      commands, or help on settings",
    "show [prefix]      settings",
    "get <key>          one setting",
    "set <key> <value>  change a setting (until save)",
    "unset <key>        back to the default (until save)",
    "save               store the changes, run on them",
    "revert             drop the changes",
    "factory-reset      erase all settings, reboot",
    "status             network, registration, call, door",
    "call <target>      call a number or SIP URI",
    "hangup             end the call",
    "open               open the door",
    "version            firmware, board, host",
    "reboot             restart",
    "log [level]        show or set the log level",
    "ok",
  ]);
  assert.deepEqual(await s.run("help door"), [
    "door.code: DTMF 0-9*#A-D, max 16, secret, default \"\" - DTMF code that opens the door (e.g. 1234#); empty = none",
    "door.relay_ms: 100..30000, default 3000 - door relay pulse, ms",
    "door.code_timeout: 1..60, default 5 - longest pause between code digits, s",
    "ok",
  ]);
  assert.deepEqual(await s.run("help rtp.port"), ["rtp.port: 1024..65534 even, default 40000 - local RTP port (RTCP: the next one)", "ok"]);
  assert.deepEqual(await s.run("help answer"), [
    "answer.mode: auto|off, default auto - auto: answer allowed callers; off: reject all",
    "answer.allow: SIP URIs, numbers, *, max 256, default \"\" - callers answered and let open the door",
    "ok",
  ]);
  assert.deepEqual(await s.run("help sip.do"), ["sip.domain: host[:port], max 128, default \"\" - registrar; empty = no registration", "ok"]);
  assert.deepEqual(await s.run("help nothing"), ["error: no key starts with nothing"]);
  assert.deepEqual(await s.run("HELP sip.port"), ["sip.port: 1..65535, default 5060 - local SIP UDP port", "ok"]);
});

test("show: every key with its default; a prefix selects", async () => {
  const s = boot();
  assert.deepEqual(await s.run("show"), [...DEFAULTS, "ok"]);
  assert.deepEqual(await s.run("show door."), [...DEFAULTS.filter((l) => l.startsWith("door.")), "ok"]);
  assert.deepEqual(await s.run("show call"), ["call.ring_timeout = 30", "call.max_duration = 300", "call.codecs = pcmu,pcma", "ok"]);
  assert.deepEqual(await s.run("show x"), ["error: no key starts with x"]);
  assert.deepEqual(await s.run("show sip door"), ["error: usage: show [prefix]"]);
});

test("show marks pending values and quotes what set would read differently", async () => {
  const s = boot();
  assert.deepEqual(await s.run("set sip.display \" Front door \""), ["ok"]);
  assert.deepEqual(await s.run("set sip.user 2000"), ["ok"]);
  assert.deepEqual(await s.run("set sip.password abc"), ["ok"]);
  assert.deepEqual(await s.run("set sip.auth_user \"\"quoted\"\""), ["ok"]);
  assert.deepEqual(await s.run("show sip."), [
    "sip.user = 2000 (pending, saved: \"\")",
    "sip.password = ******** (pending, saved: \"\")",
    "sip.auth_user = \"\"quoted\"\" (pending, saved: \"\")",
    "sip.domain = \"\"",
    "sip.proxy = \"\"",
    "sip.port = 5060",
    "sip.expires = 600",
    "sip.display = \" Front door \" (pending, saved: Door)",
    "sip.keepalive = crlf",
    "sip.keepalive_s = 30",
    "ok",
  ]);
  // what show printed reads back with set: same value, no longer pending after save
  assert.deepEqual(await s.run("save"), ["saved generation 1, 4 changed", "ok"]);
  assert.deepEqual(await s.run("set sip.display \" Front door \""), ["ok"]);
  assert.deepEqual(await s.run("set sip.auth_user \"\"quoted\"\""), ["ok"]);
  assert.deepEqual(await s.run("get sip.display"), ["\" Front door \"", "ok"]);
  assert.deepEqual(await s.run("get sip.auth_user"), ["\"\"quoted\"\"", "ok"]);
  // values that would read as a final line are quoted
  assert.deepEqual(await s.run("set sip.display ok"), ["ok"]);
  assert.deepEqual(await s.run("get sip.display"), ["\"ok\" (pending, saved: \" Front door \")", "ok"]);
  assert.deepEqual(await s.run("set sip.display error: none"), ["ok"]);
  assert.deepEqual(await s.run("get sip.display"), ["\"error: none\" (pending, saved: \" Front door \")", "ok"]);
  assert.deepEqual(await s.run("revert"), ["reverted 1 changes", "ok"]);
  assert.deepEqual(await s.run("status"), ["network: down", "registration: unregistered (no account: set sip.user and sip.domain)", "call: idle",
    "door: closed, opened 0 times", "settings: generation 1", `uptime: ${Math.floor(s.clock.now() / 1000)} s`, "ok"]);
});

test("show fits when every value is at its longest, pending over saved", async () => {
  const s = boot();
  const fill = async (c: string) => {
    const host = [c.repeat(42), c.repeat(42), c.repeat(42)].join("."); // 128 bytes
    const list = (n: number) => Array.from({ length: 51 }, (_, i) => `${c}${String(i).padStart(3, "0")}`).join(",").slice(0, n);
    const lines = [
      `set sip.user ${c.repeat(64)}`, `set sip.password ${c.repeat(64)}`, `set sip.auth_user ${c.repeat(64)}`,
      `set sip.display ${"ü".repeat(32)}`, `set sip.domain ${host}`, `set sip.proxy sip:${host.slice(4)}`,
      `set button1.call ${list(256)}`, `set answer.allow ${list(256)}`, `set door.code ${"1".repeat(16)}`,
      `set call.max_duration 86400`, `set call.codecs pcma,pcmu`,
    ];
    for (const line of lines) assert.deepEqual(await s.run(line), ["ok"], line);
  };
  await fill("a");
  await s.run("save");
  await fill("b");
  const show = await s.run("show");
  assert.equal(show.length, DEFAULTS.length + 1);
  assert.equal(show.at(-1), "ok");
  const bytes = Buffer.byteLength(show.join("\r\n"));
  assert.ok(bytes > 2400, `${bytes} bytes`);
  assert.match(show[10]!, /^button1\.call = b000,b001,.* \(pending, saved: a000,a001,.*\)$/);
});

test("get, set, unset: answers and errors", async () => {
  const s = boot();
  assert.deepEqual(await s.run("get sip.port"), ["5060", "ok"]);
  assert.deepEqual(await s.run("get sip.nope"), ["error: unknown key sip.nope"]);
  assert.deepEqual(await s.run("get"), ["error: usage: get <key>"]);
  assert.deepEqual(await s.run("get sip.port sip.user"), ["error: usage: get <key>"]);
  assert.deepEqual(await s.run("set sip.port"), ["error: usage: set <key> <value>"]);
  assert.deepEqual(await s.run("set"), ["error: usage: set <key> <value>"]);
  assert.deepEqual(await s.run("set nope 1"), ["error: unknown key nope"]);
  assert.deepEqual(await s.run("set sip.expires 59"), ["error: sip.expires must be 60..86400"]);
  assert.deepEqual(await s.run("get sip.expires"), ["600", "ok"], "nothing changed on error");
  assert.deepEqual(await s.run("set sip.expires 0120"), ["ok"]);
  assert.deepEqual(await s.run("get sip.expires"), ["120 (pending, saved: 600)", "ok"], "normalised");
  assert.deepEqual(await s.run("set answer.mode OFF"), ["ok"]);
  assert.deepEqual(await s.run("get answer.mode"), ["off (pending, saved: auto)", "ok"]);
  assert.deepEqual(await s.run("set button1.call  1001 , sip:1002@pbx.example;transport=udp  "), ["ok"]);
  assert.deepEqual(await s.run("get button1.call"), ["1001,sip:1002@pbx.example;transport=udp (pending, saved: \"\")", "ok"]);
  assert.deepEqual(await s.run("unset sip.expires"), ["ok"]);
  assert.deepEqual(await s.run("get sip.expires"), ["600", "ok"]);
  assert.deepEqual(await s.run("unset"), ["error: usage: unset <key>"]);
  assert.deepEqual(await s.run("unset nope"), ["error: unknown key nope"]);
  assert.deepEqual(await s.run("revert"), ["reverted 2 changes", "ok"]);
  assert.deepEqual(await s.run("revert"), ["reverted 0 changes", "ok"]);
  assert.deepEqual(await s.run("revert now"), ["error: usage: revert"]);
});

test("validation errors over the console are exact and change nothing", async () => {
  const s = boot();
  const cases: [string, string][] = [
    ["set sip.port 65536", "error: sip.port must be 1..65535"],
    ["set sip.port -1", "error: sip.port must be 1..65535"],
    ["set sip.port 50x", "error: sip.port must be 1..65535"],
    ["set rtp.port 40001", "error: rtp.port must be even"],
    ["set call.codecs g729", "error: call.codecs must be one of pcmu,pcma|pcma,pcmu|pcmu|pcma"],
    ["set sip.user " + "u".repeat(65), "error: sip.user is longer than 64 bytes"],
    ["set sip.domain pbx..example", "error: sip.domain must be host[:port]"],
    ["set sip.domain 10.0.0.256", "error: sip.domain must be host[:port]"],
    ["set sip.domain pbx.example:0", "error: sip.domain must be host[:port]"],
    ["set sip.proxy 10.0.0.1", "error: sip.proxy must be a sip: or sips: URI"],
    ["set sip.proxy sip:a b@host", "error: sip.proxy must be a sip: or sips: URI"],
    ["set sip.proxy sip:host;", "error: sip.proxy must be a sip: or sips: URI"],
    ["set button1.call 1001,,1002", "error: button1.call: item 2 is not a number, user or SIP URI"],
    ["set button1.call *", "error: button1.call: item 1 is not a number, user or SIP URI"],
    ["set button1.call 1001,sip:x..example", "error: button1.call: item 2 is not a number, user or SIP URI"],
    ["set answer.allow 10 01", "error: answer.allow: item 1 is not a number, user or SIP URI"],
    ["set door.code 12E4", "error: door.code must be 1..16 of 0-9 * # A-D"],
    ["set door.code 12345678901234567", "error: door.code must be 1..16 of 0-9 * # A-D"],
  ];
  for (const [line, err] of cases) assert.deepEqual(await s.run(line), [err], line);
  assert.deepEqual(await s.run("show"), [...DEFAULTS, "ok"], "nothing changed");
});

test("status, version, log", async () => {
  const s = boot();
  s.clock.advance(5000);
  assert.deepEqual(await s.run("status"), [
    "network: down",
    "registration: unregistered (no account: set sip.user and sip.domain)",
    "call: idle",
    "door: closed, opened 0 times",
    "settings: defaults",
    "uptime: 5 s",
    "ok",
  ]);
  assert.deepEqual(await s.run("set sip.port 5070"), ["ok"]);
  assert.equal((await s.run("status"))[4], "settings: defaults, 1 unsaved changes");
  assert.deepEqual(await s.run("status all"), ["error: usage: status"]);
  assert.deepEqual(await s.run("version"), [`firmware ${VERSION}`, "board host", `host host-sim node ${process.version}`, "serial sim-000001", "ok"]);
  assert.deepEqual(await s.run("log"), ["info", "ok"]);
  assert.deepEqual(await s.run("log debug"), ["ok"]);
  assert.deepEqual(await s.run("log"), ["debug", "ok"]);
  assert.deepEqual(await s.run("log loud"), ["error: log level must be one of error|warn|info|debug|trace"]);
  assert.deepEqual(await s.run("log ERROR"), ["ok"]);
  assert.deepEqual(await s.run("log"), ["error", "ok"]);
});

test("call, hangup, open without an account or a call: clear errors; open pulses the relay", async () => {
  const s = boot();
  assert.deepEqual(await s.run("call 1001"), ["error: no valid target (set sip.domain to call numbers)"]);
  assert.deepEqual(await s.run("call"), ["error: usage: call <target>"]);
  assert.deepEqual(await s.run("hangup"), ["error: no call"]);
  assert.deepEqual((await s.run("status"))[2], "call: idle");
  assert.deepEqual(await s.run("open"), ["ok"]);
  assert.deepEqual((await s.run("status"))[3], "door: open, opened 1 times");
  assert.deepEqual(await s.run("open now"), ["error: usage: open"]);
  assert.deepEqual(await s.run("dial 1001"), ["error: unknown command (try help)"]);
  assert.deepEqual(await s.run("Version"), [`firmware ${VERSION}`, "board host", `host host-sim node ${process.version}`, "serial sim-000001", "ok"]);
});

test("reboot answers, then restarts; unsaved changes are gone", async () => {
  const s = boot();
  assert.deepEqual(await s.run("set sip.port 5070"), ["ok"]);
  assert.deepEqual(await s.run("reboot"), ["rebooting", "ok"]);
  s.clock.advance(500);
  assert.equal(s.dev.firmware.boots, 2);
  assert.ok(s.output.endsWith("ok\r\n> " + BANNER), "banner after the reboot");
  assert.deepEqual(await s.run("get sip.port"), ["5060", "ok"]);
  assert.deepEqual(s.dev.traps, []);
});

test("queued commands are answered in order", async () => {
  const s = boot();
  const p1 = s.dev.console.command("get sip.port");
  const p2 = s.dev.console.command("set sip.port 5080");
  const p3 = s.dev.console.command("get sip.port");
  assert.equal(s.dev.console.queued, 3);
  s.clock.runUntilTrue(() => !s.dev.console.busy, 1000);
  assert.deepEqual(await Promise.all([p1, p2, p3]), [["5060", "ok"], ["ok"], ["5080 (pending, saved: 5060)", "ok"]]);
  await assert.rejects(s.dev.console.command(""), /not a command line/);
  await assert.rejects(s.dev.console.command("get a\nget b"), /not a command line/);
});

test("output the host cannot take now (E_AGAIN) waits and goes out whole and in order", async () => {
  const s = boot();
  const port = s.dev.console;
  const write = port.write.bind(port);
  let calls = 0, refused = 0;
  // the host's queue takes one chunk every third call, refuses the others
  port.write = (data: Uint8Array) => (++calls % 3 === 0 ? write(data) : (refused++, HalError.E_AGAIN));
  const show = await s.run("show");
  assert.deepEqual(show, [...DEFAULTS, "ok"]);
  const help = await s.run("help");
  assert.equal(help.length, 16);
  assert.ok(refused >= 10, `back-pressure was exercised (${refused} of ${calls} writes refused)`);
  port.write = write;
  assert.ok(s.output.endsWith(DEFAULTS.join("\r\n") + "\r\nok\r\n> help\r\n" + help.join("\r\n") + "\r\n> "));
});

test("typed input waits while output is blocked, then every line is answered", () => {
  const s = boot();
  const port = s.dev.console;
  const write = port.write.bind(port);
  let open = false;
  port.write = (data: Uint8Array) => (open ? write(data) : HalError.E_AGAIN);
  const from = s.output.length;
  port.type("get sip.port\r\n".repeat(20));
  s.clock.advance(200);
  assert.equal(s.output.length, from, "nothing out while the host is full");
  open = true;
  s.clock.advance(200);
  assert.equal(s.output.slice(from), "get sip.port\r\n5060\r\nok\r\n> ".repeat(20));
});
