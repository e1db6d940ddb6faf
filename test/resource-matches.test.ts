/**
 * `POST /v3/resource_matches` (`resource_match_create_message.rb`, `resource_pool.rb`): every validation message, the
 * strict matching rules against a cache filled by real uploads, the
 * `resource_matching` feature flag, and the whole `cf push` flow in process.
 */
import JSZip from "jszip";
import { afterEach, describe, expect, it } from "vitest";
import { buildAppZip, buildCfUploadBody, type ResourceEntry } from "../fixtures/index.js";
import type { Simulator, SimulatorOptions } from "../src/index.js";
import { DEV, createBitsPackage, matchResources, patchFlag, postUpload, uploadAndSettle } from "./support/api.js";
import { setup, type Adapter, type Client } from "./support/client.js";
import { expect422 } from "./support/errors.js";
import { sha1, sha256 } from "./support/hash.js";

let sim: Simulator | undefined;
let api: Client;
let close: (() => Promise<void>) | undefined;

async function start(options: SimulatorOptions = {}, adapter: Adapter = "in-process"): Promise<void> {
  ({ sim, api, close } = await setup({ maxValidPackagesStored: 1000, ...options }, adapter));
}
afterEach(async () => {
  await close?.();
  sim = undefined;
  close = undefined;
});

function theSim(): Simulator {
  if (!sim) throw new Error("no simulator");
  return sim;
}

const PREFIX = "Resources array contains at least one resource with ";
const SOME_SHA1 = "0123456789abcdef0123456789abcdef01234567";

const match = (body: unknown, user = DEV) => matchResources(api, body, user);

const good = (overrides: Record<string, unknown> = {}) => ({
  checksum: { value: SOME_SHA1 },
  size_in_bytes: 100,
  path: "a.txt",
  mode: "644",
  ...overrides,
});

/** Uploads a zip of these files to a fresh package and waits for it to be READY. */
async function uploadFiles(files: Parameters<typeof buildAppZip>[0]): Promise<string> {
  const guid = await createBitsPackage(theSim(), api);
  const pkg = await uploadAndSettle(theSim(), api, guid, { bits: await buildAppZip(files) });
  expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
  return guid;
}

describe("validation (422 CF-UnprocessableEntity)", () => {
  it("requires resources to be an array", async () => {
    await start();
    expect422(await match({ resources: "abc" }), "Resources must be an array");
  });

  it("allows at most 5000 resources", async () => {
    await start();
    const resources = Array.from({ length: 5001 }, (_, i) => good({ path: `f${i}` }));
    expect422(await match({ resources }), "Resources array can have at most 5000 resources");
  });

  it("accepts exactly 5000 resources", async () => {
    await start();
    const resources = Array.from({ length: 5000 }, (_, i) => good({ path: `f${i}` }));
    const r = await match({ resources });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("requires at least one resource", async () => {
    await start();
    expect422(await match({ resources: [] }), "Resources must have at least 1 resource");
  });

  const entryCases: Array<[string, Record<string, unknown>]> = [
    ["a non-object checksum", { checksum: SOME_SHA1 }],
    ["a non-string checksum value", { checksum: { value: 1234 } }],
    ["a non-SHA1 checksum value", { checksum: { value: "abc" } }],
    ["a non-integer size_in_bytes", { size_in_bytes: "100" }],
    ["a negative size_in_bytes", { size_in_bytes: -1 }],
    ["a non-string mode", { mode: 644 }],
    ["an incorrect mode", { mode: "rw-r--r--" }],
  ];

  for (const [message, overrides] of entryCases) {
    it(`rejects ${message}`, async () => {
      await start();
      expect422(await match({ resources: [good(), good(overrides)] }), PREFIX + message);
    });

    it(`names ${message} once, however many entries have it`, async () => {
      await start();
      const resources = [good(overrides), good(), good(overrides), good(overrides)];
      expect422(await match({ resources }), PREFIX + message);
    });
  }

  it("rejects a fractional size_in_bytes as non-integer", async () => {
    await start();
    expect422(await match({ resources: [good({ size_in_bytes: 1.5 })] }), PREFIX + "a non-integer size_in_bytes");
  });

  it("checks only the length of the checksum value (40 characters of anything pass)", async () => {
    await start();
    const r = await match({ resources: [good({ checksum: { value: "z".repeat(40) } })] });
    expect(r.status, r.text).toBe(201);
  });

  it("joins every distinct message with ', ', each once", async () => {
    await start();
    // Each fault first appears in the order resource_match_create_message.rb checks them, then repeats.
    const resources = [
      ...entryCases.map(([, overrides]) => good(overrides)),
      ...entryCases.map(([, overrides]) => good(overrides)),
    ];
    expect422(await match({ resources }), entryCases.map(([m]) => PREFIX + m).join(", "));
  });

  for (const mode of ["644", "0644", "100644"]) {
    it(`accepts mode '${mode}'`, async () => {
      await start();
      const r = await match({ resources: [good({ mode })] });
      expect(r.status, r.text).toBe(201);
      expect(r.json).toEqual({ resources: [] });
    });
  }

  it("allows a missing or null mode", async () => {
    await start();
    const { mode: _omit, ...noMode } = good();
    const r = await match({ resources: [noMode, good({ mode: null })] });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("accepts keys besides resources (the message has no NoAdditionalKeysValidator)", async () => {
    await start();
    const r = await match({ resources: [good()], app_guid: "x" });
    expect(r.status, r.text).toBe(201);
  });

  it("accepts what cf-java-client sends: checksum.type, and entries without path or with extra keys", async () => {
    await start();
    const { path: _omit, ...noPath } = good();
    const resources = [good({ checksum: { type: "sha1", value: SOME_SHA1 } }), noPath, good({ extra: [1], fn: "x" })];
    const r = await match({ resources });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("names each message in the order the entries first give it (ActiveModel keeps insertion order)", async () => {
    await start();
    const resources = [good({ mode: 644 }), good({ size_in_bytes: -1 }), good({ checksum: SOME_SHA1 })];
    expect422(
      await match({ resources }),
      [PREFIX + "a non-string mode", PREFIX + "a negative size_in_bytes", PREFIX + "a non-object checksum"].join(", "),
    );
  });
});

describe("matching against the cache (strict sizes, mode at least 0600, sha1 cached)", () => {
  const SIZE_1 = "x";
  const SIZE_1000 = "y".repeat(1000);
  const SIZE_500 = "z".repeat(500);

  async function seeded(): Promise<void> {
    await start({ resourceCacheMinSize: 1, resourceCacheMaxSize: 1000 });
    await uploadFiles({ "one.txt": SIZE_1, "thousand.txt": SIZE_1000, "five-hundred.txt": SIZE_500 });
    // Caching uses inclusive bounds: all three are cached.
    const cache = theSim().state.resourceCache;
    for (const c of [SIZE_1, SIZE_1000, SIZE_500]) expect(cache.has(sha1(c))).toBe(true);
  }

  const entry = (content: string, extra: Record<string, unknown> = {}) => ({
    checksum: { value: sha1(content) },
    size_in_bytes: content.length,
    path: `p${content.length}`,
    mode: "644",
    ...extra,
  });

  it("matches a cached file strictly inside the size bounds with a mode of at least 0600", async () => {
    await seeded();
    const e = entry(SIZE_500);
    const r = await match({ resources: [e] });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [e] });
  });

  it("does not match a cached file whose size equals the minimum", async () => {
    await seeded();
    const r = await match({ resources: [entry(SIZE_1)] });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("does not match a cached file whose size equals the maximum", async () => {
    await seeded();
    const r = await match({ resources: [entry(SIZE_1000)] });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("does not match an entry without a mode, despite the 0744 default", async () => {
    await seeded();
    const { mode: _omit, ...noMode } = entry(SIZE_500);
    const r = await match({ resources: [noMode] });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("does not match mode '400'", async () => {
    await seeded();
    const r = await match({ resources: [entry(SIZE_500, { mode: "400" })] });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("does not match a sha1 that is not cached", async () => {
    await seeded();
    const r = await match({ resources: [entry(SIZE_500, { checksum: { value: sha1("not cached") } })] });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("echoes exactly the matching entries, in request order, from a mixed list", async () => {
    await seeded();
    const a = entry(SIZE_500, { path: "dir/a.txt" });
    const b = entry(SIZE_500, { path: "b.txt", mode: "0600" });
    const c = entry(SIZE_500, { path: "c.txt", mode: "100644" });
    // The size compared is the request's, not the cached file's.
    const d = entry(SIZE_1, { path: "d.txt", size_in_bytes: 2 });
    const resources = [
      entry(SIZE_1),
      a,
      entry(SIZE_1000),
      b,
      entry(SIZE_500, { mode: "400" }),
      c,
      entry(SIZE_500, { checksum: { value: SOME_SHA1 } }),
      d,
      entry(SIZE_500, { mode: null }),
    ];
    const r = await match({ resources });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [a, b, c, d] });
  });
});

describe("matched entries as resource_match_presenter.rb rebuilds them", () => {
  it("answers checksum {value}, size_in_bytes, path, mode in that order, nothing else; a missing path is null", async () => {
    await start({ resourceCacheMinSize: 1, resourceCacheMaxSize: 1000 });
    const content = "z".repeat(500);
    await uploadFiles({ "five-hundred.txt": content });
    const resources = [
      { mode: "644", extra: true, path: "a.txt", size_in_bytes: 500, checksum: { type: "sha1", value: sha1(content) } },
      { size_in_bytes: 500, checksum: { value: sha1(content) }, mode: "0600" },
    ];
    const r = await match({ resources });
    expect(r.status, r.text).toBe(201);
    expect(r.text).toBe(
      JSON.stringify({
        resources: [
          { checksum: { value: sha1(content) }, size_in_bytes: 500, path: "a.txt", mode: "644" },
          { checksum: { value: sha1(content) }, size_in_bytes: 500, path: null, mode: "0600" },
        ],
      }),
    );
  });
});

describe("the resource_matching feature flag", () => {
  const CONTENT = "a file worth caching\n";

  async function disableMatching(): Promise<void> {
    const r = await patchFlag(api, "resource_matching", { enabled: false });
    expect(r.status, r.text).toBe(200);
    expect(r.json.enabled).toBe(false);
  }

  it("answers 201 with no resources when off, even for cached files", async () => {
    await start({ resourceCacheMinSize: 1, resourceCacheMaxSize: 1000 });
    await uploadFiles({ "f.txt": CONTENT });
    const e = { checksum: { value: sha1(CONTENT) }, size_in_bytes: CONTENT.length, path: "f.txt", mode: "644" };
    expect((await match({ resources: [e] })).json).toEqual({ resources: [e] });
    await disableMatching();
    const r = await match({ resources: [e] });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("stops caching uploaded files when off", async () => {
    await start({ resourceCacheMinSize: 1, resourceCacheMaxSize: 1000 });
    await disableMatching();
    await uploadFiles({ "f.txt": CONTENT });
    expect(theSim().state.resourceCache.has(sha1(CONTENT))).toBe(false);
    expect(theSim().state.resourceCache.size).toBe(0);
  });
});

describe.each(["in-process", "http"] as const)("the cf push flow (%s)", (adapter) => {
  it("resource match → create package → upload resources then bits → poll to READY → download every file", async () => {
    await start({ resourceCacheMinSize: 1, resourceCacheMaxSize: 1000, processingDelay: 50 }, adapter);
    const VENDOR = "/* a vendored library, already uploaded by an earlier push */\n".repeat(4);
    await uploadFiles({ "vendor/lib.js": VENDOR });

    // 1. Resource-match the non-empty files.
    const INDEX = "require('./vendor/lib.js');\n";
    const candidates: ResourceEntry[] = [
      { path: "vendor/lib.js", mode: "644", checksum: { value: sha1(VENDOR) }, size_in_bytes: VENDOR.length },
      { path: "index.js", mode: "755", checksum: { value: sha1(INDEX) }, size_in_bytes: INDEX.length },
    ];
    const matched = await match({ resources: candidates });
    expect(matched.status, matched.text).toBe(201);
    expect(matched.json).toEqual({ resources: [candidates[0]] });

    // 2. Create the package.
    const guid = await createBitsPackage(theSim(), api);

    // 3–4. Zip the unmatched files (with directory entries, as the CLI does) and upload.
    const bits = await buildAppZip(
      { "index.js": { content: INDEX, mode: 0o755 }, "public/robots.txt": "User-agent: *\n" },
      { directories: true },
    );
    const body = buildCfUploadBody({ resources: matched.json.resources, bits });
    const text = new TextDecoder().decode(body.body);
    expect(text.indexOf('name="resources"')).toBeLessThan(text.indexOf('name="bits"; filename="package.zip"'));
    expect(text).toContain("Content-Type: application/octet-stream");
    const r = await postUpload(api, guid, body);
    expect(r.status, r.text).toBe(200);
    expect(r.json.state).toBe("PROCESSING_UPLOAD");
    expect(r.json.data.checksum).toEqual({ type: "sha256", value: null });

    // 5. Poll the package, as the cf CLI does (every 3 s there; every 20 ms here).
    let pkg = await api.call(`/v3/packages/${guid}`, { user: DEV });
    for (let i = 0; i < 250 && pkg.json.state === "PROCESSING_UPLOAD"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      pkg = await api.call(`/v3/packages/${guid}`, { user: DEV });
    }
    expect(pkg.json.state).toBe("READY");
    expect(pkg.json.data.error).toBeNull();

    const dl = await api.call(`/v3/packages/${guid}/download`, { user: DEV });
    expect(dl.status).toBe(200);
    expect(pkg.json.data.checksum).toEqual({ type: "sha256", value: sha256(dl.bytes) });
    const zip = await JSZip.loadAsync(dl.bytes, { checkCRC32: true });
    const files = Object.values(zip.files);
    expect(files.map((f) => f.name).sort()).toEqual(["index.js", "public/robots.txt", "vendor/lib.js"]);
    expect(files.some((f) => f.dir)).toBe(false);
    expect(await zip.file("vendor/lib.js")!.async("string")).toBe(VENDOR);
    expect(await zip.file("index.js")!.async("string")).toBe(INDEX);
    expect(await zip.file("public/robots.txt")!.async("string")).toBe("User-agent: *\n");
    expect(zip.file("vendor/lib.js")!.unixPermissions).toBe(0o100644);
    expect(zip.file("index.js")!.unixPermissions).toBe(0o100755);
  });
});
