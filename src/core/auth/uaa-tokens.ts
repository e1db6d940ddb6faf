/**
 * The tokens `POST /oauth/token` hands out, shaped as UAA's (`ClaimConstants`): user access
 * tokens (the password and refresh grants), client access tokens (`client_credentials`), and
 * refresh tokens.
 *
 * Access tokens are the JWTs the rest of the simulator accepts (signed with the signing key).
 * Refresh tokens are JWTs too, so that the cf CLI finds their `jti` at logout, but signed with a
 * key derived from the signing key: one is never taken as an access token, and an access token
 * is never taken as a refresh token. Nothing is remembered but the revoked ids.
 */
import { mintToken, signClaims, verifyClaims } from "./tokens.js";

/** UAA's default `refreshTokenValiditySeconds` (30 days). */
export const REFRESH_TOKEN_TTL = 2592000;

/** The client the cf CLI logs in with: `cf`, with an empty secret. */
export const CF_CLIENT_ID = "cf";

const refreshKey = (signingKey: string) => `${signingKey}#refresh-token`;

/** A token id as UAA makes them: 32 hex digits. */
export function newJti(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface Minting {
  signingKey: string;
  /** The simulator's origin as the request saw it: `iss` is `<origin>/oauth/token`. */
  origin: string;
  /** Milliseconds since the epoch. */
  now: number;
  /** Lifetime of access tokens, in seconds. */
  ttl: number;
  /**
   * The sandbox the token endpoint was reached in, if not the default: the access tokens minted
   * carry it as the `mock_sandbox` claim, so that they reach that sandbox from any URL.
   */
  sandbox?: string;
}

export interface UserGrant {
  userId: string;
  userName: string;
  scope: readonly string[];
  /** `auth_time` of the login the grant goes back to (seconds); a refresh keeps the first. */
  authTime?: number;
  /** A sandbox id, carried as the `mock_sandbox` claim: every request with the token is served by that sandbox. */
  sandbox?: string;
}

export interface Issued {
  accessToken: string;
  jti: string;
  scope: readonly string[];
}

function sandboxClaim(sandbox: string | undefined): { mock_sandbox?: string } {
  return sandbox !== undefined ? { mock_sandbox: sandbox } : {};
}

/** A user's access token: what the password and refresh grants answer. */
export async function mintUserAccessToken(m: Minting, grant: UserGrant): Promise<Issued> {
  const jti = newJti();
  const accessToken = await mintToken({
    userId: grant.userId,
    userName: grant.userName,
    scope: grant.scope,
    expiresIn: m.ttl,
    signingKey: m.signingKey,
    now: m.now,
    jti,
    issuer: `${m.origin}/oauth/token`,
    extra: {
      auth_time: grant.authTime ?? Math.floor(m.now / 1000),
      rev_sig: jti.slice(0, 8),
      revocable: true,
      ...sandboxClaim(grant.sandbox ?? m.sandbox),
    },
  });
  return { accessToken, jti, scope: grant.scope };
}

/** A client's access token (`client_credentials`): no user, `sub` and `client_id` the client's id. */
export async function mintClientAccessToken(m: Minting, clientId: string, scope: readonly string[]): Promise<Issued> {
  const jti = newJti();
  const iat = Math.floor(m.now / 1000);
  const accessToken = await signClaims(
    {
      jti,
      sub: clientId,
      authorities: [...scope],
      scope: [...scope],
      client_id: clientId,
      cid: clientId,
      azp: clientId,
      grant_type: "client_credentials",
      rev_sig: jti.slice(0, 8),
      revocable: true,
      iat,
      exp: iat + m.ttl,
      iss: `${m.origin}/oauth/token`,
      zid: "uaa",
      aud: [...new Set([clientId, ...scope.map((s) => s.split(".")[0]!)])],
      ...sandboxClaim(m.sandbox),
    },
    m.signingKey,
  );
  return { accessToken, jti, scope };
}

/** A refresh token for a user's grant, good for {@link REFRESH_TOKEN_TTL} seconds. */
export async function mintRefreshToken(m: Minting, grant: UserGrant): Promise<string> {
  const iat = Math.floor(m.now / 1000);
  return signClaims(
    {
      jti: `${newJti()}-r`,
      sub: grant.userId,
      iat,
      exp: iat + REFRESH_TOKEN_TTL,
      cid: CF_CLIENT_ID,
      client_id: CF_CLIENT_ID,
      iss: `${m.origin}/oauth/token`,
      zid: "uaa",
      aud: ["cloud_controller", "openid", "uaa", "cf"],
      granted_scopes: [...grant.scope],
      amr: ["pwd"],
      auth_time: grant.authTime ?? iat,
      grant_type: "password",
      user_name: grant.userName,
      origin: "uaa",
      user_id: grant.userId,
      rev_sig: "mock",
    },
    refreshKey(m.signingKey),
  );
}

export type RefreshCheck =
  { ok: true; jti: string; grant: UserGrant; clientId: string } | { ok: false; reason: "expired" | "invalid" };

/** Reads a refresh token the simulator issued: its grant, or why it is refused. */
export async function readRefreshToken(token: string, signingKey: string, nowMs: number): Promise<RefreshCheck> {
  const verified = await verifyClaims(token, refreshKey(signingKey), nowMs);
  if (!verified.ok) return verified;
  const c = verified.claims;
  if (typeof c.jti !== "string" || typeof c.user_id !== "string" || typeof c.user_name !== "string") {
    return { ok: false, reason: "invalid" };
  }
  const scope = Array.isArray(c.granted_scopes) ? c.granted_scopes.filter((s) => typeof s === "string") : [];
  return {
    ok: true,
    jti: c.jti,
    clientId: typeof c.client_id === "string" ? c.client_id : "",
    grant: {
      userId: c.user_id,
      userName: c.user_name,
      scope,
      authTime: typeof c.auth_time === "number" ? c.auth_time : undefined,
    },
  };
}
