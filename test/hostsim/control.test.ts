// The control API over real HTTP on loopback, against a device running the real firmware on a
// virtual clock driven by VirtualTimeDriver (time jumps ahead whenever Node is idle).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { ControlServer, Device, VirtualTimeDriver, deviceState } from "../../host-sim/src/index.js";

const dev = Device.virtual({ seed: 1, stopOnTrap: true });
const driver = new VirtualTimeDriver(dev.clock);
const server = new ControlServer(dev, { port: 0, consoleTimeoutMs: 3000 });
dev.start();
driver.start();
const port = await server.listen();
after(async () => { driver.stop(); dev.stop(); await server.close(); });

async function call(method: string, path: string, body?: string): Promise<{ status: number; json: any; type: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, body, headers: body === undefined ? {} : { "content-type": "application/json" } });
  return { status: res.status, json: await res.json(), type: res.headers.get("content-type") ?? "" };
}

test("the server listens on 127.0.0.1 only", () => {
  const addr = (server as unknown as { server: http.Server }).server.address();
  assert.equal(typeof addr === "object" && addr?.address, "127.0.0.1");
  assert.equal(server.port, port);
});

test("GET /api/state: board, boots, uptime, io, memory from the memory event, status fields", async () => {
  const r = await call("GET", "/api/state");
  assert.equal(r.status, 200);
  assert.equal(r.type, "application/json");
  const s = r.json;
  assert.equal(s.board, "host");
  assert.equal(s.running, true);
  assert.equal(s.boots, 1);
  assert.equal(s.traps, 0);
  assert.ok(s.uptime_ms >= 0 && s.uptime_ms <= s.clock_ms);
  assert.deepEqual(s.io, { inputs: { button1: 0, exit: 0, door: 0 }, outputs: { relay1: 0, led_status: 0, led_call: 0 } });
  const mem = dev.events.last("memory")!;
  assert.deepEqual(s.memory, { pages: dev.firmware.memory!.buffer.byteLength / 65536, heap: mem["heap"], data: mem["data"], top: mem["top"] });
  for (const k of ["registration", "call", "door", "net"]) assert.ok(k in s, k);
  assert.deepEqual(s.registration, dev.events.last("registration") ?? null);
  assert.ok(s.last_event >= 2);
});

test("GET /api/events?since=N returns events with seq > N", async () => {
  const all = await call("GET", "/api/events?since=0");
  assert.equal(all.status, 200);
  const types = all.json.events.map((e: { type: string }) => e.type);
  assert.ok(types.includes("boot"), types.join(","));
  assert.ok(all.json.events.every((e: { seq: number }, i: number) => e.seq === i + 1));
  const last = all.json.last;
  const none = await call("GET", `/api/events?since=${last}`);
  assert.deepEqual(none.json.events, []);
  const tail = await call("GET", `/api/events?since=${last - 1}`);
  assert.deepEqual(tail.json.events.map((e: { seq: number }) => e.seq), [last]);
  assert.equal((await call("GET", "/api/events")).json.events.length, all.json.events.length, "since defaults to 0");
  assert.equal((await call("GET", "/api/events?since=-1")).status, 400);
  assert.equal((await call("GET", "/api/events?since=abc")).status, 400);
});

test("POST /api/io/<name> injects inputs; 404 for unknown names and outputs; 400 for bad bodies", async () => {
  let r = await call("POST", "/api/io/button1", '{"pressed": true}');
  assert.deepEqual([r.status, r.json], [200, { name: "button1", value: 1 }]);
  assert.equal(dev.io.value("button1"), 1);
  r = await call("POST", "/api/io/button1", '{"pressed": false}');
  assert.equal(dev.io.value("button1"), 0);
  r = await call("POST", "/api/io/door", '{"value": 1}');
  assert.deepEqual(r.json, { name: "door", value: 1 });
  assert.equal(deviceState(dev)["io"] && (deviceState(dev)["io"] as any).inputs.door, 1);
  r = await call("POST", "/api/io/button9", '{"pressed": true}');
  assert.equal(r.status, 404);
  assert.match(r.json.error, /no io named button9/);
  r = await call("POST", "/api/io/relay1", '{"value": 1}');
  assert.equal(r.status, 404);
  assert.match(r.json.error, /output/);
  for (const bad of ['{"pressed": "yes"}', '{"value": 2}', '{"pressed": true, "value": 1}', "[]", "7", "{}"]) {
    r = await call("POST", "/api/io/exit", bad);
    assert.equal(r.status, 400, bad);
  }
  r = await call("POST", "/api/io/exit", "{not json");
  assert.equal(r.status, 400);
  assert.match(r.json.error, /bad JSON/);
  assert.equal(dev.io.value("exit"), 0);
});

test("POST /api/console sends one line and answers the firmware's lines up to ok / error", async () => {
  const r = await call("POST", "/api/console", '{"line": "help"}');
  assert.equal(r.status, 200);
  const out: string[] = r.json.output;
  assert.ok(Array.isArray(out) && out.length >= 1);
  assert.ok(out.every((l) => typeof l === "string"));
  assert.match(out[out.length - 1]!, /^(ok|error: .+)$/);
  assert.equal((await call("POST", "/api/console", '{"line": "a\\nb"}')).status, 400);
  assert.equal((await call("POST", "/api/console", '{"text": "help"}')).status, 400);
  assert.equal((await call("POST", "/api/console", "nope")).status, 400);
});

test("unknown routes are 404, wrong methods 405, all with JSON errors", async () => {
  let r = await call("GET", "/api/nothing");
  assert.equal(r.status, 404);
  assert.equal(typeof r.json.error, "string");
  r = await call("GET", "/");
  assert.equal(r.status, 404);
  r = await call("POST", "/api/state", "{}");
  assert.equal(r.status, 405);
  r = await call("GET", "/api/console");
  assert.equal(r.status, 405);
});

test("a stopped firmware makes /api/console answer 503", async () => {
  const other = Device.virtual({ seed: 2 });
  const s = new ControlServer(other, { port: 0 });
  const p = await s.listen();
  const res = await fetch(`http://127.0.0.1:${p}/api/console`, { method: "POST", body: '{"line":"help"}' });
  assert.equal(res.status, 503);
  assert.match((await res.json() as { error: string }).error, /not running/);
  await s.close();
});
