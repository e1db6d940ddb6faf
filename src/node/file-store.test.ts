import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { getBytes } from "../core/blob-store.js";
import { createFileStore, type FileStore } from "./file-store.js";

let store: FileStore | undefined;
afterEach(() => store?.dispose());

/** Deterministic bytes: no two chunks alike, so a misplaced batch shows. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const hex = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest("hex");

describe("createFileStore", () => {
  it("keeps a small blob in memory and writes no file", async () => {
    store = createFileStore({ memoryThreshold: 1024 });
    const writer = store.create();
    await writer.write(bytes(1000, 1));
    const info = await writer.finish();
    expect(readdirSync(store.directory)).toEqual([]);
    expect(await getBytes(store, info.id)).toEqual(bytes(1000, 1));
  });

  it("writes a long-lived blob (a resource cache entry) to a file, however small", async () => {
    store = createFileStore({ memoryThreshold: 1024 });
    const writer = store.create({ longLived: true });
    await writer.write(bytes(100, 4));
    const info = await writer.finish();
    expect(readdirSync(store.directory)).toEqual([info.id]);
    expect(await getBytes(store, info.id)).toEqual(bytes(100, 4));
    await store.delete(info.id);
    expect(readdirSync(store.directory)).toEqual([]);
  });

  it("spills a large blob to a file in batches, byte for byte, whatever the chunk sizes", async () => {
    store = createFileStore({ memoryThreshold: 64 * 1024 });
    // Chunks smaller and larger than a batch (1 MiB), ending mid-batch.
    const sizes = [1, 65_535, 300_000, 2_500_000, 7, 1_048_576, 123_456];
    const chunks = sizes.map((n, i) => bytes(n, i + 1));
    const whole = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const c of chunks) {
      whole.set(c, at);
      at += c.length;
    }
    const writer = store.create();
    for (const c of chunks) await writer.write(c);
    const info = await writer.finish();
    expect(readdirSync(store.directory)).toEqual([info.id]);
    expect(info.size).toBe(whole.length);
    expect(info.sha1).toBe(hex("sha1", whole));
    expect(info.sha256).toBe(hex("sha256", whole));
    expect(await store.size(info.id)).toBe(whole.length);
    expect(hex("sha256", await getBytes(store, info.id))).toBe(info.sha256);
    const streamed = new Uint8Array(await new Response(store.stream(info.id)).arrayBuffer());
    expect(hex("sha256", streamed)).toBe(info.sha256);
  });

  it("is not changed by a caller that reuses its chunk after writing it", async () => {
    store = createFileStore({ memoryThreshold: 0 });
    const chunk = bytes(4096, 9);
    const expected = new Uint8Array(chunk);
    const writer = store.create();
    await writer.write(chunk);
    chunk.fill(0);
    const info = await writer.finish();
    expect(await getBytes(store, info.id)).toEqual(expected);
  });

  it("leaves nothing behind when a blob is aborted", async () => {
    store = createFileStore({ memoryThreshold: 0 });
    const writer = store.create();
    await writer.write(bytes(3_000_000, 3));
    await writer.abort();
    expect(readdirSync(store.directory)).toEqual([]);
  });
});
