// Reads a wasm binary's import and export sections with their function types (Node 20 has no
// type reflection), so tests can hold build/firmware.wasm to the HAL contract exactly.
const VALTYPE: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };

export interface WasmImport { module: string; name: string; kind: string; params?: string[]; results?: string[] }
export interface WasmExport { name: string; kind: string; params?: string[]; results?: string[] }
export interface WasmInfo { imports: WasmImport[]; exports: WasmExport[]; memory?: { min: number; max?: number } }

export function readWasm(bin: Uint8Array): WasmInfo {
  let p = 8;
  const u32 = (): number => { let r = 0, s = 0, b: number; do { b = bin[p++]!; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = (): string => { const n = u32(); const s = new TextDecoder().decode(bin.subarray(p, p + n)); p += n; return s; };
  const limits = (): { min: number; max?: number } => { const f = bin[p++]!; const min = u32(); return f & 1 ? { min, max: u32() } : { min }; };
  const types: { params: string[]; results: string[] }[] = [];
  const funcTypes: number[] = [];
  const info: WasmInfo = { imports: [], exports: [] };
  if (bin[0] !== 0 || bin[1] !== 0x61 || bin[2] !== 0x73 || bin[3] !== 0x6d) throw new Error("not a wasm binary");
  while (p < bin.length) {
    const id = bin[p++]!;
    const size = u32();
    const end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (bin[p++] !== 0x60) throw new Error("unexpected type form");
        const params = Array.from({ length: u32() }, () => VALTYPE[bin[p++]!] ?? "?");
        const results = Array.from({ length: u32() }, () => VALTYPE[bin[p++]!] ?? "?");
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const module = name(), field = name(), kind = bin[p++]!;
        if (kind === 0) { const t = types[u32()]!; funcTypes.push(-1); info.imports.push({ module, name: field, kind: "function", ...t }); }
        else if (kind === 1) { p++; limits(); info.imports.push({ module, name: field, kind: "table" }); }
        else if (kind === 2) { limits(); info.imports.push({ module, name: field, kind: "memory" }); }
        else { p += 2; info.imports.push({ module, name: field, kind: "global" }); }
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 5) {
      if (u32() > 0) info.memory = limits();
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const field = name(), kind = bin[p++]!, index = u32();
        if (kind === 0) {
          const t = types[funcTypes[index]!];
          info.exports.push({ name: field, kind: "function", ...(t ?? {}) });
        } else info.exports.push({ name: field, kind: ["function", "table", "memory", "global"][kind] ?? "?" });
      }
    }
    p = end;
  }
  return info;
}
