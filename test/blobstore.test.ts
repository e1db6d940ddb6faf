/**
 * Downloads as real foundations answer them (`BlobDispatcher#send_or_redirect_blob`): by
 * default a remote blobstore's 302 to a signed, expiring blob URL that needs no token, served
 * by the simulator at `/blobstore/packages/{guid}`; with `blobstore: "local"` (option, world
 * file, `--blobstore local`) the local-file blobstore's 200 with the zip. Every answer the
 * checked client receives is checked against spec/openapi.yaml.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSimulator, mintUserToken, type Simulator, type SimulatorOptions } from "../src/index.js";
import { loadWorldFile, WorldFileError } from "../src/node/index.js";
import {
  ADAPTERS,
  expectContract,
  overHttp,
  setup,
  theContract,
  tokenFor,
  type Answer,
  type Client,
} from "./support/client.js";
import { runCli, startCli } from "./support/cli.js";
import { sha256 } from "./support/hash.js";
import { packageGuid, settle } from "./support/world.js";

const MISMATCH = "The request signature we calculated does not match the signature you provided.";
const BLOB_URL = /^(https?:\/\/[^/]+)\/blobstore\/packages\/([0-9a-f-]{36})\?expires=(\d+)&signature=([0-9a-f]{64})$/;

let sim: Simulator;
let api: Client;
let close: () => Promise<void> = async () => {};
/** The simulator's clock: tests move it with `clock.now += …`. */
const clock = { now: 0 };

beforeAll(async () => {
  await theContract();
});
afterEach(async () => {
  await close();
  close = async () => {};
});

async function start(options: SimulatorOptions = {}, adapter: (typeof ADAPTERS)[number] = "in-process") {
  clock.now = Date.now();
  ({ sim, api, close } = await setup({ now: () => clock.now, ...options }, adapter));
}

/** The READY fixture package and its checksum. */
async function readyPackage(): Promise<{ guid: string; checksum: string }> {
  const guid = packageGuid(sim, "web-app", "READY");
  const shown = await api.call(`/v3/packages/${guid}`, { user: "space-developer" });
  return { guid, checksum: shown.json.data.checksum.value };
}

/** The download as go-cfclient sends it: not following redirects. */
const downloadNoFollow = (guid: string, user = "space-developer") =>
  api.call(`/v3/packages/${guid}/download`, { user, redirect: "manual" });

/** A GET of a blob URL with no token at all, as a client sends it to another host. */
const getBlob = (url: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  api.call(url, { ...init, redirect: "manual" });

function expectBlobstoreError(a: Answer, status: number, code: string, message: string): void {
  expect(a.status, a.text).toBe(status);
  expect(a.headers.get("content-type")).toBe("application/xml");
  expect(a.text).toContain(`<Error><Code>${code}</Code><Message>${message}</Message>`);
}

describe("GET /v3/packages/{guid}/download with the default remote blobstore", () => {
  for (const adapter of ADAPTERS) {
    it(`answers 302 with an empty body and a signed Location that gives the stored bytes without a token (${adapter}, go-cfclient style)`, async () => {
      await start({}, adapter);
      const { guid, checksum } = await readyPackage();
      const r = await downloadNoFollow(guid);
      expect(r.status).toBe(302);
      expect(r.bytes.length).toBe(0);
      const location = r.headers.get("location")!;
      const [, origin, blobGuid, expires] = BLOB_URL.exec(location) ?? [];
      expect(origin).toBe(api.origin.replace(/\/$/, ""));
      expect(blobGuid).toBe(guid);
      expect(Number(expires)).toBe(Math.floor(clock.now / 1000) + 3600);

      const blob = await getBlob(location);
      expect(blob.status).toBe(200);
      expect(blob.headers.get("content-type")).toBe("application/zip");
      expect(blob.headers.get("content-disposition")).toBe(`attachment; filename="${guid}.zip"`);
      expect(blob.headers.get("content-length")).toBe(String(blob.bytes.length));
      expect(sha256(blob.bytes)).toBe(checksum);
    });
  }

  it("gives the bytes to a client that follows redirects (curl -L, fetch) over HTTP", async () => {
    await start({}, "http");
    const { guid, checksum } = await readyPackage();
    const path = `/v3/packages/${guid}/download`;
    const response = await fetch(new URL(path, api.origin), {
      headers: { authorization: `bearer ${await tokenFor("space-developer")}` },
      redirect: "follow",
    });
    expect(response.redirected).toBe(true);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(sha256(bytes)).toBe(checksum);
    await expectContract("GET", new URL(response.url).pathname, {
      status: response.status,
      headers: response.headers,
      json: undefined,
      text: "",
      bytes,
    });
  });

  it("is followed by the test client by default: the download call ends with the zip", async () => {
    await start();
    const { guid, checksum } = await readyPackage();
    const r = await api.call(`/v3/packages/${guid}/download`, { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(sha256(r.bytes)).toBe(checksum);
  });

  it("answers HEAD on the blob URL with the headers and no body", async () => {
    await start({}, "http");
    const { guid } = await readyPackage();
    const location = (await downloadNoFollow(guid)).headers.get("location")!;
    const full = await getBlob(location);
    const head = await getBlob(location, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(head.headers.get("content-length")).toBe(String(full.bytes.length));
    expect(head.headers.get("content-type")).toBe("application/zip");
  });

  it("ignores an Authorization header on the blob URL, even a bad one", async () => {
    await start();
    const { guid, checksum } = await readyPackage();
    const location = (await downloadNoFollow(guid)).headers.get("location")!;
    const blob = await getBlob(location, { headers: { authorization: "bearer not-a-token" } });
    expect(blob.status).toBe(200);
    expect(sha256(blob.bytes)).toBe(checksum);
  });

  it("answers 403 SignatureDoesNotMatch to a changed signature, expiry or package, and AccessDenied without one", async () => {
    await start();
    const { guid } = await readyPackage();
    const location = (await downloadNoFollow(guid)).headers.get("location")!;
    const [, origin, , expires, signature] = BLOB_URL.exec(location)!;
    const flipped = signature!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    for (const url of [
      location.replace(signature!, flipped),
      location.replace(`expires=${expires}`, `expires=${Number(expires) + 3600}`),
      location.replace(guid, packageGuid(sim, "web-app", "FAILED")),
      location.replace(`signature=${signature}`, "signature=not-hex"),
    ]) {
      expectBlobstoreError(await getBlob(url), 403, "SignatureDoesNotMatch", MISMATCH);
    }
    const required = "Query-string authentication requires the expires and signature parameters";
    expectBlobstoreError(await getBlob(`${origin}/blobstore/packages/${guid}`), 403, "AccessDenied", required);
    expectBlobstoreError(
      await getBlob(`${origin}/blobstore/packages/${guid}?expires=${expires}`),
      403,
      "AccessDenied",
      required,
    );
  });

  it("refuses the URL of another simulator: each signs with a secret of its own", async () => {
    await start();
    const { guid } = await readyPackage();
    const other = createSimulator({ processingDelay: 0, logger: () => {} });
    try {
      const token = await tokenFor("space-developer");
      const theirs = await other.request(`/v3/packages/${guid}/download`, { token, redirect: "manual" });
      expect(theirs.status).toBe(302);
      const url = theirs.headers.get("location")!;
      expectBlobstoreError(await getBlob(url), 403, "SignatureDoesNotMatch", MISMATCH);
    } finally {
      await other.close();
    }
  });

  it("answers 403 Request has expired once the simulator's clock passes expires (3600 s)", async () => {
    await start();
    const { guid, checksum } = await readyPackage();
    const location = (await downloadNoFollow(guid)).headers.get("location")!;
    clock.now += 3599_000;
    const late = await getBlob(location);
    expect(late.status).toBe(200);
    expect(sha256(late.bytes)).toBe(checksum);
    clock.now += 2_000;
    expectBlobstoreError(await getBlob(location), 403, "AccessDenied", "Request has expired");
  });

  it("answers 404 NoSuchKey once the package is deleted: the blob went with it", async () => {
    await start();
    const { guid } = await readyPackage();
    const location = (await downloadNoFollow(guid)).headers.get("location")!;
    const deleted = await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "space-developer" });
    expect(deleted.status).toBe(202);
    await settle(sim);
    const gone = await getBlob(location);
    expectBlobstoreError(gone, 404, "NoSuchKey", "The specified key does not exist.");
    expect(gone.text).toContain(`<Key>packages/${guid}</Key>`);
  });

  it("keeps the controller's checks before any redirect: 422 for a package without bits, 403 for a space manager", async () => {
    await start();
    const failed = await downloadNoFollow(packageGuid(sim, "web-app", "FAILED"));
    expect(failed.status).toBe(422);
    const manager = await downloadNoFollow(packageGuid(sim, "web-app", "READY"), "space-manager");
    expect(manager.status).toBe(403);
  });

  it("journals the blob request like any other, with its signature redacted", async () => {
    await start();
    const { guid } = await readyPackage();
    const location = (await downloadNoFollow(guid)).headers.get("location")!;
    await getBlob(location);
    const entry = sim.journal.entries().at(-1)!;
    expect(entry.method).toBe("GET");
    expect(entry.path).toBe(`/blobstore/packages/${guid}`);
    expect(entry.status).toBe(200);
    expect(JSON.stringify(entry.query)).not.toContain(BLOB_URL.exec(location)![4]);
  });
});

describe("the local blobstore: 200 with the zip", () => {
  async function expectLocal200(): Promise<void> {
    const { guid, checksum } = await readyPackage();
    const r = await downloadNoFollow(guid);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(r.headers.get("location")).toBeNull();
    expect(sha256(r.bytes)).toBe(checksum);
  }

  it('with the option blobstore: "local"', async () => {
    await start({ blobstore: "local" });
    expect(sim.options.blobstore).toBe("local");
    await expectLocal200();
  });

  it("refuses any other value of the option with a clear message", () => {
    expect(() => createSimulator({ blobstore: "s3" as never })).toThrow(
      `mock-packages: option 'blobstore' must be "remote" (downloads redirect to a signed blob URL) or "local" (downloads answer the zip), got "s3"`,
    );
  });

  describe("from a world file", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "mock-packages-blobstore-"));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const world = (blobstore: string) =>
      `blobstore: ${blobstore}\norgs: [{name: o, spaces: [{name: s, apps: [{name: a, packages: [{state: READY}]}]}]}]\n`;

    async function startOn(blobstore: string, options: SimulatorOptions = {}): Promise<string> {
      const file = join(dir, `${blobstore}.yaml`);
      await writeFile(file, world(blobstore));
      await start({ world: await loadWorldFile(file), ...options });
      return [...sim.state.packages.keys()][0]!;
    }

    it("blobstore: local gives 200; the option, when given, wins", async () => {
      const guid = await startOn("local");
      const r = await api.call(`/v3/packages/${guid}/download`, { token: await adminToken(), redirect: "manual" });
      expect(r.status).toBe(200);
      await close();
      close = async () => {};
      await startOn("local", { blobstore: "remote" });
      const redirected = await api.call(`/v3/packages/${guid}/download`, {
        token: await adminToken(),
        redirect: "manual",
      });
      expect(redirected.status).toBe(302);
    });

    it("refuses another value with the place and the allowed values", async () => {
      const file = join(dir, "bad.yaml");
      await writeFile(file, world("s3"));
      const error = await loadWorldFile(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorldFileError);
      expect((error as Error).message).toContain('blobstore: must be one of remote, local (got "s3")');
    });
  });

  it("with --blobstore local on the command line; a bad value is a usage error", async () => {
    const cli = await startCli(["--blobstore", "local", "--processing-delay", "0"]);
    try {
      expect(cli.output()).toContain("Downloads: 200 with the zip (local blobstore)");
      api = overHttp(cli.url);
      const guid = /^ {2}([0-9a-f-]{36}) {2}bits {3}READY/m.exec(cli.output())![1]!;
      const token = (await runCli(["token", "--user", "space-developer"])).stdout.trim();
      const r = await api.call(`/v3/packages/${guid}/download`, { token, redirect: "manual" });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/zip");
      const shown = await api.call(`/v3/packages/${guid}`, { token });
      expect(sha256(r.bytes)).toBe(shown.json.data.checksum.value);
    } finally {
      await cli.stop();
    }
    const bad = await runCli(["--blobstore", "s3"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--blobstore takes remote (downloads redirect to a signed blob URL) or local");
  });
});

/** A token of a global admin (the world files here have no users). */
const adminToken = () => mintUserToken("root", { globalRole: "admin" });
