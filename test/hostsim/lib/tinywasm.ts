// A tiny wasm assembler for test firmware: a module that imports a few hal functions and exports
// init/tick/memory, with function bodies written as opcode byte lists. Lets the CLI and Device
// tests run a firmware that exercises audio and kv today, independent of the real firmware's
// progress. Reference: WebAssembly Core Specification 1.0, binary format (section 5).

export const I32 = 0x7f, I64 = 0x7e;
export const op = {
  call: 0x10, drop: 0x1a, end: 0x0b, i32const: 0x41, i32load8u: 0x2d, i32store8: 0x3a, i32add: 0x6a,
};

export interface TinyImport { name: string; params: number[]; results: number[] }
export interface TinyModule {
  imports: TinyImport[];
  /** Body of init() (no locals). */
  init: number[];
  /** Body of tick(i64) -> i32 (no locals). */
  tick: number[];
  /** Data placed at address 0. */
  data?: Uint8Array;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}

/** Signed LEB128 for i32.const. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

/** i32.const n */
export const c = (n: number): number[] => [op.i32const, ...sleb(n)];
/** call the import by name */
export function callOf(m: TinyModule, name: string): number[] {
  const i = m.imports.findIndex((x) => x.name === name);
  if (i < 0) throw new Error(`no import ${name}`);
  return [op.call, ...uleb(i)];
}

export function assemble(m: TinyModule): Uint8Array {
  const types: number[][] = m.imports.map((i) => [0x60, ...vec(i.params.map((p) => [p])), ...vec(i.results.map((r) => [r]))]);
  const initType = types.length, tickType = types.length + 1;
  types.push([0x60, 0, 0], [0x60, 1, I64, 1, I32]);
  const nImp = m.imports.length;
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(m.imports.map((imp, i) => [...str("hal"), ...str(imp.name), 0x00, ...uleb(i)]))),
    ...section(3, vec([uleb(initType), uleb(tickType)])),
    ...section(5, vec([[0x01, 1, 1]])),                      // memory: min 1, max 1 page
    ...section(7, vec([[...str("init"), 0, ...uleb(nImp)], [...str("tick"), 0, ...uleb(nImp + 1)], [...str("memory"), 2, 0]])),
    ...section(10, vec([[0, ...m.init, op.end], [0, ...m.tick, op.end]].map((b) => [...uleb(b.length), ...b]))),
    ...(m.data ? section(11, vec([[0, op.i32const, 0, op.end, ...uleb(m.data.length), ...m.data]])) : []),
  ];
  return new Uint8Array(bytes);
}

/** Speaker frame the audio test firmware plays: sample i = (i * 97) % 2000 - 1000. */
export function testFrame(): Int16Array {
  const f = new Int16Array(160);
  for (let i = 0; i < 160; i++) f[i] = ((i * 97) % 2000) - 1000;
  return f;
}

/** A firmware that powers audio at init and writes testFrame() to the speaker every tick (20 ms),
 *  and counts its boots in kv key "n" (one byte). */
export function audioKvFirmware(): Uint8Array {
  const data = new Uint8Array(400);
  const f = testFrame();
  for (let i = 0; i < 160; i++) { data[2 * i] = f[i]! & 255; data[2 * i + 1] = (f[i]! >> 8) & 255; }
  data[384] = "n".charCodeAt(0);
  const m: TinyModule = {
    imports: [
      { name: "audio_start", params: [], results: [I32] },
      { name: "audio_write", params: [I32, I32], results: [I32] },
      { name: "kv_read", params: [I32, I32, I32, I32], results: [I32] },
      { name: "kv_write", params: [I32, I32, I32, I32], results: [I32] },
    ],
    init: [], tick: [], data,
  };
  m.init = [
    ...c(384), ...c(1), ...c(392), ...c(1), ...callOf(m, "kv_read"), op.drop,
    ...c(392), ...c(392), op.i32load8u, 0, 0, ...c(1), op.i32add, op.i32store8, 0, 0,
    ...c(384), ...c(1), ...c(392), ...c(1), ...callOf(m, "kv_write"), op.drop,
    ...callOf(m, "audio_start"), op.drop,
  ];
  m.tick = [...c(0), ...c(320), ...callOf(m, "audio_write"), op.drop, ...c(20)];
  return assemble(m);
}
