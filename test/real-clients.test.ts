/**
 * Four real clients' request shapes, replayed over HTTP with contract verdicts on: the
 * cf CLI's V3 client, cf-java-client, cf-python-client and go-cfclient v3. Each flow
 * must get the controller's answers and leave no contract violation in the journal: a
 * request the real controller accepts is not a violation (issue 11).
 */
import { randomBytes } from "node:crypto";
import JSZip from "jszip";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { createContractChecker } from "../src/contract/index.js";
import type { RequestChecker, Simulator } from "../src/index.js";
import { expectNoContractViolations } from "../src/testing/index.js";
import { setup, tokenFor, type Answer } from "./support/client.js";
import { sha1, sha256 } from "./support/hash.js";
import { sendWire, type WireRequest } from "./support/wire.js";
import { appGuid } from "./support/world.js";

let checker: RequestChecker;
let sim: Simulator;
let origin: string;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  checker = await createContractChecker();
});
async function start(): Promise<void> {
  let api;
  ({ sim, api, close } = await setup({ contract: checker }, "http"));
  origin = api.origin;
}
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A file big enough for the resource cache (64 KiB and more), and its V3 resource entry. */
const BIG = noise(70_000);

/** Bytes that do not compress (xorshift), the same on every run. */
function noise(size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = 2463534242;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
const BIG_ENTRY = { checksum: { value: sha1(BIG) }, size_in_bytes: BIG.length, path: "vendor/big.bin", mode: "644" };

/** One part of a multipart body, with its header lines exactly as the client writes them. */
interface RawPart {
  headers: string[];
  content: Uint8Array | string;
}
function rawMultipart(boundary: string, parts: RawPart[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(enc.encode(`--${boundary}\r\n${part.headers.join("\r\n")}\r\n\r\n`));
    chunks.push(typeof part.content === "string" ? enc.encode(part.content) : part.content);
    chunks.push(enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
const goBoundary = () => randomBytes(30).toString("hex");

/** Polls `GET /v3/packages/{guid}` with the client's headers until the package leaves the processing states. */
async function pollUntilSettled(headers: Record<string, string>, guid: string): Promise<Answer> {
  for (let i = 0; i < 200; i++) {
    const r = await sendWire(origin, { method: "GET", path: `/v3/packages/${guid}`, headers });
    expect(r.status, r.text).toBe(200);
    if (!["PROCESSING_UPLOAD", "AWAITING_UPLOAD", "COPYING"].includes(r.json.state)) return r;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`package ${guid} never settled`);
}

async function send(wire: WireRequest, status: number): Promise<Answer> {
  const r = await sendWire(origin, wire);
  expect(r.status, `${wire.method} ${wire.path}: ${r.text.slice(0, 300)}`).toBe(status);
  return r;
}

/** The journal's violations, for the message when a flow leaves some. */
function violationCount(): number {
  return sim.journal.entries().reduce((n, e) => n + (e.contract?.violations.length ?? 0), 0);
}

describe("the cf CLI (V3 client)", () => {
  async function cliHeaders(): Promise<Record<string, string>> {
    return {
      Authorization: `bearer ${await tokenFor("space-developer")}`,
      "Content-Type": "application/json",
      "User-Agent": "cf/8.7.0+0d3e1b2.2023-06-28 (go1.21.5; amd64 linux)",
      "X-B3-TraceId": randomBytes(16).toString("hex"),
      "X-B3-SpanId": randomBytes(8).toString("hex"),
      Connection: "close",
    };
  }

  /** `cf push` of an app whose zip holds `files`: apps, resource matches, create, upload, poll. */
  async function push(files: Record<string, Uint8Array | string>, matched: boolean): Promise<string> {
    const h = await cliHeaders();
    const apps = await send({ method: "GET", path: "/v3/apps?names=web-app&per_page=5000", headers: h }, 200);
    const app = apps.json.resources[0].guid as string;
    const matches = await send(
      { method: "POST", path: "/v3/resource_matches", headers: h, body: JSON.stringify({ resources: [BIG_ENTRY] }) },
      201,
    );
    expect(matches.json.resources).toEqual(matched ? [BIG_ENTRY] : []);
    // It reads each matched mode with strconv.ParseUint(mode, 8, 32).
    for (const r of matches.json.resources) expect(parseInt(r.mode, 8)).toBe(0o644);
    const created = await send(
      {
        method: "POST",
        path: "/v3/packages",
        headers: h,
        body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } }),
      },
      201,
    );
    const guid = created.json.guid as string;
    const boundary = goBoundary();
    const zip = await buildAppZip(files);
    const body = rawMultipart(boundary, [
      {
        headers: ['Content-Disposition: form-data; name="resources"'],
        content: JSON.stringify(matches.json.resources),
      },
      {
        headers: [
          'Content-Disposition: form-data; name="bits"; filename="package.zip"',
          "Content-Type: application/octet-stream",
        ],
        content: zip,
      },
    ]);
    const uploadHeaders = { ...h, "Content-Type": `multipart/form-data; boundary=${boundary}` };
    const up = await send({ method: "POST", path: `/v3/packages/${guid}/upload`, headers: uploadHeaders, body }, 200);
    expect(up.json.state).toBe("PROCESSING_UPLOAD");
    expect((await pollUntilSettled(h, guid)).json.state).toBe("READY");
    return guid;
  }

  it("push (twice, the second with a cached file), create-package, delete: the controller's answers, no violation", async () => {
    await start();
    await push({ "index.html": "<h1>hi</h1>", "vendor/big.bin": BIG }, false);
    await push({ "index.html": "<h1>hi again</h1>" }, true);

    // `cf create-package`: one bits part, named after the CLI's temp file, without .zip.
    const h = await cliHeaders();
    const app = appGuid(sim, "web-app");
    const created = await send(
      {
        method: "POST",
        path: "/v3/packages",
        headers: h,
        body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } }),
      },
      201,
    );
    const guid = created.json.guid as string;
    const boundary = goBoundary();
    const body = rawMultipart(boundary, [
      {
        headers: [
          'Content-Disposition: form-data; name="bits"; filename="cf-cli-1827364509"',
          "Content-Type: application/octet-stream",
        ],
        content: await buildAppZip({ "index.html": "<h1>pkg</h1>" }),
      },
    ]);
    const uploadHeaders = { ...h, "Content-Type": `multipart/form-data; boundary=${boundary}` };
    await send({ method: "POST", path: `/v3/packages/${guid}/upload`, headers: uploadHeaders, body }, 200);
    expect((await pollUntilSettled(h, guid)).json.state).toBe("READY");

    // Bodiless DELETE and GETs, each with Content-Type: application/json.
    const deleted = await send({ method: "DELETE", path: `/v3/packages/${guid}`, headers: h }, 202);
    const job = new URL(deleted.headers.get("location")!).pathname;
    await send({ method: "GET", path: job, headers: h }, 200);
    await send({ method: "GET", path: `/v3/apps/${app}/packages?states=READY&order_by=-created_at`, headers: h }, 200);

    expectNoContractViolations(sim);
    expect(violationCount(), "contract violations").toBe(0);
  });
});

describe("cf-java-client", () => {
  /** Bodies over 8 KiB go out with `Transfer-Encoding: chunked` (in 8 KiB chunks), smaller ones with a Content-Length. */
  const javaFraming = (body: Uint8Array | string) => (body.length > 8192 ? { chunked: 8192 } : {});
  async function javaHeaders(): Promise<Record<string, string>> {
    return {
      authorization: `bearer ${await tokenFor("space-developer")}`,
      "user-agent": "CloudFoundryJavaClient/5.12.0.RELEASE (Java; Eclipse Adoptium/17.0.9) ReactorNetty/1.1.13",
      accept: "application/json",
      host: new URL(origin).host,
    };
  }
  const json = (h: Record<string, string>) => ({ ...h, "content-type": "application/json" });

  /** A zip whose entries carry the unix mode without the file-type bits, as the client's zip writer sets it. */
  async function javaZip(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
    const zip = new JSZip();
    for (const [path, content] of Object.entries(files)) zip.file(path, content, { unixPermissions: 0o644 });
    return new Uint8Array(await zip.generateAsync({ type: "arraybuffer", platform: "UNIX", compression: "DEFLATE" }));
  }

  /** Bits first (`application/zip`), then `resources` only when non-empty: lower-case part headers, each with its length. */
  function javaUploadBody(boundary: string, zip: Uint8Array, resources: unknown[]): Uint8Array {
    const parts: RawPart[] = [
      {
        headers: [
          'content-disposition: form-data; name="bits"; filename="application.zip"',
          `content-length: ${zip.length}`,
          "content-type: application/zip",
        ],
        content: zip,
      },
    ];
    if (resources.length) {
      const text = JSON.stringify(resources);
      parts.push({
        headers: [
          'content-disposition: form-data; name="resources"',
          `content-length: ${Buffer.byteLength(text)}`,
          "content-type: application/octet-stream",
          "content-transfer-encoding: binary",
        ],
        content: text,
      });
    }
    return rawMultipart(boundary, parts);
  }

  async function createAndUpload(files: Record<string, Uint8Array | string>, resources: unknown[]): Promise<string> {
    const h = await javaHeaders();
    const app = appGuid(sim, "web-app");
    const body = JSON.stringify({ type: "bits", data: {}, relationships: { app: { data: { guid: app } } } });
    const created = await send({ method: "POST", path: "/v3/packages", headers: json(h), body }, 201);
    const guid = created.json.guid as string;
    const boundary = randomBytes(16).toString("base64url");
    const upload = javaUploadBody(boundary, await javaZip(files), resources);
    const headers = { ...h, "content-type": `multipart/form-data; boundary=${boundary}` };
    await send(
      { method: "POST", path: `/v3/packages/${guid}/upload`, headers, body: upload, ...javaFraming(upload) },
      200,
    );
    expect((await pollUntilSettled(h, guid)).json.state).toBe("READY");
    return guid;
  }

  it("create with data {}, matches with checksum.type, chunked uploads: the controller's answers, no violation", async () => {
    await start();
    const h = await javaHeaders();
    await createAndUpload({ "index.html": "<h1>hi</h1>", "vendor/big.bin": BIG }, []);
    const entry = { checksum: { type: "sha1", value: BIG_ENTRY.checksum.value }, mode: "644", path: "vendor/big.bin" };
    const resources = [{ ...entry, size_in_bytes: BIG.length }];
    const matches = await send(
      { method: "POST", path: "/v3/resource_matches", headers: json(h), body: JSON.stringify({ resources }) },
      201,
    );
    // The zip's entries had no file-type bits: the file still counted as regular and was cached.
    expect(matches.json.resources).toHaveLength(1);
    // Big request bodies go chunked too, whatever their type.
    const many = Array.from({ length: 120 }, (_, i) => ({ ...resources[0]!, path: `lib/f${i}.js` }));
    const bigBody = JSON.stringify({ resources: many });
    expect(bigBody.length).toBeGreaterThan(8 * 1024);
    await send(
      { method: "POST", path: "/v3/resource_matches", headers: json(h), body: bigBody, ...javaFraming(bigBody) },
      201,
    );
    const guid = await createAndUpload({ "index.html": "<h1>again</h1>", "more.bin": noise(9000) }, resources);
    await send({ method: "PATCH", path: `/v3/packages/${guid}`, headers: json(h), body: "{}" }, 200);

    expectNoContractViolations(sim);
    expect(violationCount(), "contract violations").toBe(0);
  });
});

describe("cf-python-client", () => {
  it("one bits part named by its full local path, no part type, no resources: READY, no violation", async () => {
    await start();
    const h = {
      "User-Agent": "python-requests/2.31.0",
      "Accept-Encoding": "gzip, deflate",
      Accept: "*/*",
      Connection: "keep-alive",
      Authorization: `Bearer ${await tokenFor("space-developer")}`,
    };
    const apps = await send({ method: "GET", path: "/v3/apps?names=web-app", headers: h }, 200);
    const app = apps.json.resources[0].guid as string;
    const body = JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } });
    const created = await send(
      { method: "POST", path: "/v3/packages", headers: { ...h, "Content-Type": "application/json" }, body },
      201,
    );
    const guid = created.json.guid as string;
    const boundary = randomBytes(16).toString("hex");
    const upload = rawMultipart(boundary, [
      {
        headers: ['Content-Disposition: form-data; name="bits"; filename="/home/ci/build/app.zip"'],
        content: await buildAppZip({ "app.py": "print('hi')\n" }),
      },
    ]);
    const headers = { ...h, "Content-Type": `multipart/form-data; boundary=${boundary}` };
    await send({ method: "POST", path: `/v3/packages/${guid}/upload`, headers, body: upload }, 200);
    expect((await pollUntilSettled(h, guid)).json.state).toBe("READY");

    expectNoContractViolations(sim);
    expect(violationCount(), "contract violations").toBe(0);
  });
});

describe("go-cfclient v3", () => {
  it("one bits part (package.zip, octet-stream), poll until READY, download: the 302, then its Location without a token", async () => {
    await start();
    const h = {
      "User-Agent": "Go-CF-Client/3.0",
      Authorization: `Bearer ${await tokenFor("space-developer")}`,
      "Accept-Encoding": "gzip",
    };
    const app = appGuid(sim, "web-app");
    const body = JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } });
    const created = await send(
      { method: "POST", path: "/v3/packages", headers: { ...h, "Content-Type": "application/json" }, body },
      201,
    );
    const guid = created.json.guid as string;
    const boundary = goBoundary();
    const zip = await buildAppZip({ "main.go": "package main\n" });
    const upload = rawMultipart(boundary, [
      {
        headers: [
          'Content-Disposition: form-data; name="bits"; filename="package.zip"',
          "Content-Type: application/octet-stream",
        ],
        content: zip,
      },
    ]);
    const headers = { ...h, "Content-Type": `multipart/form-data; boundary=${boundary}` };
    await send({ method: "POST", path: `/v3/packages/${guid}/upload`, headers, body: upload }, 200);
    expect((await pollUntilSettled(h, guid)).json.state).toBe("READY");
    // Packages.Download does not follow redirects: it requires the 3xx and reads Location itself,
    // then fetches that URL without the token, as from a blobstore.
    const download = await sendWire(origin, { method: "GET", path: `/v3/packages/${guid}/download`, headers: h });
    expect(download.status).toBe(302);
    const location = new URL(download.headers.get("location")!);
    const blob = await sendWire(origin, {
      method: "GET",
      path: location.pathname + location.search,
      headers: { "User-Agent": "Go-http-client/1.1", "Accept-Encoding": "gzip" },
    });
    expect(blob.status).toBe(200);
    expect(sha256(blob.bytes)).toBe(sim.state.packages.get(guid)!.checksum.value);

    expectNoContractViolations(sim);
    expect(violationCount(), "contract violations").toBe(0);
  });
});
