/**
 * The package endpoints around the upload (`package_presenter.rb`, `packages_controller.rb`): the package
 * JSON, create, show, list, the nested app list, metadata updates, delete with
 * its job, and download.
 */
import JSZip from "jszip";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { READY_PACKAGE_FILES } from "../fixtures/index.js";
import { mintUserToken, type Simulator, type SimulatorOptions } from "../src/index.js";
import { createBitsPackage, postPackage, sendJson } from "./support/api.js";
import { setup, theContract, type Answer, type Client } from "./support/client.js";
import { NOT_AUTHORIZED, expect422, expectError } from "./support/errors.js";
import { sha256 } from "./support/hash.js";
import { appGuid, orgByName, packageGuid, settle, spaceByName, PACKAGE_KEYS } from "./support/world.js";

let sim: Simulator;
let api: Client;

beforeAll(async () => {
  // Load the document before any test, so that no test spends its processing delay loading it.
  await theContract();
});
beforeEach(async () => {
  ({ sim, api } = await setup());
});
afterEach(() => sim.close());

async function restart(options: SimulatorOptions): Promise<void> {
  await sim.close();
  ({ sim, api } = await setup(options));
}

const ORIGIN = "http://127.0.0.1:4010";
const OTHER = "http://other.example:8080";
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const expectBadQuery = (a: Answer, detail: string) =>
  expectError(a, 400, "CF-BadQueryParameter", 10005, `The query parameter is invalid: ${detail}`);

const download = (guid: string, user: string) => api.call(`/v3/packages/${guid}/download`, { user });

const createPackage = (body: unknown, user?: string, path?: string) => postPackage(api, body, user, path);
const bitsFor = (app: string) => ({ type: "bits", relationships: { app: { data: { guid: app } } } });

/** Splits an href into its origin + path and its query as a plain object. */
function parseHref(href: string): { base: string; query: Record<string, string> } {
  const url = new URL(href);
  return { base: `${url.origin}${url.pathname}`, query: Object.fromEntries(url.searchParams) };
}

const list = (query: string, user = "admin") => api.call(`/v3/packages${query}`, { user });
const guidsOf = (a: Answer): string[] => a.json.resources.map((p: { guid: string }) => p.guid);
const allGuids = () => [...sim.state.packages.keys()].sort();
const byCreatedAt = () =>
  [...sim.state.packages.values()]
    .sort((a, b) => a.createdAt - b.createdAt || a.guid.localeCompare(b.guid))
    .map((p) => p.guid);

describe("package JSON (package_presenter.rb)", () => {
  it("emits the keys in the real order, for bits and docker packages", async () => {
    for (const guid of [packageGuid(sim, "web-app", "READY"), packageGuid(sim, "docker-app", "READY", "docker")]) {
      const r = await api.call(`/v3/packages/${guid}`, { user: "admin" });
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(PACKAGE_KEYS);
      expect(r.text.startsWith(`{"guid":"${guid}","created_at":`)).toBe(true);
    }
  });

  it("presents a READY bits package: sha256 checksum, no error, app relationship, four links", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    const app = appGuid(sim, "web-app");
    const r = await api.call(`/v3/packages/${guid}`, { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(r.json.type).toBe("bits");
    expect(r.json.state).toBe("READY");
    expect(Object.keys(r.json.data)).toEqual(["error", "checksum"]);
    expect(r.json.data.error).toBeNull();
    expect(r.json.data.checksum.type).toBe("sha256");
    expect(r.json.data.checksum.value).toMatch(/^[0-9a-f]{64}$/);
    expect(r.json.relationships).toEqual({ app: { data: { guid: app } } });
    expect(r.json.metadata).toEqual({ labels: {}, annotations: {} });
    expect(r.json.links).toEqual({
      self: { href: `${ORIGIN}/v3/packages/${guid}` },
      upload: { href: `${ORIGIN}/v3/packages/${guid}/upload`, method: "POST" },
      download: { href: `${ORIGIN}/v3/packages/${guid}/download` },
      app: { href: `${ORIGIN}/v3/apps/${app}` },
    });
    expect(Object.keys(r.json.links)).toEqual(["self", "upload", "download", "app"]);
  });

  it("shows a null checksum value until READY, and data.error only when FAILED", async () => {
    const awaiting = await api.call(`/v3/packages/${packageGuid(sim, "web-app", "AWAITING_UPLOAD")}`, {
      user: "admin",
    });
    expect(awaiting.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
    const processing = await api.call(`/v3/packages/${packageGuid(sim, "web-app", "PROCESSING_UPLOAD")}`, {
      user: "admin",
    });
    expect(processing.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
    const failed = await api.call(`/v3/packages/${packageGuid(sim, "web-app", "FAILED")}`, { user: "admin" });
    expect(failed.json.state).toBe("FAILED");
    expect(failed.json.data).toEqual({
      error: "The app upload is invalid: Invalid zip archive.",
      checksum: { type: "sha256", value: null },
    });
  });

  it("shows a prefixed label key as prefix/name", async () => {
    const r = await api.call(`/v3/packages/${packageGuid(sim, "web-app", "AWAITING_UPLOAD")}`, { user: "admin" });
    expect(r.json.metadata).toEqual({ labels: { "example.com/purpose": "upload-target" }, annotations: {} });
  });

  it("builds absolute links from the request's origin", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const app = appGuid(sim, "web-app");
    for (const origin of [ORIGIN, OTHER, "https://api.sys.example.com"]) {
      const r = await api.call(`${origin}/v3/packages/${guid}`, { user: "space-developer" });
      expect(r.status).toBe(200);
      expect(r.json.links).toEqual({
        self: { href: `${origin}/v3/packages/${guid}` },
        upload: { href: `${origin}/v3/packages/${guid}/upload`, method: "POST" },
        download: { href: `${origin}/v3/packages/${guid}/download` },
        app: { href: `${origin}/v3/apps/${app}` },
      });
    }
  });

  it("presents a docker package: image and null credentials, links self and app only", async () => {
    const guid = packageGuid(sim, "docker-app", "READY", "docker");
    const image = sim.state.packages.get(guid)!.docker!.image;
    const r = await api.call(`${OTHER}/v3/packages/${guid}`, { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(r.json.type).toBe("docker");
    expect(r.json.state).toBe("READY");
    expect(r.json.data).toEqual({ image, username: null, password: null });
    expect(Object.keys(r.json.data)).toEqual(["image", "username", "password"]);
    expect(r.json.links).toEqual({
      self: { href: `${OTHER}/v3/packages/${guid}` },
      app: { href: `${OTHER}/v3/apps/${appGuid(sim, "docker-app")}` },
    });
    expect(Object.keys(r.json.links)).toEqual(["self", "app"]);
  });

  it("masks a docker password as *** when a username is set", async () => {
    const worker = appGuid(sim, "worker-app");
    sim.state.apps.get(worker)!.lifecycle = "docker";
    const r = await createPackage({
      type: "docker",
      data: { image: "registry.example.local/team/worker:1.0.0", username: "robot", password: "s3cret" },
      relationships: { app: { data: { guid: worker } } },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.state).toBe("READY");
    expect(r.json.data).toEqual({
      image: "registry.example.local/team/worker:1.0.0",
      username: "robot",
      password: "***",
    });
    expect(r.text).not.toContain("s3cret");
  });

  it("formats every timestamp as YYYY-MM-DDThh:mm:ssZ", async () => {
    const created = await createPackage(bitsFor(appGuid(sim, "worker-app")));
    expect(created.json.created_at).toMatch(TIMESTAMP);
    expect(created.json.updated_at).toMatch(TIMESTAMP);
    const r = await list("");
    expect(r.json.resources).toHaveLength(8);
    for (const p of r.json.resources) {
      expect(p.created_at).toMatch(TIMESTAMP);
      expect(p.updated_at).toMatch(TIMESTAMP);
    }
  });

  it("adds method GET to the download link only with the downloadLinkMethod option", async () => {
    await restart({ downloadLinkMethod: true });
    const guid = packageGuid(sim, "web-app", "READY");
    const r = await api.call(`/v3/packages/${guid}`, { user: "admin" });
    expect(r.json.links).toEqual({
      self: { href: `${ORIGIN}/v3/packages/${guid}` },
      upload: { href: `${ORIGIN}/v3/packages/${guid}/upload`, method: "POST" },
      download: { href: `${ORIGIN}/v3/packages/${guid}/download`, method: "GET" },
      app: { href: `${ORIGIN}/v3/apps/${appGuid(sim, "web-app")}` },
    });
  });
});

describe("POST /v3/packages", () => {
  it("creates a bits package in AWAITING_UPLOAD (201)", async () => {
    const app = appGuid(sim, "worker-app");
    const before = sim.state.packages.size;
    const r = await createPackage(bitsFor(app));
    expect(r.status, r.text).toBe(201);
    expect(Object.keys(r.json)).toEqual(PACKAGE_KEYS);
    expect(r.json.type).toBe("bits");
    expect(r.json.state).toBe("AWAITING_UPLOAD");
    expect(r.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
    expect(r.json.relationships).toEqual({ app: { data: { guid: app } } });
    expect(r.json.links.self).toEqual({ href: `${ORIGIN}/v3/packages/${r.json.guid}` });
    expect(sim.state.packages.size).toBe(before + 1);
    const shown = await api.call(`/v3/packages/${r.json.guid}`, { user: "space-developer" });
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual(r.json);
  });

  it("refuses a docker package for a buildpack app (422)", async () => {
    const before = sim.state.packages.size;
    const r = await createPackage({
      type: "docker",
      data: { image: "registry.example.local/team/web:1.0.0" },
      relationships: { app: { data: { guid: appGuid(sim, "web-app") } } },
    });
    expect422(r, "Cannot create Docker package for a buildpack app.");
    expect(sim.state.packages.size).toBe(before);
  });

  it("refuses a bits package for a Docker app (422)", async () => {
    const worker = appGuid(sim, "worker-app");
    sim.state.apps.get(worker)!.lifecycle = "docker";
    expect422(await createPackage(bitsFor(worker)), "Cannot create bits package for a Docker app.");
  });

  it("refuses an unknown type (422)", async () => {
    const r = await createPackage({ type: "zip", relationships: { app: { data: { guid: appGuid(sim, "web-app") } } } });
    expect422(r, "Type must be one of 'bits, docker'");
  });

  it("answers 422 for an app that does not exist", async () => {
    expect422(
      await createPackage(bitsFor("3f1b9e0c-0000-4000-8000-000000000000")),
      "App is invalid. Ensure it exists and you have access to it.",
    );
  });

  for (const user of ["org-auditor", "org-billing-manager", "no-role"]) {
    it(`answers 422 (not 403 or 404) to ${user}, who cannot read the app's space`, async () => {
      expect422(
        await createPackage(bitsFor(appGuid(sim, "web-app")), user),
        "App is invalid. Ensure it exists and you have access to it.",
      );
    });
  }

  it("answers 403 to a space manager, who can read but not write", async () => {
    const before = sim.state.packages.size;
    expectError(
      await createPackage(bitsFor(appGuid(sim, "web-app")), "space-manager"),
      403,
      "CF-NotAuthorized",
      10003,
      NOT_AUTHORIZED,
    );
    expect(sim.state.packages.size).toBe(before);
  });

  it("validates the body before it looks up the app", async () => {
    expect422(
      await createPackage({ type: "zip", relationships: { app: { data: { guid: "no-such-app" } } } }),
      "Type must be one of 'bits, docker'",
    );
    expect422(
      await createPackage({ type: "bits", relationships: { app: { data: { guid: "no-such-app" } } }, foo: 1 }),
      "Unknown field(s): 'foo'",
    );
  });

  it("answers relationships problems with RelationshipValidator's and ToOneRelationshipValidator's messages", async () => {
    const SHAPE = 'Relationships App must be structured like this: "app: {"data": {"guid": "valid-guid"}}"';
    const bits = (relationships: unknown) => createPackage({ type: "bits", relationships });
    expect422(await createPackage({ type: "bits" }), "Relationships 'relationships' is not an object");
    expect422(await bits([]), "Relationships 'relationships' is not an object");
    expect422(await bits({}), "Relationships 'relationships' must include one or more valid relationships");
    expect422(
      await bits({ potato: 1 }),
      ["Relationships Unknown field(s): 'potato'", "Relationships App can't be blank", SHAPE].join(", "),
    );
    expect422(await bits({ app: { data: { guid: "x" }, extra: 1 } }), SHAPE);
    expect422(
      await bits({ app: { data: { guid: 5 } } }),
      "Relationships App guid must be a string, Relationships App guid must be between 1 and 200 characters",
    );
    expect422(
      await bits({ app: { data: { guid: "" } } }),
      "Relationships App guid must be between 1 and 200 characters",
    );
    // A null data passes the shape check; the app lookup then fails.
    expect422(await bits({ app: { data: null } }), "App is invalid. Ensure it exists and you have access to it.");
  });

  it("answers a docker data without an image, with a non-string image or with unknown keys as DockerDataValidator does", async () => {
    const worker = appGuid(sim, "worker-app");
    sim.state.apps.get(worker)!.lifecycle = "docker";
    const docker = (data: unknown) =>
      createPackage({ type: "docker", relationships: { app: { data: { guid: worker } } }, data });
    expect422(await docker(undefined), "Data Image must be a string, Data Image required");
    expect422(await docker({ image: 5 }), "Data Image must be a string");
    expect422(await docker({ image: " " }), "Data Image required");
    expect422(
      await docker({ image: "nginx", birthday: "party", store_image: false }),
      "Data Unknown field(s): 'birthday', 'store_image'",
    );
  });

  it("masks the password of a docker package with an empty username (docker_username && '***')", async () => {
    const worker = appGuid(sim, "worker-app");
    sim.state.apps.get(worker)!.lifecycle = "docker";
    const r = await createPackage({
      type: "docker",
      data: { image: "nginx", username: "", password: "p" },
      relationships: { app: { data: { guid: worker } } },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.data).toEqual({ image: "nginx", username: "", password: "***" });
  });

  it("answers 422 for a docker package without an image", async () => {
    const worker = appGuid(sim, "worker-app");
    sim.state.apps.get(worker)!.lifecycle = "docker";
    const r = await createPackage({ type: "docker", relationships: { app: { data: { guid: worker } } } });
    expect(r.status).toBe(422);
    expect(r.json.errors[0].title).toBe("CF-UnprocessableEntity");
  });

  it("answers 403 CF-SpaceSuspended in a suspended space", async () => {
    spaceByName(sim, "mock-space").suspended = true;
    expectError(
      await createPackage(bitsFor(appGuid(sim, "web-app"))),
      403,
      "CF-SpaceSuspended",
      10019,
      "The space is suspended",
    );
  });

  it("answers 422 CF-ResourceBeingDeleted for an org or a space being deleted", async () => {
    spaceByName(sim, "mock-space").beingDeleted = true;
    expectError(
      await createPackage(bitsFor(appGuid(sim, "web-app"))),
      422,
      "CF-ResourceBeingDeleted",
      10020,
      "The space is being deleted",
    );
    orgByName(sim, "mock-org").beingDeleted = true;
    expectError(
      await createPackage(bitsFor(appGuid(sim, "web-app"))),
      422,
      "CF-ResourceBeingDeleted",
      10020,
      "The organization is being deleted",
    );
  });

  it("answers 403 CF-OrgSuspended in a suspended org, but lets an admin create", async () => {
    const app = appGuid(sim, "suspended-app");
    expectError(await createPackage(bitsFor(app)), 403, "CF-OrgSuspended", 10017, "The organization is suspended");
    const r = await createPackage(bitsFor(app), "admin");
    expect(r.status).toBe(201);
    expect(r.json.state).toBe("AWAITING_UPLOAD");
  });
});

describe("POST /v3/packages?source_guid= (copy, package_copy.rb)", () => {
  const copy = (source: string, app: string, user = "space-developer") =>
    createPackage(
      { relationships: { app: { data: { guid: appGuid(sim, app) } } } },
      user,
      `/v3/packages?source_guid=${source}`,
    );

  it("copies a READY bits package: COPYING, then READY with the source's bits", async () => {
    const source = packageGuid(sim, "web-app", "READY");
    const r = await copy(source, "worker-app");
    expect(r.status, r.text).toBe(201);
    expect(r.json.guid).not.toBe(source);
    expect(r.json.type).toBe("bits");
    expect(r.json.state).toBe("COPYING");
    expect(r.json.relationships).toEqual({ app: { data: { guid: appGuid(sim, "worker-app") } } });
    await settle(sim);
    const copied = await api.call(`/v3/packages/${r.json.guid}`, { user: "space-developer" });
    expect(copied.json.state).toBe("READY");
    const original = await api.call(`/v3/packages/${source}`, { user: "space-developer" });
    expect(copied.json.data.checksum).toEqual(original.json.data.checksum);
    const bits = await download(r.json.guid, "space-developer");
    expect(sha256(bits.bytes)).toBe(original.json.data.checksum.value);
  });

  it("copies a docker package straight to READY, with the image only (no credentials)", async () => {
    const source = packageGuid(sim, "docker-app", "READY", "docker");
    const r = await copy(source, "worker-app");
    expect(r.status, r.text).toBe(201);
    expect(r.json.type).toBe("docker");
    expect(r.json.state).toBe("READY");
    expect(r.json.data).toEqual({
      image: sim.state.packages.get(source)!.docker!.image,
      username: null,
      password: null,
    });
  });

  it("answers 422 'Source package is invalid…' for a source that does not exist", async () => {
    expect422(
      await copy("no-such-package", "worker-app"),
      "Source package is invalid. Ensure it exists and you have access to it.",
    );
  });

  it("checks the destination app before the source: its 422, then its 403", async () => {
    const body = { relationships: { app: { data: { guid: "no-such-app" } } } };
    const path = "/v3/packages?source_guid=no-such-package";
    expect422(
      await createPackage(body, "space-developer", path),
      "App is invalid. Ensure it exists and you have access to it.",
    );
    expect422(
      await createPackage({}, "space-developer", path),
      "App is invalid. Ensure it exists and you have access to it.",
    );
    expectError(
      await copy("no-such-package", "worker-app", "space-manager"),
      403,
      "CF-NotAuthorized",
      10003,
      NOT_AUTHORIZED,
    );
  });

  it("answers 422 'Source and destination app cannot be the same' for a copy into the source's app", async () => {
    const source = packageGuid(sim, "web-app", "READY");
    const before = sim.state.packages.size;
    expect422(await copy(source, "web-app"), "Source and destination app cannot be the same");
    expect(sim.state.packages.size).toBe(before);
  });

  it("ignores everything in the body but relationships.app", async () => {
    const source = packageGuid(sim, "web-app", "READY");
    const body = {
      type: "docker",
      data: { image: "x" },
      metadata: { labels: { "bad key!": 1 } },
      extra: true,
      relationships: { app: { data: { guid: appGuid(sim, "worker-app") }, extra: 1 }, other: {} },
    };
    const r = await createPackage(body, "space-developer", `/v3/packages?source_guid=${source}`);
    expect(r.status, r.text).toBe(201);
    expect(r.json.type).toBe("bits");
    expect(r.json.state).toBe("COPYING");
    expect(r.json.metadata).toEqual({ labels: {}, annotations: {} });
  });

  it("fails a copy of a package without bits with 'failed to copy - …'", async () => {
    const r = await copy(packageGuid(sim, "web-app", "AWAITING_UPLOAD"), "worker-app");
    expect(r.status).toBe(201);
    expect(r.json.state).toBe("COPYING");
    await settle(sim);
    const failed = await api.call(`/v3/packages/${r.json.guid}`, { user: "space-developer" });
    expect(failed.json.state).toBe("FAILED");
    expect(failed.json.data.error).toMatch(/^failed to copy - ./);
    expect(failed.json.data.checksum).toEqual({ type: "sha256", value: null });
  });
});

describe("read scope", () => {
  it("answers 403 to a token without read scope on show, list, download and jobs, before any 404", async () => {
    const token = await mintUserToken("space-developer", { scope: ["cloud_controller.write"] });
    const ready = packageGuid(sim, "web-app", "READY");
    for (const path of [
      `/v3/packages/${ready}`,
      "/v3/packages/no-such-package",
      "/v3/packages",
      `/v3/packages/${ready}/download`,
      "/v3/jobs/no-such-job",
    ]) {
      const r = await api.call(path, { token });
      expectError(r, 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
    }
  });

  it("answers 401 without a token", async () => {
    expectError(await api.call("/v3/packages"), 401, "CF-NotAuthenticated", 10002, "Authentication error");
    expectError(
      await api.call(`/v3/packages/${packageGuid(sim, "web-app", "READY")}`),
      401,
      "CF-NotAuthenticated",
      10002,
      "Authentication error",
    );
  });
});

describe("GET /v3/packages/{guid}", () => {
  it("answers 200 with the package", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    const r = await api.call(`/v3/packages/${guid}`, { user: "space-auditor" });
    expect(r.status).toBe(200);
    expect(r.json.guid).toBe(guid);
    expect(r.json.created_at).toBe(
      new Date(sim.state.packages.get(guid)!.createdAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    );
  });

  it("answers 404 Package not found for an unknown guid", async () => {
    expectError(
      await api.call("/v3/packages/no-such-package", { user: "admin" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );
  });

  it("answers 404 Package not found to an org auditor", async () => {
    const r = await api.call(`/v3/packages/${packageGuid(sim, "web-app", "READY")}`, { user: "org-auditor" });
    expectError(r, 404, "CF-ResourceNotFound", 10010, "Package not found");
  });
});

describe("GET /v3/packages", () => {
  it("answers the list envelope with absolute pagination links", async () => {
    const r = await list("");
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(["pagination", "resources"]);
    expect(Object.keys(r.json.pagination)).toEqual([
      "total_results",
      "total_pages",
      "first",
      "last",
      "next",
      "previous",
    ]);
    expect(r.json.pagination.total_results).toBe(7);
    expect(r.json.pagination.total_pages).toBe(1);
    expect(parseHref(r.json.pagination.first.href)).toEqual({
      base: `${ORIGIN}/v3/packages`,
      query: { page: "1", per_page: "50" },
    });
    expect(parseHref(r.json.pagination.last.href)).toEqual({
      base: `${ORIGIN}/v3/packages`,
      query: { page: "1", per_page: "50" },
    });
    expect(r.json.pagination.next).toBeNull();
    expect(r.json.pagination.previous).toBeNull();
    // Default order: created_at ascending.
    expect(guidsOf(r)).toEqual(byCreatedAt());
    for (const p of r.json.resources) expect(Object.keys(p)).toEqual(PACKAGE_KEYS);
  });

  it("builds the pagination links from the request's origin", async () => {
    const r = await api.call(`${OTHER}/v3/packages?per_page=3`, { user: "admin" });
    expect(parseHref(r.json.pagination.first.href)).toEqual({
      base: `${OTHER}/v3/packages`,
      query: { page: "1", per_page: "3" },
    });
    expect(parseHref(r.json.pagination.last.href)).toEqual({
      base: `${OTHER}/v3/packages`,
      query: { page: "3", per_page: "3" },
    });
    expect(parseHref(r.json.pagination.next.href)).toEqual({
      base: `${OTHER}/v3/packages`,
      query: { page: "2", per_page: "3" },
    });
    expect(r.json.resources[0].links.self.href.startsWith(`${OTHER}/v3/packages/`)).toBe(true);
  });

  it("pages through with per_page=2, following next links", async () => {
    const seen: string[] = [];
    let r = await list("?per_page=2");
    expect(r.json.pagination.total_results).toBe(7);
    expect(r.json.pagination.total_pages).toBe(4);
    expect(r.json.pagination.previous).toBeNull();
    expect(parseHref(r.json.pagination.last.href).query).toEqual({ page: "4", per_page: "2" });
    for (let page = 1; ; page++) {
      expect(r.status).toBe(200);
      expect(r.json.resources).toHaveLength(page < 4 ? 2 : 1);
      seen.push(...guidsOf(r));
      if (page > 1)
        expect(parseHref(r.json.pagination.previous.href).query).toEqual({ page: String(page - 1), per_page: "2" });
      if (page === 4) {
        expect(r.json.pagination.next).toBeNull();
        break;
      }
      expect(parseHref(r.json.pagination.next.href).query).toEqual({ page: String(page + 1), per_page: "2" });
      r = await api.call(r.json.pagination.next.href, { user: "admin" });
    }
    expect(seen).toEqual(byCreatedAt());
  });

  it("answers an empty page past the end with the right totals", async () => {
    const r = await list("?per_page=2&page=9");
    expect(r.status).toBe(200);
    expect(r.json.resources).toEqual([]);
    expect(r.json.pagination.total_results).toBe(7);
    expect(r.json.pagination.total_pages).toBe(4);
    expect(r.json.pagination.next).toBeNull();
    expect(parseHref(r.json.pagination.previous.href).query).toEqual({ page: "8", per_page: "2" });
  });

  // paginated_list_presenter.rb: { per_page, order_by, filters…, page }.to_query — CGI-escaped, sorted.
  it("writes the link queries as Rails' Hash#to_query: pairs sorted by name, CGI-escaped", async () => {
    const r = await list("?types=bits&states=READY,%20FAILED&order_by=updated_at&per_page=2&guids=a,b");
    expect(r.status).toBe(200);
    expect(r.json.pagination.first.href).toBe(
      `${ORIGIN}/v3/packages?guids=a%2Cb&order_by=%2Bupdated_at&page=1&per_page=2&states=READY%2CFAILED&types=bits`,
    );
    expect(r.json.pagination.last.href).toBe(r.json.pagination.first.href);
  });

  it("orders by -created_at (descending) and by updated_at", async () => {
    const desc = await list("?order_by=-created_at");
    expect(guidsOf(desc)).toEqual([...byCreatedAt()].reverse());
    const stamps: string[] = desc.json.resources.map((p: { created_at: string }) => p.created_at);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    expect(parseHref(desc.json.pagination.first.href).query).toMatchObject({ page: "1", per_page: "50" });
    const byUpdated = await list("?order_by=updated_at");
    const updated: string[] = byUpdated.json.resources.map((p: { updated_at: string }) => p.updated_at);
    expect([...updated].sort()).toEqual(updated);
    expect(guidsOf(byUpdated)).toHaveLength(7);
  });

  describe("filters", () => {
    it("states", async () => {
      const ready = await list("?states=READY");
      expect(guidsOf(ready).sort()).toEqual(
        [packageGuid(sim, "web-app", "READY"), packageGuid(sim, "docker-app", "READY", "docker")].sort(),
      );
      expect(ready.json.pagination.total_results).toBe(2);
      expect(parseHref(ready.json.pagination.first.href).query).toEqual({ states: "READY", page: "1", per_page: "50" });
      const two = await list("?states=FAILED,EXPIRED");
      expect(guidsOf(two).sort()).toEqual(
        [packageGuid(sim, "web-app", "FAILED"), packageGuid(sim, "web-app", "EXPIRED")].sort(),
      );
    });

    it("types", async () => {
      expect(guidsOf(await list("?types=docker"))).toEqual([packageGuid(sim, "docker-app", "READY", "docker")]);
      expect((await list("?types=bits")).json.pagination.total_results).toBe(6);
    });

    it("app_guids", async () => {
      const r = await list(`?app_guids=${appGuid(sim, "suspended-app")}`);
      expect(guidsOf(r)).toEqual([packageGuid(sim, "suspended-app", "AWAITING_UPLOAD")]);
      expect((await list(`?app_guids=${appGuid(sim, "worker-app")}`)).json.pagination.total_results).toBe(0);
      expect(
        (await list(`?app_guids=${appGuid(sim, "web-app")},${appGuid(sim, "suspended-app")}`)).json.pagination
          .total_results,
      ).toBe(6);
      expect(guidsOf(await list(`?app_guids=${appGuid(sim, "docker-app")}`))).toEqual([
        packageGuid(sim, "docker-app", "READY", "docker"),
      ]);
    });

    it("guids", async () => {
      const a = packageGuid(sim, "web-app", "FAILED");
      const b = packageGuid(sim, "suspended-app", "AWAITING_UPLOAD");
      expect(guidsOf(await list(`?guids=${a},${b}`)).sort()).toEqual([a, b].sort());
      expect((await list("?guids=nope")).json.pagination.total_results).toBe(0);
    });

    it("space_guids and organization_guids", async () => {
      const mockSpace = await list(`?space_guids=${spaceByName(sim, "mock-space").guid}`);
      expect(mockSpace.json.pagination.total_results).toBe(6);
      expect(guidsOf(mockSpace)).not.toContain(packageGuid(sim, "suspended-app", "AWAITING_UPLOAD"));
      const suspendedOrg = await list(`?organization_guids=${orgByName(sim, "suspended-org").guid}`);
      expect(guidsOf(suspendedOrg)).toEqual([packageGuid(sim, "suspended-app", "AWAITING_UPLOAD")]);
      expect((await list(`?organization_guids=${orgByName(sim, "mock-org").guid}`)).json.pagination.total_results).toBe(
        6,
      );
    });

    it("label_selector", async () => {
      const target = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
      expect(guidsOf(await list("?label_selector=example.com/purpose=upload-target"))).toEqual([target]);
      expect(guidsOf(await list("?label_selector=example.com/purpose"))).toEqual([target]);
      expect((await list("?label_selector=example.com/purpose=other")).json.pagination.total_results).toBe(0);
      const without = await list("?label_selector=!example.com/purpose");
      expect(without.json.pagination.total_results).toBe(6);
      expect(guidsOf(without)).not.toContain(target);
    });

    it("created_ats (equality)", async () => {
      const guid = packageGuid(sim, "web-app", "FAILED");
      const shown = await api.call(`/v3/packages/${guid}`, { user: "admin" });
      expect(guidsOf(await list(`?created_ats=${shown.json.created_at}`))).toEqual([guid]);
    });

    // base_list_fetcher.rb: lt/gte from the start of the second, lte/gt from its end.
    it("created_ats[gt|gte|lt|lte] and updated_ats[…], combined, and kept in the links", async () => {
      const guid = await createBitsPackage(sim, api);
      const created = (await api.call(`/v3/packages/${guid}`, { user: "admin" })).json.created_at as string;
      expect(guidsOf(await list(`?created_ats[gte]=${created}`))).toContain(guid);
      expect(guidsOf(await list(`?created_ats[lte]=${created}`))).toContain(guid);
      expect(guidsOf(await list(`?created_ats[gt]=${created}`))).not.toContain(guid);
      expect(guidsOf(await list(`?created_ats[lt]=${created}`))).not.toContain(guid);
      const r = await list(`?created_ats[gte]=${created}&updated_ats[lte]=${created}&order_by=-created_at`);
      expect(guidsOf(r)).toEqual([guid]);
      expect(parseHref(r.json.pagination.first.href).query).toEqual({
        "created_ats[gte]": created,
        "updated_ats[lte]": created,
        order_by: "-created_at",
        page: "1",
        per_page: "50",
      });
    });

    it("refuses a bad timestamp or operator with the TimestampValidator's messages", async () => {
      const format = "has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'";
      expectBadQuery(await list("?created_ats=2024-01-02T03:04:05.123Z"), `Created ats ${format}`);
      expectBadQuery(
        await list("?updated_ats[eq]=2024-01-02T03:04:05Z"),
        "Updated ats Invalid relational operator: 'eq'",
      );
      expectBadQuery(
        await list("?created_ats[lt]=2024-01-02T03:04:05Z,2024-01-02T03:04:06Z"),
        "Created ats only accepts one value when using a relational operator",
      );
    });

    it("combines filters", async () => {
      const r = await list(`?states=AWAITING_UPLOAD&app_guids=${appGuid(sim, "web-app")}`);
      expect(guidsOf(r)).toEqual([packageGuid(sim, "web-app", "AWAITING_UPLOAD")]);
    });
  });

  describe("bad query parameters (400 CF-BadQueryParameter)", () => {
    it("unknown parameter", async () => {
      const r = await list("?foo=bar");
      expect(r.status).toBe(400);
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0].title).toBe("CF-BadQueryParameter");
      expect(r.json.errors[0].code).toBe(10005);
      expect(
        r.json.errors[0].detail.startsWith(
          "The query parameter is invalid: Unknown query parameter(s): 'foo'. Valid parameters are: '",
        ),
      ).toBe(true);
    });

    it("per_page=5001", async () => {
      expectBadQuery(await list("?per_page=5001"), "Per page must be between 1 and 5000");
    });

    it("page=0", async () => {
      expectBadQuery(await list("?page=0"), "Page must be a positive integer");
    });

    it("order_by=name", async () => {
      expectBadQuery(await list("?order_by=name"), "Order by can only be: 'created_at', 'updated_at'");
    });

    it("accepts the bounds per_page=1 and per_page=5000", async () => {
      expect((await list("?per_page=1")).json.pagination.total_pages).toBe(7);
      expect((await list("?per_page=5000")).json.pagination.total_pages).toBe(1);
    });
  });

  describe("visibility", () => {
    const suspendedPackage = () => packageGuid(sim, "suspended-app", "AWAITING_UPLOAD");

    for (const user of ["admin", "admin-read-only", "global-auditor"]) {
      it(`${user} sees every package, including the suspended org's`, async () => {
        const r = await list("", user);
        expect(guidsOf(r).sort()).toEqual(allGuids());
        expect(guidsOf(r)).toContain(suspendedPackage());
      });
    }

    it("a space developer sees the packages of mock-space and suspended-space", async () => {
      const r = await list("", "space-developer");
      expect(r.json.pagination.total_results).toBe(7);
      expect(guidsOf(r).sort()).toEqual(allGuids());
    });

    it("a space manager of mock-space sees only mock-space's packages", async () => {
      const r = await list("", "space-manager");
      expect(r.json.pagination.total_results).toBe(6);
      expect(guidsOf(r)).not.toContain(suspendedPackage());
    });

    for (const user of ["org-auditor", "org-billing-manager", "no-role"]) {
      it(`${user} sees none`, async () => {
        const r = await list("", user);
        expect(r.status).toBe(200);
        expect(r.json.resources).toEqual([]);
        expect(r.json.pagination.total_results).toBe(0);
        expect(r.json.pagination.total_pages).toBe(1);
        expect(parseHref(r.json.pagination.last.href).query).toEqual({ page: "1", per_page: "50" });
      });
    }
  });
});

describe("GET /v3/apps/{guid}/packages", () => {
  it("lists the app's packages under the nested URL", async () => {
    const app = appGuid(sim, "web-app");
    const r = await api.call(`/v3/apps/${app}/packages?per_page=4`, { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(r.json.pagination.total_results).toBe(5);
    expect(r.json.pagination.total_pages).toBe(2);
    expect(parseHref(r.json.pagination.next.href)).toEqual({
      base: `${ORIGIN}/v3/apps/${app}/packages`,
      query: { page: "2", per_page: "4" },
    });
    for (const p of r.json.resources) expect(p.relationships.app.data.guid).toBe(app);
  });

  it("filters by state", async () => {
    const r = await api.call(`/v3/apps/${appGuid(sim, "web-app")}/packages?states=READY&types=bits`, { user: "admin" });
    expect(guidsOf(r)).toEqual([packageGuid(sim, "web-app", "READY")]);
  });

  it("answers 404 App not found when the app is not visible", async () => {
    const r = await api.call(`/v3/apps/${appGuid(sim, "suspended-app")}/packages`, { user: "space-manager" });
    expectError(r, 404, "CF-ResourceNotFound", 10010, "App not found");
    const unknown = await api.call("/v3/apps/no-such-app/packages", { user: "admin" });
    expectError(unknown, 404, "CF-ResourceNotFound", 10010, "App not found");
  });

  // packages_list_message.rb's app_nested_request: its own message, after NoAdditionalParamsValidator's.
  for (const filter of ["app_guids", "space_guids", "organization_guids"]) {
    it(`refuses the ${filter} filter`, async () => {
      const r = await api.call(`/v3/apps/${appGuid(sim, "web-app")}/packages?${filter}=x`, { user: "admin" });
      expectBadQuery(r, `Unknown query parameter(s): '${filter}'`);
    });
  }

  it("names every refused filter in app_nested_request's order, after the unknown ones, before any 404", async () => {
    const r = await api.call("/v3/apps/no-such-app/packages?space_guids=s&foo=1&app_guids=a&organization_guids=", {
      user: "admin",
    });
    expectBadQuery(
      r,
      "Unknown query parameter(s): 'foo'. Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', " +
        "'updated_ats', 'guids', 'states', 'types', 'app_guids', 'app_guid', 'space_guids', 'organization_guids', " +
        "'label_selector', Unknown query parameter(s): 'app_guids', 'organization_guids', 'space_guids'",
    );
  });

  it("is what GET /v3/packages?app_guid= answers too (the controller's app_nested? reads the query)", async () => {
    const app = appGuid(sim, "web-app");
    const nested = await api.call(`/v3/apps/${app}/packages?per_page=2`, { user: "admin" });
    const r = await api.call(`/v3/packages?app_guid=${app}&per_page=2`, { user: "admin" });
    expect(r.json).toEqual(nested.json);
    expect(r.json.pagination.first.href).toBe(`${ORIGIN}/v3/apps/${app}/packages?page=1&per_page=2`);
    expectError(
      await api.call("/v3/packages?app_guid=no-such-app", { user: "admin" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "App not found",
    );
  });
});

describe("PATCH /v3/packages/{guid}", () => {
  it("sets and removes labels and annotations", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const r = await sendJson(
      api,
      `/v3/packages/${guid}`,
      { metadata: { labels: { env: "prod", "example.com/purpose": null }, annotations: { note: "hello" } } },
      { method: "PATCH", user: "space-developer" },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.json.metadata).toEqual({ labels: { env: "prod" }, annotations: { note: "hello" } });
    const shown = await api.call(`/v3/packages/${guid}`, { user: "space-auditor" });
    expect(shown.json.metadata).toEqual({ labels: { env: "prod" }, annotations: { note: "hello" } });
    expect(guidsOf(await list("?label_selector=env=prod"))).toEqual([guid]);
    expect((await list("?label_selector=example.com/purpose")).json.pagination.total_results).toBe(0);
  });

  it("answers 403 to a space manager", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const r = await sendJson(
      api,
      `/v3/packages/${guid}`,
      { metadata: { labels: { env: "prod" } } },
      { method: "PATCH", user: "space-manager" },
    );
    expectError(r, 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
    expect(sim.state.packages.get(guid)!.labels).toEqual({ "example.com/purpose": "upload-target" });
  });
});

describe("label and annotation checks (metadata_validator.rb) on create and update", () => {
  const BAD = {
    labels: { "cloudfoundry.org/team": "a b", "example.com/env": "prod" },
    annotations: { "x/y/z": "note" },
  };
  const MESSAGES = [
    "Metadata label key error: prefix 'cloudfoundry.org' is reserved",
    "Metadata label value error: 'a b' contains invalid characters",
    "Metadata annotation key error: key has more than one '/'",
  ];

  it("answers 422 with the controller's messages on create, metadata first", async () => {
    const r = await createPackage({ ...bitsFor(appGuid(sim, "worker-app")), metadata: BAD, extra: 1 });
    expect422(r, [...MESSAGES, "Unknown field(s): 'extra'"].join(", "));
  });

  it("answers 422 with the controller's messages on update, and changes nothing", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const before = { ...sim.state.packages.get(guid)!.labels };
    const r = await sendJson(
      api,
      `/v3/packages/${guid}`,
      { metadata: BAD },
      { method: "PATCH", user: "space-developer" },
    );
    expect422(r, MESSAGES.join(", "));
    expect(sim.state.packages.get(guid)!.labels).toEqual(before);
  });

  it("accepts prefixed keys, empty label values, and a blank annotation's key unchecked", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const metadata = { labels: { "example.com/tier": "", "a.b-c_d": "v1.2" }, annotations: { "free text?": "" } };
    const r = await sendJson(api, `/v3/packages/${guid}`, { metadata }, { method: "PATCH", user: "space-developer" });
    expect(r.status, r.text).toBe(200);
    expect(r.json.metadata.labels).toMatchObject({ "example.com/tier": "", "a.b-c_d": "v1.2" });
    expect(r.json.metadata.annotations).toMatchObject({ "free text?": "" });
  });
});

describe("PATCH /v3/packages/{guid}: docker credentials (package_update_message.rb, package_update.rb)", () => {
  const patch = (guid: string, body: unknown, user = "space-developer") =>
    sendJson(api, `/v3/packages/${guid}`, body, { method: "PATCH", user });

  it("sets a docker package's username and password; the password is presented masked", async () => {
    const guid = packageGuid(sim, "docker-app", "READY", "docker");
    const r = await patch(guid, { username: "robot", password: "s3cret" });
    expect(r.status, r.text).toBe(200);
    expect(r.json.data).toEqual({
      image: sim.state.packages.get(guid)!.docker!.image,
      username: "robot",
      password: "***",
    });
    expect(r.text).not.toContain("s3cret");
    const shown = await api.call(`/v3/packages/${guid}`, { user: "space-developer" });
    expect(shown.json.data.username).toBe("robot");
    // A null username leaves the stored one; a password alone keeps the username.
    const again = await patch(guid, { username: null, password: "other" });
    expect(again.status, again.text).toBe(200);
    expect(again.json.data).toMatchObject({ username: "robot", password: "***" });
  });

  it("masks the password for an empty username too (docker_username && '***')", async () => {
    const guid = packageGuid(sim, "docker-app", "READY", "docker");
    const r = await patch(guid, { username: "" });
    expect(r.status, r.text).toBe(200);
    expect(r.json.data).toMatchObject({ username: "", password: "***" });
  });

  it("answers 422 'Cannot update Docker credentials for a buildpack app.' for a bits package", async () => {
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    expect422(await patch(guid, { username: "" }), "Cannot update Docker credentials for a buildpack app.");
    expect422(
      await patch(guid, { password: "x" }, "space-manager"),
      "Cannot update Docker credentials for a buildpack app.",
    );
    const r = await patch(guid, { username: null, password: null });
    expect(r.status, r.text).toBe(200);
  });

  it("validates the body before it looks up the package", async () => {
    expect422(await patch("no-such-package", { foo: 1 }), "Unknown field(s): 'foo'");
  });
});

describe("DELETE /v3/packages/{guid}", () => {
  beforeEach(async () => {
    // A delay, so that the job can be seen PROCESSING; settle() waits for it.
    await restart({ processingDelay: 300 });
  });

  it("answers 202 with an empty body and the Location of a package.delete job, which completes", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    const r = await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "space-developer" });
    expect(r.status).toBe(202);
    expect(r.text).toBe("");
    const location = r.headers.get("location")!;
    expect(location).toMatch(
      /^http:\/\/127\.0\.0\.1:4010\/v3\/jobs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const jobGuid = location.split("/").pop()!;

    const running = await api.call(location, { user: "space-developer" });
    expect(running.status).toBe(200);
    expect(Object.keys(running.json)).toEqual([
      "guid",
      "created_at",
      "updated_at",
      "operation",
      "state",
      "errors",
      "warnings",
      "links",
    ]);
    expect(running.json.guid).toBe(jobGuid);
    expect(running.json.operation).toBe("package.delete");
    expect(running.json.state).toBe("PROCESSING");
    expect(running.json.errors).toEqual([]);
    expect(running.json.warnings).toEqual([]);
    expect(running.json.created_at).toMatch(TIMESTAMP);
    expect(running.json.links).toEqual({
      self: { href: location },
      package: { href: `${ORIGIN}/v3/packages/${guid}` },
    });

    await settle(sim);
    const done = await api.call(location, { user: "space-developer" });
    expect(done.json.state).toBe("COMPLETE");
    expect(done.json.errors).toEqual([]);
    expect(done.json.links).toEqual({ self: { href: location } });
    expectError(
      await api.call(`/v3/packages/${guid}`, { user: "space-developer" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );
    expect(sim.state.packages.has(guid)).toBe(false);
  });

  it("builds the Location from the request's origin", async () => {
    const r = await api.call(`${OTHER}/v3/packages/${packageGuid(sim, "web-app", "FAILED")}`, {
      method: "DELETE",
      user: "admin",
    });
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toMatch(new RegExp(`^${OTHER.replace(/\./g, "\\.")}/v3/jobs/[0-9a-f-]{36}$`));
    // Let the job finish: close() with a job still sleeping never resolves (see state-machine.test.ts).
    await settle(sim);
  });

  it("checks authentication and write scope first (rows 1–2)", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    expectError(
      await api.call(`/v3/packages/${guid}`, { method: "DELETE" }),
      401,
      "CF-NotAuthenticated",
      10002,
      "Authentication error",
    );
    const token = await mintUserToken("space-developer", { scope: ["cloud_controller.read"] });
    for (const target of [guid, "no-such-package"]) {
      expectError(
        await api.call(`/v3/packages/${target}`, { method: "DELETE", token }),
        403,
        "CF-NotAuthorized",
        10003,
        NOT_AUTHORIZED,
      );
    }
    expect(sim.state.jobs.size).toBe(0);
  });

  it("answers 404 for an unknown package", async () => {
    const r = await api.call("/v3/packages/no-such-package", { method: "DELETE", user: "admin" });
    expectError(r, 404, "CF-ResourceNotFound", 10010, "Package not found");
    expect(sim.state.jobs.size).toBe(0);
  });

  it("answers row 8 errors: space suspended (403), org being deleted (422)", async () => {
    const guid = packageGuid(sim, "web-app", "FAILED");
    spaceByName(sim, "mock-space").suspended = true;
    expectError(
      await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "space-developer" }),
      403,
      "CF-SpaceSuspended",
      10019,
      "The space is suspended",
    );
    orgByName(sim, "mock-org").beingDeleted = true;
    expectError(
      await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "space-developer" }),
      422,
      "CF-ResourceBeingDeleted",
      10020,
      "The organization is being deleted",
    );
    expect(sim.state.jobs.size).toBe(0);
  });

  it("answers 403 CF-OrgSuspended to a space developer in a suspended org; an admin may delete", async () => {
    const guid = packageGuid(sim, "suspended-app", "AWAITING_UPLOAD");
    const r = await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "space-developer" });
    expectError(r, 403, "CF-OrgSuspended", 10017, "The organization is suspended");
    const admin = await api.call(`/v3/packages/${guid}`, { method: "DELETE", user: "admin" });
    expect(admin.status).toBe(202);
    await settle(sim);
    expect(sim.state.packages.has(guid)).toBe(false);
  });
});

describe("GET /v3/packages/{guid}/download", () => {
  it("gives the READY package's zip, through the redirect to its blob URL, whose sha256 is data.checksum.value", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    const shown = await api.call(`/v3/packages/${guid}`, { user: "space-developer" });
    const r = await download(guid, "space-developer");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(sha256(r.bytes)).toBe(shown.json.data.checksum.value);
    const zip = await JSZip.loadAsync(r.bytes);
    const files = Object.keys(zip.files)
      .filter((name) => !zip.files[name]!.dir)
      .sort();
    expect(files).toEqual(Object.keys(READY_PACKAGE_FILES).sort());
    expect(await zip.file("server.js")!.async("string")).toBe(READY_PACKAGE_FILES["server.js"]);
  });

  for (const state of ["AWAITING_UPLOAD", "PROCESSING_UPLOAD", "FAILED", "EXPIRED"] as const) {
    it(`answers 422 Package has no bits to download. for ${state}`, async () => {
      expect422(
        await download(packageGuid(sim, "web-app", state), "space-developer"),
        "Package has no bits to download.",
      );
    });
  }

  it("answers 422 Package type must be bits. for a docker package", async () => {
    expect422(
      await download(packageGuid(sim, "docker-app", "READY", "docker"), "space-developer"),
      "Package type must be bits.",
    );
  });

  it("checks permission before type: a space manager gets 403 for the docker package too", async () => {
    for (const guid of [packageGuid(sim, "web-app", "READY"), packageGuid(sim, "docker-app", "READY", "docker")]) {
      expectError(await download(guid, "space-manager"), 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
    }
  });

  it("answers 404 to a user who cannot see the package, and for an unknown guid", async () => {
    expectError(
      await download(packageGuid(sim, "web-app", "READY"), "no-role"),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );
    expectError(await download("no-such-package", "admin"), 404, "CF-ResourceNotFound", 10010, "Package not found");
  });
});
