// Board definitions (boards/*.json): which named inputs and outputs a board has and where they
// are wired, its audio path (I2S pins, codec chips, amplifier enable) and its network. Data only,
// read by host-sim and by the native build; the schema is documented in boards/README.md and
// enforced here, with the product's io names from ARCHITECTURE.md ("Board io names").
import { readFileSync } from "node:fs";

export type IoKind = "button" | "contact" | "relay" | "led" | "dimmable_led";
export type Level = "high" | "low";

export interface AdcKey {
  /** The GPIO the resistor ladder is on, its ADC unit and channel. */
  gpio: number;
  unit: number;
  channel: number;
  /** The voltage window (mV) that means this key is pressed. */
  min_mv: number;
  max_mv: number;
}

export interface ExpanderPin { id: string; pin: number }

export interface IoDef {
  name: string;
  kind: IoKind;
  label?: string;
  /** Where it is wired: exactly one of gpio, adc (inputs), expander; none on the host board. */
  gpio?: number;
  adc?: AdcKey;
  expander?: ExpanderPin;
  /** The electrical level that means active (pressed, open, energised, lit). */
  active?: Level;
  /** Inputs: internal pull resistor. */
  pull?: "up" | "down" | "none";
  /** Outputs: power-on value (default 0). */
  default?: number;
}

export interface Board {
  id: string;
  name: string;
  description: string;
  soc: string;
  sources?: string[];
  notes?: string | string[];
  network: { wifi?: boolean; ethernet?: Record<string, unknown> | null; host?: boolean };
  i2c?: { sda: number; scl: number; freq_hz?: number };
  expanders?: { id: string; chip: string; i2c_addr: number }[];
  audio: {
    sample_rate: number;
    bits?: number;
    i2s?: { port: number; mclk?: number | null; bclk: number; ws: number; dout?: number | null; din?: number | null };
    input: { chip: string; i2c_addr?: number; label?: string };
    output: { chip: string; i2c_addr?: number; label?: string };
    amp_enable?: { gpio?: number; expander?: ExpanderPin; active: Level; chip?: string } | null;
  };
  inputs: IoDef[];
  outputs: IoDef[];
}

/** Per SoC: GPIO count, numbers that do not exist, flash/PSRAM pins, input-only pins (ESP32 and
 *  ESP32-S3 datasheets, "Pin Definitions"). */
export const SOCS: Record<string, { gpios: number; missing: number[]; reserved: number[]; inputOnly: number[] }> = {
  host: { gpios: 0, missing: [], reserved: [], inputOnly: [] },
  esp32: { gpios: 40, missing: [20, 24, 28, 29, 30, 31], reserved: [6, 7, 8, 9, 10, 11], inputOnly: [34, 35, 36, 37, 38, 39] },
  esp32s3: { gpios: 49, missing: [22, 23, 24, 25], reserved: [26, 27, 28, 29, 30, 31, 32], inputOnly: [] },
};

export const INPUT_NAME = /^(button[1-9][0-9]?|exit|door)$/;
export const OUTPUT_NAME = /^(relay[1-9][0-9]?|led_status|led_call)$/;
export const REQUIRED_IO = ["button1", "relay1"];
const SAMPLE_RATES = [8000, 16000, 22050, 32000, 44100, 48000];

/** The kinds an io name may have. */
export function kindsFor(name: string): IoKind[] {
  if (/^button/.test(name) || name === "exit") return ["button"];
  if (name === "door") return ["contact"];
  if (/^relay/.test(name)) return ["relay"];
  return ["led", "dimmable_led"];
}

export class BoardError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: invalid board file:\n  ${problems.join("\n  ")}`);
  }
}

/** Reads and validates a board file; throws BoardError listing every problem. */
export function loadBoard(path: string): Board {
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, "utf8")); } catch (e) { throw new BoardError(path, [(e as Error).message]); }
  const problems = validateBoard(raw);
  if (problems.length) throw new BoardError(path, problems);
  return raw as Board;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** Every way b breaks the schema (empty when valid). */
export function validateBoard(b: unknown): string[] {
  const err: string[] = [];
  if (!isObj(b)) return ["the board must be a JSON object"];
  const keys = (o: Obj, path: string, allowed: string[], required: string[]): void => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) err.push(`${path}${k}: unknown field`);
    for (const k of required) if (o[k] === undefined) err.push(`${path}${k}: required`);
  };
  keys(b, "", ["id", "name", "description", "soc", "sources", "notes", "network", "i2c", "expanders", "audio", "inputs", "outputs"],
    ["id", "name", "description", "soc", "network", "audio", "inputs", "outputs"]);
  if (b.id !== undefined && !(typeof b.id === "string" && /^[a-z0-9][a-z0-9-]{0,31}$/.test(b.id))) err.push("id: lower-case letters, digits and dashes, at most 32");
  for (const k of ["name", "description"]) if (b[k] !== undefined && !(typeof b[k] === "string" && (b[k] as string).length > 0)) err.push(`${k}: a non-empty string`);
  const soc = typeof b.soc === "string" ? SOCS[b.soc] : undefined;
  if (b.soc !== undefined && !soc) err.push(`soc: one of ${Object.keys(SOCS).join(", ")}`);
  const host = b.soc === "host";
  if (b.sources !== undefined && !(Array.isArray(b.sources) && b.sources.every((s) => typeof s === "string" && /^https?:\/\//.test(s)))) err.push("sources: a list of URLs");
  if (!host && soc && !(Array.isArray(b.sources) && b.sources.length > 0)) err.push("sources: a real board cites where its pins come from");

  // Every GPIO has one owner (an ADC ladder's keys share theirs; I2C devices share the bus).
  const owners = new Map<number, string>();
  const claim = (gpio: unknown, path: string, share?: string): void => {
    if (!isInt(gpio, 0, 255)) { err.push(`${path}: a GPIO number`); return; }
    if (soc && !host && (gpio >= soc.gpios || soc.missing.includes(gpio))) err.push(`${path}: GPIO${gpio} does not exist on ${b.soc}`);
    if (soc?.reserved.includes(gpio)) err.push(`${path}: GPIO${gpio} is reserved (flash/PSRAM) on ${b.soc}`);
    const tag = share ?? path;
    const prev = owners.get(gpio);
    if (prev !== undefined && prev !== tag) err.push(`${path}: GPIO${gpio} is already used by ${prev.replace(/^adc:/, "")}`);
    else owners.set(gpio, tag);
  };
  const optGpio = (v: unknown, path: string): void => { if (v !== undefined && v !== null) claim(v, path); };

  // network
  if (isObj(b.network)) {
    const n = b.network;
    keys(n, "network.", ["wifi", "ethernet", "host"], []);
    if (n.wifi !== undefined && typeof n.wifi !== "boolean") err.push("network.wifi: true or false");
    if (n.host !== undefined && typeof n.host !== "boolean") err.push("network.host: true or false");
    if (n.ethernet !== undefined && n.ethernet !== null) {
      if (!isObj(n.ethernet) || typeof n.ethernet.phy !== "string") err.push("network.ethernet: null or an object with phy");
      else for (const [k, v] of Object.entries(n.ethernet)) if (["mdc", "mdio", "power", "reset"].includes(k)) optGpio(v, `network.ethernet.${k}`);
    }
    if (!(n.wifi === true || n.host === true || isObj(n.ethernet))) err.push("network: needs wifi, ethernet or host");
    if (n.host === true && !host) err.push("network.host: only the host board");
  } else if (b.network !== undefined) err.push("network: an object");

  // i2c and expanders
  const hasI2c = isObj(b.i2c);
  if (b.i2c !== undefined) {
    if (!hasI2c) err.push("i2c: an object with sda and scl");
    else {
      keys(b.i2c as Obj, "i2c.", ["sda", "scl", "freq_hz"], ["sda", "scl"]);
      claim((b.i2c as Obj).sda, "i2c.sda");
      claim((b.i2c as Obj).scl, "i2c.scl");
    }
  }
  const i2cAddrs = new Map<number, string>();
  const i2cAddr = (v: unknown, path: string): void => {
    if (!isInt(v, 0x08, 0x77)) { err.push(`${path}: a 7-bit I2C address 0x08..0x77`); return; }
    if (!hasI2c) err.push(`${path}: needs the board's i2c bus`);
    const prev = i2cAddrs.get(v);
    if (prev) err.push(`${path}: I2C address 0x${v.toString(16)} is already used by ${prev}`);
    i2cAddrs.set(v, path);
  };
  const expanderIds = new Set<string>();
  if (b.expanders !== undefined) {
    if (!Array.isArray(b.expanders)) err.push("expanders: a list");
    else b.expanders.forEach((x, i) => {
      const p = `expanders[${i}]`;
      if (!isObj(x)) { err.push(`${p}: an object`); return; }
      keys(x, `${p}.`, ["id", "chip", "i2c_addr"], ["id", "chip", "i2c_addr"]);
      if (typeof x.id === "string") { if (expanderIds.has(x.id)) err.push(`${p}.id: duplicate`); expanderIds.add(x.id); }
      i2cAddr(x.i2c_addr, `${p}.i2c_addr`);
    });
  }
  const expPins = new Map<string, string>();
  const expander = (v: unknown, path: string): void => {
    if (!isObj(v) || typeof v.id !== "string" || !isInt(v.pin, 0, 31)) { err.push(`${path}: {"id": expander id, "pin": 0..31}`); return; }
    if (!expanderIds.has(v.id)) err.push(`${path}.id: no expander ${v.id} in expanders`);
    const k = `${v.id}:${v.pin}`;
    const prev = expPins.get(k);
    if (prev) err.push(`${path}: ${v.id} pin ${v.pin} is already used by ${prev}`);
    expPins.set(k, path);
  };
  const level = (v: unknown, path: string): void => { if (v !== "high" && v !== "low") err.push(`${path}: "high" or "low"`); };

  // audio
  if (isObj(b.audio)) {
    const a = b.audio;
    keys(a, "audio.", ["sample_rate", "bits", "i2s", "input", "output", "amp_enable"], ["sample_rate", "input", "output"]);
    if (a.sample_rate !== undefined && !SAMPLE_RATES.includes(a.sample_rate as number)) err.push(`audio.sample_rate: one of ${SAMPLE_RATES.join(", ")}`);
    if (a.bits !== undefined && ![16, 24, 32].includes(a.bits as number)) err.push("audio.bits: 16, 24 or 32");
    for (const side of ["input", "output"]) {
      const c = a[side];
      if (!isObj(c) || typeof c.chip !== "string") { if (c !== undefined) err.push(`audio.${side}: an object with chip`); continue; }
      keys(c, `audio.${side}.`, ["chip", "i2c_addr", "label"], ["chip"]);
      if (c.i2c_addr !== undefined) {
        const other = isObj(a[side === "input" ? "output" : "input"]) ? (a[side === "input" ? "output" : "input"] as Obj) : null;
        // one codec chip may serve both directions at one address
        if (!(side === "output" && other && other.chip === c.chip && other.i2c_addr === c.i2c_addr)) i2cAddr(c.i2c_addr, `audio.${side}.i2c_addr`);
      }
    }
    if (host) {
      if (a.i2s !== undefined) err.push("audio.i2s: the host board has no I2S");
    } else if (!isObj(a.i2s)) err.push("audio.i2s: required on a real board");
    else {
      const i = a.i2s;
      keys(i, "audio.i2s.", ["port", "mclk", "bclk", "ws", "dout", "din"], ["port", "bclk", "ws"]);
      if (!isInt(i.port, 0, 1)) err.push("audio.i2s.port: 0 or 1");
      for (const k of ["mclk", "bclk", "ws", "dout", "din"]) optGpio(i[k], `audio.i2s.${k}`);
      if ((i.dout ?? null) === null && (i.din ?? null) === null) err.push("audio.i2s: needs dout, din or both");
    }
    if (a.amp_enable !== undefined && a.amp_enable !== null) {
      const e = a.amp_enable;
      if (!isObj(e)) err.push("audio.amp_enable: an object");
      else {
        keys(e, "audio.amp_enable.", ["gpio", "expander", "active", "chip"], ["active"]);
        level(e.active, "audio.amp_enable.active");
        if ((e.gpio === undefined) === (e.expander === undefined)) err.push("audio.amp_enable: exactly one of gpio, expander");
        if (e.gpio !== undefined) claim(e.gpio, "audio.amp_enable.gpio");
        if (e.expander !== undefined) expander(e.expander, "audio.amp_enable.expander");
      }
    }
  } else if (b.audio !== undefined) err.push("audio: an object");

  // io
  const names = new Set<string>();
  const adcWindows: { gpio: number; lo: number; hi: number; path: string }[] = [];
  const io = (list: unknown, dir: "inputs" | "outputs"): void => {
    if (!Array.isArray(list)) { if (list !== undefined) err.push(`${dir}: a list`); return; }
    list.forEach((d, idx) => {
      const p = `${dir}[${idx}]`;
      if (!isObj(d)) { err.push(`${p}: an object`); return; }
      keys(d, `${p}.`, ["name", "kind", "label", "gpio", "adc", "expander", "active", "pull", "default"], ["name", "kind"]);
      const name = typeof d.name === "string" ? d.name : "";
      const pattern = dir === "inputs" ? INPUT_NAME : OUTPUT_NAME;
      if (!pattern.test(name)) err.push(`${p}.name: ${JSON.stringify(d.name)} is not an ${dir === "inputs" ? "input" : "output"} name (${dir === "inputs" ? "button1.., exit, door" : "relay1.., led_status, led_call"})`);
      else if (names.has(name)) err.push(`${p}.name: ${name} is defined twice`);
      names.add(name);
      if (name && pattern.test(name) && !kindsFor(name).includes(d.kind as IoKind)) err.push(`${p}.kind: ${name} must be ${kindsFor(name).join(" or ")}`);
      const where = ["gpio", "adc", "expander"].filter((k) => d[k] !== undefined);
      if (host) { if (where.length) err.push(`${p}: the host board has no pins`); }
      else if (where.length !== 1) err.push(`${p}: exactly one of gpio, adc, expander`);
      if (d.gpio !== undefined) {
        claim(d.gpio, `${p}.gpio`);
        if (dir === "outputs" && soc?.inputOnly.includes(d.gpio as number)) err.push(`${p}.gpio: GPIO${d.gpio} is input-only on ${b.soc}`);
      }
      if (d.expander !== undefined) expander(d.expander, `${p}.expander`);
      if (d.adc !== undefined) {
        const a = d.adc;
        if (dir === "outputs") err.push(`${p}.adc: only inputs can be ADC keys`);
        else if (!isObj(a) || !isInt(a.gpio, 0, 255) || !isInt(a.unit, 1, 2) || !isInt(a.channel, 0, 9) || !isInt(a.min_mv, 0, 3300) || !isInt(a.max_mv, 0, 3300) || a.min_mv >= a.max_mv) {
          err.push(`${p}.adc: {"gpio", "unit": 1|2, "channel": 0..9, "min_mv" < "max_mv" (0..3300)}`);
        } else {
          claim(a.gpio, `${p}.adc.gpio`, `adc:${p}`.replace(/\[\d+\]$/, "") + ` ladder on GPIO${a.gpio}`);
          for (const w of adcWindows) if (w.gpio === a.gpio && (a.min_mv as number) <= w.hi && (a.max_mv as number) >= w.lo) err.push(`${p}.adc: ${a.min_mv}..${a.max_mv} mV overlaps ${w.path}`);
          adcWindows.push({ gpio: a.gpio as number, lo: a.min_mv as number, hi: a.max_mv as number, path: p });
        }
      }
      if (d.gpio !== undefined || d.expander !== undefined) level(d.active, `${p}.active`);
      else if (d.active !== undefined) err.push(`${p}.active: only for gpio and expander pins`);
      if (d.pull !== undefined && (dir === "outputs" || !["up", "down", "none"].includes(d.pull as string))) err.push(`${p}.pull: inputs only, "up", "down" or "none"`);
      if (d.default !== undefined && (dir === "inputs" || !isInt(d.default, 0, d.kind === "dimmable_led" ? 255 : 1))) err.push(`${p}.default: outputs only, 0/1 (0..255 for dimmable_led)`);
    });
  };
  io(b.inputs, "inputs");
  io(b.outputs, "outputs");
  for (const r of REQUIRED_IO) if (!names.has(r)) err.push(`${r}: every board needs it`);
  return err;
}
