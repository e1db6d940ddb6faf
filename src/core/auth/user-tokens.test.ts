import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_SIGNING_KEY, USER_SCOPES, checkAuthorization } from "./tokens.js";
import { mintUserToken, scopesForRole, scopesForUser } from "./user-tokens.js";

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const S = NOW / 1000;

const ADMIN = ["openid", "cloud_controller.admin", "cloud_controller.read", "cloud_controller.write", "uaa.user"];
const ADMIN_READ_ONLY = ["openid", "cloud_controller.admin_read_only", "uaa.user"];
const GLOBAL_AUDITOR = ["openid", "cloud_controller.global_auditor", "uaa.user"];
const READ_WRITE = [
  "openid",
  "cloud_controller.read",
  "cloud_controller.write",
  "uaa.user",
  "routing.router_groups.read",
  "network.write",
];

/** The fixture users without a global role (the world's FIXTURE_USERS, less the first three). */
const ROLELESS_FIXTURE_USERS = [
  "space-developer",
  "space-manager",
  "space-auditor",
  "space-supporter",
  "org-manager",
  "org-auditor",
  "org-billing-manager",
  "no-role",
];

/** The stable guid of a name, computed here independently: SHA-1 shaped as a version-5 uuid. */
function expectedGuid(name: string): string {
  const h = createHash("sha1").update(`mock-packages:user:${name}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 3) | 8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

describe("scopesForRole", () => {
  it("gives each global role its own scope, and everyone else read and write", () => {
    expect(scopesForRole("admin")).toEqual(ADMIN);
    expect(scopesForRole("admin_read_only")).toEqual(ADMIN_READ_ONLY);
    expect(scopesForRole("global_auditor")).toEqual(GLOBAL_AUDITOR);
    expect(scopesForRole(undefined)).toEqual(READ_WRITE);
    expect(scopesForRole(undefined)).toEqual(USER_SCOPES);
  });

  it("returns a fresh array each time", () => {
    scopesForRole(undefined).push("tampered");
    scopesForRole("admin").push("tampered");
    expect(scopesForRole(undefined)).toEqual(READ_WRITE);
    expect(scopesForRole("admin")).toEqual(ADMIN);
    expect(USER_SCOPES).toEqual(READ_WRITE);
  });
});

describe("scopesForUser", () => {
  it("knows the global roles of the fixture users by name", () => {
    expect(scopesForUser("admin")).toEqual(ADMIN);
    expect(scopesForUser("admin-read-only")).toEqual(ADMIN_READ_ONLY);
    expect(scopesForUser("global-auditor")).toEqual(GLOBAL_AUDITOR);
  });

  it.each(ROLELESS_FIXTURE_USERS)("gives %s read and write", (name) => {
    expect(scopesForUser(name)).toEqual(READ_WRITE);
  });

  it("gives unknown names, and names spelled like role ids, read and write", () => {
    for (const name of ["alice", "Admin", "admin_read_only", "global_auditor", ""]) {
      expect(scopesForUser(name), name).toEqual(READ_WRITE);
    }
  });
});

describe("mintUserToken", () => {
  it("mints a token for the user's stable guid, name and scopes", async () => {
    const payload = payloadOf(await mintUserToken("admin-read-only", { now: NOW }));
    expect(payload).toMatchObject({
      user_id: expectedGuid("admin-read-only"),
      sub: expectedGuid("admin-read-only"),
      user_name: "admin-read-only",
      email: "admin-read-only@example.local",
      scope: ADMIN_READ_ONLY,
      iat: S,
      exp: S + 3600,
    });
  });

  it("derives the user_id from the name only", async () => {
    const id = async (name: string, now: number) => payloadOf(await mintUserToken(name, { now })).user_id;
    expect(await id("space-developer", NOW)).toBe("6e49b0db-ec96-52ad-84ea-ec28cb756508");
    expect(await id("space-developer", NOW + 86_400_000)).toBe(expectedGuid("space-developer"));
    expect(await id("no-role", NOW)).toBe(expectedGuid("no-role"));
    expect(await id("no-role", NOW)).not.toBe(await id("space-developer", NOW));
  });

  const byUser: Array<[string, string[]]> = [
    ["admin", ADMIN],
    ["admin-read-only", ADMIN_READ_ONLY],
    ["global-auditor", GLOBAL_AUDITOR],
    ...ROLELESS_FIXTURE_USERS.map((name): [string, string[]] => [name, READ_WRITE]),
  ];
  it.each(byUser)("gives %s the scopes of its role", async (name, scopes) => {
    expect(payloadOf(await mintUserToken(name, { now: NOW })).scope).toEqual(scopes);
  });

  it("takes the scopes of globalRole over those of the name, and an explicit scope over both", async () => {
    const scope = async (name: string, options: Parameters<typeof mintUserToken>[1]) =>
      payloadOf(await mintUserToken(name, { now: NOW, ...options })).scope;
    expect(await scope("world-user", { globalRole: "global_auditor" })).toEqual(GLOBAL_AUDITOR);
    expect(await scope("admin", { globalRole: "admin_read_only" })).toEqual(ADMIN_READ_ONLY);
    expect(await scope("admin", { globalRole: undefined })).toEqual(ADMIN);
    expect(await scope("admin", { globalRole: "admin", scope: ["openid"] })).toEqual(["openid"]);
    expect(await scope("admin", { scope: [] })).toEqual([]);
  });

  it("mints a token that expired an hour ago with expired: true, whatever expiresIn says", async () => {
    const token = await mintUserToken("space-developer", { now: NOW, expired: true, expiresIn: 7200 });
    expect(payloadOf(token)).toMatchObject({ exp: S - 3600, iat: S - 3601 });
    expect(await checkAuthorization(`bearer ${token}`, DEFAULT_SIGNING_KEY, NOW)).toStrictEqual({
      ok: false,
      reason: "invalid",
      why: "the token has expired",
    });
  });

  it("honours expiresIn, userId and signingKey", async () => {
    const token = await mintUserToken("bob", { now: NOW, expiresIn: 5, userId: "guid-of-bob", signingKey: "k" });
    expect(payloadOf(token)).toMatchObject({ user_id: "guid-of-bob", sub: "guid-of-bob", exp: S + 5 });
    expect((await checkAuthorization(`bearer ${token}`, DEFAULT_SIGNING_KEY, NOW)).ok).toBe(false);
    const result = await checkAuthorization(`bearer ${token}`, "k", NOW);
    expect(result.ok && [result.claims.user_id, result.claims.user_name, result.claims.scope]).toEqual([
      "guid-of-bob",
      "bob",
      READ_WRITE,
    ]);
  });

  it("mints a token the default checkAuthorization accepts until it expires", async () => {
    const token = await mintUserToken("admin", { now: NOW });
    const at = (ms: number) => checkAuthorization(`bearer ${token}`, DEFAULT_SIGNING_KEY, ms);
    const ok = await at(NOW + 3_599_999);
    expect(ok.ok && [ok.claims.user_id, ok.claims.scope]).toEqual([expectedGuid("admin"), ADMIN]);
    expect((await at(NOW + 3_600_000)).ok).toBe(false);
  });
});
