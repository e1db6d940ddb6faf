/**
 * The scenarios of the upload endpoint: every one of them over real HTTP, the
 * seed's async 202 flow with its `package.upload` job, the faults, how a scenario
 * is chosen (Prefer, package binding, global; admin API and programmatic), reset,
 * unknown names, the CLI's scenario flags, --no-admin and CORS.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { createSimulator, type Simulator, type SimulatorOptions } from "../src/index.js";
import { SCENARIOS, SCENARIO_NAMES } from "../src/core/scenarios/catalog.js";
import { createBitsPackage, postUpload, sendJson, showPackage, upload as cfUpload } from "./support/api.js";
import { ADAPTERS, overHttp, setup, theContract, type Adapter, type Answer, type Client } from "./support/client.js";
import { expectError as expectCfError } from "./support/errors.js";
import { runCli, startCli } from "./support/cli.js";
import { packageGuid, settle, PACKAGE_KEYS } from "./support/world.js";

/** Every scenario, in catalog order (the order `Prefer: code=N` searches). */
const ALL_NAMES = [
  "cloud-controller",
  "async-upload",
  "processing-fails",
  "stuck-processing",
  "expires",
  "unauthenticated",
  "invalid-token",
  "not-authorized",
  "feature-disabled",
  "org-suspended",
  "not-found",
  "unprocessable",
  "already-uploaded",
  "rate-limited",
  "unavailable",
  "server-error",
  "slow",
  "timeout",
  "connection-reset",
];
const VALID_SCENARIOS = `Valid scenarios are: ${ALL_NAMES.join(", ")}`;

/** The error scenarios and the envelope each must answer (`errors/v2.yml`, `v3_error_hasher.rb`). */
const ERROR_SCENARIOS: Array<[name: string, status: number, title: string, code: number, detail: string]> = [
  ["unauthenticated", 401, "CF-NotAuthenticated", 10002, "Authentication error"],
  ["invalid-token", 401, "CF-InvalidAuthToken", 1000, "Invalid Auth Token"],
  ["not-authorized", 403, "CF-NotAuthorized", 10003, "You are not authorized to perform the requested action"],
  ["feature-disabled", 403, "CF-FeatureDisabled", 330002, "Feature Disabled: app_bits_upload"],
  ["org-suspended", 403, "CF-OrgSuspended", 10017, "The organization is suspended"],
  ["not-found", 404, "CF-ResourceNotFound", 10010, "Package not found"],
  ["unprocessable", 422, "CF-UnprocessableEntity", 10008, "Upload must include either resources or bits"],
  [
    "already-uploaded",
    400,
    "CF-PackageBitsAlreadyUploaded",
    150004,
    "Bits may be uploaded only once. Create a new package to upload different bits.",
  ],
  ["rate-limited", 429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded"],
  ["unavailable", 503, "CF-ServiceUnavailable", 10015, "Database connection failure"],
  ["server-error", 500, "UnknownError", 10001, "An unknown error occurred."],
];

/** What each scenario answers the upload with (null: a fault with no status of its own). */
const STATUS: Record<string, number | null> = {
  "cloud-controller": 200,
  "async-upload": 202,
  "processing-fails": 200,
  "stuck-processing": 200,
  expires: 200,
  ...Object.fromEntries(ERROR_SCENARIOS.map(([name, status]) => [name, status])),
  slow: null,
  timeout: null,
  "connection-reset": null,
};

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JOB_KEYS = ["guid", "created_at", "updated_at", "operation", "state", "errors", "warnings", "links"];
const INVALID_ZIP = {
  detail: "The app upload is invalid: Invalid zip archive.",
  title: "CF-AppBitsUploadInvalid",
  code: 160001,
};

let zip: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  // Load the document first, so that no test spends its processing delay loading it.
  await theContract();
  zip = await buildAppZip({ "index.js": "console.log('hi')\n", "package.json": '{"name":"web-app"}\n' });
});

// A fresh simulator (and server) per test, stopped after it.
const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});
async function start(options: SimulatorOptions = {}, adapter: Adapter = "http") {
  const s = await setup(options, adapter);
  running.push(s.close);
  return s;
}

interface UploadInit {
  prefer?: string;
  bits?: Uint8Array;
  user?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}
/** Uploads `zip` (or `init.bits`) as cf push does, with a Prefer header when asked. */
function upload(api: Client, guid: string, init: UploadInit = {}): Promise<Answer> {
  const headers = { ...init.headers, ...(init.prefer === undefined ? {} : { prefer: init.prefer }) };
  return cfUpload(api, guid, { bits: init.bits ?? zip }, { user: init.user, headers, signal: init.signal });
}

const awaiting = (sim: Simulator) => packageGuid(sim, "web-app", "AWAITING_UPLOAD");

const getPackage = (api: Client, guid: string) => showPackage(api, guid);

/** The CF error envelope, as JSON. */
function expectError(answer: Answer, status: number, title: string, code: number, detail: string): void {
  expectCfError(answer, status, title, code, detail);
  expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
}

const badRequest = (answer: Answer, detail: string) => expectError(answer, 400, "CF-BadRequest", 1004, detail);

/** The 200 of the real controller: the package in PROCESSING_UPLOAD, no Location (`app/actions/package_upload.rb`). */
function expectAccepted(answer: Answer, api: Client, guid: string, status = 200): void {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.json)).toEqual(PACKAGE_KEYS);
  expect(answer.json).toMatchObject({
    guid,
    type: "bits",
    state: "PROCESSING_UPLOAD",
    data: { error: null, checksum: { type: "sha256", value: null } },
    links: { self: { href: `${api.origin}/v3/packages/${guid}` } },
  });
  if (status === 200) expect(answer.headers.get("location")).toBeNull();
}

describe("the catalog", () => {
  it("has every scenario, in order, in the code, the OpenAPI enum and GET /__mock/scenarios", async () => {
    expect([...SCENARIO_NAMES]).toEqual(ALL_NAMES);
    const doc = parse(readFileSync(new URL("../spec/openapi.yaml", import.meta.url), "utf8"));
    expect(doc.components.schemas.ScenarioName.enum).toEqual(ALL_NAMES);

    const { api } = await start();
    const r = await api.call("/__mock/scenarios");
    expect(r.status).toBe(200);
    expect(r.json.scenarios.map((s: { name: string }) => s.name)).toEqual(ALL_NAMES);
    for (const s of r.json.scenarios) {
      expect(Object.keys(s)).toEqual(["name", "status", "description"]);
      expect(s.status, s.name).toBe(STATUS[s.name]);
      expect(s.description.length, s.name).toBeGreaterThan(10);
    }
  });

  it("gives every error scenario the envelope of errors/v2.yml", () => {
    const withError = SCENARIOS.filter((s) => s.error).map((s) => s.name);
    expect(withError).toEqual(ERROR_SCENARIOS.map(([name]) => name));
  });
});

describe("error scenarios answer the exact CF envelope", () => {
  it.each(ERROR_SCENARIOS)("%s → %i %s", async (name, status, title, code, detail) => {
    const { sim, api } = await start({ scenario: name as never });
    const guid = awaiting(sim);
    const r = await upload(api, guid);
    expectError(r, status, title, code, detail);
    expect(r.headers.get("location")).toBeNull();
    // Nothing was accepted.
    await settle(sim);
    expect((await getPackage(api, guid)).state).toBe("AWAITING_UPLOAD");
    expect(sim.state.jobs.size).toBe(0);
  });

  it("answers before the token is looked at (a forced 429 reaches a request without one)", async () => {
    const { sim, api } = await start({ scenario: "rate-limited" });
    const r = await postUpload(api, awaiting(sim), buildCfUploadBody({ bits: zip }), { user: null });
    expectError(r, 429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded");
  });
});

describe("scenarios that answer 200", () => {
  it("cloud-controller: 200 in PROCESSING_UPLOAD, then READY with the SHA-256", async () => {
    const { sim, api } = await start();
    const guid = awaiting(sim);
    expectAccepted(await upload(api, guid), api, guid);
    await settle(sim);
    const pkg = await getPackage(api, guid);
    expect(pkg.state).toBe("READY");
    expect(pkg.data).toEqual({
      error: null,
      checksum: { type: "sha256", value: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it("processing-fails: 200, then FAILED with the default data.error although the zip is fine", async () => {
    const { sim, api } = await start({ scenario: "processing-fails" });
    const guid = awaiting(sim);
    expectAccepted(await upload(api, guid), api, guid);
    await settle(sim);
    const pkg = await getPackage(api, guid);
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual({ error: INVALID_ZIP.detail, checksum: { type: "sha256", value: null } });
  });

  it("processing-fails with an error option (useScenario): FAILED with that text", async () => {
    const { sim, api } = await start();
    const text = "The app package is invalid: Package may not be larger than 1073741824 bytes";
    sim.useScenario({ name: "processing-fails", error: text });
    const guid = awaiting(sim);
    expectAccepted(await upload(api, guid), api, guid);
    await settle(sim);
    expect((await getPackage(api, guid)).data.error).toBe(text);
  });

  it("stuck-processing: 200, then stays PROCESSING_UPLOAD after every job is done", async () => {
    const { sim, api } = await start({ scenario: "stuck-processing" });
    const guid = awaiting(sim);
    expectAccepted(await upload(api, guid), api, guid);
    await settle(sim);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const pkg = await getPackage(api, guid);
    expect(pkg.state).toBe("PROCESSING_UPLOAD");
    expect(pkg.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
  });

  it("expires: 200, then EXPIRED", async () => {
    const { sim, api } = await start({ scenario: "expires" });
    const guid = awaiting(sim);
    expectAccepted(await upload(api, guid), api, guid);
    await settle(sim);
    expect((await getPackage(api, guid)).state).toBe("EXPIRED");
  });
});

describe.each([
  ["the async-upload scenario", { scenario: "async-upload" as const }, undefined],
  ["Prefer: respond-async", {}, "respond-async"],
])("the seed's 202 through %s", (_how, options, prefer) => {
  it("answers 202 with the package and the Location of a package.upload job, which ends COMPLETE and READY", async () => {
    // Long enough that the job is still PROCESSING when read, however loaded the machine.
    const { sim, api } = await start({ ...options, processingDelay: 1500 });
    const guid = awaiting(sim);
    const r = await upload(api, guid, { prefer });
    expectAccepted(r, api, guid, 202);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const location = r.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${api.origin}/v3/jobs/[0-9a-f-]{36}$`));
    const jobGuid = location.slice(location.lastIndexOf("/") + 1);
    expect(jobGuid).toMatch(UUID);

    const job = await api.call(`/v3/jobs/${jobGuid}`, { user: "space-developer" });
    expect(job.status).toBe(200);
    expect(Object.keys(job.json)).toEqual(JOB_KEYS);
    expect(job.json).toEqual({
      guid: jobGuid,
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
      operation: "package.upload",
      state: "PROCESSING",
      errors: [],
      warnings: [],
      links: { self: { href: location }, package: { href: `${api.origin}/v3/packages/${guid}` } },
    });
    expect((await getPackage(api, guid)).state).toBe("PROCESSING_UPLOAD");

    await settle(sim);
    const done = await api.call(`/v3/jobs/${jobGuid}`, { user: "space-developer" });
    expect(done.json).toMatchObject({ guid: jobGuid, operation: "package.upload", state: "COMPLETE", errors: [] });
    expect(done.json.links).toEqual(job.json.links);
    const pkg = await getPackage(api, guid);
    expect(pkg.state).toBe("READY");
    expect(pkg.data.checksum.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps the real checks: 401 without a token, 400 for a second upload (where the seed document says nothing)", async () => {
    const { sim, api } = await start(options);
    const guid = awaiting(sim);
    const anonymous = await cfUpload(api, guid, { bits: zip }, { user: null, headers: prefer ? { prefer } : {} });
    expectError(anonymous, 401, "CF-NotAuthenticated", 10002, "Authentication error");
    expect((await upload(api, guid, { prefer })).status).toBe(202);
    expectError(
      await upload(api, guid, { prefer }),
      400,
      "CF-PackageBitsAlreadyUploaded",
      150004,
      "Bits may be uploaded only once. Create a new package to upload different bits.",
    );
    expect(sim.state.jobs.size).toBe(1);
  });

  it("ends the job FAILED with the CF error and the package FAILED with the same text", async () => {
    // Long enough that the job is still PROCESSING when read, however loaded the machine.
    const { sim, api } = await start({ ...options, processingDelay: 1500 });
    const guid = awaiting(sim);
    const r = await upload(api, guid, { prefer, bits: new TextEncoder().encode("these bytes are not a zip") });
    expect(r.status).toBe(202);
    const location = r.headers.get("location")!;
    expect((await api.call(location, { user: "space-developer" })).json.state).toBe("PROCESSING");

    await settle(sim);
    const job = await api.call(location, { user: "space-developer" });
    expect(job.json).toMatchObject({ operation: "package.upload", state: "FAILED", errors: [INVALID_ZIP] });
    expect(Object.keys(job.json.errors[0])).toEqual(["detail", "title", "code"]);
    expect(job.json.links.package).toEqual({ href: `${api.origin}/v3/packages/${guid}` });
    const pkg = await getPackage(api, guid);
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data).toEqual({ error: INVALID_ZIP.detail, checksum: { type: "sha256", value: null } });
  });
});

describe("faults", () => {
  it("slow: the normal 200, after the latency", async () => {
    const { sim, api } = await start();
    sim.useScenario({ name: "slow", latency: 150 });
    const guid = awaiting(sim);
    const began = performance.now();
    const r = await upload(api, guid);
    expect(performance.now() - began).toBeGreaterThanOrEqual(140);
    expectAccepted(r, api, guid);
    await settle(sim);
    expect((await getPackage(api, guid)).state).toBe("READY");
  });

  it("timeout: the client's own timeout fires, and the server keeps serving", async () => {
    const { sim, api } = await start({ scenario: "timeout" });
    const guid = awaiting(sim);
    const error = await upload(api, guid, { signal: AbortSignal.timeout(300) }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).not.toBeNull();
    expect(error!.name).toMatch(/^(TimeoutError|AbortError)$/);
    // Still serving, and nothing was accepted.
    expect((await getPackage(api, guid)).state).toBe("AWAITING_UPLOAD");
    expectAccepted(await upload(api, guid, { prefer: "code=200" }), api, guid);
  });

  it("connection-reset: the fetch fails with a network error, and the server keeps serving", async () => {
    const { sim, api } = await start({ scenario: "connection-reset" });
    const guid = awaiting(sim);
    // Large enough that the connection drops while the body is still being sent.
    const big = await buildAppZip({ "blob.bin": crypto.getRandomValues(new Uint8Array(60_000)) });
    const error = await upload(api, guid, { bits: big }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toBe("fetch failed");
    expect((await getPackage(api, guid)).state).toBe("AWAITING_UPLOAD");
    expectAccepted(await upload(api, guid, { prefer: "scenario=cloud-controller" }), api, guid);
  });
});

describe("choosing the scenario", () => {
  const BY_CODE: Array<[number, string]> = [
    [200, "cloud-controller"],
    [202, "async-upload"],
    [400, "already-uploaded"],
    [401, "unauthenticated"],
    [403, "not-authorized"],
    [404, "not-found"],
    [422, "unprocessable"],
    [429, "rate-limited"],
    [500, "server-error"],
    [503, "unavailable"],
  ];

  it("covers every status of the catalog", () => {
    const statuses = [...new Set(SCENARIOS.map((s) => s.status).filter((s) => s !== null))].sort();
    expect(statuses).toEqual(BY_CODE.map(([code]) => code).sort());
  });

  it.each(BY_CODE)("Prefer: code=%i picks %s", async (code, name) => {
    const { sim, api } = await start();
    const guid = awaiting(sim);
    const r = await upload(api, guid, { prefer: `code=${code}` });
    const error = ERROR_SCENARIOS.find(([n]) => n === name);
    if (error) expectError(r, ...(error.slice(1) as [number, string, number, string]));
    else expectAccepted(r, api, guid, code);
    if (code === 202) expect(r.headers.get("location")).toMatch(/\/v3\/jobs\//);
  });

  it("Prefer: scenario=NAME picks NAME, other preferences are ignored, and the last pick wins", async () => {
    const { sim, api } = await start();
    const guid = awaiting(sim);
    expectError(
      await upload(api, guid, { prefer: "return=minimal, scenario=unavailable" }),
      503,
      "CF-ServiceUnavailable",
      10015,
      "Database connection failure",
    );
    expectError(
      await upload(api, guid, { prefer: "scenario=not-found, code=429" }),
      429,
      "CF-RateLimitExceeded",
      10013,
      "Rate Limit Exceeded",
    );
    expectAccepted(await upload(api, guid, { prefer: "scenario=processing-fails" }), api, guid);
    await settle(sim);
    expect((await getPackage(api, guid)).state).toBe("FAILED");
  });

  it("a Prefer header beats a package binding, which beats the global scenario (admin API)", async () => {
    const { sim, api } = await start();
    const bound = awaiting(sim);
    const other = await createBitsPackage(sim, api);

    const global = await sendJson(api, "/__mock/scenario", { name: "rate-limited" }, { method: "PUT" });
    expect(global.status).toBe(200);
    expect(global.json).toEqual({ scenario: { name: "rate-limited" }, packages: {} });
    const bind = await sendJson(api, `/__mock/packages/${bound}/scenario`, { name: "unavailable" }, { method: "PUT" });
    expect(bind.status).toBe(200);
    expect(bind.json).toEqual({ scenario: { name: "rate-limited" }, packages: { [bound]: { name: "unavailable" } } });
    expect((await api.call("/__mock/scenario")).json).toEqual(bind.json);

    expectError(await upload(api, bound), 503, "CF-ServiceUnavailable", 10015, "Database connection failure");
    expectError(await upload(api, other), 429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded");
    expectError(
      await upload(api, bound, { prefer: "code=404" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );

    const unbind = await api.call(`/__mock/packages/${bound}/scenario`, { method: "DELETE" });
    expect(unbind.status).toBe(200);
    expect(unbind.json).toEqual({ scenario: { name: "rate-limited" }, packages: {} });
    expectError(await upload(api, bound), 429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded");
    expectAccepted(await upload(api, bound, { prefer: "respond-async" }), api, bound, 202);
  });

  it("the admin API takes the options and shows a latency string parsed", async () => {
    const { sim, api } = await start();
    const guid = awaiting(sim);
    const slow = await sendJson(api, "/__mock/scenario", { name: "slow", latency: "100-120" }, { method: "PUT" });
    expect(slow.json.scenario).toEqual({ name: "slow", latency: [100, 120] });
    expect(sim.scenario).toEqual({ name: "slow", latency: [100, 120] });
    const fails = await sendJson(
      api,
      `/__mock/packages/${guid}/scenario`,
      { name: "processing-fails", error: "Could not find object 'abc'" },
      { method: "PUT" },
    );
    expect(fails.json.packages).toEqual({ [guid]: { name: "processing-fails", error: "Could not find object 'abc'" } });
    expectAccepted(await upload(api, guid), api, guid);
    await settle(sim);
    expect((await getPackage(api, guid)).data.error).toBe("Could not find object 'abc'");
  });

  it("sim.useScenario and sim.bindScenario do the same in code, and GET /__mock/scenario shows them", async () => {
    const { sim, api } = await start();
    const bound = awaiting(sim);
    const other = await createBitsPackage(sim, api);
    sim.useScenario("not-authorized");
    sim.bindScenario(bound, { name: "processing-fails", error: "boom" });
    expect(sim.scenario).toEqual({ name: "not-authorized" });
    expect((await api.call("/__mock/scenario")).json).toEqual({
      scenario: { name: "not-authorized" },
      packages: { [bound]: { name: "processing-fails", error: "boom" } },
    });
    expectError(
      await upload(api, other),
      403,
      "CF-NotAuthorized",
      10003,
      "You are not authorized to perform the requested action",
    );
    expectAccepted(await upload(api, bound), api, bound);
    await settle(sim);
    expect((await getPackage(api, bound)).data.error).toBe("boom");
    sim.bindScenario(bound, null);
    expect((await api.call("/__mock/scenario")).json.packages).toEqual({});
    expect(() => sim.useScenario("nope" as never)).toThrow(TypeError);
    expect(() => sim.bindScenario(bound, "nope" as never)).toThrow(TypeError);
  });

  it("POST /__mock/reset restores the start scenario, no bindings and the fixture world", async () => {
    const { sim, api } = await start({ scenario: "rate-limited" });
    const guid = awaiting(sim);
    const created = await createBitsPackage(sim, api);
    sim.useScenario("cloud-controller");
    sim.bindScenario(created, "not-found");
    expectAccepted(await upload(api, guid, { prefer: "respond-async" }), api, guid, 202);
    await settle(sim);
    expect((await getPackage(api, guid)).state).toBe("READY");

    const r = await api.call("/__mock/reset", { method: "POST" });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect((await api.call("/__mock/scenario")).json).toEqual({ scenario: { name: "rate-limited" }, packages: {} });
    expect((await getPackage(api, guid)).state).toBe("AWAITING_UPLOAD");
    expect((await api.call(`/v3/packages/${created}`, { user: "space-developer" })).status).toBe(404);
    expect(sim.state.jobs.size).toBe(0);
    expectError(await upload(api, guid), 429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded");
  });
});

describe("a scenario that does not exist", () => {
  it("in Prefer: 400 CF-BadRequest naming the valid ones, whatever the token", async () => {
    const { sim, api } = await start();
    const guid = awaiting(sim);
    const detail = `Bad request: the Prefer header names an unknown scenario 'nope'. ${VALID_SCENARIOS}`;
    badRequest(await upload(api, guid, { prefer: "scenario=nope" }), detail);
    badRequest(await upload(api, guid, { prefer: "scenario=nope", user: "admin-read-only" }), detail);
    expect((await getPackage(api, guid)).state).toBe("AWAITING_UPLOAD");
  });

  it("Prefer: code=418 (no scenario answers it): 400 naming the valid codes", async () => {
    const { sim, api } = await start();
    badRequest(
      await upload(api, awaiting(sim), { prefer: "code=418" }),
      "Bad request: the Prefer header asks for code=418, which no scenario answers. " +
        "Valid codes are: 200, 202, 400, 401, 403, 404, 422, 429, 500, 503",
    );
  });

  it("in the admin API: 400 CF-BadRequest naming the valid ones, and nothing changes", async () => {
    const { sim, api } = await start();
    const guid = awaiting(sim);
    const put = (path: string, body: string) => sendJson(api, path, body, { method: "PUT" });
    badRequest(
      await put("/__mock/scenario", '{"name":"nope"}'),
      `Bad request: unknown scenario 'nope'. ${VALID_SCENARIOS}`,
    );
    badRequest(
      await put(`/__mock/packages/${guid}/scenario`, '{"name":"nope"}'),
      `Bad request: unknown scenario 'nope'. ${VALID_SCENARIOS}`,
    );
    badRequest(
      await put("/__mock/scenario", '{"name":"slow","latency":"soon"}'),
      "Bad request: latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got 'soon'",
    );
    badRequest(
      await put("/__mock/scenario", '{"name":"slow","delay":5}'),
      "Bad request: unknown field(s) 'delay': a scenario takes name, error and latency",
    );
    expectError(
      await put("/__mock/scenario", "{"),
      400,
      "CF-MessageParseError",
      1001,
      "Request invalid due to parse error: invalid request body",
    );
    expectError(
      await put("/__mock/packages/no-such-package/scenario", '{"name":"slow"}'),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );
    expect((await api.call("/__mock/scenario")).json).toEqual({ scenario: { name: "cloud-controller" }, packages: {} });
  });

  it("in createSimulator: a TypeError naming the valid ones", () => {
    expect(() => createSimulator({ scenario: "nope" as never })).toThrow(
      new TypeError(`mock-packages: unknown scenario 'nope'. ${VALID_SCENARIOS}`),
    );
  });

  it("in the CLI flag: exit 2 at start-up, naming the valid ones", async () => {
    const r = await runCli(["--scenario", "nope", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`mock-packages: --scenario: unknown scenario 'nope'. ${VALID_SCENARIOS}\n`);
    expect(r.stdout).not.toContain("listening");
  });
});

describe("the CLI", () => {
  it("mock-packages scenarios lists every scenario with its status and description", async () => {
    const r = await runCli(["scenarios"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(ALL_NAMES);
    for (const s of SCENARIOS) {
      const line = lines.find((l) => l.startsWith(`${s.name} `))!;
      expect(line, s.name).toContain(s.description);
      if (s.status !== null) expect(line, s.name).toMatch(new RegExp(`\\s${s.status}\\s`));
    }
  });

  it("--scenario slow --latency 200 --no-admin: slow uploads, and no admin API", async () => {
    const cli = await startCli(["--scenario", "slow", "--latency", "200", "--no-admin", "--quiet"]);
    try {
      const api = overHttp(cli.url);
      const app = (await api.call("/v3/apps?names=web-app", { user: "space-developer" })).json.resources[0].guid;
      const list = await api.call(`/v3/apps/${app}/packages?states=AWAITING_UPLOAD`, { user: "space-developer" });
      const guid = list.json.resources[0].guid;
      const began = performance.now();
      const r = await upload(api, guid);
      expect(performance.now() - began).toBeGreaterThanOrEqual(190);
      expectAccepted(r, api, guid);
      expectError(await api.call("/__mock/scenario"), 404, "CF-NotFound", 10000, "Unknown request");
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});

describe("admin: false (--no-admin)", () => {
  it("answers 404 CF-NotFound under /__mock/ and ignores nothing else", async () => {
    const { sim, api } = await start({ admin: false });
    const guid = awaiting(sim);
    const unknown = (a: Answer) => expectError(a, 404, "CF-NotFound", 10000, "Unknown request");
    unknown(await api.call("/__mock/scenarios"));
    unknown(await api.call("/__mock/scenario"));
    unknown(await sendJson(api, "/__mock/scenario", '{"name":"rate-limited"}', { method: "PUT" }));
    unknown(await api.call(`/__mock/packages/${guid}/scenario`, { method: "DELETE" }));
    unknown(await api.call("/__mock/reset", { method: "POST" }));
    expect(sim.scenario).toEqual({ name: "cloud-controller" });
    // The programmatic API and Prefer still work.
    sim.useScenario("rate-limited");
    expectError(await upload(api, guid), 429, "CF-RateLimitExceeded", 10013, "Rate Limit Exceeded");
    expectAccepted(await upload(api, guid, { prefer: "code=200" }), api, guid);
  });
});

describe("CORS", () => {
  const origin = "http://localhost:5173";

  it("answers a preflight that asks for Authorization, Prefer and Content-Type with 204 allowing them", async () => {
    const { sim, api } = await start();
    const r = await api.call(`/v3/packages/${awaiting(sim)}/upload`, {
      method: "OPTIONS",
      unchecked: true,
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,prefer,content-type",
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe(origin);
    const allowed = r.headers
      .get("access-control-allow-headers")!
      .toLowerCase()
      .split(",")
      .map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "prefer", "content-type"]));
    expect(r.headers.get("access-control-allow-methods")).toMatch(/\bPOST\b/);
  });

  it("lets a browser read a 202's Location", async () => {
    const { sim, api } = await start();
    const r = await upload(api, awaiting(sim), { prefer: "respond-async", headers: { origin } });
    expect(r.status).toBe(202);
    expect(r.headers.get("access-control-allow-origin")).toBe(origin);
    const exposed = r.headers
      .get("access-control-expose-headers")!
      .split(",")
      .map((h) => h.trim().toLowerCase());
    expect(exposed).toContain("location");
  });
});

describe("the same answers in process, over HTTP and through msw", () => {
  /**
   * Status, Location and body with the origin and the clock taken out, and the package after its job.
   * One adapter at a time: msw patches the global fetch while it listens.
   */
  async function observe(adapter: Adapter, prefer: string) {
    const { sim, api, close } = await setup({}, adapter);
    try {
      return await observeWith(sim, api, prefer);
    } finally {
      await close();
    }
  }
  async function observeWith(sim: Simulator, api: Client, prefer: string) {
    const guid = awaiting(sim);
    const neutral = (v: unknown) =>
      JSON.parse(
        JSON.stringify(v ?? null)
          .replaceAll(api.origin, "<origin>")
          .replace(/\d{4}-\d\d-\d\dT[\d:]{8}Z/g, "<t>"),
      );
    const r = await upload(api, guid, { prefer });
    await settle(sim);
    const location = r.headers.get("location");
    const job = location ? await api.call(location, { user: "space-developer" }) : null;
    return {
      status: r.status,
      type: r.headers.get("content-type"),
      location: neutral(location),
      body: neutral(r.json),
      job: neutral(job?.json),
      pkg: neutral(await getPackage(api, guid)),
    };
  }

  it.each(["scenario=rate-limited", "scenario=not-found", "respond-async", "scenario=processing-fails"])(
    "Prefer: %s",
    async (prefer) => {
      expect(ADAPTERS).toEqual(expect.arrayContaining(["in-process", "http"]));
      const seen = new Map<Adapter, Awaited<ReturnType<typeof observe>>>();
      for (const adapter of ADAPTERS) seen.set(adapter, await observe(adapter, prefer));
      const inProcess = seen.get("in-process")!;
      for (const [adapter, observed] of seen) expect(observed, adapter).toEqual(inProcess);

      expect(inProcess.status).toBe(
        {
          "scenario=rate-limited": 429,
          "scenario=not-found": 404,
          "respond-async": 202,
          "scenario=processing-fails": 200,
        }[prefer],
      );
    },
  );
});
