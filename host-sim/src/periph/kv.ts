// Blob storage behind hal.kv_*: FileKv keeps one file per key in the state dir and replaces it
// atomically (write temp, fsync, rename, fsync dir); MemoryKv is for tests and can tear a write
// at a chosen byte, as a power cut during a flash write would.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface KvStore {
  read(key: string): Uint8Array | undefined;
  write(key: string, data: Uint8Array): void;
  erase(key: string): void;
}

export const KV_KEY_MAX = 15;
export const KV_VALUE_MAX = 4000;

export class MemoryKv implements KvStore {
  readonly data = new Map<string, Uint8Array>();
  writes = 0;
  /** When set, the next write stores only this many bytes of the new value over the old one
   *  (the rest keeps the old bytes, like a half-programmed flash page), then throws PowerCut. */
  tearNextWriteAt: number | null = null;

  read(key: string): Uint8Array | undefined { return this.data.get(key)?.slice(); }

  write(key: string, data: Uint8Array): void {
    this.writes++;
    if (this.tearNextWriteAt !== null) {
      const cut = this.tearNextWriteAt;
      this.tearNextWriteAt = null;
      const old = this.data.get(key) ?? new Uint8Array(0);
      const torn = new Uint8Array(Math.max(old.length, cut));
      torn.set(old);
      torn.set(data.subarray(0, cut));
      this.data.set(key, torn.subarray(0, Math.max(cut, Math.min(old.length, data.length))));
      throw new PowerCut(key, cut);
    }
    this.data.set(key, data.slice());
  }

  erase(key: string): void { this.data.delete(key); }
}

/** Thrown by a torn write: the device lost power in the middle of it. */
export class PowerCut extends Error {
  constructor(readonly key: string, readonly at: number) { super(`power cut while writing ${key} at byte ${at}`); }
}

export class FileKv implements KvStore {
  constructor(readonly dir: string) { mkdirSync(dir, { recursive: true }); }

  private path(key: string): string { return join(this.dir, encodeURIComponent(key) + ".bin"); }

  read(key: string): Uint8Array | undefined {
    try { return new Uint8Array(readFileSync(this.path(key))); } catch { return undefined; }
  }

  write(key: string, data: Uint8Array): void {
    const final = this.path(key);
    const tmp = final + ".tmp";
    const fd = openSync(tmp, "w");
    try { writeSync(fd, data); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, final);
    try { const d = openSync(this.dir, "r"); fsyncSync(d); closeSync(d); } catch { /* not all filesystems */ }
  }

  erase(key: string): void { rmSync(this.path(key), { force: true }); }
}
