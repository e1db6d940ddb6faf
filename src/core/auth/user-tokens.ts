/**
 * Tokens for the fixture users (or any user name), as `mock-packages token` prints them.
 */
import type { GlobalRole } from "../world/model.js";
import { USER_SCOPES, mintToken } from "./tokens.js";

const GLOBAL_ROLE_OF: Record<string, GlobalRole> = {
  admin: "admin",
  "admin-read-only": "admin_read_only",
  "global-auditor": "global_auditor",
};

/** The scopes UAA would grant a user with this global role (none: read and write). */
export function scopesForRole(role: GlobalRole | undefined): string[] {
  switch (role) {
    case "admin":
      return ["openid", "cloud_controller.admin", "cloud_controller.read", "cloud_controller.write", "uaa.user"];
    case "admin_read_only":
      return ["openid", "cloud_controller.admin_read_only", "uaa.user"];
    case "global_auditor":
      return ["openid", "cloud_controller.global_auditor", "uaa.user"];
    default:
      return [...USER_SCOPES];
  }
}

/** The scopes of a fixture user, by name: global roles get their own scope, everyone else read and write. */
export function scopesForUser(userName: string): string[] {
  return scopesForRole(GLOBAL_ROLE_OF[userName]);
}

export interface MintUserTokenOptions {
  /** Replace the default scopes. */
  scope?: readonly string[];
  /** The user's global role, for users of a world file (fixture users' roles are known by name). */
  globalRole?: GlobalRole;
  /** Lifetime in seconds; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** An already expired token (one hour in the past). */
  expired?: boolean;
  signingKey?: string;
  /** The user's guid; default: the stable guid of the name, as fixture users have. */
  userId?: string;
  now?: number;
  /**
   * A sandbox id: the token carries it as its `mock_sandbox` claim, and every request with it is
   * served by that sandbox, whatever URL it is sent to. Default: none (the default sandbox, or the
   * one a path prefix or `X-Mock-Sandbox` names).
   */
  sandbox?: string;
}

/**
 * A token for a user by name. Fixture users' guids depend on their name only,
 * so the token works against a simulator started with any seed.
 */
export async function mintUserToken(userName: string, options: MintUserTokenOptions = {}): Promise<string> {
  // Loaded here, not with the package: the stable guids bring a SHA-1 implementation.
  const { userGuid } = await import("../world/stable-guid.js");
  return mintToken({
    userId: options.userId ?? userGuid(userName),
    userName,
    scope: options.scope ?? (options.globalRole ? scopesForRole(options.globalRole) : scopesForUser(userName)),
    expiresIn: options.expired ? -3600 : options.expiresIn,
    signingKey: options.signingKey,
    now: options.now,
    ...(options.sandbox !== undefined ? { extra: { mock_sandbox: options.sandbox } } : {}),
  });
}
