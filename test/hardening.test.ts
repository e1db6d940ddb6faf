/**
 * Clean failure and shutdown (issue 10): a storage error answers at once, a reset
 * leaves nothing of the old world's requests and jobs in the new one, the hang and
 * latency scenarios let go as soon as the client leaves, SIGTERM does not wait for
 * long processing, folders of killed servers are removed, and a dropped connection
 * is logged as dropped. Each test failed on the code before its fix.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { createSimulator, type Simulator, type SimulatorOptions } from "../src/index.js";
import { createFileStore } from "../src/node/index.js";
import { DEV, cfUploadBody, postUpload } from "./support/api.js";
import { setup, theContract, tokenFor, type Adapter, type Client } from "./support/client.js";
import { startCli, type RunningCli } from "./support/cli.js";
import { expectError } from "./support/errors.js";
import { packageGuid, settle } from "./support/world.js";

let sim: Simulator;
let api: Client;
let close: () => Promise<void> = async () => {};
let cli: RunningCli | undefined;
// Load the contract first, so that no time bound below includes loading it.
beforeAll(() => theContract());
afterEach(async () => {
  await close();
  close = async () => {};
  if (cli) await cli.stop("SIGKILL");
  cli = undefined;
});

async function start(options: SimulatorOptions = {}, adapter: Adapter = "in-process"): Promise<void> {
  ({ sim, api, close } = await setup(options, adapter));
}

/** Rejects when `promise` has not settled within `ms`: a hang fails the test with a message, not a timeout. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms)),
  ]);
}

/** An upload whose body arrives in two halves: the second only when `release` is called. */
async function slowUpload(guid: string) {
  const body = buildCfUploadBody({ bits: await buildAppZip({ "a.txt": "x\n" }) });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const stream = new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(body.body.subarray(0, 10));
      await gate;
      c.enqueue(body.body.subarray(10));
      c.close();
    },
  });
  const answer = postUpload(api, guid, { body: stream, contentType: body.contentType });
  return { answer, release };
}

describe("a storage error", () => {
  it("answers 500 UnknownError at once, logged with its cause, and leaves nothing behind", async () => {
    const store = createFileStore({ memoryThreshold: 0 });
    const logged: unknown[] = [];
    await start({ store, logger: (level, _message, error) => level === "error" && logged.push(error) });
    // The store's folder vanishes (a full or unmounted disk would do the same): every write fails.
    rmSync(store.directory, { recursive: true, force: true });
    try {
      const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
      // Several megabytes, stored: writes go on after the failure, so the stream has closed when the upload gives up.
      const bits = zipSync({ "big.bin": randomBytes(3_000_000) }, { level: 0 });
      const r = await within(5000, "the upload's answer", postUpload(api, guid, cfUploadBody(bits)));
      expectError(r, 500, "UnknownError", 10001, "An unknown error occurred.");
      expect(String((logged[0] as Error)?.message)).toContain("ENOENT");
      expect(sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
      expect(existsSync(store.directory)).toBe(false);
    } finally {
      store.dispose();
    }
  });
});

describe("a reset while requests and jobs of the old world are in flight", () => {
  it("an upload whose body was still arriving answers 503 and leaves the fresh world as it was", async () => {
    await start();
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const { answer, release } = await slowUpload(guid);
    await new Promise((r) => setTimeout(r, 50));
    await sim.reset();
    release();
    const r = await answer;
    expectError(
      r,
      503,
      "CF-ServiceUnavailable",
      10015,
      "The simulator was reset or closed while this request was in flight; send it again",
    );
    await settle(sim);
    expect(sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
  });

  it("a job accepted before the reset does not finish the fresh world's package", async () => {
    await start({ processingDelay: 150 });
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const body = cfUploadBody(await buildAppZip({ "a.txt": "x\n" }));
    expect((await postUpload(api, guid, body)).status).toBe(200);
    await sim.reset();
    await settle(sim);
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
    // And the fresh world takes an upload as usual.
    expect((await postUpload(api, guid, body)).status).toBe(200);
  });
});

/**
 * Sends an upload of `size` bytes over raw HTTP, waits until the whole body has gone out and `waitMs`
 * more, then closes the connection without reading an answer.
 */
function uploadThenLeave(url: string, path: string, token: string, size: number, prefer: string, waitMs: number) {
  const body = cfUploadBody(new Uint8Array(size).fill(1));
  const bytes = body.body as Uint8Array;
  return new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, {
      method: "POST",
      headers: {
        authorization: `bearer ${token}`,
        "content-type": body.contentType,
        "content-length": bytes.length,
        prefer,
      },
    });
    req.on("error", () => {});
    req.on("response", () => reject(new Error("the server answered")));
    req.end(bytes, () => setTimeout(() => (req.destroy(), resolve()), waitMs));
  });
}

describe("the hang and latency scenarios when the client leaves", () => {
  for (const [scenario, prefer] of [
    ["timeout", "scenario=timeout"],
    ["slow", "scenario=slow; latency=60000"],
  ] as const) {
    it(`${scenario}: a 2 MB upload is let go at once, and journalled as dropped`, async () => {
      await start({}, "http");
      const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
      const token = await tokenFor(DEV);
      await uploadThenLeave(api.origin, `/v3/packages/${guid}/upload`, token, 2_000_000, prefer, 300);
      const entry = await within(
        3000,
        "the journal entry of the abandoned upload",
        (async () => {
          for (;;) {
            const e = sim.journal.uploads().at(-1);
            if (e) return e;
            await new Promise((r) => setTimeout(r, 20));
          }
        })(),
      );
      expect(entry.status).toBe(0);
      expect(entry.scenario).toBe(scenario);
      expect(sim.state.packages.get(guid)!.state).toBe("AWAITING_UPLOAD");
    });
  }
});

describe("SIGTERM while a job processes a zip of many entries", () => {
  it("exits within a few seconds, not when the job would have ended", async () => {
    cli = await startCli(["--processing-delay", "0", "--quiet"]);
    const token = await tokenFor(DEV);
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40_000; i++) files[`f/${i}.txt`] = new Uint8Array([65 + (i % 26)]);
    const body = cfUploadBody(zipSync(files, { level: 0 }));
    const apps = await (
      await fetch(`${cli.url}/v3/apps?names=web-app`, { headers: { authorization: `bearer ${token}` } })
    ).json();
    const list = await (
      await fetch(`${cli.url}/v3/packages?states=AWAITING_UPLOAD&app_guids=${apps.resources[0].guid}`, {
        headers: { authorization: `bearer ${token}` },
      })
    ).json();
    const r = await fetch(`${cli.url}/v3/packages/${list.resources[0].guid}/upload`, {
      method: "POST",
      headers: { authorization: `bearer ${token}`, "content-type": body.contentType },
      body: body.body as Uint8Array<ArrayBuffer>,
    });
    expect(r.status).toBe(200);
    const stopping = performance.now();
    // The job alone would run for some 9 s on this machine.
    const code = await within(5000, "the exit after SIGTERM", cli.stop("SIGTERM"));
    cli = undefined;
    expect(code).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(5000);
  });
});

describe("folders left by a killed server", () => {
  it("are removed by the next store; those of running processes and of other names stay", () => {
    const parent = mkdtempSync(join(tmpdir(), "mock-packages-parent-"));
    try {
      // A process id that no longer runs: a child that has exited.
      const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
      const abandoned = join(parent, `mock-packages-${dead}-AbC123`);
      const alive = join(parent, `mock-packages-${process.pid}-XyZ789`);
      const other = join(parent, "mock-packages-older");
      for (const dir of [abandoned, alive, other]) {
        mkdirSync(dir);
        writeFileSync(join(dir, "blob-1"), "partial upload");
      }
      const store = createFileStore({ parent });
      try {
        expect(existsSync(abandoned)).toBe(false);
        expect(existsSync(alive)).toBe(true);
        expect(existsSync(other)).toBe(true);
        expect(store.directory.startsWith(join(parent, `mock-packages-${process.pid}-`))).toBe(true);
      } finally {
        store.dispose();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("the request log", () => {
  it("keeps no token given in the query", async () => {
    cli = await startCli([]);
    await fetch(`${cli.url}/v3/packages?access_token=s3cr3t&per_page=1`).catch(() => null);
    const line = await within(
      3000,
      "the log line",
      (async () => {
        for (;;) {
          const found = cli!
            .output()
            .split("\n")
            .find((l) => l.includes(" GET /v3/packages?"));
          if (found) return found;
          await new Promise((r) => setTimeout(r, 20));
        }
      })(),
    );
    expect(line).toMatch(/^\S+Z GET \/v3\/packages\?access_token=\[redacted\]&per_page=1 401 /);
    expect(cli.output()).not.toContain("s3cr3t");
  });

  it("says dropped for an answer that dropped the connection", async () => {
    cli = await startCli(["--scenario", "connection-reset"]);
    const token = await tokenFor(DEV);
    const apps = await (
      await fetch(`${cli.url}/v3/apps?names=web-app`, { headers: { authorization: `bearer ${token}` } })
    ).json();
    const list = await (
      await fetch(`${cli.url}/v3/packages?states=AWAITING_UPLOAD&app_guids=${apps.resources[0].guid}`, {
        headers: { authorization: `bearer ${token}` },
      })
    ).json();
    const path = `/v3/packages/${list.resources[0].guid}/upload`;
    const body = cfUploadBody(await buildAppZip({ "a.txt": "x\n" }));
    await fetch(`${cli.url}${path}`, {
      method: "POST",
      headers: { authorization: `bearer ${token}`, "content-type": body.contentType },
      body: body.body as Uint8Array<ArrayBuffer>,
    }).catch(() => null);
    const line = await within(
      3000,
      "the log line",
      (async () => {
        for (;;) {
          const found = cli!
            .output()
            .split("\n")
            .find((l) => l.includes(` POST ${path} `));
          if (found) return found;
          await new Promise((r) => setTimeout(r, 20));
        }
      })(),
    );
    expect(line).toMatch(new RegExp(`^\\S+Z POST ${path} dropped \\d+\\.\\dms scenario=connection-reset$`));
  });
});
