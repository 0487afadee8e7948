// SIP parse rows: our bench_sip_parse (the firmware's SipMsg.parse in build/bench.wasm) beside the
// npm package `sip` (kirm/sip.js, the SIP stack Node servers use), parsing the same messages in
// the same run: every message of test/fixtures/sip (as real peers sent them) and the mix of all
// of them. Ours gets the datagram's bytes in linear memory, as the firmware does; the peer gets
// the same bytes as a Node Buffer, as its UDP transport does (`sip.parse(buffer)`).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sip from "sip";
import { measure } from "./measure.js";
import type { BenchContext, BenchModule, BenchResult, BenchRow } from "./types.js";

export const PEER = "sip 0.0.6";

export interface CorpusMessage {
  name: string;
  data: Buffer;
}

/** The corpus: every *.sip directly in test/fixtures/sip (not hostile/), in name order. */
export function sipCorpus(root: string): CorpusMessage[] {
  const dir = join(root, "test/fixtures/sip");
  return readdirSync(dir).filter((f) => f.endsWith(".sip")).sort()
    .map((f) => ({ name: f.replace(/\.sip$/, ""), data: readFileSync(join(dir, f)) }));
}

/** What the peer found in a message: start line and the headers every dialog needs. */
export function peerParses(m: sip.Message | undefined): boolean {
  if (!m || !(m.method || m.status)) return false;
  const h = m.headers;
  return Array.isArray(h.via) && h.via.length > 0 && !!h.via[0]!.host && !!h.from?.uri && !!h.to?.uri &&
    typeof h["call-id"] === "string" && h["call-id"] !== "" && typeof h.cseq?.seq === "number";
}

function run(ctx: BenchContext): BenchResult {
  const { wasm } = ctx;
  const ex = wasm.exports;
  const msgs = sipCorpus(ctx.root);
  const total = msgs.reduce((n, m) => n + m.data.length, 0);
  const base = ex.bench_buffer(total);
  const at: number[] = [];
  let off = 0;
  for (const m of msgs) {
    wasm.bytes(base + off, m.data.length).set(m.data);
    at.push(base + off);
    off += m.data.length;
  }
  const rows: BenchRow[] = [];
  const facts: string[] = [];
  let sink = 0;
  let oursOk = 0, peerOk = 0;
  const bad: string[] = [];

  msgs.forEach((m, i) => {
    const one = ex.bench_sip_parse(at[i]!, m.data.length, 1);
    if (one < 0) throw new Error(`bench_sip_parse: ${m.name} does not parse (error ${-one})`);
    oursOk++;
    if (peerParses(sip.parse(m.data))) peerOk++;
    else bad.push(m.name);
    const ours = measure((reps) => {
      const sum = ex.bench_sip_parse(at[i]!, m.data.length, reps);
      if (sum !== Number((BigInt(one) * BigInt(reps)) % 0x80000000n)) throw new Error(`bench_sip_parse: ${m.name}: checksum ${sum}`);
      sink ^= sum;
    }, 1, ctx.measure);
    const peer = measure((reps) => {
      for (let r = 0; r < reps; r++) sink ^= sip.parse(m.data)!.headers.cseq!.seq;
    }, 1, ctx.measure);
    rows.push({ kernel: `sip ${m.name}`, unit: "msg", bytes: m.data.length, ours, peer: { name: PEER, figure: peer } });
  });

  // The mix: every message once per repetition, one call each (so ours pays a JS -> wasm call
  // per message, as the simulator's receive path would).
  const ours = measure((reps) => {
    for (let r = 0; r < reps; r++) for (let i = 0; i < msgs.length; i++) sink ^= ex.bench_sip_parse(at[i]!, msgs[i]!.data.length, 1);
  }, msgs.length, ctx.measure);
  const peer = measure((reps) => {
    for (let r = 0; r < reps; r++) for (const m of msgs) sink ^= sip.parse(m.data)!.headers.cseq!.seq;
  }, msgs.length, ctx.measure);
  rows.push({ kernel: `sip mix (${msgs.length} messages)`, unit: "msg", bytes: total / msgs.length, ours, peer: { name: PEER, figure: peer } });

  facts.push(`SIP corpus: ${msgs.length} messages of test/fixtures/sip, ${total} bytes (${Math.min(...msgs.map((m) => m.data.length))}-` +
    `${Math.max(...msgs.map((m) => m.data.length))} each); ours parses ${oursOk} without error, ${PEER} finds start line, Via, From, To, ` +
    `Call-ID and CSeq in ${peerOk}${bad.length ? ` (not in ${bad.join(", ")})` : ""}`);
  return { rows, facts, sink };
}

export const sipParse: BenchModule = { name: "sip", run };
