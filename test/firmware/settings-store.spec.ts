import { textString } from "./fixture";
// The settings store (firmware/console/store.ts): CRC-32, the blob layout, encode/decode round
// trip, every damaged byte detected, and the slot choice at boot over the HAL's kv (hal-fake).
import * as hal from "../../firmware/hal";
import * as settings from "../../firmware/console/settings";
import * as sstore from "../../firmware/console/store";
import { crc32 } from "../../firmware/console/crc32";
import { SETTINGS_BLOB_MAX } from "../../firmware/config";

settings.loadDefaults();

const BUF_CAP: i32 = 4096;
const buf = memory.data(BUF_CAP);

function bytes(s: string): ArrayBuffer { return String.UTF8.encode(s); }

function setPending(key: string, value: string): void {
  const k = bytes(key);
  const v = bytes(value);
  const i = settings.find(changetype<usize>(k), k.byteLength);
  if (i < 0) throw new Error("no key " + key);
  settings.setPending(i, changetype<usize>(v), v.byteLength);
}

function active(key: string): string {
  const k = bytes(key);
  const i = settings.find(changetype<usize>(k), k.byteLength);
  return String.UTF8.decodeUnsafe(settings.valuePtr(i), settings.valueLen(i));
}

/** Encodes the pending values with `gen` and stores the blob in a slot; returns its length. */
function writeSlot(slot: string, gen: u32, user: string): i32 {
  setPending("sip.user", user);
  const n = sstore.encode(buf, BUF_CAP, gen);
  const k = bytes(slot);
  hal.kv_write(changetype<usize>(k), k.byteLength, buf, n);
  return n;
}

function eraseSlots(): void {
  const a = bytes("set.a"), b = bytes("set.b");
  hal.kv_erase(changetype<usize>(a), 5);
  hal.kv_erase(changetype<usize>(b), 5);
}

function damage(slot: string, at: i32): void {
  const k = bytes(slot);
  const n = hal.kv_read(changetype<usize>(k), k.byteLength, buf, BUF_CAP);
  store<u8>(buf + <usize>at, <u8>(<i32>load<u8>(buf + <usize>at) ^ 1));
  hal.kv_write(changetype<usize>(k), k.byteLength, buf, n);
}

describe("crc32", () => {
  it("is the IEEE CRC-32 (check value of 123456789)", () => {
    const b = bytes("123456789");
    expect(crc32(0, changetype<usize>(b), 9)).toBe(0xcbf43926);
    expect(crc32(0, changetype<usize>(b), 0)).toBe(0);
    // continues across pieces
    expect(crc32(crc32(0, changetype<usize>(b), 4), changetype<usize>(b) + 4, 5)).toBe(0xcbf43926);
  });
});

describe("blob", () => {
  it("has the documented layout", () => {
    settings.pendingDefaults();
    setPending("sip.user", "2000");
    const n = sstore.encode(buf, BUF_CAP, 0x01020304);
    expect(String.UTF8.decodeUnsafe(buf, 4)).toBe("ISET");
    expect(load<u16>(buf + 4)).toBe(1);
    expect(load<u16>(buf + 6)).toBe(0);
    expect(load<u32>(buf + 8)).toBe(0x01020304);
    expect(<i32>load<u32>(buf + 12)).toBe(n - 20);
    expect(load<u32>(buf + 16)).toBe(crc32(crc32(0, buf, 16), buf + 20, n - 20));
    const payload = String.UTF8.decodeUnsafe(buf + 20, n - 20);
    expect(payload.startsWith("sip.user=2000\nsip.password=\nsip.auth_user=\n")).toBe(true);
    expect(payload.endsWith("rtp.port=40000\nlog.level=info\n")).toBe(true);
  });
  it("round-trips every value", () => {
    settings.pendingDefaults();
    setPending("sip.display", "Haustür links");
    setPending("sip.password", "s3cret");
    setPending("button1.call", "1001,sip:1002@pbx.example");
    setPending("sip.expires", "3600");
    const n = sstore.encode(buf, BUF_CAP, 9);
    expect(sstore.verify(buf, n)).toBe(9);
    settings.pendingDefaults();
    expect(sstore.decode(buf, n)).toBe(settings.COUNT);
    settings.commit();
    expect(active("sip.display")).toBe("Haustür links");
    expect(active("sip.password")).toBe("s3cret");
    expect(active("button1.call")).toBe("1001,sip:1002@pbx.example");
    expect(settings.intValue(settings.K_SIP_EXPIRES)).toBe(3600);
    expect(active("sip.port")).toBe("5060");
  });
  it("detects a change in any byte, and a wrong length", () => {
    settings.pendingDefaults();
    setPending("sip.user", "2000");
    const n = sstore.encode(buf, BUF_CAP, 5);
    let caught = 0;
    for (let i = 0; i < n; i++) {
      for (let bit = 0; bit < 8; bit++) {
        store<u8>(buf + <usize>i, <u8>(<i32>load<u8>(buf + <usize>i) ^ (1 << bit)));
        if (sstore.verify(buf, n) < 0) caught++;
        store<u8>(buf + <usize>i, <u8>(<i32>load<u8>(buf + <usize>i) ^ (1 << bit)));
      }
    }
    expect(caught).toBe(n * 8);
    expect(sstore.verify(buf, n)).toBe(5);
    expect(sstore.verify(buf, n - 1)).toBe(-1);
    expect(sstore.verify(buf, n + 1)).toBe(-1);
    expect(sstore.verify(buf, 19)).toBe(-1);
  });
  it("ignores unknown keys and records without '='; missing keys default", () => {
    const payload = bytes("video.codec=h264\nnonsense\nsip.user=77\nsip.expires=5\n");
    const p = changetype<usize>(payload);
    const m = payload.byteLength;
    memory.copy(buf + 20, p, m);
    settings.pendingDefaults();
    setPending("door.relay_ms", "999");
    expect(sstore.decode(buf, 20 + m)).toBe(1); // sip.user only; sip.expires=5 does not validate
    settings.commit();
    expect(active("sip.user")).toBe("77");
    expect(active("sip.expires")).toBe("600");
    expect(active("door.relay_ms")).toBe("3000");
  });
  it("fits the largest values in SETTINGS_BLOB_MAX and the kv limit", () => {
    expect(sstore.blobMax()).toBeLessThanOrEqual(SETTINGS_BLOB_MAX);
    expect(SETTINGS_BLOB_MAX).toBeLessThanOrEqual(4000);
    settings.pendingDefaults();
    for (let k = 0; k < settings.COUNT; k++) {
      if (settings.typeOf(k) == settings.T_STR) setPending(textString(settings.keyOf(k)), "x".repeat(<i32>settings.field(k, settings.F_MAX)));
    }
    expect(sstore.encode(buf, SETTINGS_BLOB_MAX, 1)).toBeGreaterThan(0);
    expect(sstore.encode(buf, 100, 1)).toBe(-1);
  });
});

describe("slot choice", () => {
  it("choose(): the valid one with the highest generation", () => {
    expect(sstore.choose(-2, -2)).toBe(-1);
    expect(sstore.choose(-1, -1)).toBe(-1);
    expect(sstore.choose(3, -1)).toBe(0);
    expect(sstore.choose(-2, 3)).toBe(1);
    expect(sstore.choose(4, 5)).toBe(1);
    expect(sstore.choose(6, 5)).toBe(0);
    expect(sstore.choose(0xffffffff, 1)).toBe(0);
  });
  it("restore(): newer over older, whichever slot", () => {
    eraseSlots();
    settings.pendingDefaults();
    writeSlot("set.a", 5, "older");
    writeSlot("set.b", 6, "newer");
    expect(sstore.restore()).toBe(1);
    expect(sstore.currentGeneration()).toBe(6);
    expect(active("sip.user")).toBe("newer");
    writeSlot("set.a", 7, "newest");
    expect(sstore.restore()).toBe(0);
    expect(active("sip.user")).toBe("newest");
  });
  it("restore(): a damaged newer slot loses to the older valid one", () => {
    eraseSlots();
    settings.pendingDefaults();
    writeSlot("set.a", 5, "older");
    writeSlot("set.b", 6, "newer");
    damage("set.b", 30);
    expect(sstore.restore()).toBe(0);
    expect(sstore.currentGeneration()).toBe(5);
    expect(active("sip.user")).toBe("older");
    damage("set.b", 30); // repaired
    damage("set.b", 9);  // now the generation byte
    expect(sstore.restore()).toBe(0);
  });
  it("restore(): both damaged or both missing: defaults", () => {
    eraseSlots();
    settings.pendingDefaults();
    writeSlot("set.a", 5, "a");
    writeSlot("set.b", 6, "b");
    damage("set.a", 0);
    damage("set.b", 25);
    expect(sstore.restore()).toBe(-1);
    expect(sstore.currentSlot()).toBe(-1);
    expect(sstore.currentGeneration()).toBe(0);
    expect(active("sip.user")).toBe("");
    eraseSlots();
    expect(sstore.restore()).toBe(-1);
    expect(active("sip.user")).toBe("");
  });
  it("save(): writes the slot that does not hold the current settings, generation + 1", () => {
    eraseSlots();
    settings.pendingDefaults();
    writeSlot("set.a", 41, "a");
    expect(sstore.restore()).toBe(0);
    setPending("sip.user", "saved");
    expect(sstore.save()).toBe(1);
    expect(sstore.currentSlot()).toBe(1);
    expect(sstore.currentGeneration()).toBe(42);
    expect(active("sip.user")).toBe("saved");
    const kb = bytes("set.b");
    const n = hal.kv_read(changetype<usize>(kb), 5, buf, BUF_CAP);
    expect(sstore.verify(buf, n)).toBe(42);
    expect(sstore.save()).toBe(0);
    expect(sstore.currentSlot()).toBe(0);
    expect(sstore.restore()).toBe(0);
    expect(sstore.currentGeneration()).toBe(43);
    expect(sstore.erase()).toBeGreaterThanOrEqual(1);
    expect(sstore.restore()).toBe(-1);
    expect(active("sip.user")).toBe("");
  });
});
