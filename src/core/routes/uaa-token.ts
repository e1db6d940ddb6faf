/**
 * UAA's token endpoint on the simulator's own origin, `POST /oauth/token`, as the cf CLI uses it
 * (`api/uaa/auth.go`, `api/uaa/refresh_token.go`): the `password`, `refresh_token` and
 * `client_credentials` grants, form-encoded, the client authenticated by HTTP Basic
 * (`Authorization: Basic Y2Y6`, client `cf` with an empty secret) or by `client_id` and
 * `client_secret` in the form. Errors are UAA's `{"error", "error_description"}`.
 */
import {
  CF_CLIENT_ID,
  mintClientAccessToken,
  mintRefreshToken,
  mintUserAccessToken,
  readRefreshToken,
  type Issued,
  type Minting,
} from "../auth/uaa-tokens.js";
import { scopesForRole } from "../auth/user-tokens.js";
import type { Context } from "../context.js";
import { json, type Answer } from "../http/answer.js";
import { readFormText } from "../http/form-body.js";
import { redactQuery } from "../journal/redact.js";
import { DEFAULT_SANDBOX } from "../sandboxes/resolve.js";
import type { ClientData } from "../world/model.js";
import { findClient, findUser, passwordOf, sameText, uaaError, UaaError } from "./uaa-support.js";

/** Token answers are never cached (RFC 6749 §5.1). */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** `POST /oauth/token`. */
export async function handleToken(ctx: Context): Promise<Answer> {
  try {
    const form = await readForm(ctx);
    const grantType = form.get("grant_type");
    if (!grantType) throw new UaaError(400, "invalid_request", "Missing grant type");
    const client = authenticateClient(ctx, form);
    if (!GRANTS_OF(client).includes(grantType)) {
      if (!KNOWN_GRANTS.includes(grantType)) {
        throw new UaaError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
      }
      throw new UaaError(401, "invalid_client", `Unauthorized grant type: ${grantType}`);
    }
    const m: Minting = {
      signingKey: ctx.services.options.signingKey,
      origin: ctx.origin,
      now: ctx.services.now(),
      ttl: ctx.services.options.tokenTtl,
      // Reached in a sandbox (its prefix or header): the tokens carry it, as the admin API's do.
      ...(ctx.services.sandboxId !== DEFAULT_SANDBOX ? { sandbox: ctx.services.sandboxId } : {}),
    };
    if (grantType === "password") return await passwordGrant(ctx, m, form);
    if (grantType === "refresh_token") return await refreshGrant(ctx, m, form, client);
    return tokenAnswer(await mintClientAccessToken(m, client.id, clientScopes(client)), m.ttl, undefined);
  } catch (error) {
    if (error instanceof UaaError) return uaaError(error, NO_STORE);
    throw error;
  }
}

const KNOWN_GRANTS = ["password", "refresh_token", "client_credentials"];
const GRANTS_OF = (client: ClientData): string[] =>
  client.id === CF_CLIENT_ID ? ["password", "refresh_token"] : ["client_credentials"];

/** The form's parameters, the query's first (a servlet's request parameters); the journal keeps it redacted. */
async function readForm(ctx: Context): Promise<URLSearchParams> {
  const text = await readFormText(ctx.request);
  if (text === null) throw new UaaError(400, "invalid_request", "The request body is too large");
  ctx.trace.body = text === "" ? null : redactQuery(`?${text}`).slice(1);
  const form = new URLSearchParams(ctx.url.search);
  for (const [name, value] of new URLSearchParams(text)) form.append(name, value);
  return form;
}

/**
 * The client, by HTTP Basic (`client_secret_basic`) or by the form's `client_id` and
 * `client_secret` (`client_secret_post`); 401 `invalid_client` "Bad credentials" otherwise.
 */
function authenticateClient(ctx: Context, form: URLSearchParams): ClientData {
  const header = ctx.request.headers.get("authorization");
  let id: string | null;
  let secret: string | null;
  if (header !== null && header.trim() !== "") {
    const basic = /^\s*basic\s+(\S+)\s*$/i.exec(header);
    const decoded = basic ? decodeBase64(basic[1]!) : null;
    const colon = decoded?.indexOf(":") ?? -1;
    if (decoded === null || colon < 0) throw badClient();
    id = decoded.slice(0, colon);
    secret = decoded.slice(colon + 1);
  } else {
    id = form.get("client_id");
    secret = form.get("client_secret") ?? "";
  }
  const client = id === null ? undefined : findClient(ctx.state, id);
  if (!client || !sameText(secret ?? "", client.secret)) throw badClient();
  return client;
}

const badClient = () => new UaaError(401, "invalid_client", "Bad credentials");

function decodeBase64(text: string): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** `grant_type=password`: a user of the world and their password; 401 "Bad credentials" otherwise. */
async function passwordGrant(ctx: Context, m: Minting, form: URLSearchParams): Promise<Answer> {
  // `cf auth --origin X` sends `login_hint={"origin":"X"}`: every user here is of the origin `uaa`.
  if (hintedOrigin(form.get("login_hint")) !== "uaa") {
    throw new UaaError(401, "unauthorized", "The origin provided in the login hint is invalid.");
  }
  const user = findUser(ctx.state, form.get("username") ?? "");
  if (!user || !sameText(form.get("password") ?? "", passwordOf(user))) {
    throw new UaaError(401, "unauthorized", "Bad credentials");
  }
  const grant = { userId: user.guid, userName: user.name, scope: scopesForRole(user.globalRole) };
  const issued = await mintUserAccessToken(m, grant);
  return tokenAnswer(issued, m.ttl, await mintRefreshToken(m, grant));
}

/** The origin a `login_hint` names (`uaa` without one), or null when it names none readably. */
function hintedOrigin(hint: string | null): string | null {
  if (hint === null) return "uaa";
  try {
    const origin = (JSON.parse(hint) as { origin?: unknown } | null)?.origin;
    return typeof origin === "string" ? origin : null;
  } catch {
    return null;
  }
}

/**
 * `grant_type=refresh_token`: a new access token for the grant the refresh token carries, and
 * the same refresh token back (UAA does not rotate them by default). A refresh token that is
 * not the simulator's, expired or revoked: 401 `invalid_token`.
 */
async function refreshGrant(ctx: Context, m: Minting, form: URLSearchParams, client: ClientData): Promise<Answer> {
  const token = form.get("refresh_token") ?? "";
  const check = await readRefreshToken(token, m.signingKey, m.now);
  if (!check.ok) {
    const why = check.reason === "expired" ? "Invalid refresh token (expired): " : "Invalid refresh token: ";
    throw new UaaError(401, "invalid_token", why + token.slice(0, 2048));
  }
  if (ctx.services.revokedTokens.has(check.jti)) {
    throw new UaaError(401, "invalid_token", `Invalid refresh token: ${token.slice(0, 2048)}`);
  }
  if (check.clientId !== client.id) {
    throw new UaaError(400, "invalid_grant", `Wrong client for this refresh token: ${client.id}`);
  }
  // The user's scopes as the world has them now; a user the world no longer has keeps the granted ones.
  const user = ctx.state.users.get(check.grant.userId);
  const grant = user ? { ...check.grant, scope: scopesForRole(user.globalRole) } : check.grant;
  return tokenAnswer(await mintUserAccessToken(m, grant), m.ttl, token);
}

function clientScopes(client: ClientData): string[] {
  if (client.scopes) return [...client.scopes];
  return client.admin ? ["cloud_controller.admin", "cloud_controller.read", "cloud_controller.write"] : ["uaa.none"];
}

/** UAA's token answer, keys in its order (`TokenEndpointDocs`): no `refresh_token` for clients. */
function tokenAnswer(issued: Issued, ttl: number, refreshToken: string | undefined): Answer {
  return json(
    200,
    {
      access_token: issued.accessToken,
      token_type: "bearer",
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      expires_in: Math.max(0, ttl - 1),
      scope: issued.scope.join(" "),
      jti: issued.jti,
    },
    NO_STORE,
  );
}
