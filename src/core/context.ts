/**
 * What a route sees of the simulator for one request.
 */
import { checkAuthorization, type TokenClaims } from "./auth/tokens.js";
import { Permissions, type Identity } from "./auth/permissions.js";
import type { BlobStore } from "./blob-store.js";
import type { BlobSigner } from "./blobstore/signed-url.js";
import { CfError } from "./errors.js";
import { readJsonText } from "./http/json-body.js";
import type { IdSource } from "./ids.js";
import type { Scheduler, Log } from "./jobs/scheduler.js";
import type { Journal, RequestTrace } from "./journal/journal.js";
import type { EventHub } from "./events/hub.js";
import type { UiFiles } from "./routes/dashboard.js";
import type { ResolvedOptions } from "./options.js";
import type { PackageLifecycle, World } from "./packages/lifecycle.js";
import type { PresentOptions } from "./presenters.js";
import type { State } from "./world/state.js";
import type { SandboxRegistry } from "./sandboxes/registry.js";

/** The parts of one simulator that routes use, whatever world it serves. */
export interface Services {
  readonly store: BlobStore;
  readonly options: ResolvedOptions;
  readonly ids: IdSource;
  readonly scheduler: Scheduler;
  readonly journal: Journal;
  /** Tokens whose signature was verified, by their text (the signing key is fixed per simulator). */
  readonly tokenCache: Map<string, TokenClaims>;
  /** The `jti`s revoked at `DELETE /oauth/token/revoke/{jti}`: such tokens are refused. */
  readonly revokedTokens: Set<string>;
  /** Signs and checks the blob URLs downloads redirect to (a secret per simulator). */
  readonly blobSigner: BlobSigner;
  now(): number;
  readonly log: Log;
  /** The live event stream's subscribers (`GET /__mock/events`). */
  readonly events: EventHub;
  /** The dashboard's files, when an adapter (the HTTP server) provides them. */
  readonly uiFiles: UiFiles | null;
  /** Back to the starting world (`POST /__mock/reset`). */
  reset(): Promise<void>;
  /** The server's sandboxes (`/__mock/sandboxes`), shared by all of them. */
  readonly sandboxes: SandboxRegistry;
  /** The sandbox this simulator is: `default` for the server's own state. */
  readonly sandboxId: string;
}

export class Context {
  /** Where the API is as this request reached it: the request's origin and the path the API is served under. */
  readonly origin: string;
  private permissions: Permissions | undefined;

  constructor(
    readonly request: Request,
    readonly url: URL,
    readonly params: Record<string, string>,
    readonly services: Services,
    /** What the journal keeps of this request besides its method, path and headers. */
    readonly trace: RequestTrace,
    /** The world this request began in: a reset retires it, and then the request can change nothing. */
    readonly world: World,
    /** The path the API is served under (`--base-path`, a sandbox's prefix), which every link carries. */
    base = "",
  ) {
    this.origin = url.origin + base;
  }

  get state(): State {
    return this.world.state;
  }

  get lifecycle(): PackageLifecycle {
    return this.world.lifecycle;
  }

  get present(): PresentOptions {
    return { origin: this.origin, downloadLinkMethod: this.services.options.downloadLinkMethod };
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
      this.services.options.signingKey,
      this.services.now(),
      this.services.tokenCache,
    );
    if (!check.ok) {
      if (check.reason === "missing") throw new CfError("NotAuthenticated");
      this.services.log("info", `rejected a token: ${check.why}`);
      throw new CfError("InvalidAuthToken");
    }
    if (typeof check.claims.jti === "string" && this.services.revokedTokens.has(check.claims.jti)) {
      this.services.log("info", "rejected a token: it was revoked");
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
    const text = await readJsonText(this.request, this.services.options.maxJsonBodySize);
    this.trace.body = text;
    if (text.trim() === "") return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new CfError("MessageParseError", "invalid request body");
    }
  }
}
