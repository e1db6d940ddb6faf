/**
 * UAA's login info (`GET /login`, `LoginInfoEndpoint`) and token revocation
 * (`DELETE /oauth/token/revoke/{jti}`, what `cf logout` sends for revocable tokens), on the
 * simulator's own origin.
 */
import { checkAuthorization } from "../auth/tokens.js";
import type { Context } from "../context.js";
import { json, type Answer } from "../http/answer.js";
import { UaaError, uaaError } from "./uaa-support.js";

/**
 * `GET /login`: the login info with UAA's default prompts, `username` and `password`, each a
 * `[type, display name]` pair as the cf CLI indexes them. No authentication: the CLI sends its
 * token or an empty `Authorization`, and either is ignored.
 */
export async function handleLoginInfo(ctx: Context): Promise<Answer> {
  const o = ctx.origin;
  return json(200, {
    app: { version: "78.0.0" },
    links: { uaa: o, passwd: "/forgot_password", login: o, register: "/create_account" },
    zone_name: "uaa",
    entityID: ctx.url.hostname,
    commit_id: "mock",
    timestamp: "2026-01-01T00:00:00+0000",
    idpDefinitions: {},
    prompts: {
      username: ["text", "Email"],
      password: ["password", "Password"],
    },
  });
}

/** The most revoked ids remembered; past it the oldest are forgotten (their tokens work again until they expire). */
const REVOKED_LIMIT = 100_000;

/**
 * `DELETE /oauth/token/revoke/{jti}`: with a valid token of the simulator, the token of that id
 * (access or refresh) is refused from then on: `401 CF-InvalidAuthToken` on the Cloud Controller,
 * `invalid_token` at a refresh. 200 `{}`; 401 `invalid_token` without a valid token.
 */
export async function handleRevokeToken(ctx: Context): Promise<Answer> {
  const { options, now, revokedTokens } = ctx.services;
  const header = ctx.request.headers.get("authorization");
  const check = await checkAuthorization(header, options.signingKey, now(), ctx.services.tokenCache);
  if (!check.ok) {
    return check.reason === "missing"
      ? uaaError(new UaaError(401, "unauthorized", "Full authentication is required to access this resource"))
      : uaaError(new UaaError(401, "invalid_token", "The token expired, was revoked, or the token ID is incorrect."));
  }
  if (typeof check.claims.jti === "string" && revokedTokens.has(check.claims.jti)) {
    return uaaError(
      new UaaError(401, "invalid_token", "The token expired, was revoked, or the token ID is incorrect."),
    );
  }
  if (revokedTokens.size >= REVOKED_LIMIT) revokedTokens.delete(revokedTokens.values().next().value!);
  revokedTokens.add(ctx.params.jti!);
  return json(200, {});
}
