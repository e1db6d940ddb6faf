/**
 * Stored bits follow their package through the lifecycle (`src/core/packages/lifecycle.ts`):
 * a copy has bits of its own, whatever happens to its source afterwards
 * (`app/actions/package_copy.rb`: the controller copies the blob), and an expired package
 * loses its bits and its checksum (`app/jobs/runtime/delete_expired_package_blob.rb`).
 * Every answer is checked against spec/openapi.yaml by the client.
 */
import { afterEach, describe, expect, it } from "vitest";
import { buildAppZip, buildFixtureWorld } from "../fixtures/index.js";
import type { Simulator, SimulatorOptions } from "../src/index.js";
import { DEV as user, createBitsPackage, postPackage, showPackage, uploadAndSettle } from "./support/api.js";
import { setup, type Adapter, type Client } from "./support/client.js";
import { sha256 } from "./support/hash.js";
import { appGuid, packageGuid, settle } from "./support/world.js";

let sim: Simulator;
let api: Client;
let close: () => Promise<void> = async () => {};
afterEach(() => close());

async function start(options: SimulatorOptions = {}, adapter: Adapter = "in-process"): Promise<void> {
  ({ sim, api, close } = await setup(options, adapter));
}

async function copy(sourceGuid: string, app: string): Promise<string> {
  const body = { relationships: { app: { data: { guid: appGuid(sim, app) } } } };
  const r = await postPackage(api, body, user, `/v3/packages?source_guid=${sourceGuid}`);
  expect(r.status, r.text).toBe(201);
  return r.json.guid as string;
}

async function remove(guid: string): Promise<void> {
  const r = await api.call(`/v3/packages/${guid}`, { method: "DELETE", user });
  expect(r.status, r.text).toBe(202);
}

/** A new bits package of `app`, uploaded with `zip` and settled. */
async function readyPackage(app: string, zip: Uint8Array): Promise<string> {
  const guid = await createBitsPackage(sim, api, app);
  await uploadAndSettle(sim, api, guid, { bits: zip });
  return guid;
}

describe("a copy keeps its bits when its source goes", () => {
  for (const adapter of ["in-process", "http"] as const) {
    it(`copy a READY package, delete the source, download the copy: 200 with the source's bytes (${adapter})`, async () => {
      await start({}, adapter);
      const source = packageGuid(sim, "web-app", "READY");
      const original = await api.call(`/v3/packages/${source}/download`, { user });
      expect(original.status).toBe(200);
      const copied = await copy(source, "worker-app");
      await settle(sim);
      await remove(source);
      await settle(sim);
      expect((await api.call(`/v3/packages/${source}`, { user })).status).toBe(404);

      const shown = await showPackage(api, copied);
      expect(shown.state).toBe("READY");
      expect(shown.data.checksum).toEqual({ type: "sha256", value: sha256(original.bytes) });
      const download = await api.call(`/v3/packages/${copied}/download`, { user });
      expect(download.status, download.text).toBe(200);
      expect(sha256(download.bytes)).toBe(sha256(original.bytes));
    });
  }

  it("the source deleted while the copy is still COPYING: the copy still ends READY with the bits", async () => {
    await start({ processingDelay: 100 });
    const source = packageGuid(sim, "web-app", "READY");
    const original = await api.call(`/v3/packages/${source}/download`, { user });
    const copied = await copy(source, "worker-app");
    expect((await api.call(`/v3/packages/${copied}`, { user })).json.state).toBe("COPYING");
    await remove(source);
    await settle(sim);
    expect((await api.call(`/v3/packages/${copied}`, { user })).json.state).toBe("READY");
    const download = await api.call(`/v3/packages/${copied}/download`, { user });
    expect(download.status, download.text).toBe(200);
    expect(sha256(download.bytes)).toBe(sha256(original.bytes));
  });

  it("deleting the copy leaves the source's bits downloadable", async () => {
    await start();
    const source = packageGuid(sim, "web-app", "READY");
    const before = await api.call(`/v3/packages/${source}/download`, { user });
    const copied = await copy(source, "worker-app");
    await settle(sim);
    await remove(copied);
    await settle(sim);
    const after = await api.call(`/v3/packages/${source}/download`, { user });
    expect(after.status, after.text).toBe(200);
    expect(sha256(after.bytes)).toBe(sha256(before.bytes));
  });

  it("a copy outlives the expiry of its source", async () => {
    await start({ maxValidPackagesStored: 1 });
    const zip = await buildAppZip({ "a.txt": "the first\n" });
    const first = await readyPackage("worker-app", zip);
    const copied = await copy(first, "web-app");
    await settle(sim);
    // A newer finished package of worker-app expires the first one.
    await readyPackage("worker-app", await buildAppZip({ "b.txt": "the second\n" }));
    expect((await api.call(`/v3/packages/${first}`, { user })).json.state).toBe("EXPIRED");
    const download = await api.call(`/v3/packages/${copied}/download`, { user });
    expect(download.status, download.text).toBe(200);
    expect(sha256(download.bytes)).toBe(sha256(zip));
  });
});

describe("expiry (packages.max_valid_packages_stored)", () => {
  it("an expired package has a null checksum and no bits to download", async () => {
    await start({ maxValidPackagesStored: 2 });
    const zips = await Promise.all([1, 2, 3].map((n) => buildAppZip({ [`f${n}.txt`]: `file ${n}\n` })));
    const guids: string[] = [];
    for (const zip of zips) guids.push(await readyPackage("worker-app", zip));
    const oldest = await api.call(`/v3/packages/${guids[0]}`, { user });
    expect(oldest.json.state).toBe("EXPIRED");
    expect(oldest.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
    const download = await api.call(`/v3/packages/${guids[0]}/download`, { user });
    expect(download.status).toBe(422);
    expect(download.json.errors[0].detail).toBe("Package has no bits to download.");
    for (const [i, guid] of guids.slice(1).entries()) {
      const kept = await api.call(`/v3/packages/${guid}`, { user });
      expect(kept.json.state).toBe("READY");
      expect(kept.json.data.checksum.value).toBe(sha256(zips[i + 1]!));
    }
  });
});

describe("a deleted package", () => {
  it("takes the scenario bound to it along", async () => {
    await start();
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    sim.bindScenario(guid, "rate-limited");
    expect([...sim.state.packageScenarios.keys()]).toEqual([guid]);
    await remove(guid);
    await settle(sim);
    expect(sim.state.packageScenarios.size).toBe(0);
    expect((await api.call("/__mock/scenario")).json.packages).toEqual({});
  });
});

describe("docker credentials", () => {
  it("an empty username still gets a redacted password (package_presenter.rb: docker_username && '***')", async () => {
    const base = await buildFixtureWorld();
    await start({
      world: {
        ...base,
        apps: base.apps.map((a) => (a.name === "worker-app" ? { ...a, lifecycle: "docker" as const } : a)),
      },
    });
    const r = await postPackage(api, {
      type: "docker",
      data: { image: "registry.example.local/app:1", username: "", password: "secret" },
      relationships: { app: { data: { guid: appGuid(sim, "worker-app") } } },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.data).toEqual({ image: "registry.example.local/app:1", username: "", password: "***" });
  });
});
