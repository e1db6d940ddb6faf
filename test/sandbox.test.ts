/**
 * Sandboxes (issue 14): eight workers against one HTTP server at once, each in its own sandbox,
 * reached by token claim, path prefix or X-Mock-Sandbox header, each switching scenarios,
 * uploading, resetting and asserting its journal: zero cross-talk, every answer checked against
 * spec/openapi.yaml, and the default sandbox untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { createSimulator, type Simulator } from "../src/index.js";
import { createFileStore, serve, type RunningServer } from "../src/node/index.js";
import type { FileStore } from "../src/node/file-store.js";
import { theContract, tokenFor } from "./support/client.js";
import { callMounted, type MountedInit } from "./support/mounted.js";
import { packageGuid } from "./support/world.js";

const WAYS = ["token", "prefix", "header"] as const;
type Way = (typeof WAYS)[number];

let store: FileStore;
let sim: Simulator;
let running: RunningServer;

beforeAll(async () => {
  await theContract();
  store = createFileStore();
  sim = createSimulator({ processingDelay: 5, logger: () => {}, store });
  await sim.ready;
  running = await serve({ simulator: sim, port: 0 });
}, 60_000);
afterAll(async () => {
  await running.close();
  await sim.close();
  store.dispose();
});

/** One worker's view of the server: its base URL, its headers and its token, by the way it reaches its sandbox. */
async function worker(id: string, way: Way) {
  const created = await callMounted(running.url, "/__mock/sandboxes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id }),
  });
  expect(created.status, created.text).toBe(201);
  expect(created.json.base_url).toBe(`${running.url}/sandboxes/${id}`);
  let token = await tokenFor("space-developer");
  if (way === "token") {
    const minted = await callMounted(running.url, `/__mock/sandboxes/${id}/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "space-developer" }),
    });
    expect(minted.status).toBe(201);
    token = minted.json.token;
  }
  const base = way === "prefix" ? created.json.base_url : running.url;
  const headers: Record<string, string> = way === "header" ? { "x-mock-sandbox": id } : {};
  const call = (path: string, init: MountedInit = {}) =>
    callMounted(base, path, { token, ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  // The admin API with the same way of naming the sandbox (a token's claim, a prefix, a header).
  const admin = (path: string, init: MountedInit = {}) =>
    call(path, way === "token" ? init : { token: undefined, ...init });
  return { call, admin };
}

async function runWorker(index: number): Promise<void> {
  const id = `worker-${index}`;
  const way = WAYS[index % 3]!;
  const { call, admin } = await worker(id, way);
  const zip = await buildAppZip({ "index.html": `<h1>${id}</h1>` });
  for (let round = 0; round < 3; round++) {
    // Workers of odd index and odd round are rate limited: the others must not notice.
    const scenario = (index + round) % 2 === 1 ? "rate-limited" : "cloud-controller";
    const set = await admin("/__mock/scenario", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: scenario }),
    });
    expect(set.status).toBe(200);
    const apps = await call("/v3/apps?names=web-app");
    const app = apps.json.resources[0].guid;
    const waiting = await call(`/v3/packages?app_guids=${app}&states=AWAITING_UPLOAD`);
    expect(waiting.json.resources.length, `${id} round ${round}: a fresh world`).toBeGreaterThan(0);
    const guid = waiting.json.resources[0].guid;
    const { body, contentType } = buildCfUploadBody({ bits: zip });
    const upload = await call(`/v3/packages/${guid}/upload`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    expect(upload.status, `${id} round ${round} (${scenario})`).toBe(scenario === "rate-limited" ? 429 : 200);
    const journal = await admin("/__mock/journal");
    const paths = journal.json.entries.map((e: { path: string }) => e.path);
    expect(paths, `${id}'s journal holds its own requests only`).toEqual([
      "/v3/apps",
      "/v3/packages",
      `/v3/packages/${guid}/upload`,
    ]);
    expect(journal.json.entries[2].scenario).toBe(scenario);
    // The rate limit answers before the body is read; an accepted upload's bits are this worker's.
    if (scenario === "cloud-controller") {
      const bits = journal.json.entries[2].multipart.parts.find((p: { name: string }) => p.name === "bits");
      expect(bits.size).toBe(zip.length);
    }
    const reset = await admin("/__mock/reset", { method: "POST" });
    expect(reset.status).toBe(204);
    expect((await admin("/__mock/journal")).json.entries).toEqual([]);
    expect((await admin("/__mock/scenario")).json.scenario.name).toBe("cloud-controller");
  }
}

describe("eight workers, one server, eight sandboxes", () => {
  it("each switches scenarios, uploads, resets and reads its journal at the same time: zero cross-talk", async () => {
    const before = sim.journal.entries().length;
    const web = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    await Promise.all(Array.from({ length: 8 }, (_, i) => runWorker(i)));
    // The default sandbox saw none of it.
    expect(sim.journal.entries().length).toBe(before);
    expect(sim.scenario.name).toBe("cloud-controller");
    expect(sim.state.packages.get(web)!.state).toBe("AWAITING_UPLOAD");
    const list = await callMounted(running.url, "/__mock/sandboxes");
    expect(list.json.sandboxes.map((s: { id: string }) => s.id).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `worker-${i}`),
    );
    for (let i = 0; i < 8; i++) {
      const gone = await callMounted(running.url, `/__mock/sandboxes/worker-${i}`, { method: "DELETE" });
      expect(gone.status).toBe(204);
    }
    expect(sim.sandboxes.list()).toEqual([]);
  }, 60_000);

  it("the ways must agree: a token for one and a header for another is 400 naming both", async () => {
    await sim.sandboxes.create({ id: "one" });
    await sim.sandboxes.create({ id: "two" });
    const { mintUserToken } = await import("../src/index.js");
    const token = await mintUserToken("space-developer", { sandbox: "one" });
    const answer = await callMounted(running.url, "/v3/apps", {
      token,
      headers: { "x-mock-sandbox": "two" },
      unchecked: true,
    });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].title).toBe("CF-BadRequest");
    expect(answer.json.errors[0].detail).toContain(
      "'one' by its token's mock_sandbox claim and 'two' by the X-Mock-Sandbox header",
    );
    expect(answer.headers.get("x-vcap-request-id")).toBeTruthy();
    const agree = await callMounted(`${running.url}/sandboxes/one`, "/v3/apps", {
      token,
      headers: { "x-mock-sandbox": "one" },
    });
    expect(agree.status).toBe(200);
    const viaDefault = await callMounted(`${running.url}/sandboxes/default`, "/v3", { token: undefined });
    expect(viaDefault.json.links.self.href).toBe(`${running.url}/sandboxes/default/v3`);
    await sim.sandboxes.delete("one");
    await sim.sandboxes.delete("two");
  });
});
