/**
 * What a route sees of the simulator for one request.
 */
import { CfError } from "./errors.js";
import type { IdSource } from "./ids.js";
import { Permissions, type Identity } from "./auth/permissions.js";
import type { PresentOptions } from "./presenters.js";
import type { State } from "./world/state.js";
import type { BlobStore } from "./blob-store.js";
import { checkAuthorization, type TokenClaims } from "./auth/tokens.js";
import type { ResolvedOptions } from "./options.js";
import type { JournalMultipart } from "./journal/journal.js";

/** Services of one simulator instance that routes use. */
export interface Runtime {
  readonly state: State;
  readonly store: BlobStore;
  readonly options: ResolvedOptions;
  readonly ids: IdSource;
  now(): number;
  /** Runs `task` in the background; timers are cancelled by reset and close. */
  background(task: () => Promise<void>): void;
  sleep(ms: number): Promise<void>;
  log(level: "info" | "warn" | "error", message: string, error?: unknown): void;
  /** Tokens whose signature was verified, by their text (the signing key is fixed per simulator). */
  readonly tokenCache: Map<string, TokenClaims>;
  /** Resolves when `signal` aborts or the simulator closes: for answers that never come. */
  hang(signal: AbortSignal): Promise<void>;
}

export class Context {
  readonly url: URL;
  readonly origin: string;
  /** The scenario that answered, when one did (for the journal). */
  scenario: string | null = null;
  /** Summary of the multipart body, when the route read one (for the journal). */
  multipart: JournalMultipart | null = null;
  /** The JSON body's text, when the route read one (for the journal). */
  bodyText: string | null = null;
  private permissions: Permissions | undefined;

  constructor(
    readonly request: Request,
    public params: Record<string, string>,
    readonly runtime: Runtime,
  ) {
    this.url = new URL(request.url);
    this.origin = this.url.origin;
  }

  get state(): State {
    return this.runtime.state;
  }

  get present(): PresentOptions {
    return { origin: this.origin, downloadLinkMethod: this.runtime.options.downloadLinkMethod };
  }

  /**
   * Check 1 of every endpoint: a token, well-formed, signed by the simulator's
   * key and not expired. No token: 401 CF-NotAuthenticated; a bad one: 401
   * CF-InvalidAuthToken (`middleware/security_context_setter.rb`).
   */
  async authenticate(): Promise<Permissions> {
    if (this.permissions) return this.permissions;
    const check = await checkAuthorization(
      this.request.headers.get("authorization"),
      this.runtime.options.signingKey,
      this.runtime.now(),
      this.runtime.tokenCache,
    );
    if (!check.ok) {
      if (check.reason === "missing") throw new CfError("NotAuthenticated");
      this.runtime.log("info", `rejected a token: ${check.why}`);
      throw new CfError("InvalidAuthToken");
    }
    const identity: Identity = {
      userId: check.claims.user_id,
      userName: check.claims.user_name,
      scopes: new Set(check.claims.scope),
      user: this.state.users.get(check.claims.user_id),
    };
    this.permissions = new Permissions(identity, this.state);
    return this.permissions;
  }

  /** Authentication, then read scope (403 CF-NotAuthorized without it). */
  async reader(): Promise<Permissions> {
    const perms = await this.authenticate();
    if (!perms.hasReadScope) throw new CfError("NotAuthorized");
    return perms;
  }

  /** Authentication, then write scope: admin or `cloud_controller.write` (upload check 2). */
  async writer(): Promise<Permissions> {
    const perms = await this.authenticate();
    if (!perms.hasWriteScope) throw new CfError("NotAuthorized");
    return perms;
  }

  /** Reads a JSON request body; 400 CF-MessageParseError when it is not JSON. */
  async jsonBody(): Promise<unknown> {
    const text = await this.request.text();
    this.bodyText = text;
    if (text.trim() === "") return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new CfError("MessageParseError", "invalid request body");
    }
  }
}
