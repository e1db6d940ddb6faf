/**
 * Robustness of the HTTP server, the front end and the file store: races,
 * abandoned and hostile uploads, limits with clear errors, and safe defaults.
 * Everything runs through the real Node server on a free port with a file store.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildAppZip,
  buildCfUploadBody,
  buildEscapingZip,
  buildMultipart,
  buildSymlinkZip,
  buildZipDeclaringSize,
} from "../fixtures/index.js";
import { createSimulator, mintUserToken, type Simulator, type SimulatorOptions } from "../src/index.js";
import { readUploadForm } from "../src/core/upload/front-end.js";
import { MultipartParser } from "../src/core/upload/multipart.js";
import { createMemoryStore } from "../src/core/blob-store.js";
import { createFileStore, serve, type FileStore } from "../src/node/index.js";
import { chunked, createBitsPackage, postUpload, upload } from "./support/api.js";
import { liveBlobs, ownedBlobs } from "./support/blobs.js";
import { setup, tokenFor, type Client } from "./support/client.js";
import { sha256 } from "./support/hash.js";
import { packageGuid } from "./support/world.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ALREADY_UPLOADED = {
  errors: [
    {
      detail: "Bits may be uploaded only once. Create a new package to upload different bits.",
      title: "CF-PackageBitsAlreadyUploaded",
      code: 150004,
    },
  ],
};

interface Harness {
  sim: Simulator;
  api: Client;
  store: FileStore;
  /** Where the store's directory lives: a private folder, so that nothing else writes there. */
  parent: string;
  port: number;
  close(): Promise<void>;
}

/** `setup(…, "http")` with a file store of our own (in a private parent folder), so its directory can be inspected. */
async function start(options: SimulatorOptions = {}): Promise<Harness> {
  const parent = mkdtempSync(join(tmpdir(), "mock-packages-robustness-"));
  const store = createFileStore({ parent });
  const { sim, api, close } = await setup({ processingDelay: 0, store, ...options }, "http");
  return {
    sim,
    api,
    store,
    parent,
    port: Number(new URL(api.origin).port),
    close: async () => {
      await close();
      store.dispose();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** The store holds exactly the blobs of READY packages and cache entries, and its folder nothing else. */
async function expectOnlyLiveBlobs(h: Harness): Promise<void> {
  const expected = ownedBlobs(h.sim);
  expect(await liveBlobs(h.store)).toEqual(expected);
  for (const name of readdirSync(h.store.directory)) expect(expected, `leftover file ${name}`).toContain(name);
}

/** Waits (bounded) until the store folder holds exactly `names`: the server notices aborts asynchronously. */
async function waitForFiles(dir: string, names: string[]): Promise<string[]> {
  let now = readdirSync(dir).sort();
  for (let i = 0; i < 100 && JSON.stringify(now) !== JSON.stringify(names); i++) {
    await sleep(20);
    now = readdirSync(dir).sort();
  }
  return now;
}

function listRecursive(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    out.push(rel);
    if (entry.isDirectory()) out.push(...listRecursive(join(dir, entry.name), rel + "/"));
  }
  return out.sort();
}

/** Sends raw bytes on a fresh socket and resolves with everything the server sent back before closing. */
function rawExchange(port: number, chunks: Array<string | Uint8Array>, timeoutMs = 5000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms; got so far: ${received.slice(0, 200)}`));
    }, timeoutMs);
    socket.on("data", (d) => {
      received += d.toString("latin1");
      // One answer is enough: stop when the head and the declared body are in.
      const head = received.indexOf("\r\n\r\n");
      if (head !== -1) {
        const length = /content-length:\s*(\d+)/i.exec(received.slice(0, head));
        if (length && received.length - head - 4 >= Number(length[1])) socket.end();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolvePromise(received);
    });
    socket.on("connect", () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

describe("races", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start({ maxValidPackagesStored: 1000 });
  });
  afterAll(() => h.close());

  it("100 simultaneous uploads to one AWAITING_UPLOAD package: exactly one 200 and 99 × 400 CF-PackageBitsAlreadyUploaded", async () => {
    const guid = packageGuid(h.sim, "web-app", "AWAITING_UPLOAD");
    const body = buildCfUploadBody({ bits: await buildAppZip({ "index.js": "console.log('race')\n" }) });
    const answers = await Promise.all(Array.from({ length: 100 }, () => postUpload(h.api, guid, body)));
    const ok = answers.filter((a) => a.status === 200);
    const rejected = answers.filter((a) => a.status === 400);
    expect(ok).toHaveLength(1);
    expect(rejected).toHaveLength(99);
    for (const r of rejected) {
      expect(r.json).toEqual(ALREADY_UPLOADED);
      expect(Object.keys(r.json.errors[0])).toEqual(["detail", "title", "code"]);
    }
    await h.sim.idle();
    expect(h.sim.state.packages.get(guid)!.state).toBe("READY");
    // The 99 losers' uploads were stored while the body was read; none may stay behind.
    await expectOnlyLiveBlobs(h);
  });

  it("100 simultaneous uploads to 100 packages: all READY, each checksum the sha256 of its own download", async () => {
    const guids: string[] = [];
    for (let i = 0; i < 100; i++) guids.push(await createBitsPackage(h.sim, h.api));
    // Stored entries, so that each package's marker is readable in its download.
    const zips = await Promise.all(
      guids.map((_, i) => buildAppZip({ "id.txt": `package number ${i} of the race\n` }, { compression: "STORE" })),
    );
    const answers = await Promise.all(guids.map((g, i) => postUpload(h.api, g, buildCfUploadBody({ bits: zips[i] }))));
    expect(answers.map((a) => a.status)).toEqual(guids.map(() => 200));
    await h.sim.idle();
    const results = await Promise.all(
      guids.map(async (g) => {
        const pkg = await h.api.call(`/v3/packages/${g}`, { user: "space-developer" });
        const download = await h.api.call(`/v3/packages/${g}/download`, { user: "space-developer" });
        return { pkg: pkg.json, download };
      }),
    );
    results.forEach(({ pkg, download }, i) => {
      expect(pkg.state, `package ${i}`).toBe("READY");
      expect(download.status).toBe(200);
      expect(pkg.data.checksum).toEqual({ type: "sha256", value: sha256(download.bytes) });
      // No cross-wiring: each package holds its own bits.
      expect(Buffer.from(download.bytes).includes(`package number ${i} of the race\n`), `package ${i}`).toBe(true);
    });
    expect(new Set(results.map((r) => r.pkg.data.checksum.value)).size).toBe(100);
    await expectOnlyLiveBlobs(h);
  });
});

describe("abandoned and hostile uploads", () => {
  let h: Harness;
  afterEach(() => h?.close());

  it("an abandoned upload leaves the package AWAITING_UPLOAD, no temp file, a serving server, and a package that can be uploaded again", async () => {
    h = await start();
    const guid = packageGuid(h.sim, "web-app", "AWAITING_UPLOAD");
    const token = await tokenFor("space-developer");
    const zip = await buildAppZip({ "big.bin": new Uint8Array(4 * 1024 * 1024).fill(7) }, { compression: "STORE" });
    const body = buildCfUploadBody({ bits: zip });
    const before = readdirSync(h.store.directory).sort();
    let sawTempFile = false;
    await new Promise<void>((done) => {
      const socket = connect(h.port, "127.0.0.1", () => {
        socket.write(
          `POST /v3/packages/${guid}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: bearer ${token}\r\n` +
            `Content-Type: ${body.contentType}\r\nContent-Length: ${body.body.length}\r\n\r\n`,
        );
        socket.write(body.body.subarray(0, body.body.length >> 1), async () => {
          // Wait until the server is writing the temp file (bounded), then vanish.
          for (let i = 0; i < 100 && readdirSync(h.store.directory).length <= before.length; i++) await sleep(10);
          sawTempFile = readdirSync(h.store.directory).length > before.length;
          socket.destroy();
        });
      });
      socket.on("error", () => {});
      socket.on("close", () => done());
    });
    // Half the body (2 MiB) is more than the store keeps in memory: a temp file existed, and must go.
    expect(sawTempFile, "the upload was being written to a temp file when the client vanished").toBe(true);
    expect(await waitForFiles(h.store.directory, before)).toEqual(before);
    expect(h.sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
    expect((await h.api.call("/v3", {})).status).toBe(200);
    const again = await postUpload(h.api, guid, body);
    expect(again.status).toBe(200);
    await h.sim.idle();
    const pkg = await h.api.call(`/v3/packages/${guid}`, { user: "space-developer" });
    expect(pkg.json.state).toBe("READY");
    await expectOnlyLiveBlobs(h);
  });

  it("a zip that declares 4 GiB ends FAILED (package too large) without inflating anything: RSS grows < 50 MB", async () => {
    h = await start();
    const guid = packageGuid(h.sim, "web-app", "AWAITING_UPLOAD");
    // One stored entry of 5 bytes whose headers claim 4294967294 bytes.
    const zip = await buildZipDeclaringSize(0xfffffffe);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 2);
    try {
      const r = await postUpload(h.api, guid, buildCfUploadBody({ bits: zip }));
      expect(r.status).toBe(200);
      await h.sim.idle();
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const pkg = await h.api.call(`/v3/packages/${guid}`, { user: "space-developer" });
    expect(pkg.json.state).toBe("FAILED");
    expect(pkg.json.data.error).toBe("The app package is invalid: Package may not be larger than 1073741824 bytes");
    expect((peak - rssBefore) / 1024 / 1024, "RSS growth in MB").toBeLessThan(50);
    await expectOnlyLiveBlobs(h);
  });

  it("entries with ../, absolute paths and symlinks never touch the file system outside the store directory", async () => {
    h = await start({ maxValidPackagesStored: 1000 });
    const storeName = h.store.directory.slice(h.parent.length + 1);
    const outsideBefore = listRecursive(h.parent).filter((p) => p !== storeName && !p.startsWith(storeName + "/"));
    const cwdEscape = resolve("../escape.txt");
    const existedBefore = [cwdEscape, "/abs/path.txt", "/abs", join(tmpdir(), "etc", "evil")].filter((p) =>
      existsSync(p),
    );
    const zips = [
      await buildEscapingZip(),
      await buildSymlinkZip(
        { "link-out": "../../../../../tmp", "etc-passwd": "/etc/passwd", up: ".." },
        { "app.js": "1\n", "big.bin": new Uint8Array(70_000).fill(1) },
      ),
      // A file "through" a symlink of the same upload, and names with NUL-free oddities.
      await buildAppZip({ "link-out/evil.txt": "through the link\n", "./../../x.txt": "x\n", "a/../../y.txt": "y\n" }),
    ];
    const guids: string[] = [];
    for (const zip of zips) {
      const g = await createBitsPackage(h.sim, h.api);
      guids.push(g);
      const r = await postUpload(h.api, g, buildCfUploadBody({ bits: zip }));
      expect(r.status).toBe(200);
    }
    // Resources naming paths outside the work directory fail the job, touching nothing.
    const escapingResources = await createBitsPackage(h.sim, h.api);
    const r = await postUpload(
      h.api,
      escapingResources,
      buildCfUploadBody({
        resources: [
          {
            path: "../../../../tmp/evil-resource",
            checksum: { value: "a".repeat(40) },
            size_in_bytes: 70_000,
            mode: "644",
          },
        ],
      }),
    );
    expect(r.status).toBe(200);
    await h.sim.idle();
    const states = guids.map((g) => h.sim.state.packages.get(g)!.state);
    expect(states).toEqual(["READY", "READY", "READY"]);
    expect(h.sim.state.packages.get(escapingResources)!.error).toBe(
      "The resource file path is invalid: File path '../../../../tmp/evil-resource' is not safe.",
    );
    const outsideAfter = listRecursive(h.parent).filter((p) => p !== storeName && !p.startsWith(storeName + "/"));
    expect(outsideAfter).toEqual(outsideBefore);
    // Inside the store: flat blob files only, no directories, no links.
    for (const name of readdirSync(h.store.directory)) {
      expect(name).toMatch(/^blob-\d+$/);
      expect(statSync(join(h.store.directory, name)).isFile()).toBe(true);
    }
    await expectOnlyLiveBlobs(h);
    for (const p of [cwdEscape, "/abs/path.txt", "/abs", join(tmpdir(), "etc", "evil"), "/tmp/evil-resource"]) {
      if (!existedBefore.includes(p)) expect(existsSync(p), p).toBe(false);
    }
  });
});

describe("limits answer with clear errors", () => {
  let h: Harness;
  const MAX_BODY = 1024 * 1024;
  beforeAll(async () => {
    h = await start({ maxBodySize: MAX_BODY, maxValidPackagesStored: 1000 });
  });
  afterAll(() => h.close());

  const overLimitBody = () => buildCfUploadBody({ bits: new Uint8Array(MAX_BODY + 1024).fill(3) });

  it("a body over maxBodySize with Content-Length: 413 nginx page, package untouched, nothing stored", async () => {
    const guid = await createBitsPackage(h.sim, h.api);
    const before = readdirSync(h.store.directory).sort();
    const r = await postUpload(h.api, guid, overLimitBody());
    expect(r.status).toBe(413);
    expect(r.headers.get("content-type")).toBe("text/html");
    expect(r.text).toContain("<center><h1>413 Request Entity Too Large</h1></center>");
    expect(r.headers.get("x-mock-packages-detail")).toContain(`at most ${MAX_BODY} bytes`);
    expect(h.sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
    expect(readdirSync(h.store.directory).sort()).toEqual(before);
    expect((await h.api.call("/v3", {})).status).toBe(200);
  });

  it("a chunked body (no Content-Length) over maxBodySize: 413 once the limit is passed, nothing stored", async () => {
    const guid = await createBitsPackage(h.sim, h.api);
    const before = readdirSync(h.store.directory).sort();
    const { body, contentType } = overLimitBody();
    const r = await postUpload(h.api, guid, { body: chunked(body, 64 * 1024), contentType });
    expect(r.status).toBe(413);
    expect(r.text).toContain("413 Request Entity Too Large");
    expect(r.headers.get("x-mock-packages-detail")).toContain(`larger than ${MAX_BODY} bytes`);
    expect(h.sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
    expect(await waitForFiles(h.store.directory, before)).toEqual(before);
    expect((await h.api.call("/v3", {})).status).toBe(200);
  });

  it("more than 1000 parts: 400 CF-MessageParseError naming the limit", async () => {
    const guid = await createBitsPackage(h.sim, h.api);
    const parts = Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, content: "x" }));
    // 900 KiB after the 1001st part: the answer comes while the client is still sending.
    const r = await postUpload(
      h.api,
      guid,
      buildMultipart([...parts, { name: "bits", filename: "a.zip", content: new Uint8Array(900 * 1024) }]),
    );
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      errors: [
        {
          detail: "Request invalid due to parse error: the body has more than 1000 parts",
          title: "CF-MessageParseError",
          code: 1001,
        },
      ],
    });
    // 1000 parts are within the limit: the form is read and judged by the controller (unknown fields: 422).
    const within = await postUpload(h.api, guid, buildMultipart(parts.slice(0, 1000)));
    expect(within.status).toBe(422);
  });

  it("a part header over 16 KiB: 400 CF-MessageParseError naming the limit", async () => {
    const guid = await createBitsPackage(h.sim, h.api);
    const body = buildMultipart([
      { name: "resources", content: "[]", headers: { "X-Padding": "p".repeat(17 * 1024) } },
      { name: "bits", filename: "a.zip", content: new Uint8Array(900 * 1024) },
    ]);
    const r = await postUpload(h.api, guid, body);
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual([
      {
        detail: "Request invalid due to parse error: a part's headers are larger than 16384 bytes",
        title: "CF-MessageParseError",
        code: 1001,
      },
    ]);
    expect(h.sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
  });

  it("a parse error answered mid-body, on a chunked request with megabytes still to come: 400, and the server lives on", async () => {
    // Regression: the adapter's Readable.toWeb(req) threw an uncaught ERR_INVALID_STATE when the body was
    // cancelled with bytes still buffered, killing the process (or destroyed the socket before the answer).
    const guid = await createBitsPackage(h.sim, h.api);
    const { body, contentType } = buildMultipart([
      { name: "resources", content: "[]", headers: { "X-Padding": "p".repeat(17 * 1024) } },
      { name: "bits", filename: "a.zip", content: new Uint8Array(MAX_BODY - 64 * 1024) },
    ]);
    for (let round = 0; round < 3; round++) {
      const r = await postUpload(h.api, guid, { body: chunked(body, 16 * 1024), contentType });
      expect(r.status).toBe(400);
      expect(r.json.errors[0].title).toBe("CF-MessageParseError");
      expect((await h.api.call("/v3", {})).status).toBe(200);
    }
    expect(h.sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
  });

  it("readUploadForm: a text field over maxFieldSize is the front end's 413 naming the field and the limit, nothing stored", async () => {
    const store = createMemoryStore();
    const body = buildMultipart([
      { name: "bits", filename: "a.zip", content: new Uint8Array(100) },
      { name: "resources", content: "[" + " ".repeat(2000) + "]" },
    ]);
    const request = new Request("http://x/", {
      method: "POST",
      headers: { "content-type": body.contentType },
      body: body.body,
    });
    await expect(readUploadForm(request, store, { maxBodySize: 1 << 20, maxFieldSize: 1024 })).rejects.toMatchObject({
      status: 413,
      detail: expect.stringMatching(
        /^The form field 'resources' is larger than 1024 bytes, the most the front end keeps/,
      ),
    });
  });

  it("an HTTP request header over Node's limit: 431 from Node, and the server goes on serving", async () => {
    const answer = await rawExchange(h.port, [
      `GET /v3 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ${"h".repeat(64 * 1024)}\r\n\r\n`,
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(process.pid).toBeGreaterThan(0);
    expect((await h.api.call("/v3", {})).status).toBe(200);
  });
});

describe("the streaming multipart parser under hostile input", () => {
  it("megabytes of transport padding after a delimiter take linear time and no growing buffer", () => {
    // Regression: the padding was kept in the parser's buffer, which every write copied again:
    // 32 MiB of spaces took ~10 s and hundreds of MB before the first part.
    const parser = new MultipartParser("xyz");
    const encode = (t: string) => new TextEncoder().encode(t);
    expect(parser.write(encode("--xyz"))).toEqual([]);
    const spaces = new Uint8Array(64 * 1024).fill(32);
    const started = performance.now();
    for (let i = 0; i < 512; i++) expect(parser.write(spaces)).toEqual([]);
    expect(performance.now() - started, "ms for 32 MiB of padding").toBeLessThan(2000);
    const events = [
      ...parser.write(encode('\r\nContent-Disposition: form-data; name="resources"\r\n\r\n[]\r\n--xyz--\r\n')),
      ...parser.end(),
    ];
    expect(events.map((e) => e.type)).toEqual(["part", "data", "end-part"]);
    expect(events[0]!.type === "part" && events[0]!.headers.name).toBe("resources");
  });
});

describe("odd request targets and Host headers", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start();
  });
  afterAll(() => h.close());

  /** One request with node:http, which sends the target and the Host header exactly as given. */
  function get(path: string, host?: string): Promise<{ status: number; type: string; body: string }> {
    return new Promise((resolvePromise, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: h.port,
          path,
          headers: host === undefined ? {} : { host },
          setHost: host === undefined,
        },
        (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () =>
            resolvePromise({ status: res.statusCode!, type: res.headers["content-type"] ?? "", body }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("a target that starts with // is a path (slashes merged), never a host: no 400 text/plain", async () => {
    // Regression: new URL("//x/y", origin) read `x` as a host; an invalid one threw, answered 400 text/plain.
    const unknown = await get("//%F2%93%A9%A6//*/U/-/D/");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({
      errors: [{ detail: "Unknown request", title: "CF-NotFound", code: 10000 }],
    });
    const v3 = await get("//v3//");
    expect(v3.status).toBe(200);
    expect(JSON.parse(v3.body).links.self.href).toBe(`http://127.0.0.1:${h.port}/v3`);
    expect((await get("//evil.example/v3")).status).toBe(404);
  });

  it("an invalid Host header falls back to the listening address for links; a valid one is used", async () => {
    for (const host of ["a b", "ä.example", "x/y", "user@evil.example", "h:99999", ""]) {
      const r = await get("/v3", host);
      expect(r.status, JSON.stringify(host)).toBe(200);
      expect(JSON.parse(r.body).links.self.href, JSON.stringify(host)).toBe(`http://127.0.0.1:${h.port}/v3`);
    }
    const named = await get("/v3", "api.example.com:8080");
    expect(JSON.parse(named.body).links.self.href).toBe("http://api.example.com:8080/v3");
  });
});

describe("hostile resources JSON and the journal", () => {
  it("a deeply nested resources field (422) does not break GET /__mock/journal afterwards", async () => {
    // Reported, not fixed here (src/core/routes/upload.ts keeps the parsed value in the journal;
    // the journal route's JSON.stringify then overflows the stack and answers 500 UnknownError).
    const h = await start();
    try {
      const guid = packageGuid(h.sim, "web-app", "AWAITING_UPLOAD");
      const depth = 10_000;
      const r = await postUpload(
        h.api,
        guid,
        buildMultipart([{ name: "resources", content: "[".repeat(depth) + "]".repeat(depth) }]),
      );
      expect(r.status).toBe(422);
      expect(r.json.errors[0].detail).toBe("Resources must be valid JSON.");
      const journal = await h.api.call("/__mock/journal", {});
      expect(journal.status, journal.text.slice(0, 200)).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe("security defaults", () => {
  it("serve() without host listens on 127.0.0.1 only", async () => {
    const store = createFileStore();
    const sim = createSimulator({ processingDelay: 0, logger: () => {}, store });
    const running = await serve({ simulator: sim, port: 0 });
    try {
      expect(running.server.address()).toMatchObject({ address: "127.0.0.1", family: "IPv4" });
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      const external = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === "IPv4" && !i.internal);
      if (external) {
        // Reachable on loopback, refused on the machine's other address.
        const refused = await new Promise<boolean>((done) => {
          const s = connect(running.port, external.address);
          s.on("connect", () => {
            s.destroy();
            done(false);
          });
          s.on("error", () => done(true));
        });
        expect(refused, `connecting to ${external.address}:${running.port}`).toBe(true);
      }
      expect((await fetch(`${running.url}/v3`)).status).toBe(200);
    } finally {
      await running.close();
      await sim.close();
      store.dispose();
    }
  });

  describe("the store and tokens", () => {
    let h: Harness;
    beforeAll(async () => {
      h = await start({ maxValidPackagesStored: 1000 });
    });
    afterAll(() => h.close());

    it("the store directory is mode 0700 and blob files 0600", async () => {
      const guid = await createBitsPackage(h.sim, h.api);
      // Larger than what the store may keep in memory, so that the upload and the stored zip are files.
      const zip = await buildAppZip({ "a.bin": new Uint8Array(600 * 1024).fill(9) }, { compression: "STORE" });
      expect((await postUpload(h.api, guid, buildCfUploadBody({ bits: zip }))).status).toBe(200);
      await h.sim.idle();
      expect(statSync(h.store.directory).mode & 0o777).toBe(0o700);
      const names = readdirSync(h.store.directory);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(statSync(join(h.store.directory, name)).mode & 0o777, name).toBe(0o600);
    });

    it("a bits filename of ../../../../tmp/evil writes nothing but a blob-N inside the store directory", async () => {
      const evil = "/tmp/evil";
      const existed = existsSync(evil);
      const guid = await createBitsPackage(h.sim, h.api);
      const before = listRecursive(h.parent);
      const body = buildMultipart([
        { name: "resources", content: "[]" },
        {
          name: "bits",
          filename: "../../../../tmp/evil",
          contentType: "application/octet-stream",
          content: await buildAppZip({ "evil.txt": new Uint8Array(600 * 1024).fill(6) }, { compression: "STORE" }),
        },
      ]);
      const r = await postUpload(h.api, guid, body);
      expect(r.status).toBe(200);
      await h.sim.idle();
      expect(h.sim.state.packages.get(guid)!.state).toBe("READY");
      const added = listRecursive(h.parent).filter((p) => !before.includes(p));
      const storeName = h.store.directory.slice(h.parent.length + 1);
      expect(added.length).toBeGreaterThan(0);
      for (const p of added) expect(p).toMatch(new RegExp(`^${storeName}/blob-\\d+$`));
      if (!existed) expect(existsSync(evil)).toBe(false);
    });

    it("tokens with a forged signature or alg: none are 401 CF-InvalidAuthToken", async () => {
      const guid = packageGuid(h.sim, "web-app", "READY");
      const good = await tokenFor("space-developer");
      const [header, payload] = good.split(".");
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
      const forgedClaims = { ...claims, scope: [...claims.scope, "cloud_controller.admin"], user_name: "admin" };
      const forged = [
        // Claims changed, signature kept.
        `${header}.${b64(forgedClaims)}.${good.split(".")[2]}`,
        // Signed with another key.
        await mintUserToken("admin", { signingKey: "not-the-simulator-key" }),
        // alg: none, with and without the trailing dot's empty signature.
        `${b64({ alg: "none", typ: "JWT" })}.${b64(forgedClaims)}.`,
        `${b64({ alg: "none", typ: "JWT" })}.${b64(forgedClaims)}`,
        // alg: HS256 header but an empty signature.
        `${header}.${b64(forgedClaims)}.`,
      ];
      const invalid = { errors: [{ detail: "Invalid Auth Token", title: "CF-InvalidAuthToken", code: 1000 }] };
      for (const token of forged) {
        const get = await h.api.call(`/v3/packages/${guid}`, { token });
        expect(get.status, token).toBe(401);
        expect(get.json).toEqual(invalid);
        const target = await createBitsPackage(h.sim, h.api);
        const up = await upload(h.api, target, { bits: await buildAppZip({ "a.js": "1" }) }, { token });
        expect(up.status, token).toBe(401);
        expect(up.json).toEqual(invalid);
        expect(h.sim.state.packages.get(target)!.state).toBe("AWAITING_UPLOAD");
      }
    });
  });
});
