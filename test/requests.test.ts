/**
 * The cf CLI request builders of fixtures/requests.ts: the resource-match list
 * as `cf push` computes it, the split into `resources` and zip after a match, and
 * the two-step push against the simulator (cli: `actor/v7action/package.go`, `api/cloudcontroller/ccv3/package.go`).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  buildAppZip,
  buildCfUploadBody,
  cfBoundary,
  resourceEntries,
  splitForUpload,
  type FileSpec,
  type ResourceEntry,
} from "../fixtures/index.js";
import type { Simulator } from "../src/index.js";
import { setup, type Client } from "./support/client.js";
import { createBitsPackage, downloadPackage, matchResources, uploadAndSettle } from "./support/api.js";
import { sha1 } from "./support/hash.js";
import { readStoredZip } from "./support/stored-zip.js";
import { packageGuid } from "./support/world.js";

describe("resourceEntries", () => {
  it("gives path, octal mode without a leading zero, sha1 and size, in that key order", () => {
    const entries = resourceEntries({
      "a.js": "hello",
      "bin/run": { content: "#!/bin/sh\n", mode: 0o755 },
      "data.bin": new Uint8Array([0, 1, 2, 255]),
      secret: { content: "s", mode: 0o600 },
    });
    expect(entries).toEqual([
      { path: "a.js", mode: "644", checksum: { value: "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d" }, size_in_bytes: 5 },
      { path: "bin/run", mode: "755", checksum: { value: sha1("#!/bin/sh\n") }, size_in_bytes: 10 },
      { path: "data.bin", mode: "644", checksum: { value: sha1(new Uint8Array([0, 1, 2, 255])) }, size_in_bytes: 4 },
      { path: "secret", mode: "600", checksum: { value: sha1("s") }, size_in_bytes: 1 },
    ]);
    expect(JSON.stringify(entries[0])).toBe(
      '{"path":"a.js","mode":"644","checksum":{"value":"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},"size_in_bytes":5}',
    );
  });

  it("leaves out empty files, as the CLI matches non-empty files only", () => {
    expect(resourceEntries({ "empty.txt": "", "none.bin": new Uint8Array(0), x: "x" }).map((e) => e.path)).toEqual([
      "x",
    ]);
  });

  it("counts bytes, not characters, for multi-byte text", () => {
    expect(resourceEntries({ "é.txt": "héllo" })).toEqual([
      { path: "é.txt", mode: "644", checksum: { value: sha1("héllo") }, size_in_bytes: 6 },
    ]);
  });

  it("orders paths as filepath.Walk visits them: a directory's entries before a sibling that sorts after its name", () => {
    const paths = resourceEntries({ "b.txt": "1", "a.txt": "2", "a/b.txt": "3", "a/a/z": "4", A: "5" }).map(
      (e) => e.path,
    );
    expect(paths).toEqual(["A", "a/a/z", "a/b.txt", "a.txt", "b.txt"]);
  });

  it("keeps only the permission bits of a mode", () => {
    expect(resourceEntries({ f: { content: "1", mode: 0o100644 } })[0]!.mode).toBe("644");
  });
});

describe("splitForUpload", () => {
  const files: Record<string, string | FileSpec> = {
    "index.html": "<h1>hi</h1>\n",
    "copy.html": "<h1>hi</h1>\n",
    "lib/app.js": { content: "module.exports = 1;\n", mode: 0o755 },
    "empty.txt": "",
  };

  it("puts matched entries in resources and every file whose sha1 was not matched in the zip", () => {
    const matched = resourceEntries(files).filter((e) => e.path === "index.html");
    const { resources, zipFiles } = splitForUpload(files, matched);
    expect(resources).toEqual(matched);
    // copy.html has index.html's checksum: the CLI matches by checksum, so it is not zipped either.
    expect(zipFiles).toEqual({ "empty.txt": "", "lib/app.js": { content: "module.exports = 1;\n", mode: 0o755 } });
  });

  it("zips everything when nothing matched, and nothing but empty files when everything did", () => {
    expect(Object.keys(splitForUpload(files, []).zipFiles)).toEqual([
      "copy.html",
      "empty.txt",
      "index.html",
      "lib/app.js",
    ]);
    const all = resourceEntries(files);
    const split = splitForUpload(files, all);
    expect(split.resources).toEqual(all);
    expect(split.zipFiles).toEqual({ "empty.txt": "" });
    expect(splitForUpload({ a: "1" }, resourceEntries({ a: "1" })).zipFiles).toEqual({});
  });

  it("does not share the matched array", () => {
    const matched = resourceEntries({ a: "1" });
    const { resources } = splitForUpload({ a: "1" }, matched);
    resources.push(resources[0]!);
    expect(matched.length).toBe(1);
  });
});

describe("buildCfUploadBody", () => {
  const dec = (b: Uint8Array) => Buffer.from(b).toString("latin1");
  const boundary = cfBoundary();

  it("sends resources first, then bits as package.zip application/octet-stream", () => {
    const resources: ResourceEntry[] = resourceEntries({ "a.js": "hello" });
    const bits = new Uint8Array([0x50, 0x4b, 0x05, 0x06]);
    const body = buildCfUploadBody({ resources, bits });
    expect(body.contentType).toBe(`multipart/form-data; boundary=${boundary}`);
    expect(boundary).toMatch(/^[0-9a-f]{60}$/);
    expect(dec(body.body)).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="resources"\r\n\r\n${JSON.stringify(resources)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="bits"; filename="package.zip"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\nPK\x05\x06\r\n--${boundary}--\r\n`,
    );
  });

  it("sends resources alone when everything matched, and [] when nothing did", () => {
    expect(dec(buildCfUploadBody({ resources: resourceEntries({ a: "12" }), bits: null }).body)).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="resources"\r\n\r\n` +
        `[{"path":"a","mode":"644","checksum":{"value":"${sha1("12")}"},"size_in_bytes":2}]\r\n--${boundary}--\r\n`,
    );
    expect(dec(buildCfUploadBody({}).body)).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="resources"\r\n\r\n[]\r\n--${boundary}--\r\n`,
    );
  });
});

describe("a two-step cf push against the simulator", () => {
  let sim: Simulator | undefined;
  let api: Client;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  const files: Record<string, string | FileSpec> = {
    "index.html": "<!doctype html><title>shop</title><h1>shop</h1>\n",
    "lib/app.js": { content: "module.exports = () => 'shop';\n", mode: 0o755 },
    "empty.txt": "",
    "one.txt": "1",
  };

  async function match(entries: ResourceEntry[]): Promise<ResourceEntry[]> {
    const r = await matchResources(api, { resources: entries });
    expect(r.status, r.text).toBe(201);
    return r.json.resources;
  }

  /** The files of a stored zip as `{name: [mode, text]}`. */
  async function storedFiles(guid: string): Promise<Record<string, [number | null, string]>> {
    const out: Record<string, [number | null, string]> = {};
    for (const e of await readStoredZip(await downloadPackage(api, guid))) out[e.name] = [e.mode, e.text];
    return out;
  }

  const ALL_FILES = {
    "index.html": [0o100644, "<!doctype html><title>shop</title><h1>shop</h1>\n"],
    "lib/app.js": [0o100755, "module.exports = () => 'shop';\n"],
    "empty.txt": [0o100644, ""],
    "one.txt": [0o100644, "1"],
  };

  it("matches what the first upload cached and the second upload, resources plus a smaller zip, ends READY with all files", async () => {
    ({ sim, api } = await setup({ resourceCacheMinSize: 1 }));
    // Nothing is cached yet.
    expect(await match(resourceEntries(files))).toEqual([]);

    const first = await uploadAndSettle(sim, api, packageGuid(sim, "web-app", "AWAITING_UPLOAD"), {
      bits: await buildAppZip(files, { directories: true }),
    });
    expect(first.state).toBe("READY");
    expect(await storedFiles(first.guid)).toEqual(ALL_FILES);

    // The match uses strict size bounds: the 1-byte file was cached (inclusive) but never matches.
    const matched = await match(resourceEntries(files));
    expect(matched).toEqual([
      {
        path: "index.html",
        mode: "644",
        checksum: { value: sha1("<!doctype html><title>shop</title><h1>shop</h1>\n") },
        size_in_bytes: 48,
      },
      {
        path: "lib/app.js",
        mode: "755",
        checksum: { value: sha1("module.exports = () => 'shop';\n") },
        size_in_bytes: 31,
      },
    ]);

    const { resources, zipFiles } = splitForUpload(files, matched);
    expect(Object.keys(zipFiles)).toEqual(["empty.txt", "one.txt"]);
    const second = await uploadAndSettle(sim, api, await createBitsPackage(sim, api), {
      resources,
      bits: await buildAppZip(zipFiles, { directories: true }),
    });
    expect(second.state, JSON.stringify(second.data)).toBe("READY");
    expect(await storedFiles(second.guid)).toEqual(ALL_FILES);
  });

  it("uploads resources alone when every file matched", async () => {
    ({ sim, api } = await setup({ resourceCacheMinSize: 1 }));
    const cachable = { "index.html": files["index.html"]!, "lib/app.js": files["lib/app.js"]! };
    const first = await uploadAndSettle(sim, api, packageGuid(sim, "web-app", "AWAITING_UPLOAD"), {
      bits: await buildAppZip(cachable),
    });
    expect(first.state).toBe("READY");
    const { resources, zipFiles } = splitForUpload(cachable, await match(resourceEntries(cachable)));
    expect(zipFiles).toEqual({});
    expect(resources.map((r) => r.path)).toEqual(["index.html", "lib/app.js"]);
    const second = await uploadAndSettle(sim, api, await createBitsPackage(sim, api), { resources, bits: null });
    expect(second.state, JSON.stringify(second.data)).toBe("READY");
    expect(await storedFiles(second.guid)).toEqual({
      "index.html": ALL_FILES["index.html"],
      "lib/app.js": ALL_FILES["lib/app.js"],
    });
  });
});
