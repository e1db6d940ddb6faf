import { createHmac } from "node:crypto";
import { SignJWT, UnsecuredJWT, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { DEFAULT_SIGNING_KEY, USER_SCOPES, checkAuthorization, mintToken, type TokenClaims } from "./tokens.js";

const NOW = Date.UTC(2030, 0, 2, 3, 4, 5); // a whole second
const S = NOW / 1000;
const USER = { userId: "user-guid-1", userName: "alice", scope: ["openid", "cloud_controller.read"] };

const NOT_BEARER = "the Authorization header is not 'bearer <token>'";
const MALFORMED = "the token is not a well-formed JWT";
const BAD_SIGNATURE = "the token's signature does not match the simulator's signing key";
const EXPIRED = "the token has expired";

function decode(token: string): { header: unknown; payload: Record<string, unknown> } {
  const [h, p] = token.split(".");
  const json = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return { header: json(h!), payload: json(p!) };
}

/** A token with exactly these claims, for shapes mintToken never makes. */
function sign(claims: JWTPayload, key = DEFAULT_SIGNING_KEY, alg = "HS256"): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
}

const check = (header: string | null, nowMs = NOW, cache?: Map<string, TokenClaims>) =>
  checkAuthorization(header, DEFAULT_SIGNING_KEY, nowMs, cache);

describe("mintToken", () => {
  it("mints the claims of a cf CLI password-grant token", async () => {
    const { header, payload } = decode(await mintToken({ ...USER, now: NOW }));
    expect(header).toStrictEqual({ alg: "HS256", typ: "JWT", kid: "mock-packages" });
    expect(payload).toStrictEqual({
      jti: `user-guid-1-${S}`,
      sub: "user-guid-1",
      scope: ["openid", "cloud_controller.read"],
      client_id: "cf",
      cid: "cf",
      azp: "cf",
      grant_type: "password",
      user_id: "user-guid-1",
      origin: "uaa",
      user_name: "alice",
      email: "alice@example.local",
      zid: "uaa",
      aud: ["cloud_controller", "openid", "uaa", "cf"],
      iat: S,
      exp: S + 3600,
      iss: "http://127.0.0.1/uaa/oauth/token",
    });
  });

  it("signs with HMAC-SHA256 under the default key, or the key given", async () => {
    const hmac = (token: string, key: string) => {
      const [h, p] = token.split(".");
      return createHmac("sha256", key).update(`${h}.${p}`).digest("base64url");
    };
    const byDefault = await mintToken({ ...USER, now: NOW });
    expect(byDefault.split(".")[2]).toBe(hmac(byDefault, "mock-packages-signing-key"));
    const byKey = await mintToken({ ...USER, now: NOW, signingKey: "k2" });
    expect(byKey.split(".")[2]).toBe(hmac(byKey, "k2"));
    expect(byKey.split(".").slice(0, 2)).toEqual(byDefault.split(".").slice(0, 2));
  });

  it("is deterministic within a second: times are whole seconds, rounded down", async () => {
    const a = await mintToken({ ...USER, now: NOW });
    expect(await mintToken({ ...USER, now: NOW + 999 })).toBe(a);
    expect(await mintToken({ ...USER, now: NOW + 1000 })).not.toBe(a);
  });

  it("sets the lifetime from expiresIn, keeping iat before exp when it is negative", async () => {
    const times = async (expiresIn: number) => {
      const { payload } = decode(await mintToken({ ...USER, now: NOW, expiresIn }));
      return [payload.iat, payload.exp];
    };
    expect(await times(60)).toEqual([S, S + 60]);
    expect(await times(0)).toEqual([S - 1, S]);
    expect(await times(-3600)).toEqual([S - 3601, S - 3600]);
  });
});

describe("checkAuthorization: the header", () => {
  it("reports a missing, empty or blank header as missing", async () => {
    for (const header of [null, "", "   "]) expect(await check(header)).toStrictEqual({ ok: false, reason: "missing" });
  });

  it("takes the scheme word in any case, with spaces around", async () => {
    const token = await mintToken({ ...USER, now: NOW });
    for (const scheme of ["bearer", "Bearer", "BEARER", "bEaReR"]) {
      const result = await check(`${scheme} ${token}`);
      expect(result.ok && result.claims.user_id, scheme).toBe("user-guid-1");
    }
    const spaced = await check(`  bearer \t ${token}  `);
    expect(spaced.ok && spaced.claims.user_name).toBe("alice");
  });

  it("refuses any other shape of header", async () => {
    const token = await mintToken({ ...USER, now: NOW });
    for (const header of ["Basic dXNlcjpwYXNz", `Token ${token}`, "bearer", `bearer${token}`, `bearer ${token} x`]) {
      expect(await check(header), header).toStrictEqual({ ok: false, reason: "invalid", why: NOT_BEARER });
    }
  });
});

describe("checkAuthorization: the token", () => {
  it("refuses a token that is not a well-formed HS256 JWT", async () => {
    const token = await mintToken({ ...USER, now: NOW });
    const headerless = token.split(".").slice(1).join(".");
    const hs512 = await sign({ user_id: "u", exp: S + 60 }, DEFAULT_SIGNING_KEY, "HS512");
    const none = new UnsecuredJWT({ user_id: "u", exp: S + 60 }).encode();
    for (const bad of ["abc", "a.b.c", headerless, hs512, none]) {
      expect(await check(`bearer ${bad}`), bad).toStrictEqual({ ok: false, reason: "invalid", why: MALFORMED });
    }
  });

  it("refuses a token signed with another key, or with its signature cut off", async () => {
    const token = await mintToken({ ...USER, now: NOW, signingKey: "someone-else" });
    expect(await check(`bearer ${token}`)).toStrictEqual({ ok: false, reason: "invalid", why: BAD_SIGNATURE });
    const unsigned = `${token.split(".").slice(0, 2).join(".")}.`;
    expect(await check(`bearer ${unsigned}`)).toStrictEqual({ ok: false, reason: "invalid", why: BAD_SIGNATURE });
    expect((await checkAuthorization(`bearer ${token}`, "someone-else", NOW)).ok).toBe(true);
  });

  it("accepts a token until the second of its exp, then refuses it as expired", async () => {
    const token = await mintToken({ ...USER, now: NOW, expiresIn: 60 });
    expect((await check(`bearer ${token}`, NOW + 59_999)).ok).toBe(true);
    expect(await check(`bearer ${token}`, NOW + 60_000)).toStrictEqual({ ok: false, reason: "invalid", why: EXPIRED });
    const stale = await mintToken({ ...USER, now: NOW, expiresIn: -1 });
    expect(await check(`bearer ${stale}`)).toStrictEqual({ ok: false, reason: "invalid", why: EXPIRED });
  });

  it("returns the claims with scope as an array and exp in seconds", async () => {
    const result = await check(`bearer ${await mintToken({ ...USER, now: NOW })}`);
    expect(result.ok).toBe(true);
    const claims = (result as { claims: TokenClaims }).claims;
    expect([claims.user_id, claims.user_name, claims.scope, claims.exp]).toEqual([
      "user-guid-1",
      "alice",
      ["openid", "cloud_controller.read"],
      S + 3600,
    ]);
    expect(claims.email).toBe("alice@example.local");
  });

  it("splits a space-separated scope string, and keeps only the strings of a scope array", async () => {
    const claimsOf = async (scope: unknown) => {
      const result = await check(`bearer ${await sign({ user_id: "u", scope, exp: S + 60 })}`);
      return result.ok ? result.claims.scope : result;
    };
    expect(await claimsOf("openid cloud_controller.read  uaa.user")).toEqual([
      "openid",
      "cloud_controller.read",
      "uaa.user",
    ]);
    expect(await claimsOf(["openid", 7, null, "cloud_controller.write"])).toEqual(["openid", "cloud_controller.write"]);
    expect(await claimsOf(undefined)).toEqual([]);
    expect(await claimsOf({ read: true })).toEqual([]);
  });

  it("takes sub as the user_id when user_id is absent, and refuses a token with neither", async () => {
    const withSub = await check(`bearer ${await sign({ sub: "from-sub", exp: S + 60 })}`);
    expect(withSub.ok && [withSub.claims.user_id, withSub.claims.user_name]).toEqual(["from-sub", ""]);
    const neither = await check(`bearer ${await sign({ user_name: "x", exp: S + 60 })}`);
    expect(neither).toStrictEqual({ ok: false, reason: "invalid", why: "the token has no user_id" });
  });

  it("prefers a string user_id over sub, and never passes on a user_id that is not a string", async () => {
    const both = await check(`bearer ${await sign({ user_id: "uid", sub: "sid", exp: S + 60 })}`);
    expect(both.ok && both.claims.user_id).toBe("uid");
    const numeric = await check(`bearer ${await sign({ user_id: 42, sub: "sid", exp: S + 60 })}`);
    expect(numeric.ok && numeric.claims.user_id).toBe("sid");
    const numericOnly = await check(`bearer ${await sign({ user_id: 42, exp: S + 60 })}`);
    expect(numericOnly).toStrictEqual({ ok: false, reason: "invalid", why: "the token has no user_id" });
  });

  it("accepts a token without exp, with an exp in the far future", async () => {
    const result = await check(`bearer ${await sign({ user_id: "u" })}`, Date.UTC(2999, 0, 1));
    expect(result.ok && result.claims.exp).toBe(Number.MAX_SAFE_INTEGER / 1000);
  });
});

describe("checkAuthorization: the verified-token cache", () => {
  it("keeps the claims of a verified token under its text, and nothing for a refused one", async () => {
    const cache = new Map<string, TokenClaims>();
    const token = await mintToken({ ...USER, now: NOW });
    const result = await check(`Bearer ${token}`, NOW, cache);
    expect([...cache.keys()]).toEqual([token]);
    expect(result.ok && result.claims).toBe(cache.get(token));
    await check(`bearer ${await mintToken({ ...USER, now: NOW, signingKey: "other" })}`, NOW, cache);
    await check("bearer abc", NOW, cache);
    expect(cache.size).toBe(1);
  });

  it("answers from the cache without verifying again, whatever the scheme's case", async () => {
    const claims: TokenClaims = { user_id: "cached", user_name: "c", scope: ["x"], exp: S + 10 };
    const cache = new Map([["not-a-jwt", claims]]);
    expect(await check("BEARER not-a-jwt", NOW, cache)).toStrictEqual({ ok: true, claims });
    expect(await check("bearer not-a-jwt-either", NOW, cache)).toMatchObject({ ok: false, why: MALFORMED });
  });

  it("refuses a cached token once it has expired, and forgets it", async () => {
    const cache = new Map<string, TokenClaims>();
    const token = await mintToken({ ...USER, now: NOW, expiresIn: 60 });
    expect((await check(`bearer ${token}`, NOW, cache)).ok).toBe(true);
    expect((await check(`bearer ${token}`, NOW + 59_999, cache)).ok).toBe(true);
    expect(await check(`bearer ${token}`, NOW + 60_000, cache)).toStrictEqual({
      ok: false,
      reason: "invalid",
      why: EXPIRED,
    });
    expect(cache.size).toBe(0);
  });

  it("starts over when it holds 10 000 tokens", async () => {
    const filler: TokenClaims = { user_id: "f", user_name: "", scope: [], exp: S + 10 };
    const cache = new Map(Array.from({ length: 10_000 }, (_, i) => [`t${i}`, filler] as const));
    const token = await mintToken({ ...USER, now: NOW });
    await check(`bearer ${token}`, NOW, cache);
    expect([...cache.keys()]).toEqual([token]);
  });
});

describe("USER_SCOPES", () => {
  it("are the scopes UAA grants the cf client for a user without global roles", () => {
    expect(USER_SCOPES).toEqual([
      "openid",
      "cloud_controller.read",
      "cloud_controller.write",
      "uaa.user",
      "routing.router_groups.read",
      "network.write",
    ]);
  });
});
