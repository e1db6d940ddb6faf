/**
 * The package state machine (`package_upload.rb`, `package_model.rb`): upload → PROCESSING_UPLOAD →
 * READY or FAILED, one upload per package, expiry of old packages, packages
 * deleted while their job runs, and the determinism of the fixture world.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildAppZip, buildMultipart, userGuid, FIXTURE_USERS } from "../fixtures/index.js";
import { createSimulator, type Simulator, type SimulatorOptions } from "../src/index.js";
import { createBitsPackage, postPackage, postUpload, upload } from "./support/api.js";
import { inProcess, setup, theContract, type Client } from "./support/client.js";
import { expectError } from "./support/errors.js";
import { sha256 } from "./support/hash.js";
import { appGuid, packageGuid, settle } from "./support/world.js";

let sim: Simulator;
let api: Client;
let zip: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  // Load the document first, so that no test spends its processing delay loading it.
  await theContract();
});
beforeEach(async () => {
  ({ sim, api } = await setup());
  zip = await buildAppZip({ "index.js": "console.log('hi')\n", "lib/util.js": "module.exports = 1;\n" });
});
afterEach(() => sim.close());

async function restart(options: SimulatorOptions): Promise<void> {
  await sim.close();
  ({ sim, api } = await setup(options));
}

const show = (guid: string, user = "space-developer") => api.call(`/v3/packages/${guid}`, { user });

const download = (guid: string, user = "space-developer") => api.call(`/v3/packages/${guid}/download`, { user });

describe("a successful upload", () => {
  it("answers 200 PROCESSING_UPLOAD, then the job makes the package READY with the zip's sha256", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const before = await show(guid);
    const r = await upload(api, guid, { bits: zip });
    expect(r.status, r.text).toBe(200);
    expect(r.json.guid).toBe(guid);
    expect(r.json.state).toBe("PROCESSING_UPLOAD");
    expect(r.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
    expect(Date.parse(r.json.updated_at)).toBeGreaterThan(Date.parse(before.json.updated_at));
    expect(r.json.created_at).toBe(before.json.created_at);

    await settle(sim);
    const ready = await show(guid);
    expect(ready.json.state).toBe("READY");
    expect(ready.json.data.error).toBeNull();
    expect(ready.json.data.checksum.type).toBe("sha256");
    expect(ready.json.data.checksum.value).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(ready.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(r.json.updated_at));

    const bits = await download(guid);
    expect(bits.status).toBe(200);
    expect(ready.json.data.checksum.value).toBe(sha256(bits.bytes));
    // No directory entries and no resources: the stored zip is the uploaded one (derived from local_bits_packer.rb).
    expect(ready.json.data.checksum.value).toBe(sha256(zip));
  });

  it("stays PROCESSING_UPLOAD while the job runs (processingDelay)", async () => {
    await restart({ processingDelay: 200 });
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    expect((await upload(api, guid, { bits: zip })).status).toBe(200);
    const during = await show(guid);
    expect(during.json.state).toBe("PROCESSING_UPLOAD");
    expect(during.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
    expect(await download(guid).then((a) => a.json.errors[0].detail)).toBe("Package has no bits to download.");
    await settle(sim);
    const after = await show(guid);
    expect(after.json.state).toBe("READY");
    expect(after.json.data.checksum.value).toBe(sha256(zip));
  });

  it("takes bits only once: a second upload is 400, while processing and once READY", async () => {
    await restart({ processingDelay: 200 });
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    expect((await upload(api, guid, { bits: zip })).status).toBe(200);
    const again = () => upload(api, guid, { bits: zip });
    const detail = "Bits may be uploaded only once. Create a new package to upload different bits.";
    expectError(await again(), 400, "CF-PackageBitsAlreadyUploaded", 150004, detail);
    await settle(sim);
    expect((await show(guid)).json.state).toBe("READY");
    expectError(await again(), 400, "CF-PackageBitsAlreadyUploaded", 150004, detail);
    expect((await show(guid)).json.state).toBe("READY");
  });

  it("works for a package created through the API", async () => {
    const guid = await createBitsPackage(sim, api, "worker-app");
    expect((await upload(api, guid, { bits: zip })).json.state).toBe("PROCESSING_UPLOAD");
    await settle(sim);
    const r = await show(guid);
    expect(r.json.state).toBe("READY");
    expect(r.json.data.checksum.value).toBe(sha256(zip));
  });
});

describe("an upload with no bits and no resources", () => {
  it('accepts resources="[ ]" (not blank), then FAILS with Invalid zip archive.', async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const r = await postUpload(api, guid, buildMultipart([{ name: "resources", content: "[ ]" }]));
    expect(r.status, r.text).toBe(200);
    expect(r.json.state).toBe("PROCESSING_UPLOAD");
    await settle(sim);
    const failed = await show(guid);
    expect(failed.json.state).toBe("FAILED");
    expect(failed.json.data).toEqual({
      error: "The app upload is invalid: Invalid zip archive.",
      checksum: { type: "sha256", value: null },
    });
    expect((await download(guid)).json.errors[0].detail).toBe("Package has no bits to download.");
    // FAILED is final for uploads too.
    expect((await upload(api, guid, { bits: zip })).status).toBe(400);
  });
});

describe("expiry (bits_expiration.rb, packages.max_valid_packages_stored)", () => {
  async function uploadNew(): Promise<string> {
    const guid = await createBitsPackage(sim, api, "web-app");
    expect((await upload(api, guid, { bits: zip })).status).toBe(200);
    await settle(sim);
    expect(sim.state.packages.get(guid)!.state).toBe("READY");
    return guid;
  }

  /** A clock that moves one second on every reading, so that no two packages share a created_at. */
  function steppingClock(): () => number {
    let t = Date.now();
    return () => (t += 1000);
  }

  it("expires the oldest finished packages once more than 5 exist (default)", async () => {
    await restart({ now: steppingClock() });
    const fixtureReady = packageGuid(sim, "web-app", "READY");
    const fixtureFailed = packageGuid(sim, "web-app", "FAILED");
    const [older, newer] = [fixtureReady, fixtureFailed].sort(
      (a, b) => sim.state.packages.get(a)!.createdAt - sim.state.packages.get(b)!.createdAt,
    ) as [string, string];
    const untouched = {
      [packageGuid(sim, "web-app", "AWAITING_UPLOAD")]: "AWAITING_UPLOAD",
      [packageGuid(sim, "web-app", "PROCESSING_UPLOAD")]: "PROCESSING_UPLOAD",
      [packageGuid(sim, "web-app", "EXPIRED")]: "EXPIRED",
      [packageGuid(sim, "docker-app", "READY", "docker")]: "READY",
      [packageGuid(sim, "suspended-app", "AWAITING_UPLOAD")]: "AWAITING_UPLOAD",
    };

    const fresh: string[] = [];
    for (let i = 0; i < 3; i++) fresh.push(await uploadNew());
    // 2 fixture + 3 new = 5 finished: nothing expires yet.
    expect((await show(fixtureReady)).json.state).toBe("READY");
    expect((await show(fixtureFailed)).json.state).toBe("FAILED");

    fresh.push(await uploadNew());
    // 6 finished: the oldest one expires.
    expect((await show(older)).json.state).toBe("EXPIRED");
    expect((await show(newer)).json.state).toBe(newer === fixtureReady ? "READY" : "FAILED");

    fresh.push(await uploadNew());
    expect((await show(older)).json.state).toBe("EXPIRED");
    expect((await show(newer)).json.state).toBe("EXPIRED");
    for (const guid of fresh) expect((await show(guid)).json.state).toBe("READY");
    for (const [guid, state] of Object.entries(untouched)) expect((await show(guid)).json.state).toBe(state);

    // The expired READY package's bits are gone.
    expect((await download(fixtureReady)).json.errors[0].detail).toBe("Package has no bits to download.");
  });

  it("honours the maxValidPackagesStored option, counting FAILED packages as finished", async () => {
    await restart({ now: steppingClock(), maxValidPackagesStored: 2 });
    const fixtureReady = packageGuid(sim, "web-app", "READY");
    const fixtureFailed = packageGuid(sim, "web-app", "FAILED");
    const first = await uploadNew();
    // 3 finished, 2 kept: the older of the fixture READY and FAILED packages expires.
    const finished = [...sim.state.packages.values()].filter(
      (p) =>
        p.appGuid === appGuid(sim, "web-app") && (p.state === "READY" || p.state === "FAILED") && p.type === "bits",
    );
    expect(finished).toHaveLength(2);
    const second = await uploadNew();
    for (const guid of [fixtureReady, fixtureFailed]) expect((await show(guid)).json.state).toBe("EXPIRED");
    expect((await show(first)).json.state).toBe("READY");
    expect((await show(second)).json.state).toBe("READY");

    // A FAILED upload finishing also triggers expiry.
    const failing = await createBitsPackage(sim, api, "web-app");
    expect((await postUpload(api, failing, buildMultipart([{ name: "resources", content: "[ ]" }]))).status).toBe(200);
    await settle(sim);
    expect((await show(failing)).json.state).toBe("FAILED");
    expect((await show(first)).json.state).toBe("EXPIRED");
    expect((await show(second)).json.state).toBe("READY");
  });

  it("leaves other apps' packages alone", async () => {
    await restart({ now: steppingClock(), maxValidPackagesStored: 1 });
    const worker = await createBitsPackage(sim, api, "worker-app");
    expect((await upload(api, worker, { bits: zip })).status).toBe(200);
    await settle(sim);
    await uploadNew();
    expect((await show(worker)).json.state).toBe("READY");
  });
});

describe("a package deleted while its upload job runs", () => {
  it("lets the job exit quietly: no error, no crash, the package stays gone", async () => {
    const logged: string[] = [];
    await restart({
      processingDelay: 200,
      logger: (level, message) => {
        if (level !== "info") logged.push(`${level}: ${message}`);
      },
    });
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    // The delete job is queued first, so it runs while the upload's job is still processing.
    const del = await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "space-developer" });
    expect(del.status).toBe(202);
    const up = await upload(api, guid, { bits: zip });
    expect(up.status).toBe(200);
    expect(up.json.state).toBe("PROCESSING_UPLOAD");

    await settle(sim);
    expect(logged).toEqual([]);
    expectError(await show(guid), 404, "CF-ResourceNotFound", 10010, "Package not found");
    expect(sim.state.packages.has(guid)).toBe(false);
    const job = await api.call(del.headers.get("location")!, { user: "space-developer" });
    expect(job.json.state).toBe("COMPLETE");
    // The simulator still serves requests.
    const list = await api.call("/v3/packages", { user: "admin" });
    expect(list.status).toBe(200);
    expect(list.json.pagination.total_results).toBe(6);
  });
});

describe("cancelling background work", () => {
  // Simulator.close() and reset() promise to cancel background jobs. A job asleep in its
  // processing delay must not keep them waiting. The simulators here are not the shared
  // `sim`, so that a hang cannot also hang afterEach.
  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([
      p.then(() => "settled" as const),
      new Promise<"timed out">((r) => setTimeout(() => r("timed out"), ms)),
    ]);

  async function busySimulator(): Promise<Simulator> {
    const s = createSimulator({ processingDelay: 60_000, logger: () => {} });
    await s.ready;
    const c = inProcess(s);
    const r = await c.call(`/v3/packages/${packageGuid(s, "web-app", "AWAITING_UPLOAD")}`, {
      method: "DELETE",
      user: "admin",
    });
    expect(r.status).toBe(202);
    return s;
  }

  it("close() resolves while a job is still in its processing delay", async () => {
    const s = await busySimulator();
    expect(await within(s.close(), 500)).toBe("settled");
  });

  it("reset() resolves while a job is still in its processing delay, and restores the world", async () => {
    const s = await busySimulator();
    const guid = packageGuid(s, "web-app", "AWAITING_UPLOAD");
    expect(await within(s.reset(), 500)).toBe("settled");
    expect(s.state.packages.has(guid)).toBe(true);
    expect(s.state.jobs.size).toBe(0);
    await within(s.close(), 500);
  });
});

describe("fixture determinism", () => {
  async function withSim<T>(options: SimulatorOptions, use: (s: Simulator, c: Client) => Promise<T>): Promise<T> {
    const s = createSimulator({ processingDelay: 0, logger: () => {}, ...options });
    await s.ready;
    try {
      return await use(s, inProcess(s));
    } finally {
      await s.close();
    }
  }

  async function snapshot(s: Simulator, c: Client) {
    const keys = [...s.state.packages.keys()];
    const bodies: string[] = [];
    for (const guid of keys) {
      const r = await c.call(`/v3/packages/${guid}`, { user: "admin" });
      expect(r.status).toBe(200);
      bodies.push(r.text);
    }
    const created = await postPackage(
      c,
      { type: "bits", relationships: { app: { data: { guid: appGuid(s, "worker-app") } } } },
      "admin",
    );
    return { keys, bodies, users: [...s.state.users.keys()], createdGuid: created.json.guid as string };
  }

  it("gives identical guids and timestamps for the same seed", async () => {
    const a = await withSim({ seed: 77 }, snapshot);
    const b = await withSim({ seed: 77 }, snapshot);
    expect(a.keys).toHaveLength(7);
    expect(b.keys).toEqual(a.keys);
    expect(b.bodies).toEqual(a.bodies);
    expect(b.createdGuid).toBe(a.createdGuid);
  });

  it("gives different guids for a different seed, but the same user guids", async () => {
    const a = await withSim({ seed: 77 }, snapshot);
    const b = await withSim({ seed: 78 }, snapshot);
    expect(b.keys.filter((k) => a.keys.includes(k))).toEqual([]);
    expect(b.createdGuid).not.toBe(a.createdGuid);
    expect(b.users).toEqual(a.users);
    expect([...a.users].sort()).toEqual(FIXTURE_USERS.map((name) => userGuid(name)).sort());
  });

  it("accepts the same user token whatever the seed", async () => {
    for (const seed of [1, 4010, 99999]) {
      await withSim({ seed }, async (s, c) => {
        const r = await c.call(`/v3/packages/${packageGuid(s, "web-app", "READY")}`, { user: "space-developer" });
        expect(r.status).toBe(200);
      });
    }
  });
});
