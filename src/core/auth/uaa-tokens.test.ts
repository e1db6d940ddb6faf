import { describe, expect, it } from "vitest";
import { checkAuthorization } from "./tokens.js";
import {
  REFRESH_TOKEN_TTL,
  mintClientAccessToken,
  mintRefreshToken,
  mintUserAccessToken,
  newJti,
  readRefreshToken,
  type Minting,
} from "./uaa-tokens.js";

const m: Minting = { signingKey: "k", origin: "http://127.0.0.1:4010", now: Date.UTC(2026, 0, 1), ttl: 30 };
const grant = { userId: "guid-1", userName: "alice", scope: ["openid", "cloud_controller.read"] };
const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString());

describe("UAA tokens", () => {
  it("jtis are 32 hex digits, never the same", () => {
    expect(newJti()).toMatch(/^[0-9a-f]{32}$/);
    expect(newJti()).not.toBe(newJti());
  });

  it("a user's access token has the claims the cf CLI reads and is accepted by the Cloud Controller's check", async () => {
    const issued = await mintUserAccessToken(m, grant);
    const claims = payload(issued.accessToken);
    expect(claims).toMatchObject({
      jti: issued.jti,
      user_id: "guid-1",
      user_name: "alice",
      origin: "uaa",
      revocable: true,
    });
    expect(claims.exp - claims.iat).toBe(30);
    expect(claims.iss).toBe("http://127.0.0.1:4010/oauth/token");
    const check = await checkAuthorization(`bearer ${issued.accessToken}`, "k", m.now);
    expect(check.ok).toBe(true);
  });

  it("a client's token has no user, and its id as sub and client_id", async () => {
    const issued = await mintClientAccessToken(m, "bot", ["cloud_controller.admin"]);
    const claims = payload(issued.accessToken);
    expect(claims).toMatchObject({ sub: "bot", client_id: "bot", grant_type: "client_credentials" });
    expect(claims.user_name).toBeUndefined();
    const check = await checkAuthorization(`bearer ${issued.accessToken}`, "k", m.now);
    expect(check.ok && check.claims.user_id).toBe("bot");
  });

  it("a refresh token reads back its grant, is no access token, and expires after 30 days", async () => {
    const refresh = await mintRefreshToken(m, grant);
    const read = await readRefreshToken(refresh, "k", m.now);
    expect(read).toMatchObject({ ok: true, clientId: "cf", grant: { userId: "guid-1", userName: "alice" } });
    expect((await checkAuthorization(`bearer ${refresh}`, "k", m.now)).ok).toBe(false);
    const access = await mintUserAccessToken(m, grant);
    expect(await readRefreshToken(access.accessToken, "k", m.now)).toEqual({ ok: false, reason: "invalid" });
    expect(await readRefreshToken(refresh, "other", m.now)).toEqual({ ok: false, reason: "invalid" });
    expect(await readRefreshToken(refresh, "k", m.now + (REFRESH_TOKEN_TTL + 1) * 1000)).toEqual({
      ok: false,
      reason: "expired",
    });
  });
});
