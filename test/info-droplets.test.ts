/**
 * `GET /v3/info` (`info_controller.rb`, `info_presenter.rb`) and `GET /v3/packages/{guid}/droplets`
 * (`droplets_controller.rb#index`, package nested; `droplets_list_message.rb`).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mintUserToken, type Simulator } from "../src/index.js";
import { setup, theContract, type Client } from "./support/client.js";
import { NOT_AUTHORIZED, expectError } from "./support/errors.js";
import { packageGuid } from "./support/world.js";

let sim: Simulator;
let api: Client;

beforeAll(async () => {
  await theContract();
});
beforeEach(async () => {
  ({ sim, api } = await setup());
});
afterEach(() => sim.close());

const ORIGIN = "http://127.0.0.1:4010";

describe("GET /v3/info", () => {
  it("answers the info document in the presenter's key order, without a token", async () => {
    const r = await api.call("/v3/info");
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual([
      "build",
      "cli_version",
      "custom",
      "description",
      "name",
      "version",
      "osbapi_version",
      "rate_limits",
      "links",
    ]);
    expect(r.json).toMatchObject({
      name: "mock-packages",
      cli_version: { minimum: expect.any(String), recommended: expect.any(String) },
      custom: {},
      osbapi_version: "2.15",
      rate_limits: { enabled: false, general_limit: 2000, reset_interval_in_minutes: 60 },
    });
    expect(r.json.links.self).toEqual({ href: `${ORIGIN}/v3/info` });
  });

  it("does not look at a token, not even a bad one", async () => {
    expect((await api.call("/v3/info", { token: "not-a-token" })).status).toBe(200);
  });

  it("is the info link of GET /v3", async () => {
    expect((await api.call("/v3")).json.links.info).toEqual({ href: `${ORIGIN}/v3/info` });
  });
});

describe("GET /v3/packages/{guid}/droplets", () => {
  const path = (guid: string, query = "") => `/v3/packages/${guid}/droplets${query}`;

  it("answers an empty list in the controller's envelope for a package never staged", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    const r = await api.call(path(guid), { user: "space-developer" });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      pagination: {
        total_results: 0,
        total_pages: 1,
        first: { href: `${ORIGIN}/v3/packages/${guid}/droplets?page=1&per_page=50` },
        last: { href: `${ORIGIN}/v3/packages/${guid}/droplets?page=1&per_page=50` },
        next: null,
        previous: null,
      },
      resources: [],
    });
  });

  it("keeps the filters in the links, without package_guid, sorted", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    const r = await api.call(path(guid, "?states=STAGED&per_page=5&package_guid=x&order_by=-created_at"), {
      user: "admin",
    });
    expect(r.json.pagination.first.href).toBe(
      `${ORIGIN}/v3/packages/${guid}/droplets?order_by=-created_at&page=1&per_page=5&states=STAGED`,
    );
  });

  it("answers 404 Package not found for an invisible or unknown package", async () => {
    const guid = packageGuid(sim, "web-app", "READY");
    expectError(
      await api.call(path(guid), { user: "org-auditor" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );
    expectError(
      await api.call(path("no-such-package"), { user: "admin" }),
      404,
      "CF-ResourceNotFound",
      10010,
      "Package not found",
    );
  });

  it("checks read scope first, then the query, then the package", async () => {
    const token = await mintUserToken("space-developer", { scope: ["cloud_controller.write"] });
    expectError(await api.call(path("no-such-package"), { token }), 403, "CF-NotAuthorized", 10003, NOT_AUTHORIZED);
    const r = await api.call(path("no-such-package", "?current=true&foo=1"), { user: "admin" });
    expectError(
      r,
      400,
      "CF-BadQueryParameter",
      10005,
      "The query parameter is invalid: Unknown query parameter(s): 'foo'. Valid parameters are: 'page', 'per_page', " +
        "'order_by', 'created_ats', 'updated_ats', 'guids', 'app_guid', 'app_guids', 'current', 'organization_guids', " +
        "'package_guid', 'space_guids', 'states', 'label_selector', Unknown query parameter(s): 'current'",
    );
  });

  it("answers 401 without a token", async () => {
    const r = await api.call(path(packageGuid(sim, "web-app", "READY")));
    expectError(r, 401, "CF-NotAuthenticated", 10002, "Authentication error");
  });
});
