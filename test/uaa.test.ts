/**
 * UAA on the simulator's own origin, driven over HTTP with the cf CLI's requests exactly as
 * ../shared/reference/cf-cli-login-flow.md documents them (sections 1.1–1.4, 1.11, 2, 3.1):
 * the same headers (`Accept: application/json`, `Connection: close`, the CLI's User-Agent, the
 * B3 trace headers, `Authorization: Basic Y2Y6`), forms with their keys sorted as Go's
 * `url.Values.Encode` sorts them, and every field the CLI reads asserted.
 */
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { SimulatorOptions } from "../src/index.js";
import { buildFixtureWorld } from "../src/core/world/fixture-world.js";
import { expectContract, setup, type Answer } from "./support/client.js";

const USER_AGENT = "cf/8.8.0+a1b2c3d.2024-07-01 (go1.22.5; amd64 linux)";
const B3 = { "X-B3-Traceid": "0af7651916cd43dd8448eb211c80319c", "X-B3-Spanid": "b7ad6b7169203331" };
/** Headers of every UAA request (P.3). */
const UAA_HEADERS = { Accept: "application/json", Connection: "close", "User-Agent": USER_AGENT, ...B3 };
/** Headers of every CC request (P.1), GETs included. */
const CC_HEADERS = { "User-Agent": USER_AGENT, Accept: "application/json", "Content-Type": "application/json", ...B3 };
const FORM = "application/x-www-form-urlencoded";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A clock a test moves. */
function clock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

async function start(options: SimulatorOptions = {}) {
  const s = await setup(options, "http");
  close = s.close;
  return { ...s, origin: s.api.origin };
}

/** One request with exactly these headers (node:http, as Go's client sends them: no fetch defaults), checked against the document. */
async function send(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const url = new URL(path, origin);
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, "Accept-Encoding": "gzip" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const bytes = new Uint8Array(Buffer.concat(chunks));
        const text = new TextDecoder().decode(bytes);
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
        const json = (h.get("content-type") ?? "").includes("json") && text ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode!, headers: h, json, text, bytes });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.setHeader("Content-Length", Buffer.byteLength(body));
    req.end(body);
  });
  await expectContract(method, url.pathname, answer);
  return answer;
}

/** The JWT's payload, read as the CLI's jose library reads it: three unpadded base64url segments. */
function claimsOf(jwt: string): Record<string, unknown> {
  const parts = jwt.split(".");
  expect(parts).toHaveLength(3);
  for (const p of parts) expect(p).toMatch(/^[A-Za-z0-9_-]*$/);
  const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString());
  expect(header.alg).toBe("HS256");
  expect(header.cty).toBeUndefined();
  return JSON.parse(Buffer.from(parts[1]!, "base64url").toString());
}

/** `cf auth USER PASSWORD` (1.2): the password grant with client `cf` and an empty secret. */
const passwordGrant = (origin: string, user: string, password: string) =>
  send(
    origin,
    "POST",
    "/oauth/token",
    { ...UAA_HEADERS, "Content-Type": FORM, Authorization: "Basic Y2Y6" },
    new URLSearchParams({ grant_type: "password", password, username: user }).toString(),
  );

/** The CLI's refresh (1.4). */
const refreshGrant = (origin: string, refreshToken: string) =>
  send(
    origin,
    "POST",
    "/oauth/token",
    { ...UAA_HEADERS, "Content-Type": FORM, Authorization: "Basic Y2Y6" },
    `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}`,
  );

/** `cf auth ID SECRET --client-credentials` (1.2): no Authorization header, the client in the form. */
const clientGrant = (origin: string, id: string, secret: string) =>
  send(
    origin,
    "POST",
    "/oauth/token",
    { ...UAA_HEADERS, "Content-Type": FORM },
    new URLSearchParams({ client_id: id, client_secret: secret, grant_type: "client_credentials" }).toString(),
  );

/** A CC request as the CLI sends it, with the stored `bearer <JWT>`. */
const listPackages = (origin: string, accessToken: string) =>
  send(origin, "GET", "/v3/packages", { ...CC_HEADERS, Authorization: `bearer ${accessToken}` });

describe("cf api, cf login: the root document and the login info", () => {
  it("GET / links login and uaa at the simulator itself; GET /login has the username and password prompts", async () => {
    const { origin } = await start();
    // cf api: the URL as typed, no Authorization.
    const root = await send(origin, "GET", "/", CC_HEADERS);
    expect(root.status).toBe(200);
    expect(root.json.links.login).toEqual({ href: origin });
    expect(root.json.links.uaa).toEqual({ href: origin });
    expect(root.json.links.cloud_controller_v3.meta.version).toMatch(/^3\.\d+\.\d+$/);
    expect(root.json).not.toHaveProperty("cf_on_k8s");
    // The rest of the document as before, in the controller's order.
    expect(Object.keys(root.json.links)).toEqual([
      "self",
      "bits_service",
      "cloud_controller_v2",
      "cloud_controller_v3",
      "network_policy_v0",
      "network_policy_v1",
      "login",
      "uaa",
      "credhub",
      "routing",
      "logging",
      "log_cache",
      "log_stream",
      "app_ssh",
    ]);
    // cf login, step 3: `${login}/login` with the (cleared) token as an empty Authorization.
    const login = await send(origin, "GET", `${root.json.links.login.href}/login`, {
      ...UAA_HEADERS,
      Authorization: "",
    });
    expect(login.status).toBe(200);
    expect(login.json.prompts).toEqual({ username: ["text", "Email"], password: ["password", "Password"] });
    expect(Object.keys(login.json)).toEqual([
      "app",
      "links",
      "zone_name",
      "entityID",
      "commit_id",
      "timestamp",
      "idpDefinitions",
      "prompts",
    ]);
    // cf auth --origin needs semver >= 4.26.0.
    expect(Number(login.json.app.version.split(".")[0])).toBeGreaterThanOrEqual(5);
    expect(login.json.links).toMatchObject({ uaa: origin, login: origin });
  });
});

describe("cf auth: the password grant", () => {
  it("answers UAA's token document, and the access token works on the Cloud Controller", async () => {
    const { origin, sim } = await start();
    const auth = await passwordGrant(origin, "space-developer", "password");
    expect(auth.status).toBe(200);
    expect(auth.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(auth.json)).toEqual([
      "access_token",
      "token_type",
      "refresh_token",
      "expires_in",
      "scope",
      "jti",
    ]);
    expect(auth.json.token_type).toBe("bearer");
    expect(auth.json.expires_in).toBe(43199);
    expect(auth.json.scope).toBe(
      "openid cloud_controller.read cloud_controller.write uaa.user routing.router_groups.read network.write",
    );
    const claims = claimsOf(auth.json.access_token);
    const user = [...sim.state.users.values()].find((u) => u.name === "space-developer")!;
    expect(claims).toMatchObject({
      jti: auth.json.jti,
      sub: user.guid,
      client_id: "cf",
      cid: "cf",
      grant_type: "password",
      user_id: user.guid,
      origin: "uaa",
      user_name: "space-developer",
      revocable: true,
      zid: "uaa",
      iss: `${origin}/oauth/token`,
    });
    expect(claims.scope).toEqual(auth.json.scope.split(" "));
    expect((claims.exp as number) - (claims.iat as number)).toBe(43200);
    expect(claimsOf(auth.json.refresh_token).jti).toMatch(/-r$/);
    // The CLI stores "bearer <access_token>" and sends it.
    const list = await listPackages(origin, auth.json.access_token);
    expect(list.status).toBe(200);
    expect(list.json.resources.length).toBeGreaterThan(0);
    // An admin's token has the admin scope.
    const admin = await passwordGrant(origin, "admin", "password");
    expect(admin.json.scope.split(" ")).toContain("cloud_controller.admin");
  });

  it("wrong password and unknown user: 401 unauthorized, Bad credentials", async () => {
    const { origin } = await start();
    for (const [user, password] of [
      ["space-developer", "wrong"],
      ["nobody", "password"],
      ["space-developer", ""],
    ]) {
      const r = await passwordGrant(origin, user!, password!);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: "unauthorized", error_description: "Bad credentials" });
    }
  });

  it("cf auth --origin: login_hint origin uaa is the users' own; any other is invalid", async () => {
    const { origin } = await start();
    const hinted = (o: string) =>
      send(
        origin,
        "POST",
        `/oauth/token?login_hint=${encodeURIComponent(JSON.stringify({ origin: o }))}`,
        { ...UAA_HEADERS, "Content-Type": FORM, Authorization: "Basic Y2Y6" },
        "grant_type=password&password=password&username=space-developer",
      );
    expect((await hinted("uaa")).status).toBe(200);
    const ldap = await hinted("ldap");
    expect(ldap.status).toBe(401);
    expect(ldap.json).toEqual({
      error: "unauthorized",
      error_description: "The origin provided in the login hint is invalid.",
    });
  });

  it("a bad client, a client that may not use the grant, an unknown or missing grant type: UAA's answers", async () => {
    const { origin } = await start();
    const form = "grant_type=password&password=password&username=space-developer";
    const headers = { ...UAA_HEADERS, "Content-Type": FORM };
    const wrongSecret = await send(
      origin,
      "POST",
      "/oauth/token",
      { ...headers, Authorization: `Basic ${btoa("cf:x")}` },
      form,
    );
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json).toEqual({ error: "invalid_client", error_description: "Bad credentials" });
    const unknown = await clientGrant(origin, "nobody", "secret");
    expect(unknown.json).toEqual({ error: "invalid_client", error_description: "Bad credentials" });
    const badSecret = await clientGrant(origin, "admin-client", "wrong");
    expect([badSecret.status, badSecret.json.error]).toEqual([401, "invalid_client"]);
    const cfClientCredentials = await clientGrant(origin, "cf", "");
    expect(cfClientCredentials.status).toBe(401);
    expect(cfClientCredentials.json).toEqual({
      error: "invalid_client",
      error_description: "Unauthorized grant type: client_credentials",
    });
    const unsupported = await send(
      origin,
      "POST",
      "/oauth/token",
      { ...headers, Authorization: "Basic Y2Y6" },
      "grant_type=authorization_code",
    );
    expect(unsupported.status).toBe(400);
    expect(unsupported.json).toEqual({
      error: "unsupported_grant_type",
      error_description: "Unsupported grant type: authorization_code",
    });
    const missing = await send(
      origin,
      "POST",
      "/oauth/token",
      { ...headers, Authorization: "Basic Y2Y6" },
      "username=x",
    );
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: "invalid_request", error_description: "Missing grant type" });
  });

  it("the journal keeps the form with its password redacted", async () => {
    const { origin, sim } = await start();
    await passwordGrant(origin, "space-developer", "password");
    const entry = sim.journal.find({ path: "/oauth/token" })[0]!;
    expect(entry.body).toBe("grant_type=password&password=[redacted]&username=space-developer");
    expect(entry.headers.authorization).toBe("Basic [redacted]");
  });
});

describe("token refresh (1.4)", () => {
  it("a token that expires within 60 s is refreshed with grant_type=refresh_token; the new one works", async () => {
    const time = clock();
    const { origin } = await start({ tokenTtl: 30, now: time.now });
    const auth = await passwordGrant(origin, "space-developer", "password");
    const first = claimsOf(auth.json.access_token);
    // Inside the CLI's 60 s margin: the CLI refreshes before its next CC request.
    expect((first.exp as number) - time.now() / 1000).toBeLessThan(60);
    time.advance(10);
    const refreshed = await refreshGrant(origin, auth.json.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.json)).toEqual([
      "access_token",
      "token_type",
      "refresh_token",
      "expires_in",
      "scope",
      "jti",
    ]);
    expect(refreshed.json.token_type).toBe("bearer");
    expect(refreshed.json.refresh_token).toBe(auth.json.refresh_token);
    expect(refreshed.json.jti).not.toBe(auth.json.jti);
    const second = claimsOf(refreshed.json.access_token);
    expect(second.exp).toBe((first.exp as number) + 10);
    expect(second).toMatchObject({ user_name: "space-developer", user_id: first.user_id, origin: "uaa" });
    time.advance(25);
    // The first has expired; the refreshed one has not.
    const old = await listPackages(origin, auth.json.access_token);
    expect(old.status).toBe(401);
    expect(old.json.errors[0].title).toBe("CF-InvalidAuthToken");
    expect((await listPackages(origin, refreshed.json.access_token)).status).toBe(200);
  });

  it("an expired, foreign or malformed refresh token: 401 invalid_token; a refresh token is no access token", async () => {
    const time = clock();
    const { origin } = await start({ now: time.now });
    const auth = await passwordGrant(origin, "space-developer", "password");
    const asAccess = await listPackages(origin, auth.json.refresh_token);
    expect([asAccess.status, asAccess.json.errors[0].title]).toEqual([401, "CF-InvalidAuthToken"]);
    for (const bad of ["not-a-token", auth.json.access_token]) {
      const r = await refreshGrant(origin, bad);
      expect(r.status).toBe(401);
      expect(r.json.error).toBe("invalid_token");
      expect(r.json.error_description).toMatch(/^Invalid refresh token: /);
    }
    time.advance(30 * 24 * 3600 + 1);
    const expired = await refreshGrant(origin, auth.json.refresh_token);
    expect(expired.status).toBe(401);
    expect(expired.json.error).toBe("invalid_token");
    expect(expired.json.error_description).toBe(`Invalid refresh token (expired): ${auth.json.refresh_token}`);
  });
});

describe("client credentials", () => {
  it("the built-in admin-client and a world's clients get tokens without a refresh token", async () => {
    const world = async (seed: number) => ({
      ...(await buildFixtureWorld(seed)),
      clients: [
        { id: "ci-bot", secret: "s3cret", scopes: ["cloud_controller.read"] },
        { id: "ops", secret: "", admin: true },
      ],
    });
    const { origin } = await start({ world });
    const admin = await clientGrant(origin, "admin-client", "secret");
    expect(admin.status).toBe(200);
    expect(Object.keys(admin.json)).toEqual(["access_token", "token_type", "expires_in", "scope", "jti"]);
    expect(admin.json.scope).toBe("cloud_controller.admin cloud_controller.read cloud_controller.write");
    const claims = claimsOf(admin.json.access_token);
    expect(claims).toMatchObject({ sub: "admin-client", client_id: "admin-client", grant_type: "client_credentials" });
    expect(claims).not.toHaveProperty("user_name");
    const list = await listPackages(origin, admin.json.access_token);
    expect(list.status).toBe(200);
    expect(list.json.resources.length).toBeGreaterThan(0);

    const bot = await clientGrant(origin, "ci-bot", "s3cret");
    expect(bot.json.scope).toBe("cloud_controller.read");
    // A client without roles sees no packages.
    expect((await listPackages(origin, bot.json.access_token)).json.resources).toEqual([]);
    // The CLI's refresh of a client-credentials session sends an empty secret: it works for a client whose secret is empty.
    const ops = await clientGrant(origin, "ops", "");
    expect(ops.json.scope).toContain("cloud_controller.admin");
    expect((await clientGrant(origin, "ci-bot", "")).json.error).toBe("invalid_client");
  });

  it("a world's user with a password of their own logs in with it, not with 'password'", async () => {
    const world = async (seed: number) => {
      const w = await buildFixtureWorld(seed);
      return { ...w, users: w.users.map((u) => (u.name === "space-developer" ? { ...u, password: "hunter2" } : u)) };
    };
    const { origin } = await start({ world });
    expect((await passwordGrant(origin, "space-developer", "hunter2")).status).toBe(200);
    expect((await passwordGrant(origin, "space-developer", "password")).status).toBe(401);
  });
});

describe("cf logout (1.11): revocation", () => {
  it("revokes the refresh token's jti, then the access token's; both are refused afterwards", async () => {
    const { origin } = await start();
    const auth = await passwordGrant(origin, "space-developer", "password");
    const access = claimsOf(auth.json.access_token);
    expect(access.revocable).toBe(true);
    const headers = { ...UAA_HEADERS, Authorization: `bearer ${auth.json.access_token}` };
    for (const jti of [claimsOf(auth.json.refresh_token).jti, access.jti]) {
      const r = await send(origin, "DELETE", `/oauth/token/revoke/${jti}`, headers);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({});
    }
    const list = await listPackages(origin, auth.json.access_token);
    expect([list.status, list.json.errors[0].title]).toEqual([401, "CF-InvalidAuthToken"]);
    const refreshed = await refreshGrant(origin, auth.json.refresh_token);
    expect([refreshed.status, refreshed.json.error]).toEqual([401, "invalid_token"]);
    // Another login is unaffected.
    const again = await passwordGrant(origin, "space-developer", "password");
    expect((await listPackages(origin, again.json.access_token)).status).toBe(200);
    // Without a valid token, no revocation.
    const anonymous = await send(origin, "DELETE", `/oauth/token/revoke/${again.json.jti}`, UAA_HEADERS);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error).toBe("unauthorized");
  });
});

describe("msw routes UAA too", () => {
  it("GET /login and POST /oauth/token through the handlers", async () => {
    const s = await setup({}, "msw");
    close = s.close;
    const login = await s.api.call("/login", { headers: { accept: "application/json" } });
    expect(login.json.links.login).toBe(s.api.origin);
    const token = await s.api.call("/oauth/token", {
      method: "POST",
      headers: { "content-type": FORM, authorization: "Basic Y2Y6", accept: "application/json" },
      body: "grant_type=password&password=password&username=admin",
    });
    expect(token.status).toBe(200);
    expect(token.json.token_type).toBe("bearer");
  });
});
