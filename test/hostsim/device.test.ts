// Device wiring: the virtual and real constructors, the firmware booting on a board, a reboot
// resetting peripherals as a reset board would (sockets closed, audio off, outputs at power-on),
// and the clock's stepping and VirtualTimeDriver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Device, HalError, RealClock, UdpNet, VirtualClock, VirtualNetwork, VirtualTimeDriver } from "../../host-sim/src/index.js";
import { openPty } from "../../host-sim/src/cli/pty.js";
import { spawnSync } from "node:child_process";
import { audioKvFirmware } from "./lib/tinywasm.js";

const enc = new TextEncoder();

test("Device.virtual boots the firmware on the host board, attached to a virtual network", () => {
  const dev = Device.virtual({ ip: "10.1.1.5", seed: 4, stopOnTrap: true }).start();
  dev.clock.advance(50);
  assert.equal(dev.firmware.boots, 1);
  assert.ok(dev.events.last("boot"));
  assert.equal(dev.net.address, "10.1.1.5");
  assert.equal(dev.boardId, "host");
  assert.equal(dev.io.lines.length, 6);
  assert.equal(dev.traps.length, 0);
  dev.stop();
});

test("a reboot closes the firmware's sockets, stops audio and resets outputs", () => {
  const net = new VirtualNetwork(new VirtualClock());
  const dev = Device.virtual({ network: net, stopOnTrap: true }).start();
  dev.clock.advance(10);
  const h = dev.halHost;
  const s = h.net_udp_open(5999); // (the firmware itself holds 5060)
  assert.ok(s >= 0);
  assert.equal(h.audio_start(), HalError.OK);
  h.io_write(h.io_find(enc.encode("relay1")), 1);
  assert.equal(dev.io.value("relay1"), 1);
  h.sys_reboot();
  dev.clock.advance(2000);
  assert.equal(dev.firmware.boots, 2);
  assert.equal(h.net_udp_local_port(s), HalError.E_BADF);
  assert.ok(h.net_udp_open(5999) >= 0, "the port is free for the new instance");
  assert.equal(dev.audio.running, false);
  assert.equal(dev.io.value("relay1"), 0);
  assert.ok(dev.bootAt >= 100, "boot time recorded");
  dev.stop();
});

test("a firmware that plays audio: frames reach the speaker record on the virtual clock", () => {
  const dev = Device.virtual({ wasm: audioKvFirmware(), stopOnTrap: true }).start();
  dev.clock.advance(1000);
  assert.equal(dev.audio.running, true);
  assert.equal(dev.audio.played.length, 50);
  assert.ok(dev.audio.played.filter((f) => f[1] === -903).length >= 48, "test frames played");  // (1*97)%2000-1000
  assert.deepEqual([...dev.kv.read("n")!], [1]);
  dev.stop();
});

test("Device.real uses UDP sockets, kv files in the state dir and the real clock", () => {
  const dir = mkdtempSync(join(tmpdir(), "dev-"));
  const dev = Device.real({ wasm: audioKvFirmware(), stateDir: dir, bind: "127.0.0.1" });
  assert.ok(dev.net instanceof UdpNet);
  assert.ok(dev.clock instanceof RealClock);
  assert.equal(dev.net.localIp(0x08080808), 0x7f000001, "bound to loopback");
  const s = dev.halHost.net_udp_open(0);
  assert.ok(dev.net.udpLocalPort(s) > 0);
  dev.halHost.kv_write(enc.encode("k"), enc.encode("v"));
  const again = Device.real({ wasm: audioKvFirmware(), stateDir: dir, bind: "127.0.0.1" });
  assert.deepEqual([...again.kv.read("k")!], [118]);
  dev.stop();
  again.stop();
});

test("VirtualClock.step jumps to the next due event; the driver runs time while Node is idle", async () => {
  const c = new VirtualClock();
  const seen: number[] = [];
  c.at(30, () => seen.push(c.now()));
  const e = c.at(10, () => seen.push(-1));
  e.cancel();
  assert.equal(c.nextAt(), 30);
  assert.equal(c.step(), true);
  assert.deepEqual(seen, [30]);
  assert.equal(c.step(), false);
  const d = new VirtualTimeDriver(c, 5);
  let n = 0;
  const every = (): void => { n++; if (n < 100) c.after(1000, every); };
  c.after(1000, every);
  d.start();
  await new Promise((r) => setTimeout(r, 200));
  d.stop();
  assert.equal(n, 100);
  assert.equal(c.now(), 30 + 100 * 1000);
});

for (const via of ["socat", "python3"] as const) {
  const ok = spawnSync(via, via === "socat" ? ["-V"] : ["-c", "import pty"], { stdio: "ignore" }).status === 0;
  test(`openPty via ${via} relays bytes both ways`, { skip: ok ? false : `${via} is not installed` }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pty-"));
    const p = await openPty(join(dir, "tty"), via);
    assert.equal(p.via, via);
    let fromPty = "";
    p.input.on("data", (d: Buffer) => { fromPty += d.toString(); });
    const fd = openSync(p.path, "r+");
    const rs = new ReadStream(fd);
    let toPty = "";
    rs.on("data", (d: Buffer) => { toPty += d.toString(); });
    writeSync(fd, "typed\n");
    p.output.write("shown\r\n");
    const end = Date.now() + 3000;
    while ((!fromPty.includes("typed") || !toPty.includes("shown")) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    rs.destroy();
    try { closeSync(fd); } catch { /* closed */ }
    p.close();
    assert.match(fromPty, /typed/);
    assert.match(toPty, /shown/);
  });
}
