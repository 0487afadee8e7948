// AssemblyScript transform: every text the firmware writes lives UTF-8 in one blob.
//
// AssemblyScript stores a string literal as a UTF-16 object with a 20-byte header, and binaryen
// splits the data section at every header's zeros: ASCII text costs about 2.5 times its length.
// The firmware's budget (64 KB for the whole product) cannot afford that, so firmware code writes
// texts as T("literal") (like AVR's PSTR): this transform replaces each such call by a Text handle,
// (offset << 12) | length, into TEXTS (firmware/sys/text.ts), whose bytes it fills with the UTF-8
// of every text, each stored once (a text found inside a longer one is not stored again). It also refuses, at build time, any other string literal in
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
    // Every T() literal becomes an integer literal whose value is set once the blob is laid out:
    // the distinct texts longest first, each stored once, and a text that occurs inside one
    // already stored (" s" in "registration interval, s") pointing into it.
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

    const layout = () => {
      let blob = Buffer.alloc(0);
      const offsets = new Map();
      const byLength = [...order.keys()].map((t) => [t, Buffer.from(t, "utf8")])
        .sort((a, b) => b[1].length - a[1].length || order.get(a[0]) - order.get(b[0]));
      for (const [t, bytes] of byLength) {
        let off = blob.indexOf(bytes);
        if (off < 0) {
          off = blob.length;
          blob = Buffer.concat([blob, bytes]);
        }
        offsets.set(t, off);
      }
      for (const [lit, t] of uses) lit.value = i64_new((offsets.get(t) * 4096 + Buffer.byteLength(t, "utf8")) >>> 0, 0);
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
