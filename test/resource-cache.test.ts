/**
 * The resource cache's byte budget (issue 10, finding 6): uploads of ever new cacheable
 * files keep the cache within `resourceCacheBudget`, the least recently used files go
 * first, a use (a resource match, an upload's `resources` entry) refreshes an entry, an
 * evicted file no longer matches and its blob is gone from the store, and cached files
 * are kept on disk by the file store, not in memory.
 */
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import type { Simulator, SimulatorOptions } from "../src/index.js";
import { createFileStore, type FileStore } from "../src/node/index.js";
import { DEV, createBitsPackage, matchResources, postPackage, upload, uploadAndSettle } from "./support/api.js";
import { liveBlobs, ownedBlobs } from "./support/blobs.js";
import { ADAPTERS, overHttp, setup, type Adapter, type Client } from "./support/client.js";
import { startCli } from "./support/cli.js";
import { sha1 } from "./support/hash.js";

const KiB = 1024;
/** Each file: cacheable with the default limits (64 KiB to 512 MiB), and small enough for the file store's memory. */
const FILE_SIZE = 100 * KiB;
/** Room for three files, not four. */
const BUDGET = 350 * KiB;

let sim: Simulator | undefined;
let api: Client;
let close: (() => Promise<void>) | undefined;
let store: FileStore | undefined;

async function start(adapter: Adapter, options: SimulatorOptions = {}): Promise<void> {
  if (adapter === "http") store = createFileStore();
  ({ sim, api, close } = await setup(
    { resourceCacheBudget: BUDGET, maxValidPackagesStored: 1000, ...(store ? { store } : {}), ...options },
    adapter,
  ));
}
afterEach(async () => {
  await close?.();
  store?.dispose();
  sim = undefined;
  close = undefined;
  store = undefined;
});

function theSim(): Simulator {
  if (!sim) throw new Error("no simulator");
  return sim;
}

/** File number `n`: FILE_SIZE bytes of its own (pseudo-random, so that no two are alike). */
function file(n: number): Uint8Array {
  const out = new Uint8Array(FILE_SIZE);
  let x = (n + 1) * 2654435761;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Uploads files `ns` (as f<n>.bin) in one zip to a new package of web-app: READY. */
async function uploadFiles(...ns: number[]): Promise<void> {
  const zip = await buildAppZip(Object.fromEntries(ns.map((n) => [`f${n}.bin`, file(n)])));
  const pkg = await uploadAndSettle(theSim(), api, await createBitsPackage(theSim(), api), { bits: zip });
  expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
}

/** The entry `cf push` sends for file `n` when it asks about it or names it in `resources`. */
const entry = (n: number) => ({
  checksum: { value: sha1(file(n)) },
  size_in_bytes: FILE_SIZE,
  path: `f${n}.bin`,
  mode: "644",
});

/** Which of files `ns` `POST /v3/resource_matches` reports as cached. */
async function matched(...ns: number[]): Promise<number[]> {
  const r = await matchResources(api, { resources: ns.map(entry) });
  expect(r.status, r.text).toBe(201);
  return r.json.resources.map((e: { path: string }) => Number(e.path.slice(1, -4)));
}

/** The cached files, least recently used first, as file numbers (-1 for a file no test made). */
function cachedFiles(upTo = 40): number[] {
  const byHash = new Map(Array.from({ length: upTo }, (_, n) => [sha1(file(n)), n]));
  return [...theSim().state.resourceCache.keys()].map((key) => byHash.get(key) ?? -1);
}

/** The bytes the cache's entries add up to. */
const cachedBytes = () => [...theSim().state.resourceCache.values()].reduce((sum, e) => sum + e.size, 0);

describe.each(ADAPTERS.filter((a) => a !== "msw"))("the resource cache's budget (%s)", (adapter) => {
  it("keeps the cache within its budget however many new files come, dropping the oldest", async () => {
    await start(adapter);
    for (let i = 0; i < 10; i++) {
      await uploadFiles(2 * i, 2 * i + 1);
      expect(cachedBytes(), `after upload ${i + 1}`).toBeLessThanOrEqual(BUDGET);
    }
    expect(cachedFiles()).toEqual([17, 18, 19]);
    expect(await matched(0, 1, 16, 17, 18, 19)).toEqual([17, 18, 19]);
  });

  it("evicts the least recently used; a match and an upload's resources entry count as uses", async () => {
    await start(adapter);
    await uploadFiles(1, 2, 3);
    expect(cachedFiles()).toEqual([1, 2, 3]);
    // A match of 1 makes it the most recent.
    expect(await matched(1)).toEqual([1]);
    expect(cachedFiles()).toEqual([2, 3, 1]);
    // So does an upload naming 2 in its resources (cf push after a match): appended, READY.
    const guid = await createBitsPackage(theSim(), api);
    const pkg = await uploadAndSettle(theSim(), api, guid, { bits: null, resources: [entry(2)] });
    expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
    expect(cachedFiles()).toEqual([3, 1, 2]);
    // A new file evicts 3, the least recently used; the next one evicts 1.
    await uploadFiles(4);
    expect(await matched(1, 2, 3, 4)).toEqual([1, 2, 4]);
    await uploadFiles(5);
    expect(await matched(1, 2, 3, 4, 5)).toEqual([2, 4, 5]);
    // An upload containing a cached file again refreshes it too.
    await uploadFiles(2);
    await uploadFiles(6);
    expect(cachedFiles()).toEqual([5, 2, 6]);
  });

  it("never evicts a file the upload itself names in resources to make room for the files in its zip", async () => {
    await start(adapter);
    await uploadFiles(1);
    // The zip's three new files need all the room there is; file 1, named in resources, stays.
    const zip = await buildAppZip({ "f2.bin": file(2), "f3.bin": file(3), "f4.bin": file(4) });
    const guid = await createBitsPackage(theSim(), api);
    const pkg = await uploadAndSettle(theSim(), api, guid, { bits: zip, resources: [entry(1)] });
    expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
    expect(cachedFiles()).toEqual([1, 3, 4]);
  });

  it("fails an upload naming an evicted file as a missing object, as the real job does", async () => {
    await start(adapter);
    await uploadFiles(1, 2, 3, 4);
    expect(await matched(1)).toEqual([]);
    const guid = await createBitsPackage(theSim(), api);
    const pkg = await uploadAndSettle(theSim(), api, guid, { bits: null, resources: [entry(1)] });
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data.error).toBe(`Could not find object '${sha1(file(1))}'`);
  });

  it("never caches a file larger than the budget", async () => {
    await start(adapter, { resourceCacheBudget: FILE_SIZE - 1 });
    await uploadFiles(1);
    expect(theSim().state.resourceCache.size).toBe(0);
    expect(await matched(1)).toEqual([]);
  });
});

describe("the resource cache on the file store", () => {
  it("keeps cached files on disk, deletes evicted ones, and leaves no blob no one owns", async () => {
    await start("http");
    for (let i = 0; i < 6; i++) await uploadFiles(2 * i, 2 * i + 1);
    const onDisk = new Set(readdirSync(store!.directory));
    const cached = [...theSim().state.resourceCache.values()];
    expect(cached).toHaveLength(3);
    // Files of 100 KiB would stay in the file store's memory (up to 256 KiB); cache entries never do.
    for (const c of cached) expect(onDisk.has(c.blobId), `${c.blobId} is a file`).toBe(true);
    const owned = new Set(ownedBlobs(theSim()));
    expect(
      [...onDisk].filter((name) => !owned.has(name)),
      "files no package or cache entry owns",
    ).toEqual([]);
    expect(
      (await liveBlobs(store!)).filter((id) => !owned.has(id)),
      "blobs no one owns",
    ).toEqual([]);
  });
});

describe("the command", () => {
  it("takes the budget from --resource-cache-budget", async () => {
    const server = await startCli(["--processing-delay", "0", "--quiet", "--resource-cache-budget", String(FILE_SIZE)]);
    try {
      api = overHttp(server.url);
      const apps = await api.call("/v3/apps?names=web-app", { user: DEV });
      for (const n of [1, 2]) {
        const created = await postPackage(api, {
          type: "bits",
          relationships: { app: { data: { guid: apps.json.resources[0].guid } } },
        });
        expect(created.status, created.text).toBe(201);
        const up = await upload(api, created.json.guid, { bits: await buildAppZip({ [`f${n}.bin`]: file(n) }) });
        expect(up.status, up.text).toBe(200);
        let pkg = up.json;
        for (let i = 0; i < 200 && pkg.state === "PROCESSING_UPLOAD"; i++) {
          await new Promise((r) => setTimeout(r, 25));
          pkg = (await api.call(`/v3/packages/${pkg.guid}`, { user: DEV })).json;
        }
        expect(pkg.state).toBe("READY");
      }
      // Room for one file: the second evicted the first.
      expect(await matched(1, 2)).toEqual([2]);
    } finally {
      await server.stop();
    }
  });
});
