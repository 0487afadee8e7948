// AssemblyScript transform: every text the firmware writes lives UTF-8 in one blob.
//
// AssemblyScript stores a string literal as a UTF-16 object with a 20-byte header, and binaryen
// splits the data section at every header's zeros: ASCII text costs about 2.5 times its length.
// The firmware's budget (64 KB for the whole product) cannot afford that, so firmware code writes
// texts as T("literal") (like AVR's PSTR): this transform replaces each such call by a Text handle,
// (offset << 12) | length, into TEXTS (firmware/sys/text.ts), whose bytes it fills with the UTF-8
// of every text, each stored once (a text found inside a longer one, or overlapping the end of
// another, shares its bytes). It also refuses, at build time, any other string literal in
// firmware/ (decorator arguments and firmware/sys/rt.ts, the runtime hooks, excepted), so the
// rule cannot be broken by accident. Specs (test/) may use T() too; their other literals are free.
import { Transform } from "assemblyscript/dist/transform.js";
import { Node, NodeKind, LiteralKind } from "assemblyscript";

const FIRMWARE = /^firmware\//;
const EXEMPT = /^firmware\/sys\/rt\.ts$/;
const BLOB_FILE = /^firmware\/sys\/text\.ts$/;
const MAX_LEN = 0xfff;

function isNode(v) { return v !== null && typeof v === "object" && typeof v.kind === "number" && v.range !== undefined; }

function where(node) {
  const r = node.range;
  const src = r.source;
  const before = src.text.slice(0, r.start);
  return `${src.normalizedPath}:${before.split("\n").length}`;
}

export default class TextTransform extends Transform {
  afterParse(parser) {
    const sources = parser.program ? parser.program.sources : parser.sources;
    // Every T() literal becomes an integer literal whose value is set once the blob is laid out
    // (layout(), after the walk).
    let blobDecl = null;
    const uses = []; // [literal node, text]
    const order = new Map(); // text -> first-use index

    const handle = (text, node) => {
      const lit = Node.createIntegerLiteralExpression(i64_new(0, 0), node.range);
      if (text.length === 0) return lit; // the empty text is handle 0
      if (Buffer.byteLength(text, "utf8") > MAX_LEN) throw new Error(`${where(node)}: T() text longer than ${MAX_LEN} bytes`);
      if (!order.has(text)) order.set(text, order.size);
      uses.push([lit, text]);
      return lit;
    };

    // The blob is a short common superstring of the texts: a text inside a longer one is not
    // stored again (" s" in "registration interval, s"), and the rest are chained greedily by
    // their overlaps (the end of one text that starts another is stored once). Deterministic:
    // ties go by length, then by first use.
    const layout = () => {
      // Byte strings (latin1: one char per UTF-8 byte), so that overlaps are byte-exact.
      const all = [...order.keys()].map((t) => Buffer.from(t, "utf8").toString("latin1"))
        .sort((a, b) => b.length - a.length || 0);
      const kept = [];
      for (const b of all) if (!kept.some((k) => k.includes(b))) kept.push(b);
      const n = kept.length;
      const overlap = (a, b) => {
        const c = b.charCodeAt(0);
        for (let k = Math.min(a.length, b.length) - 1; k > 0; k--) {
          if (a.charCodeAt(a.length - k) === c && a.endsWith(b.substring(0, k))) return k;
        }
        return 0;
      };
      const pairs = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const k = overlap(kept[i], kept[j]);
        if (k > 0) pairs.push([k, i, j]);
      }
      pairs.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
      const next = new Array(n).fill(-1), prev = new Array(n).fill(-1), over = new Array(n).fill(0);
      const head = Array.from({ length: n }, (_, i) => i); // chain head of each chain tail
      const tailOf = Array.from({ length: n }, (_, i) => i); // chain tail of each chain head
      for (const [k, i, j] of pairs) {
        // i must end a chain, j must start another one
        if (next[i] >= 0 || prev[j] >= 0 || head[i] === j) continue;
        next[i] = j; prev[j] = i; over[i] = k;
        const h = head[i], t = tailOf[j];
        tailOf[h] = t; head[t] = h;
      }
      const parts = [];
      for (let i = 0; i < n; i++) {
        if (prev[i] >= 0) continue;
        for (let c = i; c >= 0; c = next[c]) parts.push(kept[c].substring(0, kept[c].length - (next[c] >= 0 ? over[c] : 0)));
      }
      const blob = Buffer.from(parts.join(""), "latin1");
      for (const [lit, t] of uses) {
        const bytes = Buffer.from(t, "utf8");
        const off = blob.indexOf(bytes);
        if (off < 0) throw new Error(`text transform: ${JSON.stringify(t)} lost from the blob`);
        lit.value = i64_new((off * 4096 + bytes.length) >>> 0, 0);
      }
      return blob;
    };

    const walk = (node, strict, inDecorator) => {
      for (const key of Object.keys(node)) {
        if (key === "range") continue;
        const v = node[key];
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            if (isNode(v[i])) v[i] = visit(v[i], strict, inDecorator || key === "decorators");
          }
        } else if (isNode(v)) {
          node[key] = visit(v, strict, inDecorator || key === "decorators");
        }
      }
    };

    const visit = (node, strict, inDecorator) => {
      if (node.kind === NodeKind.Call && node.expression.kind === NodeKind.Identifier && node.expression.text === "T") {
        const arg = node.args.length === 1 ? node.args[0] : null;
        const text = arg && arg.kind === NodeKind.Literal ? (arg.literalKind === LiteralKind.String ? arg.value
          : arg.literalKind === LiteralKind.Template && !arg.tag && arg.expressions.length === 0 ? arg.parts[0] : null) : null;
        if (text === null) throw new Error(`${where(node)}: T() takes exactly one string literal (or a template without substitutions)`);
        return handle(text, node);
      }
      if (strict && !inDecorator && node.kind === NodeKind.Literal &&
          (node.literalKind === LiteralKind.String || node.literalKind === LiteralKind.Template)) {
        const v = node.literalKind === LiteralKind.String ? node.value : node.parts.join("...");
        throw new Error(`${where(node)}: string literal in firmware code; write T(${JSON.stringify(v.slice(0, 40))}) (UTF-8 text blob, see firmware/sys/text.ts)`);
      }
      walk(node, strict, inDecorator);
      return node;
    };

    for (const source of sources) {
      const path = source.normalizedPath;
      if (path.startsWith("~lib/") || path.includes("node_modules")) continue;
      const firmware = FIRMWARE.test(path);
      const strict = firmware && !EXEMPT.test(path);
      for (let i = 0; i < source.statements.length; i++) {
        const st = source.statements[i];
        if (st.kind === NodeKind.Import || st.kind === NodeKind.Export && st.path) continue;
        source.statements[i] = visit(st, strict && !BLOB_FILE.test(path), false);
      }
      if (BLOB_FILE.test(path)) blobDecl = source;
    }

    const blob = layout();
    if (!blobDecl) {
      if (order.size > 0) throw new Error("T() is used but firmware/sys/text.ts is not part of the program");
      return;
    }
    // Fill `export const TEXTS = memory.data<u8>([...])` with the blob.
    let filled = false;
    for (const st of blobDecl.statements) {
      if (st.kind !== NodeKind.Variable) continue;
      for (const d of st.declarations) {
        if (d.name.text !== "TEXTS") continue;
        const call = d.initializer;
        const arr = call && call.args && call.args[0];
        if (!arr || arr.kind !== NodeKind.Literal || arr.literalKind !== LiteralKind.Array) {
          throw new Error("firmware/sys/text.ts: TEXTS must be memory.data<u8>([0])");
        }
        const bytes = blob.length > 0 ? blob : Buffer.from([0]);
        arr.elementExpressions = Array.from(bytes, (b) => Node.createIntegerLiteralExpression(i64_new(b, 0), arr.range));
        filled = true;
      }
    }
    if (!filled) throw new Error("firmware/sys/text.ts: no TEXTS declaration to fill");
  }
}
