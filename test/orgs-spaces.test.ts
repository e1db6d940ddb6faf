/**
 * Organizations and spaces as the cf CLI asks for them (the reference's sections 1.3, 1.5–1.7 and
 * 4): its exact query strings, in process, over HTTP and through msw, every field it reads, the controller's
 * JSON in presenter order, visibility by role, 404s and paging.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mintUserToken, type Simulator } from "../src/index.js";
import { DEFAULT_ORG_QUOTA_GUID } from "../src/core/presenters.js";
import { ADAPTERS, setup, type Client } from "./support/client.js";
import { expectError } from "./support/errors.js";
import { orgByName, spaceByName } from "./support/world.js";

const ORG_KEYS = ["guid", "created_at", "updated_at", "name", "suspended", "relationships", "metadata", "links"];
const SPACE_KEYS = ORG_KEYS;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let sim: Simulator;
let api: Client;
let close: () => Promise<void>;
afterEach(() => close());

for (const adapter of ADAPTERS) {
  describe(`the cf CLI's requests through ${adapter}`, () => {
    const start = async () => {
      ({ sim, api, close } = await setup({}, adapter));
    };

    it("cf target -o mock-org -s mock-space (v8): the org by name, then the space by name in it", async () => {
      await start();
      // v8 sends these on every request, GETs included (the reference's P.1).
      const headers = {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-B3-TraceId": "a".repeat(32),
      };
      const init = { user: "space-developer", headers };
      const orgs = await api.call("/v3/organizations?names=mock-org&page=1&per_page=1", init);
      expect(orgs.status).toBe(200);
      const org = orgByName(sim, "mock-org");
      expect(orgs.json.resources.map((o: any) => [o.guid, o.name])).toEqual([[org.guid, "mock-org"]]);
      expect(orgs.json.pagination.next).toBeNull();
      const q = `names=mock-space&organization_guids=${org.guid}&page=1&per_page=1`;
      const spaces = await api.call(`/v3/spaces?${q}`, init);
      expect(spaces.status).toBe(200);
      const space = spaceByName(sim, "mock-space");
      expect(spaces.json.resources.map((s: any) => [s.guid, s.name])).toEqual([[space.guid, "mock-space"]]);
      expect(spaces.json.pagination.first.href).toBe(`${api.origin}/v3/spaces?${q}`);
      expect(spaces.json.pagination.next).toBeNull();
    });

    it("cf target (v7): the same lookups without paging", async () => {
      await start();
      const org = orgByName(sim, "mock-org");
      const orgs = await api.call("/v3/organizations?names=mock-org", { user: "space-developer" });
      expect(orgs.json.resources.map((o: any) => o.guid)).toEqual([org.guid]);
      const spaces = await api.call(`/v3/spaces?names=mock-space&organization_guids=${org.guid}`, {
        user: "space-developer",
      });
      expect(spaces.json.resources.map((s: any) => s.name)).toEqual(["mock-space"]);
    });

    it("cf orgs and cf spaces: order_by=name, every page followed to next: null", async () => {
      await start();
      const orgs = await api.call("/v3/organizations?order_by=name", { user: "admin" });
      expect(orgs.json.resources.map((o: any) => o.name)).toEqual(["mock-org", "suspended-org"]);
      expect(orgs.json.pagination.next).toBeNull();
      expect(orgs.json.pagination.first.href).toBe(
        `${api.origin}/v3/organizations?order_by=%2Bname&page=1&per_page=50`,
      );
      const org = orgByName(sim, "mock-org");
      const spaces = await api.call(`/v3/spaces?order_by=name&organization_guids=${org.guid}`, { user: "admin" });
      expect(spaces.json.resources.map((s: any) => s.name)).toEqual(["mock-space"]);
      const desc = await api.call("/v3/organizations?order_by=-name", { user: "admin" });
      expect(desc.json.resources.map((o: any) => o.name)).toEqual(["suspended-org", "mock-org"]);
    });

    it("an unknown name is 200 with empty resources (the CLI says 'Organization ... not found.')", async () => {
      await start();
      const r = await api.call("/v3/organizations?names=nope&page=1&per_page=1", { user: "admin" });
      expect([r.status, r.json.resources, r.json.pagination.total_results]).toEqual([200, [], 0]);
      const s = await api.call("/v3/spaces?names=nope&organization_guids=x&page=1&per_page=1", { user: "admin" });
      expect([s.status, s.json.resources]).toEqual([200, []]);
    });

    it("cf login -s without -o: the space by name in each org keeps only the orgs that hold it", async () => {
      await start();
      const held: string[] = [];
      const orgs = await api.call("/v3/organizations?order_by=name", { user: "space-developer" });
      for (const o of orgs.json.resources) {
        const q = `names=suspended-space&organization_guids=${o.guid}&page=1&per_page=1`;
        const r = await api.call(`/v3/spaces?${q}`, { user: "space-developer" });
        if (r.json.resources.length) held.push(o.name);
      }
      expect(held).toEqual(["suspended-org"]);
    });
  });
}

describe("the controller's JSON", () => {
  it("an organization, keys in presenter order", async () => {
    ({ sim, api, close } = await setup());
    const org = orgByName(sim, "mock-org");
    const r = await api.call(`/v3/organizations/${org.guid}`, { user: "admin" });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(ORG_KEYS);
    const base = `${api.origin}/v3/organizations/${org.guid}`;
    expect(r.json).toMatchObject({ guid: org.guid, name: "mock-org", suspended: false });
    expect(r.json.created_at).toMatch(RFC3339);
    expect(r.json.relationships).toEqual({ quota: { data: { guid: DEFAULT_ORG_QUOTA_GUID } } });
    expect(r.json.metadata).toEqual({ labels: {}, annotations: {} });
    expect(r.json.links).toEqual({
      self: { href: base },
      domains: { href: `${base}/domains` },
      default_domain: { href: `${base}/domains/default` },
      quota: { href: `${api.origin}/v3/organization_quotas/${DEFAULT_ORG_QUOTA_GUID}` },
    });
    const suspended = orgByName(sim, "suspended-org");
    expect((await api.call(`/v3/organizations/${suspended.guid}`, { user: "admin" })).json.suspended).toBe(true);
  });

  it("a space, keys in presenter order, no quota", async () => {
    ({ sim, api, close } = await setup());
    const space = spaceByName(sim, "mock-space");
    const r = await api.call(`/v3/spaces/${space.guid}`, { user: "admin" });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(SPACE_KEYS);
    const base = `${api.origin}/v3/spaces/${space.guid}`;
    expect(r.json).toMatchObject({ guid: space.guid, name: "mock-space", suspended: false });
    expect(r.json.relationships).toEqual({
      organization: { data: { guid: space.orgGuid } },
      quota: { data: null },
    });
    expect(r.json.links).toEqual({
      self: { href: base },
      organization: { href: `${api.origin}/v3/organizations/${space.orgGuid}` },
      features: { href: `${base}/features` },
      apply_manifest: { href: `${base}/actions/apply_manifest`, method: "POST" },
    });
  });

  it("include=organization adds the spaces' orgs, on the list and on one space", async () => {
    ({ sim, api, close } = await setup());
    const space = spaceByName(sim, "mock-space");
    const list = await api.call("/v3/spaces?include=organization", { user: "admin" });
    expect(Object.keys(list.json)).toEqual(["pagination", "resources", "included"]);
    expect(list.json.included.organizations.map((o: any) => o.name).sort()).toEqual(["mock-org", "suspended-org"]);
    expect(list.json.pagination.first.href).toContain("include=organization");
    const one = await api.call(`/v3/spaces/${space.guid}?include=org`, { user: "admin" });
    expect(one.json.included.organizations.map((o: any) => o.guid)).toEqual([space.orgGuid]);
  });
});

describe("visibility by role", () => {
  const names = async (path: string, user: string) =>
    (await api.call(path, { user })).json.resources.map((r: any) => r.name).sort();

  it.each([
    ["admin", ["mock-org", "suspended-org"], ["mock-space", "suspended-space"]],
    ["admin-read-only", ["mock-org", "suspended-org"], ["mock-space", "suspended-space"]],
    ["global-auditor", ["mock-org", "suspended-org"], ["mock-space", "suspended-space"]],
    ["space-developer", ["mock-org", "suspended-org"], ["mock-space", "suspended-space"]],
    ["space-manager", ["mock-org"], ["mock-space"]],
    ["space-auditor", ["mock-org"], ["mock-space"]],
    ["space-supporter", ["mock-org"], ["mock-space"]],
    ["org-manager", ["mock-org"], ["mock-space"]],
    ["org-auditor", ["mock-org"], []],
    ["org-billing-manager", ["mock-org"], []],
    ["no-role", [], []],
  ])("%s sees orgs %j and spaces %j", async (user, orgs, spaces) => {
    ({ sim, api, close } = await setup());
    expect(await names("/v3/organizations", user)).toEqual(orgs);
    expect(await names("/v3/spaces", user)).toEqual(spaces);
    const mockOrg = orgByName(sim, "mock-org");
    const mockSpace = spaceByName(sim, "mock-space");
    const org = await api.call(`/v3/organizations/${mockOrg.guid}`, { user });
    expect(org.status).toBe(orgs.includes("mock-org") ? 200 : 404);
    const space = await api.call(`/v3/spaces/${mockSpace.guid}`, { user });
    expect(space.status).toBe(spaces.includes("mock-space") ? 200 : 404);
  });
});

describe("errors and paging", () => {
  it("unknown or invisible guids are 404 CF-ResourceNotFound", async () => {
    ({ sim, api, close } = await setup());
    const unknown = "6a1d2f5e-0000-4000-8000-000000000000";
    const o = await api.call(`/v3/organizations/${unknown}`, { user: "admin" });
    expectError(o, 404, "CF-ResourceNotFound", 10010, "Organization not found");
    const s = await api.call(`/v3/spaces/${unknown}`, { user: "admin" });
    expectError(s, 404, "CF-ResourceNotFound", 10010, "Space not found");
    const hidden = await api.call(`/v3/organizations/${orgByName(sim, "suspended-org").guid}`, { user: "org-manager" });
    expectError(hidden, 404, "CF-ResourceNotFound", 10010, "Organization not found");
  });

  it("needs a token", async () => {
    ({ sim, api, close } = await setup());
    expectError(await api.call("/v3/organizations"), 401, "CF-NotAuthenticated", 10002, "Authentication error");
    expectError(await api.call("/v3/spaces"), 401, "CF-NotAuthenticated", 10002, "Authentication error");
  });

  it("answers the controller's 400s: bad order_by, unknown parameters, bad include", async () => {
    ({ sim, api, close } = await setup());
    const detail = (r: any) => r.json.errors[0].detail;
    const order = await api.call("/v3/organizations?order_by=state", { user: "admin" });
    expect([order.status, detail(order)]).toEqual([
      400,
      "The query parameter is invalid: Order by can only be: 'created_at', 'updated_at', 'name'",
    ]);
    const unknown = await api.call("/v3/organizations?organization_guids=x", { user: "admin" });
    expect(unknown.status).toBe(400);
    expect(detail(unknown)).toBe(
      "The query parameter is invalid: Unknown query parameter(s): 'organization_guids'. Valid parameters are: " +
        "'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'names', 'isolation_segment_guid', 'label_selector'",
    );
    const space = spaceByName(sim, "mock-space");
    const shown = await api.call(`/v3/spaces/${space.guid}?names=x`, { user: "admin" });
    expect(detail(shown)).toBe(
      "The query parameter is invalid: Unknown query parameter(s): 'names'. Valid parameters are: 'include'",
    );
    const hidden = await api.call(`/v3/spaces/${space.guid}?names=x`, { user: "no-role" });
    expectError(hidden, 404, "CF-ResourceNotFound", 10010, "Space not found");
    const include = await api.call("/v3/spaces?include=space", { user: "admin" });
    expect(detail(include)).toBe(
      "The query parameter is invalid: Invalid included resource: 'space'. Valid included resources are: 'org', 'organization'",
    );
  });

  it("pages with absolute next links, and stops at next: null", async () => {
    ({ sim, api, close } = await setup());
    const first = await api.call("/v3/organizations?order_by=name&per_page=1", { user: "admin" });
    expect(first.json.pagination.total_pages).toBe(2);
    expect(first.json.resources.map((o: any) => o.name)).toEqual(["mock-org"]);
    const next = new URL(first.json.pagination.next.href);
    expect(next.origin).toBe(api.origin);
    const second = await api.call(next.pathname + next.search, { user: "admin" });
    expect(second.json.resources.map((o: any) => o.name)).toEqual(["suspended-org"]);
    expect(second.json.pagination.next).toBeNull();
  });

  it("answers HEAD with the GET's status and no body", async () => {
    ({ sim, api, close } = await setup());
    const space = spaceByName(sim, "mock-space");
    for (const path of ["/v3/organizations", "/v3/spaces", `/v3/spaces/${space.guid}`]) {
      const head = await api.call(path, { user: "admin", method: "HEAD" });
      expect([path, head.status, head.bytes.byteLength]).toEqual([path, 200, 0]);
    }
  });
});

describe("GET /v3 (v7 routes by these links)", () => {
  it("links only to collections the simulator serves, and each answers", async () => {
    ({ sim, api, close } = await setup());
    const links = (await api.call("/v3")).json.links;
    expect(Object.keys(links)).toEqual([
      "self",
      "apps",
      "feature_flags",
      "info",
      "organizations",
      "packages",
      "resource_matches",
      "spaces",
    ]);
    for (const [name, link] of Object.entries<any>(links)) {
      const url = new URL(link.href);
      const method = name === "resource_matches" ? "POST" : "GET";
      const entry = { checksum: { value: "a".repeat(40) }, size_in_bytes: 70000, path: "a.js", mode: "644" };
      const body = method === "POST" ? JSON.stringify({ resources: [entry] }) : undefined;
      const r = await api.call(url.pathname, { user: "admin", method, body });
      expect([name, r.status]).toEqual([name, method === "POST" ? 201 : 200]);
    }
  });
});

describe("a world of its own", () => {
  const T = Date.UTC(2025, 0, 15, 10, 0, 0);
  const G = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const world = {
    orgs: [
      { guid: G(1), name: "zeta", createdAt: T },
      { guid: G(2), name: "acme, inc", createdAt: T + 1000 },
      { guid: G(3), name: "beta", createdAt: T + 2000 },
    ],
    spaces: [
      { guid: G(11), name: "dev", orgGuid: G(1), createdAt: T },
      { guid: G(12), name: "dev", orgGuid: G(2), createdAt: T },
      { guid: G(13), name: "prod", orgGuid: G(2), createdAt: T },
    ],
    apps: [],
    packages: [],
    users: [
      { guid: G(21), name: "boss", globalRole: "admin" as const },
      { guid: G(22), name: "member", orgRoles: [{ orgGuid: G(3), role: "org_user" as const }] },
      { guid: G(23), name: "dev", spaceRoles: [{ spaceGuid: G(13), role: "space_developer" as const }] },
    ],
  };
  const token = (name: string) => {
    const user = world.users.find((u) => u.name === name)!;
    return mintUserToken(name, { userId: user.guid, ...("globalRole" in user ? { globalRole: user.globalRole } : {}) });
  };

  it("finds a name with a comma as the cf CLI sends it (%252C), and pages three orgs by name", async () => {
    ({ sim, api, close } = await setup({ world }));
    const boss = await token("boss");
    const byName = await api.call("/v3/organizations?names=acme%252C%20inc&page=1&per_page=1", { token: boss });
    expect(byName.json.resources.map((o: any) => o.guid)).toEqual([G(2)]);
    const seen: string[] = [];
    let path: string | null = "/v3/organizations?order_by=name&per_page=2";
    while (path) {
      const page: any = (await api.call(path, { token: boss })).json;
      seen.push(...page.resources.map((o: any) => o.name));
      path = page.pagination.next
        ? new URL(page.pagination.next.href).pathname + new URL(page.pagination.next.href).search
        : null;
    }
    expect(seen).toEqual(["acme, inc", "beta", "zeta"]);
  });

  it("an org user sees the org but none of its spaces; a space role shows its org and only that space", async () => {
    ({ sim, api, close } = await setup({ world }));
    const names = async (path: string, user: string) =>
      (await api.call(path, { token: await token(user) })).json.resources.map((r: any) => r.guid);
    expect(await names("/v3/organizations", "member")).toEqual([G(3)]);
    expect(await names("/v3/spaces", "member")).toEqual([]);
    expect(await names("/v3/organizations", "dev")).toEqual([G(2)]);
    expect(await names(`/v3/spaces?order_by=name&organization_guids=${G(2)}`, "dev")).toEqual([G(13)]);
  });
});
