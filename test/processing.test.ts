/**
 * The background job behind `POST /v3/packages/{guid}/upload` (`app/jobs/v3/package_bits.rb`, `local_bits_packer.rb`, `app_packager.rb`):
 * what the stored zip holds, how cached resources are appended, every failure text,
 * and which files enter the resource cache.
 */
import JSZip from "jszip";
import { afterEach, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import type { Simulator, SimulatorOptions } from "../src/index.js";
import * as packages from "./support/api.js";
import { DEV } from "./support/api.js";
import { setup, type Client } from "./support/client.js";
import { sha1, sha256 } from "./support/hash.js";

let sim: Simulator | undefined;
let api: Client;

/** A fresh simulator for this test; many finished packages may pile up, so none expire. */
async function start(options: SimulatorOptions = {}): Promise<void> {
  ({ sim, api } = await setup({ maxValidPackagesStored: 1000, ...options }));
}
afterEach(() => {
  sim?.close();
  sim = undefined;
});

const SMALL_CACHE = { resourceCacheMinSize: 1, resourceCacheMaxSize: 1000 };

function theSim(): Simulator {
  if (!sim) throw new Error("no simulator");
  return sim;
}

/** A new bits package of web-app. */
const createPackage = () => packages.createBitsPackage(theSim(), api);

/** Uploads `resources` (raw entries, V2 or V3, or text) then `bits` to `guid`, waits for the job, answers the package. */
const uploadToAndSettle = (guid: string, bits: Uint8Array | null, resources: unknown[] | string = []) =>
  packages.uploadAndSettle(theSim(), api, guid, { bits, resources });

/** The same to a fresh package. */
const uploadAndSettle = async (bits: Uint8Array | null, resources: unknown[] | string = []) =>
  uploadToAndSettle(await createPackage(), bits, resources);

const download = (guid: string) => packages.downloadPackage(api, guid);

function expectReady(pkg: any): void {
  expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
  expect(pkg.data.error).toBeNull();
  expect(pkg.data.checksum.type).toBe("sha256");
  expect(pkg.data.checksum.value).toMatch(/^[0-9a-f]{64}$/);
}

function expectFailed(pkg: any, error: string): void {
  expect(pkg.state).toBe("FAILED");
  expect(pkg.data).toEqual({ error, checksum: { type: "sha256", value: null } });
}

interface CentralEntry {
  name: string;
  /** `st_mode` for entries made on Unix, else null. */
  mode: number | null;
  size: number;
}

/** The central directory as stored, read without jszip (which rewrites names such as `../x`). */
function centralDirectory(bytes: Uint8Array): CentralEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0; i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end-of-central-directory record");
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const out: CentralEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (v.getUint32(p, true) !== 0x02014b50) throw new Error(`bad central directory record ${k}`);
    const madeBy = v.getUint16(p + 4, true);
    const size = v.getUint32(p + 24, true);
    const n = v.getUint16(p + 28, true);
    const x = v.getUint16(p + 30, true);
    const c = v.getUint16(p + 32, true);
    const ext = v.getUint32(p + 38, true);
    out.push({
      name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + n)),
      mode: madeBy >>> 8 === 3 ? ext >>> 16 : null,
      size,
    });
    p += 46 + n + x + c;
  }
  return out;
}

const names = (bytes: Uint8Array) =>
  centralDirectory(bytes)
    .map((e) => e.name)
    .sort();
const modeOf = (bytes: Uint8Array, name: string) => centralDirectory(bytes).find((e) => e.name === name)?.mode;

/** Every file's content, through jszip with CRC checks (so the stored zip must also be valid). */
async function contents(bytes: Uint8Array): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
  const out: Record<string, string> = {};
  for (const file of Object.values(zip.files)) if (!file.dir) out[file.name] = await file.async("string");
  return out;
}

/** Puts files into the resource cache the only way a client can: a successful upload of them. */
async function seedCache(files: Record<string, string>): Promise<void> {
  const pkg = await uploadAndSettle(await buildAppZip(files));
  expectReady(pkg);
  for (const content of Object.values(files))
    expect(theSim().state.resourceCache.has(sha1(content)), content).toBe(true);
}

const v3 = (path: string, content: string, mode?: string) => ({
  path,
  size_in_bytes: new TextEncoder().encode(content).length,
  checksum: { value: sha1(content) },
  ...(mode === undefined ? {} : { mode }),
});

/** Offsets of every central directory record and local header in a zip made by jszip. */
function records(bytes: Uint8Array): { central: number[]; local: number[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const central: number[] = [];
  const local: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) {
    const sig = v.getUint32(i, true);
    if (sig === 0x02014b50) central.push(i);
    if (sig === 0x04034b50) local.push(i);
  }
  return { central, local };
}

describe("the stored package (local_bits_packer.rb)", () => {
  const FILES = {
    "index.js": "console.log('hello from the app')\n",
    "lib/util.js": { content: "module.exports = () => 42;\n", mode: 0o755 },
    "public/css/site.css": { content: "body { margin: 0 }\n", mode: 0o600 },
  };

  it("removes every directory entry and keeps the files, their contents and their modes", async () => {
    await start();
    const upload = await buildAppZip(FILES, { directories: true });
    // The upload really has directory entries, as cf push zips do.
    expect(names(upload)).toEqual(["index.js", "lib/", "lib/util.js", "public/", "public/css/", "public/css/site.css"]);
    const pkg = await uploadAndSettle(upload);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(names(stored)).toEqual(["index.js", "lib/util.js", "public/css/site.css"]);
    expect(await contents(stored)).toEqual({
      "index.js": "console.log('hello from the app')\n",
      "lib/util.js": "module.exports = () => 42;\n",
      "public/css/site.css": "body { margin: 0 }\n",
    });
    expect(modeOf(stored, "index.js")).toBe(0o100644);
    expect(modeOf(stored, "lib/util.js")).toBe(0o100755);
    expect(modeOf(stored, "public/css/site.css")).toBe(0o100600);
  });

  it("records the SHA-256 of the final zip, which differs from the upload's when directory entries were removed", async () => {
    await start();
    const upload = await buildAppZip(FILES, { directories: true });
    const pkg = await uploadAndSettle(upload);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(pkg.data.checksum).toEqual({ type: "sha256", value: sha256(stored) });
    expect(pkg.data.checksum.value).not.toBe(sha256(upload));
  });

  it("stores the upload byte for byte when it has no directory entries and no resources are added", async () => {
    await start();
    const upload = await buildAppZip(FILES);
    const pkg = await uploadAndSettle(upload);
    expectReady(pkg);
    expect(pkg.data.checksum).toEqual({ type: "sha256", value: sha256(upload) });
    expect(Buffer.from(await download(pkg.guid)).equals(Buffer.from(upload))).toBe(true);
  });

  it("stores the upload byte for byte even when its files entered the resource cache", async () => {
    await start(SMALL_CACHE);
    const upload = await buildAppZip(FILES);
    const pkg = await uploadAndSettle(upload);
    expectReady(pkg);
    expect(theSim().state.resourceCache.has(sha1("console.log('hello from the app')\n"))).toBe(true);
    expect(pkg.data.checksum.value).toBe(sha256(upload));
  });
});

describe("resources appended to the package (v2_v3_resource_translator.rb, fingerprints_collection.rb)", () => {
  const ALPHA = "alpha: the first cached file\n";
  const BETA = "beta: the second cached file, a little longer\n";

  it("appends each resource at its path with its mode; a missing mode means 0744", async () => {
    await start(SMALL_CACHE);
    await seedCache({ "seed/alpha.txt": ALPHA, "seed/beta.txt": BETA });
    const pkg = await uploadAndSettle(await buildAppZip({ "index.js": "main()\n" }), [
      v3("config/alpha.txt", ALPHA, "600"),
      v3("beta.txt", BETA),
    ]);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(names(stored)).toEqual(["beta.txt", "config/alpha.txt", "index.js"]);
    expect(modeOf(stored, "config/alpha.txt")).toBe(0o100600);
    expect(modeOf(stored, "beta.txt")).toBe(0o100744);
    expect(modeOf(stored, "index.js")).toBe(0o100644);
    expect(await contents(stored)).toEqual({ "index.js": "main()\n", "config/alpha.txt": ALPHA, "beta.txt": BETA });
    expect(pkg.data.checksum.value).toBe(sha256(stored));
  });

  it("builds a resources-only upload (no bits part) from the cached files alone", async () => {
    await start(SMALL_CACHE);
    await seedCache({ "alpha.txt": ALPHA, "beta.txt": BETA });
    const pkg = await uploadAndSettle(null, [v3("a/alpha.txt", ALPHA, "644"), v3("b.txt", BETA, "755")]);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(names(stored)).toEqual(["a/alpha.txt", "b.txt"]);
    expect(await contents(stored)).toEqual({ "a/alpha.txt": ALPHA, "b.txt": BETA });
    expect(modeOf(stored, "a/alpha.txt")).toBe(0o100644);
    expect(modeOf(stored, "b.txt")).toBe(0o100755);
    expect(pkg.data.checksum.value).toBe(sha256(stored));
  });

  it("accepts V2 entries (fn, size, sha1, mode) mixed with V3 entries in one request", async () => {
    await start(SMALL_CACHE);
    await seedCache({ "alpha.txt": ALPHA, "beta.txt": BETA });
    const pkg = await uploadAndSettle(null, [
      { fn: "v2/alpha.txt", size: ALPHA.length, sha1: sha1(ALPHA), mode: "640" },
      v3("v3/beta.txt", BETA, "604"),
    ]);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(names(stored)).toEqual(["v2/alpha.txt", "v3/beta.txt"]);
    expect(await contents(stored)).toEqual({ "v2/alpha.txt": ALPHA, "v3/beta.txt": BETA });
    expect(modeOf(stored, "v2/alpha.txt")).toBe(0o100640);
    expect(modeOf(stored, "v3/beta.txt")).toBe(0o100604);
  });

  it("treats a null mode as 0744 and ignores the declared size", async () => {
    await start(SMALL_CACHE);
    await seedCache({ "alpha.txt": ALPHA });
    const pkg = await uploadAndSettle(null, [
      { fn: "null-mode.txt", size: ALPHA.length, sha1: sha1(ALPHA), mode: null },
      { path: "wrong-size.txt", size_in_bytes: 1, checksum: { value: sha1(ALPHA) }, mode: "644" },
    ]);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(modeOf(stored, "null-mode.txt")).toBe(0o100744);
    expect(await contents(stored)).toEqual({ "null-mode.txt": ALPHA, "wrong-size.txt": ALPHA });
  });

  it("replaces a file of the zip when a resource has the same path", async () => {
    await start(SMALL_CACHE);
    await seedCache({ "alpha.txt": ALPHA });
    const upload = await buildAppZip({ "a.txt": "the old a\n", "keep.txt": "kept\n" });
    const pkg = await uploadAndSettle(upload, [v3("a.txt", ALPHA, "600")]);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(
      centralDirectory(stored)
        .map((e) => e.name)
        .sort(),
    ).toEqual(["a.txt", "keep.txt"]);
    expect(await contents(stored)).toEqual({ "a.txt": ALPHA, "keep.txt": "kept\n" });
    expect(modeOf(stored, "a.txt")).toBe(0o100600);
  });
});

describe("failures (app_packager.rb): FAILED, the exact data.error, no checksum", () => {
  const INVALID_ZIP = "The app upload is invalid: Invalid zip archive.";

  it("fails an upload that is not a zip", async () => {
    await start();
    const pkg = await uploadAndSettle(new TextEncoder().encode("this is certainly not a zip archive\n"));
    expectFailed(pkg, INVALID_ZIP);
    const r = await api.call(`/v3/packages/${pkg.guid}/download`, { user: DEV });
    expect(r.status).toBe(422);
    expect(r.json.errors[0].detail).toBe("Package has no bits to download.");
  });

  it("fails an empty zip (no entries)", async () => {
    await start();
    const empty = await new JSZip().generateAsync({ type: "uint8array" });
    expect(empty.length).toBe(22);
    expectFailed(await uploadAndSettle(empty), "The app upload is invalid: Invalid zip archive (zipfile is empty).");
  });

  it("stores an empty zip as READY when resource_matching is off (derived from app_packager.rb)", async () => {
    await start();
    theSim().state.featureFlags.get("resource_matching")!.enabled = false;
    const empty = await new JSZip().generateAsync({ type: "uint8array" });
    const pkg = await uploadAndSettle(empty);
    expectReady(pkg);
    expect(names(await download(pkg.guid))).toEqual([]);
  });

  it("fails a zip whose uncompressed sizes add up to more than maxPackageSize", async () => {
    await start({ maxPackageSize: 100 });
    const zip = await buildAppZip({ "a.txt": "a".repeat(60), "b.txt": "b".repeat(41) });
    expect(zip.length).toBeLessThan(400);
    expectFailed(await uploadAndSettle(zip), "The app package is invalid: Package may not be larger than 100 bytes");
  });

  it("accepts a zip whose uncompressed sizes add up to exactly maxPackageSize", async () => {
    await start({ maxPackageSize: 100 });
    expectReady(await uploadAndSettle(await buildAppZip({ "a.txt": "a".repeat(60), "b.txt": "b".repeat(40) })));
  });

  it("fails a package that becomes too large only once resources are appended", async () => {
    await start({ maxPackageSize: 100, ...SMALL_CACHE });
    const cached = "c".repeat(60);
    await seedCache({ "cached.txt": cached });
    const zip = await buildAppZip({ "own.txt": "o".repeat(50) });
    expectFailed(
      await uploadAndSettle(zip, [v3("more/cached.txt", cached, "644")]),
      "The app package is invalid: Package may not be larger than 100 bytes",
    );
  });

  it("checks the uploaded zip's size before resources are appended, even when a resource would replace the big file", async () => {
    await start({ maxPackageSize: 100, ...SMALL_CACHE });
    const small = "s".repeat(10);
    await seedCache({ "small.txt": small });
    const zip = await buildAppZip({ "big.txt": "b".repeat(150) });
    expectFailed(
      await uploadAndSettle(zip, [v3("big.txt", small, "644")]),
      "The app package is invalid: Package may not be larger than 100 bytes",
    );
  });

  it("takes the size from the central directory: a small file declaring 0xFFFFFFF0 bytes is too large, not inflated", async () => {
    await start();
    const zip = await buildAppZip({ "small.txt": "five!" });
    const { central, local } = records(zip);
    expect(central).toHaveLength(1);
    expect(local).toEqual([0]);
    const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    v.setUint32(central[0]! + 24, 0xfffffff0, true);
    v.setUint32(local[0]! + 22, 0xfffffff0, true);
    expect(zip.length).toBeLessThan(200);
    expectFailed(
      await uploadAndSettle(zip),
      "The app package is invalid: Package may not be larger than 1073741824 bytes",
    );
  });

  it("fails a zip with a valid central directory but garbage deflate data in a cache-eligible entry", async () => {
    await start(SMALL_CACHE);
    const content = "lorem ipsum dolor sit amet ".repeat(8);
    const zip = await buildAppZip({ "data.txt": content });
    const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const dataStart = 30 + v.getUint16(26, true) + v.getUint16(28, true);
    const compressed = v.getUint32(18, true);
    expect(compressed).toBeGreaterThan(4);
    zip.fill(0xff, dataStart, dataStart + compressed);
    // The directory still reads fine: only the data is broken.
    expect(names(zip)).toEqual(["data.txt"]);
    expectFailed(await uploadAndSettle(zip), INVALID_ZIP);
    expect(theSim().state.resourceCache.has(sha1(content))).toBe(false);
  });

  it("fails a zip with garbage deflate data in an entry too small for the cache (the job unzips everything)", async () => {
    // package_bits.rb step 2: with resource_matching on the whole zip is unzipped (`unzip -qq -n`), not only cacheable files.
    await start({ resourceCacheMinSize: 65536 });
    const zip = await buildAppZip({ "data.txt": "lorem ipsum dolor sit amet ".repeat(8) });
    const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const dataStart = 30 + v.getUint16(26, true) + v.getUint16(28, true);
    zip.fill(0xff, dataStart, dataStart + v.getUint32(18, true));
    expectFailed(await uploadAndSettle(zip), INVALID_ZIP);
  });

  describe("resource entries", () => {
    const CACHED = "a cached file used by the resource entry tests\n";

    for (const path of ["../incorrect/path", "/etc/passwd"]) {
      it(`fails an unsafe path: ${path}`, async () => {
        await start(SMALL_CACHE);
        await seedCache({ "cached.txt": CACHED });
        expectFailed(
          await uploadAndSettle(null, [v3(path, CACHED, "644")]),
          `The resource file path is invalid: File path '${path}' is not safe.`,
        );
      });
    }

    it("fails an unsafe V2 fn, naming it", async () => {
      await start(SMALL_CACHE);
      await seedCache({ "cached.txt": CACHED });
      expectFailed(
        await uploadAndSettle(null, [{ fn: "../../etc/shadow", size: CACHED.length, sha1: sha1(CACHED), mode: "644" }]),
        "The resource file path is invalid: File path '../../etc/shadow' is not safe.",
      );
    });

    it("accepts a path that leaves and re-enters the work directory /tmp/local_bits_packer-<guid>", async () => {
      await start(SMALL_CACHE);
      await seedCache({ "cached.txt": CACHED });
      const guid = await createPackage();
      const pkg = await uploadToAndSettle(guid, null, [
        v3(`../../../tmp/local_bits_packer-${guid}/legit/path`, CACHED, "644"),
      ]);
      expectReady(pkg);
    });

    it("fails a path that re-enters another package's work directory", async () => {
      await start(SMALL_CACHE);
      await seedCache({ "cached.txt": CACHED });
      const other = await createPackage();
      const guid = await createPackage();
      const path = `../local_bits_packer-${other}/x`;
      expectFailed(
        await uploadToAndSettle(guid, null, [v3(path, CACHED, "644")]),
        `The resource file path is invalid: File path '${path}' is not safe.`,
      );
    });

    for (const mode of ["144", "banana"]) {
      it(`fails mode '${mode}', which does not include 0600`, async () => {
        await start(SMALL_CACHE);
        await seedCache({ "cached.txt": CACHED });
        expectFailed(
          await uploadAndSettle(null, [v3("app/file.txt", CACHED, mode)]),
          `The resource file mode is invalid: File mode '${mode}' with path 'app/file.txt' is invalid. Minimum file mode is '0600'`,
        );
      });
    }

    for (const [mode, stMode] of [
      ["0653", 0o100653],
      ["644", 0o100644],
      ["645", 0o100645],
    ] as const) {
      it(`accepts mode '${mode}' and stores it`, async () => {
        await start(SMALL_CACHE);
        await seedCache({ "cached.txt": CACHED });
        const pkg = await uploadAndSettle(null, [v3("app/file.txt", CACHED, mode)]);
        expectReady(pkg);
        expect(modeOf(await download(pkg.guid), "app/file.txt")).toBe(stMode);
      });
    }

    it("fails a sha1 that is not cached", async () => {
      await start(SMALL_CACHE);
      const missing = sha1("never uploaded anywhere");
      expectFailed(
        await uploadAndSettle(null, [v3("x.txt", "never uploaded anywhere", "644")]),
        `Could not find object '${missing}'`,
      );
    });

    it("fails, with bits too, when a resource's sha1 is not cached", async () => {
      await start(SMALL_CACHE);
      const missing = sha1("not in the cache");
      expectFailed(
        await uploadAndSettle(await buildAppZip({ "index.js": "x\n" }), [v3("y.txt", "not in the cache", "644")]),
        `Could not find object '${missing}'`,
      );
    });

    it("fails when the cached content does not match its sha1, and deletes the entry", async () => {
      await start(SMALL_CACHE);
      await seedCache({ "cached.txt": CACHED });
      const cache = theSim().state.resourceCache;
      const key = sha1(CACHED);
      // The index says the stored content has another SHA-1: a corrupt cache (its record, changed in place).
      Object.assign(cache.get(key)!, { contentSha1: "different" });
      expectFailed(
        await uploadAndSettle(null, [v3("app/file.txt", CACHED, "644")]),
        "One or more cached resources did not match the given checksum. They have been deleted; please retry package upload.",
      );
      expect(cache.has(key)).toBe(false);
    });
  });
});

describe("unusual entries (local_bits_packer.rb)", () => {
  it("keeps entries whose names leave the root (../x, /abs) under those names", async () => {
    await start();
    const zip = new JSZip();
    const opts = { date: new Date(Date.UTC(2025, 0, 15)), createFolders: false, unixPermissions: 0o100644 };
    zip.file("../escape.txt", "escaped\n", opts);
    zip.file("/abs.txt", "absolute\n", opts);
    zip.file("ok.txt", "fine\n", opts);
    const bytes = await zip.generateAsync({ type: "uint8array", platform: "UNIX", compression: "DEFLATE" });
    expect(names(bytes)).toEqual(["../escape.txt", "/abs.txt", "ok.txt"].sort());
    const pkg = await uploadAndSettle(bytes);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(names(stored)).toEqual(["../escape.txt", "/abs.txt", "ok.txt"].sort());
  });

  it("keeps symlink entries in the stored zip but never caches them", async () => {
    await start(SMALL_CACHE);
    const zip = new JSZip();
    const date = new Date(Date.UTC(2025, 0, 15));
    zip.file("target.txt", "the link's target content\n", { date, createFolders: false, unixPermissions: 0o100644 });
    zip.file("link", "target.txt", { date, createFolders: false, unixPermissions: 0o120777 });
    zip.file("broken", "does/not/exist", { date, createFolders: false, unixPermissions: 0o120777 });
    const bytes = await zip.generateAsync({ type: "uint8array", platform: "UNIX", compression: "DEFLATE" });
    const pkg = await uploadAndSettle(bytes);
    expectReady(pkg);
    const stored = await download(pkg.guid);
    expect(names(stored)).toEqual(["broken", "link", "target.txt"]);
    expect(modeOf(stored, "link")).toBe(0o120777);
    expect(modeOf(stored, "broken")).toBe(0o120777);
    const cache = theSim().state.resourceCache;
    expect(cache.has(sha1("the link's target content\n"))).toBe(true);
    expect(cache.has(sha1("target.txt"))).toBe(false);
    expect(cache.has(sha1("does/not/exist"))).toBe(false);
    expect(cache.size).toBe(1);
  });
});

describe("the resource cache (resource_pool.rb): inclusive sizes, regular files, mode at least 0600", () => {
  it("caches files of exactly the minimum and the maximum size, not one byte outside", async () => {
    await start({ resourceCacheMinSize: 5, resourceCacheMaxSize: 10 });
    const files = {
      "min.txt": "12345",
      "max.txt": "abcdefghij",
      "below.txt": "wxyz",
      "above.txt": "ABCDEFGHIJK",
      "middle.txt": "mid-7ch",
    };
    expectReady(await uploadAndSettle(await buildAppZip(files)));
    const cache = theSim().state.resourceCache;
    expect([...cache.keys()].sort()).toEqual([sha1("12345"), sha1("abcdefghij"), sha1("mid-7ch")].sort());
    const min = cache.get(sha1("12345"))!;
    expect(min.sha1).toBe(sha1("12345"));
    expect(min.size).toBe(5);
    expect(min.contentSha1).toBe(sha1("12345"));
    expect(cache.get(sha1("abcdefghij"))!.size).toBe(10);
  });

  it("caches mode 0600 but not mode 0400", async () => {
    await start({ resourceCacheMinSize: 5, resourceCacheMaxSize: 10 });
    const files = {
      "owner-rw.txt": { content: "rw-file", mode: 0o600 },
      "read-only.txt": { content: "ro-file", mode: 0o400 },
      "exec-only.txt": { content: "x-file", mode: 0o500 },
    };
    expectReady(await uploadAndSettle(await buildAppZip(files)));
    expect([...theSim().state.resourceCache.keys()]).toEqual([sha1("rw-file")]);
  });

  it("never caches directory entries, even when size 0 is within the limits", async () => {
    await start({ resourceCacheMinSize: 0, resourceCacheMaxSize: 1000 });
    const zip = await buildAppZip({ "a/b/c.txt": "deep file\n" }, { directories: true });
    expect(names(zip)).toEqual(["a/", "a/b/", "a/b/c.txt"]);
    expectReady(await uploadAndSettle(zip));
    expect([...theSim().state.resourceCache.keys()]).toEqual([sha1("deep file\n")]);
  });

  it("caches a file once, however many uploads contain it", async () => {
    await start(SMALL_CACHE);
    await seedCache({ "one.txt": "shared content\n" });
    await seedCache({ "two.txt": "shared content\n" });
    expect([...theSim().state.resourceCache.keys()]).toEqual([sha1("shared content\n")]);
  });

  it("makes cached bytes available to later uploads exactly as they were", async () => {
    await start(SMALL_CACHE);
    const binary = new Uint8Array(256).map((_, i) => (i * 37) & 0xff);
    const pkg1 = await uploadAndSettle(await buildAppZip({ "bin.dat": binary }));
    expectReady(pkg1);
    const key = sha1(binary);
    expect(theSim().state.resourceCache.get(key)?.size).toBe(256);
    const pkg2 = await uploadAndSettle(null, [
      { path: "copy.dat", size_in_bytes: 256, checksum: { value: key }, mode: "644" },
    ]);
    expectReady(pkg2);
    const zip = await JSZip.loadAsync(await download(pkg2.guid), { checkCRC32: true });
    const back = await zip.file("copy.dat")!.async("uint8array");
    expect(Buffer.from(back).equals(Buffer.from(binary))).toBe(true);
  });
});
