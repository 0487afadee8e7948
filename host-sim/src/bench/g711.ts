// G.711 rows: our bench_g711 (build/bench.wasm) beside the npm package alawmulaw, encoding and
// decoding the same second of speech-like audio (8000 samples; decode input is that audio's
// codes). Facts: how many of the 65536 inputs and 256 codes each side gets wrong against the
// ITU-T G.191 reference vectors (../shared/vectors/g711 from the repository root).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import alawmulaw from "alawmulaw";
import { measure } from "./measure.js";
import { speechSamples } from "./signal.js";
import { fnv1a } from "./wasm.js";
import type { BenchContext, BenchModule, BenchResult, BenchRow } from "./types.js";

const N = 8000;
const LAWS = [
  { law: 0, name: "μ-law", file: "ulaw", peer: alawmulaw.mulaw },
  { law: 1, name: "A-law", file: "alaw", peer: alawmulaw.alaw },
] as const;

/** Where the reference vectors are, or null. */
export function vectorsDir(root: string): string | null {
  const d = join(root, "../shared/vectors/g711");
  return existsSync(join(d, "ulaw_enc.bin")) ? d : null;
}

/** All 65536 16-bit samples in vector order: x = i - 32768. */
export function allSamples(): Int16Array {
  const s = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) s[i] = i - 32768;
  return s;
}

function countDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

function run(ctx: BenchContext): BenchResult {
  const { wasm } = ctx;
  const ex = wasm.exports;
  const buf = ex.bench_buffer(65536 * 3);
  const inPtr = buf, outPtr = buf + 65536 * 2;
  const speech = speechSamples(N, 1);
  const rows: BenchRow[] = [];
  const facts: string[] = [];
  let sink = 0;

  // Our kernel on all inputs: encode 65536 samples, decode 256 codes.
  const ours = (law: number): { enc: Uint8Array; dec: Int16Array } => {
    wasm.i16(inPtr, 65536).set(allSamples());
    const c1 = ex.bench_g711(law, 0, inPtr, outPtr, 65536, 1);
    const enc = wasm.bytes(outPtr, 65536).slice();
    if (c1 !== fnv1a(enc)) throw new Error("bench_g711 encode checksum does not match its output");
    const codes = wasm.bytes(inPtr, 256);
    for (let c = 0; c < 256; c++) codes[c] = c;
    const c2 = ex.bench_g711(law, 1, inPtr, outPtr, 256, 1);
    const dec = wasm.i16(outPtr, 256).slice();
    if (c2 !== fnv1a(wasm.bytes(outPtr, 512))) throw new Error("bench_g711 decode checksum does not match its output");
    return { enc, dec };
  };

  const vdir = vectorsDir(ctx.root);
  for (const L of LAWS) {
    const o = ours(L.law);
    const peerEnc = L.peer.encode(allSamples());
    const codes = new Uint8Array(256).map((_, c) => c);
    const peerDec = L.peer.decode(codes);
    if (vdir) {
      const refEnc = new Uint8Array(readFileSync(join(vdir, `${L.file}_enc.bin`)));
      const rd = readFileSync(join(vdir, `${L.file}_dec.bin`));
      const refDec = new Int16Array(256);
      for (let c = 0; c < 256; c++) refDec[c] = rd.readInt16LE(2 * c);
      facts.push(`G.711 ${L.name} vs the G.191 reference: ours differs on ${countDiff(o.enc, refEnc)} of 65536 inputs ` +
        `and ${countDiff(o.dec, refDec)} of 256 codes; alawmulaw on ${countDiff(peerEnc, refEnc)} of 65536 and ${countDiff(peerDec, refDec)} of 256`);
    } else {
      facts.push(`G.711 ${L.name}: reference vectors not found (../shared/vectors/g711); alawmulaw differs from ours ` +
        `(bit-exact by test) on ${countDiff(peerEnc, o.enc)} of 65536 inputs and ${countDiff(peerDec, o.dec)} of 256 codes`);
    }

    // Encode: the same speech, whole second per call.
    wasm.i16(inPtr, N).set(speech);
    const encFig = measure((reps) => { sink ^= ex.bench_g711(L.law, 0, inPtr, outPtr, N, reps); }, N, ctx.measure);
    const speechCodes = wasm.bytes(outPtr, N).slice();
    const peerEncFig = measure((reps) => { for (let r = 0; r < reps; r++) sink ^= L.peer.encode(speech)[r % N]!; }, N, ctx.measure);
    rows.push({ kernel: `g711 ${L.name} encode`, unit: "sample", ours: encFig, peer: { name: "alawmulaw", figure: peerEncFig } });
    const d = countDiff(L.peer.encode(speech), speechCodes);
    if (d) facts.push(`G.711 ${L.name}: on the bench's speech input alawmulaw encodes ${d} of ${N} samples differently`);

    // Decode: that speech's codes.
    wasm.bytes(inPtr, N).set(speechCodes);
    const decFig = measure((reps) => { sink ^= ex.bench_g711(L.law, 1, inPtr, outPtr, N, reps); }, N, ctx.measure);
    const peerDecFig = measure((reps) => { for (let r = 0; r < reps; r++) sink ^= L.peer.decode(speechCodes)[r % N]!; }, N, ctx.measure);
    rows.push({ kernel: `g711 ${L.name} decode`, unit: "sample", ours: decFig, peer: { name: "alawmulaw", figure: peerDecFig } });
  }
  return { rows, facts, sink };
}

export const g711: BenchModule = { name: "g711", run };
