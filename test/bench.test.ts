// build/bench.wasm: the kernel contract of ARCHITECTURE.md "Benchmarks" with exact wasm types, and
// the kernels, loaded by the same code as `npm run bench`, produce bit-exact output, so the bench
// measures correct code. Also the runner's G.711 facts and its opcode counter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readWasm } from "./lib/wasm.js";
import { loadBench, fnv1a } from "../host-sim/src/bench/wasm.js";
import { g711, allSamples } from "../host-sim/src/bench/g711.js";
import { countLoops } from "../host-sim/src/bench/loops.js";
import { speechSamples } from "../host-sim/src/bench/signal.js";
import { sipParse, sipCorpus, PEER } from "../host-sim/src/bench/sip.js";
import { media, mediaHeapGrowth } from "../host-sim/src/bench/media.js";

const i32 = "i32";
/** Every kernel of the contract; those present must have exactly these types. */
const CONTRACT: Record<string, { params: string[]; results: string[] }> = {
  bench_buffer: { params: [i32], results: [i32] },
  bench_g711: { params: [i32, i32, i32, i32, i32, i32], results: [i32] },
  bench_sip_parse: { params: [i32, i32, i32], results: [i32] },
  bench_media: { params: [i32], results: [i32] },
};
const VEC = "../shared/vectors/g711/";

test("bench.wasm exports the kernel contract with exact wasm types", () => {
  const info = readWasm(readFileSync("build/bench.wasm"));
  const fns = info.exports.filter((e) => e.kind === "function");
  for (const name of Object.keys(CONTRACT)) assert.ok(fns.some((e) => e.name === name), `${name} exported`);
  for (const e of fns) {
    const want = CONTRACT[e.name];
    assert.ok(want, `${e.name} is not a kernel of the contract`);
    assert.deepEqual({ params: e.params, results: e.results }, want, `${e.name} type`);
  }
  assert.ok(info.exports.some((e) => e.name === "memory" && e.kind === "memory"));
});

for (const [law, file] of [[0, "ulaw"], [1, "alaw"]] as const) {
  test(`bench_g711 ${file}: encodes all 65536 samples and decodes all 256 codes like the reference`, () => {
    const w = loadBench();
    const ex = w.exports;
    const buf = ex.bench_buffer(65536 * 3);
    const inPtr = buf, outPtr = buf + 65536 * 2;
    w.i16(inPtr, 65536).set(allSamples());
    const sum = ex.bench_g711(law, 0, inPtr, outPtr, 65536, 3);
    const enc = w.bytes(outPtr, 65536);
    const ref = new Uint8Array(readFileSync(VEC + `${file}_enc.bin`));
    assert.equal(Buffer.compare(enc, ref), 0, "encoded bytes equal the vectors");
    assert.equal(sum, fnv1a(ref), "checksum is FNV-1a of the output");

    const codes = w.bytes(inPtr, 256);
    for (let c = 0; c < 256; c++) codes[c] = c;
    w.bytes(outPtr, 600).fill(0xee);
    const dsum = ex.bench_g711(law, 1, inPtr, outPtr, 253, 2); // 31 x 8 + a tail of 5
    const refDec = new Uint8Array(readFileSync(VEC + `${file}_dec.bin`));
    assert.equal(Buffer.compare(w.bytes(outPtr, 506), refDec.subarray(0, 506)), 0, "decoded samples equal the vectors");
    assert.equal(w.bytes(outPtr + 506, 1)[0], 0xee, "nothing written past n samples");
    assert.equal(dsum, fnv1a(refDec.subarray(0, 506)));
  });
}

test("bench_g711 rejects an unknown law or op and runs nothing for n <= 0", () => {
  const w = loadBench();
  const ex = w.exports;
  const buf = ex.bench_buffer(1024);
  w.bytes(buf + 512, 16).fill(0x5a);
  assert.equal(ex.bench_g711(2, 0, buf, buf + 512, 16, 1), -1);
  assert.equal(ex.bench_g711(0, 2, buf, buf + 512, 16, 1), -1);
  assert.equal(ex.bench_g711(-1, 0, buf, buf + 512, 16, 1), -1);
  assert.equal(ex.bench_g711(0, 0, buf, buf + 512, 0, 5), fnv1a(new Uint8Array(0)));
  assert.equal(ex.bench_g711(1, 1, buf, buf + 512, -3, 5), fnv1a(new Uint8Array(0)));
  assert.deepEqual([...w.bytes(buf + 512, 16)], new Array(16).fill(0x5a));
});

test("the G.711 bench module reports exactness facts and a row per law and direction", () => {
  const w = loadBench();
  const r = g711.run({ wasm: w, measure: { minMs: 1, runs: 1, warmup: 0 }, root: process.cwd() });
  assert.deepEqual(r.rows.map((x) => x.kernel), ["g711 μ-law encode", "g711 μ-law decode", "g711 A-law encode", "g711 A-law decode"]);
  for (const row of r.rows) {
    assert.equal(row.peer?.name, "alawmulaw");
    assert.ok(row.ours.perSec > 0 && row.peer!.figure.perSec > 0);
  }
  // Facts the README of the vectors states: alawmulaw differs on 127 inputs per law, decoders agree.
  assert.ok(r.facts.includes("G.711 μ-law vs the G.191 reference: ours differs on 0 of 65536 inputs and 0 of 256 codes; alawmulaw on 127 of 65536 and 0 of 256"), r.facts.join("\n"));
  assert.ok(r.facts.includes("G.711 A-law vs the G.191 reference: ours differs on 0 of 65536 inputs and 0 of 256 codes; alawmulaw on 127 of 65536 and 0 of 256"), r.facts.join("\n"));
});

// ---- bench_sip_parse: per parse, hdrCount + viaCount + cseq + the lengths of the top Via's
// branch, the From tag, the To URI, the Call-ID, the Contact URI and the body, kept to 31 bits.

/** An OPTIONS with 9 headers, Via branch "z9hG4bK-1" (9), From tag "1" (1), To URI (21), Call-ID
 *  (16), Contact URI (26) and a 5-byte body: 9+1+9+1+21+16+26+5 = 88 plus the CSeq number. */
function options(cseq: string, callId = "Call-ID: abc@192.168.1.10\r\n"): Uint8Array {
  return new TextEncoder().encode("OPTIONS sip:door@192.168.1.50 SIP/2.0\r\n" +
    "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\n" +
    "To: <sip:door@192.168.1.50>\r\nFrom: <sip:1002@pbx.example.com>;tag=1\r\n" + callId +
    `CSeq: ${cseq} OPTIONS\r\nContact: <sip:1002@192.168.1.10:5060>\r\n` +
    "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n");
}

test("bench_sip_parse returns the checksum of the fields it found, reps times, in 31 bits", () => {
  const w = loadBench();
  const ex = w.exports;
  const buf = ex.bench_buffer(4096);
  const put = (b: Uint8Array): number => { w.bytes(buf, b.length).set(b); return b.length; };
  let n = put(options("102"));
  assert.equal(ex.bench_sip_parse(buf, n, 1), 190);
  assert.equal(ex.bench_sip_parse(buf, n, 3), 570);
  assert.equal(ex.bench_sip_parse(buf, n, 0), 0);
  n = put(options("2147483647")); // 88 + 2^31 - 1 = 87 mod 2^31; twice: 174
  assert.equal(ex.bench_sip_parse(buf, n, 1), 87);
  assert.equal(ex.bench_sip_parse(buf, n, 2), 174);
  n = put(options("2147483648"));
  assert.equal(ex.bench_sip_parse(buf, n, 5), -16, "CSeq >= 2^31: minus E_CSEQ");
  n = put(options("7", ""));
  // a missing Call-ID is the UAS checks' business (sip/validate.ts), not the parser's: 8 headers,
  // no Call-ID length, CSeq 7: 88 - 1 - 16 + 7 = 78 per parse
  assert.equal(ex.bench_sip_parse(buf, n, 5), 390, "no Call-ID still parses");
  n = put(options("7").subarray(0, 200));
  assert.equal(ex.bench_sip_parse(buf, n, 1), -11, "headers not closed: minus E_TRUNCATED");
});

test("the SIP bench module has a row per corpus message and the mix, beside the sip package", () => {
  const corpus = sipCorpus(process.cwd());
  assert.ok(corpus.length >= 10, `${corpus.length} messages`);
  const r = sipParse.run({ wasm: loadBench(), measure: { minMs: 1, runs: 1, warmup: 0 }, root: process.cwd() });
  assert.deepEqual(r.rows.map((x) => x.kernel), [...corpus.map((m) => `sip ${m.name}`), `sip mix (${corpus.length} messages)`]);
  for (const row of r.rows) {
    assert.equal(row.peer?.name, PEER);
    assert.ok(row.unit === "msg" && row.bytes! > 0 && row.ours.perSec > 0 && row.peer!.figure.perSec > 0);
  }
  assert.ok(r.facts[0]!.includes(`ours parses ${corpus.length} without error, ${PEER} finds start line, Via, From, To, Call-ID and CSeq in ${corpus.length}`), r.facts[0]);
});

// ---- bench_media: each call restarts the stream, so bench_media(f + 1) - bench_media(f) is the
// sample the path played at index f of frame f.

test("bench_media plays 4 frames of pre-roll silence, then decoded μ-law audio, and allocates nothing", () => {
  const ex = loadBench().exports;
  const codes = new Set<number>();
  const dec = readFileSync(VEC + "ulaw_dec.bin");
  for (let c = 0; c < 256; c++) codes.add(dec.readInt16LE(2 * c));
  assert.equal(ex.bench_media(0), 0);
  const played: number[] = [];
  for (let f = 0; f < 60; f++) played.push(ex.bench_media(f + 1) - ex.bench_media(f));
  assert.deepEqual(played.slice(0, 4), [0, 0, 0, 0], "pre-roll");
  for (const [f, x] of played.entries()) {
    if (f < 4) continue;
    assert.ok(codes.has(x) && Math.abs(x) > 6000, `frame ${f}: ${x} is a μ-law value of the ±8000 square wave`);
  }
  assert.equal(ex.bench_media(50), loadBench().exports.bench_media(50), "deterministic across instances");
  assert.equal(mediaHeapGrowth("build/bench.wasm", 2000), 0, "heap growth over 2000 frames");
});

test("the media bench module reports one row without a peer and its per-call facts", () => {
  const r = media.run({ wasm: loadBench(), measure: { minMs: 1, runs: 1, warmup: 0 }, root: process.cwd() });
  assert.equal(r.rows.length, 1);
  const row = r.rows[0]!;
  assert.equal(row.unit, "frame");
  assert.equal(row.peer, undefined);
  assert.equal(row.extra!["heapGrowthBytes"], 0);
  assert.ok(Math.abs(row.extra!["usPerCallSecond"]! - row.ours.nsPer * 50 / 1000) < 1e-9);
  assert.match(r.facts[0]!, /^media path: [\d.]+ µs of CPU per second of call \(50 frames\), [\d.]+ % of one core per call; firmware heap growth over 2000 frames: 0 bytes/);
});

test("speech-like input is deterministic, full-scale and mostly quiet", () => {
  const a = speechSamples(8000, 1), b = speechSamples(8000, 1);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, speechSamples(8000, 2));
  const peak = a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  assert.ok(peak > 20000 && peak <= 23170, `peak ${peak}`);
  const quiet = a.filter((x) => Math.abs(x) < 2048).length;
  assert.ok(quiet > 4000, `${quiet} of 8000 samples below -24 dBFS`);
});

test("the loop counter counts opcodes per iteration and names inlined functions", () => {
  const wat = [
    "(func $f (param $0 i32)",
    " loop $a",
    "  local.get $0",
    "  i32.const 1",
    "  i32.sub",
    "  local.tee $0",
    "  br_if $a",
    " end",
    " block $__inlined_func$mod/g$3",
    "  loop $b",
    "   local.get $0",
    "   if",
    "    nop",
    "   else",
    "    nop",
    "   end",
    "   loop $c",
    "    br $c",
    "   end",
    "  end",
    " end",
    ")",
  ].join("\n");
  assert.deepEqual(countLoops(wat), [
    { func: "f", label: "$a", opcodes: 5, nested: false },
    { func: "mod/g", label: "$b", opcodes: 6, nested: true },
    { func: "mod/g", label: "$c", opcodes: 1, nested: false },
  ]);
});
