/**
 * The cf CLI pointed at mock-packages (issue 12): each command's requests, in the order and
 * shape ../shared/reference/cf-cli-login-flow.md documents from the CLI's source (section
 * 1.12 for v8; v7's setup requests and routing by the `/v3` links), over the HTTP server,
 * reading every field the CLI reads (test/support/cf-cli.ts). Every answer is checked
 * against spec/openapi.yaml.
 */
import { afterEach, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import type { Simulator, SimulatorOptions } from "../src/index.js";
import { CfCli, decodeJwt } from "./support/cf-cli.js";
import { setup } from "./support/client.js";

let sim: Simulator;
let origin: string;
let close: () => Promise<void> = async () => {};
afterEach(() => close());

async function start(options: SimulatorOptions = {}): Promise<void> {
  let api;
  ({ sim, api, close } = await setup({ processingDelay: 0, ...options }, "http"));
  origin = api.origin;
}

/** The requests a command sent, from `cli.sent`. */
function during(cli: CfCli, command: () => Promise<unknown>): Promise<string[]> {
  const before = cli.sent.length;
  return command().then(() => cli.sent.slice(before));
}

describe("the cf CLI (v8) end to end", () => {
  it("api, auth, target, orgs, spaces, create-package, packages, curl, logout: section 1.12's requests, every field read", async () => {
    await start();
    const cli = new CfCli("v8");
    expect(await during(cli, () => cli.api(origin))).toEqual(["GET /"]);
    expect(cli.config.authorizationEndpoint).toBe(origin);
    expect(cli.config.apiVersion).toMatch(/^3\.\d+\.\d+$/);

    let answer!: Awaited<ReturnType<CfCli["auth"]>>;
    expect(await during(cli, async () => (answer = await cli.auth("space-developer", "password")))).toEqual([
      "POST /oauth/token",
    ]);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      token_type: "bearer",
      expires_in: expect.any(Number),
      jti: expect.any(String),
    });
    const claims = decodeJwt(cli.config.accessToken.slice("bearer ".length));
    expect(claims).toMatchObject({ user_name: "space-developer", origin: "uaa", client_id: "cf" });
    expect(typeof claims.user_id).toBe("string");
    expect(typeof claims.exp).toBe("number");

    const targeting = await during(cli, () => cli.target("mock-org", "mock-space"));
    expect(targeting).toEqual([
      "GET /v3/organizations?names=mock-org&page=1&per_page=1",
      `GET /v3/spaces?names=mock-space&organization_guids=${cli.config.org!.guid}&page=1&per_page=1`,
    ]);
    expect(cli.config.space!.name).toBe("mock-space");

    expect(await cli.orgs()).toContain("mock-org");
    expect(cli.sent.at(-1)).toBe("GET /v3/organizations?order_by=name");
    expect(await cli.spaces()).toContain("mock-space");
    expect(cli.sent.at(-1)).toBe(`GET /v3/spaces?order_by=name&organization_guids=${cli.config.org!.guid}`);

    const zip = await buildAppZip({ "index.html": "<h1>hello</h1>\n" });
    let pkg!: { guid: string; state: string };
    const creating = await during(cli, async () => (pkg = await cli.createPackage("web-app", zip)));
    expect(pkg.state).toBe("READY");
    expect(creating.slice(0, 3)).toEqual([
      `GET /v3/apps?names=web-app&space_guids=${cli.config.space!.guid}`,
      "POST /v3/packages",
      `POST /v3/packages/${pkg.guid}/upload`,
    ]);
    // Then polling (every 3 s in the CLI) until READY: at least one GET, since the create answered AWAITING_UPLOAD.
    expect(creating.length).toBeGreaterThan(3);
    for (const poll of creating.slice(3)) expect(poll).toBe(`GET /v3/packages/${pkg.guid}`);

    const listed = await cli.packages("web-app");
    expect(listed[0]).toMatchObject({ guid: pkg.guid, state: "READY" });
    expect(cli.sent.at(-1)).toMatch(/^GET \/v3\/packages\?app_guids=[^&]+&order_by=-created_at$/);

    const curl = await cli.curl(`/v3/packages/${pkg.guid}`);
    expect(curl.json.guid).toBe(pkg.guid);

    // The tokens say `revocable: true`: logout revokes the refresh token's jti, then the access token's.
    const token = cli.config.accessToken;
    const loggingOut = await during(cli, () => cli.logout());
    expect(loggingOut).toHaveLength(2);
    for (const request of loggingOut) expect(request).toMatch(/^DELETE \/oauth\/token\/revoke\/[^/]+$/);
    expect(cli.config.accessToken).toBe("");
    const revoked = await fetch(`${origin}/v3/packages`, { headers: { authorization: token } });
    expect(revoked.status).toBe(401);
  });

  it("cf login -a -u -p -o -s: root, prompts, token, org and space, as the shortest v8 login on the wire", async () => {
    await start();
    const cli = new CfCli("v8");
    const sent = await during(cli, () => cli.login(origin, "space-developer", "password", "mock-org", "mock-space"));
    expect(sent).toEqual([
      "GET /",
      "GET /login",
      "POST /oauth/token",
      "GET /v3/organizations?names=mock-org&page=1&per_page=1",
      `GET /v3/spaces?names=mock-space&organization_guids=${cli.config.org!.guid}&page=1&per_page=1`,
    ]);
    expect(cli.config.space!.name).toBe("mock-space");
    expect(await cli.packages("web-app")).not.toHaveLength(0);
  });

  it("refreshes a token that expires within 60 seconds before the next request, and the request then succeeds", async () => {
    await start({ tokenTtl: 30 });
    const cli = new CfCli("v8");
    await cli.api(origin);
    expect((await cli.auth("space-developer", "password")).status).toBe(200);
    const first = cli.config.accessToken;
    const sent = await during(cli, () => cli.orgs());
    expect(sent).toEqual(["POST /oauth/token", "GET /v3/organizations?order_by=name"]);
    expect(cli.config.accessToken).not.toBe(first);
  });

  it("a bad password, an unknown user, a bad client and a bad refresh token get UAA's answers", async () => {
    await start();
    const cli = new CfCli("v8");
    await cli.api(origin);
    for (const [user, password] of [
      ["space-developer", "wrong"],
      ["nobody-at-all", "password"],
    ]) {
      const r = await cli.auth(user!, password!);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: "unauthorized", error_description: "Bad credentials" });
    }
    const client = await cli.token("client_id=no-such-client&client_secret=x&grant_type=client_credentials", false);
    expect(client.status).toBe(401);
    expect(["unauthorized", "invalid_client"]).toContain(client.json.error);
    const refresh = await cli.token("grant_type=refresh_token&refresh_token=not-a-token");
    expect(refresh.status).toBe(401);
    expect(refresh.json.error).toBe("invalid_token");
  });
});

describe("the cf CLI (v7): setup requests, and routing by the /v3 links", () => {
  it("api, auth, target, orgs and create-package through the links of GET /v3", async () => {
    await start();
    const cli = new CfCli("v7");
    expect(await during(cli, () => cli.api(origin))).toEqual(["GET /", "GET /v3"]);
    expect(await during(cli, () => cli.auth("space-developer", "password"))).toEqual([
      "GET /",
      "GET /v3",
      "GET /login",
      "POST /oauth/token",
    ]);
    await cli.target("mock-org", "mock-space");
    expect(cli.sent.slice(-2)).toEqual([
      "GET /v3/organizations?names=mock-org",
      `GET /v3/spaces?names=mock-space&organization_guids=${cli.config.org!.guid}`,
    ]);
    expect(await cli.orgs()).toContain("mock-org");
    const pkg = await cli.createPackage("web-app", await buildAppZip({ "a.txt": "a\n" }));
    expect(pkg.state).toBe("READY");
  });
});
