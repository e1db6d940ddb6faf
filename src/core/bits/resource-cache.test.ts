import { describe, expect, it } from "vitest";
import { createMemoryStore, putBytes, type BlobInfo, type BlobStore } from "../blob-store.js";
import { ResourceCache } from "./resource-cache.js";

/** A store, a cache over it with this budget, and files of a given size and content byte. */
function setup(budget: number) {
  const store = createMemoryStore();
  const cache = new ResourceCache(store, budget);
  const file = (size: number, fill: number) => putBytes(store, new Uint8Array(size).fill(fill));
  return { store, cache, file };
}

const exists = (store: BlobStore, blob: BlobInfo) =>
  store.size(blob.id).then(
    () => true,
    () => false,
  );

describe("ResourceCache", () => {
  it("adds files under their SHA-1 and counts their bytes", async () => {
    const { cache, file } = setup(1000);
    const a = await file(100, 1);
    expect(await cache.add(a)).toBe(true);
    expect(cache.has(a.sha1)).toBe(true);
    expect(cache.get(a.sha1)).toEqual({ sha1: a.sha1, size: 100, blobId: a.id, contentSha1: a.sha1 });
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(100);
  });

  it("keeps one entry per SHA-1: a second copy's blob is deleted and the first refreshed", async () => {
    const { cache, store, file } = setup(1000);
    const a = await file(100, 1);
    const b = await file(100, 2);
    const again = await file(100, 1);
    await cache.add(a);
    await cache.add(b);
    expect(await cache.add(again)).toBe(false);
    expect(await exists(store, again)).toBe(false);
    expect(cache.get(a.sha1)!.blobId).toBe(a.id);
    expect([...cache.keys()]).toEqual([b.sha1, a.sha1]);
    expect(cache.bytes).toBe(200);
  });

  it("evicts the least recently used until a new file fits, and deletes their blobs", async () => {
    const { cache, store, file } = setup(300);
    const [a, b, c, d] = [await file(100, 1), await file(100, 2), await file(100, 3), await file(150, 4)];
    for (const f of [a, b, c]) await cache.add(f);
    expect(await cache.add(d)).toBe(true);
    expect([...cache.keys()]).toEqual([c.sha1, d.sha1]);
    expect(cache.bytes).toBe(250);
    expect(await exists(store, a)).toBe(false);
    expect(await exists(store, b)).toBe(false);
    expect(await exists(store, c)).toBe(true);
  });

  it("refreshes an entry on touch, so that it goes last", async () => {
    const { cache, file } = setup(300);
    const [a, b, c, d] = [await file(100, 1), await file(100, 2), await file(100, 3), await file(100, 4)];
    for (const f of [a, b, c]) await cache.add(f);
    expect(cache.touch(a.sha1)).toBe(true);
    expect(cache.touch("0".repeat(40))).toBe(false);
    await cache.add(d);
    expect([...cache.keys()]).toEqual([c.sha1, a.sha1, d.sha1]);
  });

  it("does not count get or has as a use", async () => {
    const { cache, file } = setup(200);
    const [a, b, c] = [await file(100, 1), await file(100, 2), await file(100, 3)];
    await cache.add(a);
    await cache.add(b);
    cache.get(a.sha1);
    cache.has(a.sha1);
    await cache.add(c);
    expect([...cache.keys()]).toEqual([b.sha1, c.sha1]);
  });

  it("never takes a file larger than the budget, and evicts nothing for it", async () => {
    const { cache, store, file } = setup(300);
    const a = await file(100, 1);
    const big = await file(301, 2);
    await cache.add(a);
    expect(await cache.add(big)).toBe(false);
    expect(await exists(store, big)).toBe(false);
    expect([...cache.keys()]).toEqual([a.sha1]);
  });

  it("takes a file of exactly the budget, evicting everything else", async () => {
    const { cache, file } = setup(300);
    const a = await file(100, 1);
    const whole = await file(300, 2);
    await cache.add(a);
    expect(await cache.add(whole)).toBe(true);
    expect([...cache.keys()]).toEqual([whole.sha1]);
  });

  it("does not evict a held entry; when only held ones could make room, the new file is not cached", async () => {
    const { cache, store, file } = setup(200);
    const [a, b, c, d] = [await file(100, 1), await file(100, 2), await file(100, 3), await file(200, 4)];
    await cache.add(a);
    await cache.add(b);
    expect(cache.hold(a.sha1)?.blobId).toBe(a.id);
    // a is held (and now the most recent); b goes for c.
    await cache.add(c);
    expect([...cache.keys()]).toEqual([a.sha1, c.sha1]);
    // d needs both places, and a is held: nothing is evicted, d is not cached.
    expect(await cache.add(d)).toBe(false);
    expect(await exists(store, d)).toBe(false);
    expect([...cache.keys()]).toEqual([a.sha1, c.sha1]);
    cache.release(a.sha1);
    const d2 = await file(200, 4);
    expect(await cache.add(d2)).toBe(true);
    expect([...cache.keys()]).toEqual([d2.sha1]);
    expect(await exists(store, a)).toBe(false);
  });

  it("counts holds: an entry held twice stays until both let go", async () => {
    const { cache, file } = setup(100);
    const [a, b] = [await file(100, 1), await file(100, 2)];
    await cache.add(a);
    cache.hold(a.sha1);
    cache.hold(a.sha1);
    cache.release(a.sha1);
    expect(await cache.add(b)).toBe(false);
    cache.release(a.sha1);
    expect(await cache.add(await file(100, 2))).toBe(true);
    expect(cache.hold("f".repeat(40))).toBeUndefined();
  });

  it("deletes an entry and its blob", async () => {
    const { cache, store, file } = setup(1000);
    const a = await file(100, 1);
    await cache.add(a);
    await cache.delete(a.sha1);
    await cache.delete(a.sha1);
    expect(cache.has(a.sha1)).toBe(false);
    expect(cache.bytes).toBe(0);
    expect(await exists(store, a)).toBe(false);
  });

  it("iterates as a map would, least recently used first", async () => {
    const { cache, file } = setup(1000);
    const [a, b] = [await file(100, 1), await file(100, 2)];
    await cache.add(a);
    await cache.add(b);
    cache.touch(a.sha1);
    expect([...cache].map(([sha1, entry]) => [sha1, entry.blobId])).toEqual([
      [b.sha1, b.id],
      [a.sha1, a.id],
    ]);
    expect([...cache.values()].map((e) => e.size)).toEqual([100, 100]);
  });
});
