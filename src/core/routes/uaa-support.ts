/**
 * What UAA's routes share: its error shape, the clients and the users' passwords.
 */
import { CF_CLIENT_ID } from "../auth/uaa-tokens.js";
import { json, type Answer } from "../http/answer.js";
import type { ClientData, UserData } from "../world/model.js";
import type { State } from "../world/state.js";

export { sameText } from "./admin-guard.js";

/** Every fixture user's password, and a world file's user's unless it sets one. */
export const DEFAULT_PASSWORD = "password";

/** The client the cf CLI logs in with (password and refresh grants). */
const CF_CLIENT: ClientData = Object.freeze({ id: CF_CLIENT_ID, secret: "" });

/** The built-in `client_credentials` client, with the admin scopes. */
export const ADMIN_CLIENT: ClientData = Object.freeze({ id: "admin-client", secret: "secret", admin: true });

/** A UAA error: `{"error": …, "error_description": …}` with its status. */
export class UaaError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export function uaaError(error: UaaError, headers: Record<string, string> = {}): Answer {
  return json(error.status, { error: error.error, error_description: error.description }, headers);
}

/** `cf` first (a world cannot take it away), then the world's clients, then `admin-client`. */
export function findClient(state: State, id: string): ClientData | undefined {
  if (id === CF_CLIENT_ID) return CF_CLIENT;
  return state.clients.get(id) ?? (id === ADMIN_CLIENT.id ? ADMIN_CLIENT : undefined);
}

export function findUser(state: State, name: string): UserData | undefined {
  for (const user of state.users.values()) if (user.name === name) return user;
  return undefined;
}

export function passwordOf(user: UserData): string {
  return user.password ?? DEFAULT_PASSWORD;
}
