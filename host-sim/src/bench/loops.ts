// `npm run bench -- --loops`: the wasm opcodes one iteration of each loop in build/bench.wat
// executes (the straight-line path: every instruction inside the loop except block ends), named
// by the function or the inlined function it belongs to. Divide by a kernel's unroll factor for
// opcodes per item; on WAMR's interpreters one opcode costs ~11 x86 instructions.

/** nested: the loop contains loops, whose bodies are counted once. */
export interface LoopCount { func: string; label: string; opcodes: number; nested: boolean }

export function countLoops(wat: string): LoopCount[] {
  const lines = wat.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  const out: LoopCount[] = [];
  let func = "";
  const blocks: string[] = []; // labels of the open block/loop/if constructs
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith("(func ")) { func = l.split(/\s+/)[1]!.replace(/^\$/, ""); blocks.length = 0; continue; }
    if (/^(block|if)\b/.test(l)) { blocks.push(l.split(/\s+/)[1] ?? ""); continue; }
    if (l === "end") { blocks.pop(); continue; }
    if (!l.startsWith("loop")) continue;
    blocks.push(l);
    const inl = [...blocks].reverse().find((b) => b.includes("__inlined_func$"));
    const owner = inl ? inl.replace(/^\$__inlined_func\$/, "").replace(/\$\d+$/, "") : func;
    let depth = 0, n = 0, nested = false;
    for (let j = i + 1; j < lines.length; j++) {
      const m = lines[j]!;
      if (/^(block|loop|if)\b/.test(m)) { depth++; if (m.startsWith("loop")) nested = true; }
      if (m === "end") { if (depth === 0) break; depth--; continue; }
      if (m === "else") continue;
      n++;
    }
    out.push({ func: owner, label: l.split(/\s+/)[1] ?? "", opcodes: n, nested });
  }
  return out;
}
