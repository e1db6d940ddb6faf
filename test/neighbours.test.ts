/**
 * The neighbour endpoints (`app/controllers/v3/*`, `errors/v2.yml`): jobs, apps, feature flags, the
 * root documents, unknown routes, the request id, and resource matches.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { mintUserToken, type Simulator } from "../src/index.js";
import { matchResources, patchFlag, postPackage, upload } from "./support/api.js";
import { setup, type Answer, type Client } from "./support/client.js";
import { NOT_AUTHORIZED, expect422, expectError } from "./support/errors.js";
import { appGuid, packageGuid, spaceByName } from "./support/world.js";

let sim: Simulator;
let api: Client;

beforeEach(async () => {
  ({ sim, api } = await setup());
});
afterEach(() => sim.close());

const ORIGIN = "http://127.0.0.1:4010";
async function uploadToAwaiting(user = "space-developer"): Promise<Answer> {
  const bits = await buildAppZip({ "index.js": "1\n" });
  return upload(api, packageGuid(sim, "web-app", "AWAITING_UPLOAD"), { bits }, { user });
}

describe("GET /v3/jobs/{guid}", () => {
  it("answers 404 Job not found for an unknown guid", async () => {
    const r = await api.call("/v3/jobs/6a1d2f5e-0000-4000-8000-000000000000", { user: "admin" });
    expectError(r, 404, "CF-ResourceNotFound", 10010, "Job not found");
  });

  it("answers 401 without a token", async () => {
    const r = await api.call("/v3/jobs/6a1d2f5e-0000-4000-8000-000000000000");
    expectError(r, 401, "CF-NotAuthenticated", 10002, "Authentication error");
  });
});

describe("apps", () => {
  it("GET /v3/apps?names=web-app lists only that app", async () => {
    const r = await api.call("/v3/apps?names=web-app", { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(r.json.pagination.total_results).toBe(1);
    expect(r.json.resources).toHaveLength(1);
    expect(r.json.resources[0].name).toBe("web-app");
    expect(r.json.resources[0].guid).toBe(appGuid(sim, "web-app"));
    expect(new URL(r.json.pagination.first.href).searchParams.get("names")).toBe("web-app");
  });

  it("GET /v3/apps lists the apps of readable spaces only", async () => {
    const names = async (user: string) =>
      (await api.call("/v3/apps", { user })).json.resources.map((a: { name: string }) => a.name).sort();
    expect(await names("space-developer")).toEqual(["docker-app", "suspended-app", "web-app", "worker-app"]);
    expect(await names("space-manager")).toEqual(["docker-app", "web-app", "worker-app"]);
    expect(await names("org-auditor")).toEqual([]);
  });

  it("GET /v3/apps/{guid} answers the app", async () => {
    const guid = appGuid(sim, "web-app");
    const r = await api.call(`/v3/apps/${guid}`, { user: "space-auditor" });
    expect(r.status).toBe(200);
    expect(r.json.guid).toBe(guid);
    expect(r.json.name).toBe("web-app");
    expect(r.json.relationships).toEqual({ space: { data: { guid: spaceByName(sim, "mock-space").guid } } });
    expect(r.json.links.self).toEqual({ href: `${ORIGIN}/v3/apps/${guid}` });
    expect(r.json.links.packages).toEqual({ href: `${ORIGIN}/v3/apps/${guid}/packages` });
  });

  it("GET /v3/apps/{guid} answers 404 App not found to an org auditor and for an unknown guid", async () => {
    expectError(
      await api.call(`/v3/apps/${appGuid(sim, "web-app")}`, { user: "org-auditor" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "App not found",
    );
    expectError(
      await api.call("/v3/apps/no-such-app", { user: "admin" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "App not found",
    );
  });
});

describe("feature flags", () => {
  it("GET /v3/feature_flags/{name} answers the flag", async () => {
    const r = await api.call("/v3/feature_flags/app_bits_upload", { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(r.json.name).toBe("app_bits_upload");
    expect(r.json.enabled).toBe(true);
    expect(r.json.custom_error_message).toBeNull();
    expect(r.json.links).toEqual({ self: { href: `${ORIGIN}/v3/feature_flags/app_bits_upload` } });
  });

  // ApplicationController#check_read_permissions!: admin, admin_read_only, global_auditor or cloud_controller.read.
  it("answers 403 CF-NotAuthorized to a token without read scope on both GETs, before any 404", async () => {
    const token = await mintUserToken("space-developer", { scope: ["cloud_controller.write"] });
    for (const path of ["/v3/feature_flags", "/v3/feature_flags/app_bits_upload", "/v3/feature_flags/no_such_flag"]) {
      expectError(await api.call(path, { token }), 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
    }
    for (const scope of [
      "cloud_controller.read",
      "cloud_controller.admin_read_only",
      "cloud_controller.global_auditor",
    ]) {
      const reader = await mintUserToken("no-role", { scope: [scope] });
      expect((await api.call("/v3/feature_flags", { token: reader })).status).toBe(200);
      expect((await api.call("/v3/feature_flags/app_bits_upload", { token: reader })).status).toBe(200);
    }
  });

  it("lets an admin PATCH {enabled:false}", async () => {
    const r = await patchFlag(api, "app_bits_upload", { enabled: false });
    expect(r.status, r.text).toBe(200);
    expect(r.json.name).toBe("app_bits_upload");
    expect(r.json.enabled).toBe(false);
    expect(r.json.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect((await api.call("/v3/feature_flags/app_bits_upload", { user: "space-developer" })).json.enabled).toBe(false);
  });

  it("answers 403 to a space developer's PATCH and leaves the flag alone", async () => {
    expectError(
      await patchFlag(api, "app_bits_upload", { enabled: false }, "space-developer"),
      403,
      "CF-NotAuthorized",
      10003,
      NOT_AUTHORIZED,
    );
    expect(sim.state.featureFlags.get("app_bits_upload")!.enabled).toBe(true);
  });

  it("answers 404 for an unknown flag", async () => {
    expectError(
      await api.call("/v3/feature_flags/no_such_flag", { user: "admin" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Feature flag not found",
    );
    expectError(
      await patchFlag(api, "no_such_flag", { enabled: false }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Feature flag not found",
    );
  });

  it("gates uploads once app_bits_upload is disabled through the API", async () => {
    expect((await patchFlag(api, "app_bits_upload", { enabled: false })).status).toBe(200);
    expectError(await uploadToAwaiting(), 403, "CF-FeatureDisabled", 330002, "Feature Disabled: app_bits_upload");
    expect(sim.state.packages.get(packageGuid(sim, "web-app", "AWAITING_UPLOAD"))!.state).toBe("AWAITING_UPLOAD");
  });

  it("uses the flag's custom error message", async () => {
    expect(
      (await patchFlag(api, "app_bits_upload", { enabled: false, custom_error_message: "uploads are frozen" })).status,
    ).toBe(200);
    expectError(await uploadToAwaiting(), 403, "CF-FeatureDisabled", 330002, "Feature Disabled: uploads are frozen");
  });

  it("lets uploads through again once re-enabled", async () => {
    expect((await patchFlag(api, "app_bits_upload", { enabled: false })).status).toBe(200);
    expect((await patchFlag(api, "app_bits_upload", { enabled: true })).status).toBe(200);
    expect((await uploadToAwaiting()).status).toBe(200);
  });
});

describe("root documents and unknown routes", () => {
  it("GET / answers 200 with links, without a token", async () => {
    const r = await api.call("/");
    expect(r.status).toBe(200);
    expect(r.json.links.self).toEqual({ href: ORIGIN });
    expect(r.json.links.cloud_controller_v3.href).toBe(`${ORIGIN}/v3`);
  });

  it("GET /v3 answers 200 with links, without a token", async () => {
    const r = await api.call("/v3");
    expect(r.status).toBe(200);
    expect(r.json.links.self).toEqual({ href: `${ORIGIN}/v3` });
    expect(r.json.links.packages).toEqual({ href: `${ORIGIN}/v3/packages` });
    expect(r.json.links.resource_matches).toEqual({ href: `${ORIGIN}/v3/resource_matches` });
  });

  it("answers an unknown route with 404 CF-NotFound", async () => {
    for (const path of ["/v3/nothing-here", "/v2/info", "/v3/packages/x/y/z"]) {
      const r = await api.call(path, { user: "admin", unchecked: true });
      expectError(r, 404, "CF-NotFound", 10000, "Unknown request");
    }
  });
});

describe("X-VCAP-Request-ID", () => {
  it("is on every response", async () => {
    const answers: Array<[string, Answer]> = [
      ["GET /", await api.call("/")],
      ["GET /v3", await api.call("/v3")],
      ["list 200", await api.call("/v3/packages", { user: "admin" })],
      ["list 401", await api.call("/v3/packages")],
      ["list 400", await api.call("/v3/packages?foo=1", { user: "admin" })],
      ["show 404", await api.call("/v3/packages/nope", { user: "admin" })],
      [
        "create 201",
        await postPackage(api, {
          type: "bits",
          relationships: { app: { data: { guid: appGuid(sim, "worker-app") } } },
        }),
      ],
      [
        "create 403",
        await postPackage(
          api,
          { type: "bits", relationships: { app: { data: { guid: appGuid(sim, "worker-app") } } } },
          "space-manager",
        ),
      ],
      [
        "download 422",
        await api.call(`/v3/packages/${packageGuid(sim, "web-app", "FAILED")}/download`, { user: "admin" }),
      ],
      [
        "download 200",
        await api.call(`/v3/packages/${packageGuid(sim, "web-app", "READY")}/download`, { user: "admin" }),
      ],
      ["upload 200", await uploadToAwaiting()],
      [
        "delete 202",
        await api.call(`/v3/packages/${packageGuid(sim, "web-app", "EXPIRED")}`, { method: "DELETE", user: "admin" }),
      ],
      ["resource matches 201", await matchResources(api, { resources: [validEntry()] }, "admin")],
      ["job 404", await api.call("/v3/jobs/nope", { user: "admin" })],
      ["unknown route 404", await api.call("/v3/nothing", { user: "admin", unchecked: true })],
    ];
    const ids: string[] = [];
    for (const [what, answer] of answers) {
      const id = answer.headers.get("x-vcap-request-id");
      expect(id, what).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
      ids.push(id!);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

// ---------------------------------------------------------------------------
// POST /v3/resource_matches (`app/controllers/v3/resource_matches_controller.rb`)
// ---------------------------------------------------------------------------

const PREFIX = "Resources array contains at least one resource with ";
let shaCounter = 0;
/** A distinct 40-hex sha1 per call. */
function sha1(): string {
  shaCounter++;
  return shaCounter.toString(16).padStart(40, "a");
}
function validEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { checksum: { value: sha1() }, size_in_bytes: 70000, path: "a.js", mode: "644", ...overrides };
}

const match = (body: unknown, user = "space-developer") => matchResources(api, body, user);

/** An entry in the resource cache under `sha`, as if a file of `size` bytes had been uploaded (no blob behind it). */
async function cache(sha: string, size = 70000): Promise<void> {
  expect(await sim.state.resourceCache.add({ id: `blob-${sha}`, size, sha1: sha })).toBe(true);
}

describe("POST /v3/resource_matches: validation", () => {
  it("answers 422 Resources must be an array", async () => {
    expect422(await match({ resources: "abc" }), "Resources must be an array");
    expect422(await match({ resources: { a: 1 } }), "Resources must be an array");
  });

  it("answers 422 Resources must have at least 1 resource", async () => {
    expect422(await match({ resources: [] }), "Resources must have at least 1 resource");
  });

  it("answers 422 for 5001 resources, and accepts 5000", async () => {
    const many = Array.from({ length: 5001 }, () => validEntry());
    expect422(await match({ resources: many }), "Resources array can have at most 5000 resources");
    const r = await match({ resources: many.slice(0, 5000) });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  const entryCases: Array<[string, Record<string, unknown>]> = [
    ["a non-object checksum", { checksum: "0123456789abcdef0123456789abcdef01234567" }],
    ["a non-object checksum", { checksum: null }],
    ["a non-string checksum value", { checksum: { value: 12345 } }],
    ["a non-SHA1 checksum value", { checksum: { value: "abc" } }],
    ["a non-SHA1 checksum value", { checksum: { value: "a".repeat(41) } }],
    ["a non-integer size_in_bytes", { size_in_bytes: "70000" }],
    ["a non-integer size_in_bytes", { size_in_bytes: 1.5 }],
    ["a negative size_in_bytes", { size_in_bytes: -1 }],
    ["a non-string mode", { mode: 644 }],
    ["an incorrect mode", { mode: "rw-r--r--" }],
    ["an incorrect mode", { mode: "0648" }],
  ];
  for (const [message, overrides] of entryCases) {
    it(`answers 422 …${message} for ${JSON.stringify(overrides)}`, async () => {
      expect422(await match({ resources: [validEntry(), validEntry(overrides)] }), PREFIX + message);
    });
  }

  it("names each message at most once, however many entries fail", async () => {
    const bad = () => validEntry({ checksum: { value: "short" } });
    expect422(await match({ resources: [bad(), bad(), validEntry(), bad()] }), PREFIX + "a non-SHA1 checksum value");
  });

  it("joins different messages with ', ', each once", async () => {
    const resources = [
      validEntry({ checksum: 7 }),
      validEntry({ checksum: { value: false } }),
      validEntry({ checksum: { value: "abc" } }),
      validEntry({ size_in_bytes: "big" }),
      validEntry({ size_in_bytes: -5 }),
      validEntry({ mode: 420 }),
      validEntry({ mode: "9" }),
      // The same failures again, in another order.
      validEntry({ mode: "x", size_in_bytes: -1, checksum: [] }),
      validEntry({ checksum: { value: "abc" }, size_in_bytes: 2.5, mode: 1 }),
    ];
    const messages = [
      "a non-object checksum",
      "a non-string checksum value",
      "a non-SHA1 checksum value",
      "a non-integer size_in_bytes",
      "a negative size_in_bytes",
      "a non-string mode",
      "an incorrect mode",
    ];
    expect422(await match({ resources }), messages.map((m) => PREFIX + m).join(", "));
  });

  it("ignores an unknown top-level key (ResourceMatchCreateMessage has no NoAdditionalKeysValidator)", async () => {
    const r = await match({ resources: [validEntry()], foo: 1 });
    expect(r.status, r.text).toBe(201);
  });

  it("accepts what it does not check: octal modes of any length, a null or missing mode, any path, size 0, any 40 characters", async () => {
    const resources = [
      validEntry({ mode: "644" }),
      validEntry({ mode: "0644" }),
      validEntry({ mode: "100644" }),
      validEntry({ mode: null }),
      (() => {
        const e = validEntry();
        delete e.mode;
        return e;
      })(),
      validEntry({ path: 42 }),
      validEntry({ path: "../../etc/passwd" }),
      validEntry({ size_in_bytes: 0 }),
      validEntry({ checksum: { value: "z".repeat(40) } }),
    ];
    const r = await match({ resources });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("checks the app_bits_upload flag before validation", async () => {
    sim.state.featureFlags.get("app_bits_upload")!.enabled = false;
    expectError(await match({ resources: [] }), 403, "CF-FeatureDisabled", 330002, "Feature Disabled: app_bits_upload");
  });

  it("checks the write scope before validation", async () => {
    expectError(await match({ resources: [] }, "admin-read-only"), 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
  });
});

describe("POST /v3/resource_matches: matching", () => {
  it("answers 201 echoing only the cached entries", async () => {
    const cached = validEntry({ path: "lib/a.js", mode: "644" });
    const alsoCached = validEntry({ path: "lib/b.js", mode: "755", size_in_bytes: 123456 });
    const uncached = validEntry({ path: "c.js" });
    await cache((cached.checksum as { value: string }).value);
    await cache((alsoCached.checksum as { value: string }).value, 123456);
    const r = await match({ resources: [cached, uncached, alsoCached] });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toEqual({ resources: [cached, alsoCached] });
  });

  it("uses strict size bounds: 65536 and 536870912 themselves do not match", async () => {
    const sizes = [65535, 65536, 65537, 536870911, 536870912, 536870913];
    const entries = sizes.map((size) => validEntry({ size_in_bytes: size, path: `f${size}` }));
    // Room in the cache's budget for all of them (1.5 GiB, as far as the index knows).
    await sim.close();
    ({ sim, api } = await setup({ resourceCacheBudget: 2 * 1024 ** 3 }));
    for (const e of entries) await cache((e.checksum as { value: string }).value, e.size_in_bytes as number);
    const r = await match({ resources: entries });
    expect(r.status).toBe(201);
    expect(r.json.resources.map((e: { size_in_bytes: number }) => e.size_in_bytes)).toEqual([65537, 536870911]);
  });

  it("never matches an entry without a mode, or with a mode below 0600", async () => {
    const noMode = validEntry({ path: "no-mode" });
    delete noMode.mode;
    const nullMode = validEntry({ path: "null-mode", mode: null });
    const readOnly = validEntry({ path: "read-only", mode: "400" });
    const lowBits = validEntry({ path: "low", mode: "144" });
    const exact = validEntry({ path: "exact", mode: "600" });
    const long = validEntry({ path: "long", mode: "100644" });
    const all = [noMode, nullMode, readOnly, lowBits, exact, long];
    for (const e of all) await cache((e.checksum as { value: string }).value);
    const r = await match({ resources: all });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [exact, long] });
  });

  it("answers 201 with no resources when resource_matching is off", async () => {
    const entry = validEntry();
    await cache((entry.checksum as { value: string }).value);
    expect((await match({ resources: [entry] })).json).toEqual({ resources: [entry] });
    expect((await patchFlag(api, "resource_matching", { enabled: false })).status).toBe(200);
    const r = await match({ resources: [entry] });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [] });
  });

  it("needs no space role: a user with no role gets the matches", async () => {
    const entry = validEntry();
    await cache((entry.checksum as { value: string }).value);
    const r = await match({ resources: [entry] }, "no-role");
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ resources: [entry] });
  });
});
