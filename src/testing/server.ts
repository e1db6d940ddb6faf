/**
 * A running mock-packages server seen from a test, over HTTP: its URL, tokens its users
 * can send, and its admin API (reset, scenario, journal, contract verdicts). It works with
 * any server (`npx mock-packages`, `serve()`, the vitest helper's) and any test runner; the
 * vitest helper (`mock-packages/vitest`) hands each test file one of these.
 *
 * @example
 * import { connectToServer } from "mock-packages/testing";
 * const server = connectToServer(process.env.MOCK_PACKAGES_URL!);
 * beforeEach(() => server.reset());
 * const token = await server.token("space-developer");
 */
import { mintUserToken, type MintUserTokenOptions } from "../core/auth/user-tokens.js";
import type { JournalEntry } from "../core/journal/journal.js";
import type { ScenarioInput } from "../core/scenarios/catalog.js";
import type { GlobalRole } from "../core/world/model.js";
import { MockPackagesAssertionError } from "./assertion-error.js";
import { assertVerdicts } from "./contract-verdicts.js";

export interface ServerConnectionOptions {
  /** The server's admin token (`--admin-token`, option `adminToken`), if it has one. */
  adminToken?: string;
  /** The key the server checks tokens with (`--signing-key`); default mock-packages' own. */
  signingKey?: string;
  /**
   * Global roles of the world's users, by name, so that `token()` gives them their scopes.
   * Fixture users' roles are known by name; a world file's users with a global role need it here.
   */
  globalRoles?: Readonly<Record<string, GlobalRole>>;
}

/** What `token()` takes besides the user's name (see `mintUserToken`). */
export type ServerTokenOptions = Pick<MintUserTokenOptions, "expired" | "expiresIn" | "scope" | "globalRole">;

/** The filters of `GET /__mock/journal`. */
export interface ServerJournalQuery {
  method?: string;
  /** The exact path, e.g. `/v3/packages/<guid>/upload`. */
  path?: string;
  status?: number;
  uploads?: boolean;
  /** Only requests that broke the contract; the server must give verdicts (`--contract-verdicts`). */
  violations?: boolean;
}

export interface ServerConnection {
  /** The server's URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /**
   * A bearer token for a user, by name, signed with the server's key. Minted here, not
   * fetched: no request, and it takes `expired`, `expiresIn`, `scope` and `globalRole`.
   */
  token(user: string, options?: ServerTokenOptions): Promise<string>;
  /** `POST /__mock/reset`: the starting world, the start scenario, an empty journal. */
  reset(): Promise<void>;
  /** `GET /__mock/journal`: the requests the server answered, oldest first. */
  journal(query?: ServerJournalQuery): Promise<JournalEntry[]>;
  /** `PUT /__mock/scenario`: how uploads are answered until the next reset. */
  useScenario(scenario: ScenarioInput): Promise<void>;
  /**
   * Asserts that the server checked at least one request against spec/openapi.yaml and
   * that none broke it (see {@link expectNoContractViolationsAt}).
   */
  expectNoContractViolations(): Promise<void>;
}

/** A test's handle on a running server. Nothing is sent until a method is called. */
export function connectToServer(url: string, options: ServerConnectionOptions = {}): ServerConnection {
  const base = url.replace(/\/+$/, "");
  const admin = (path: string, init?: RequestInit) => adminRequest(base, path, options.adminToken, init);
  return {
    url: base,
    token: (user, tokenOptions = {}) =>
      mintUserToken(user, {
        signingKey: options.signingKey,
        globalRole: options.globalRoles?.[user],
        ...tokenOptions,
      }),
    async reset() {
      await admin("/__mock/reset", { method: "POST" });
    },
    async journal(query = {}) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      const search = params.size ? `?${params}` : "";
      return ((await (await admin(`/__mock/journal${search}`)).json()) as { entries: JournalEntry[] }).entries;
    },
    async useScenario(scenario) {
      await admin("/__mock/scenario", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(scenario),
      });
    },
    expectNoContractViolations: () => expectNoContractViolationsAt(base, { adminToken: options.adminToken }),
  };
}

/**
 * Asserts, over the admin API, that a server started with contract verdicts
 * (`--contract-verdicts`, or `contractVerdicts: true` in the vitest helper) checked at
 * least one request and that none broke spec/openapi.yaml. A server without verdicts, or
 * a journal with nothing checked (empty, or reset since), fails: neither proves anything.
 */
export async function expectNoContractViolationsAt(
  url: string,
  options: Pick<ServerConnectionOptions, "adminToken"> = {},
): Promise<void> {
  const base = url.replace(/\/+$/, "");
  // Asked first for its 400: a server without verdicts says so, where the plain journal would only look clean.
  const probe = await adminRequest(base, "/__mock/journal?violations=true", options.adminToken, undefined, [400]);
  if (probe.status === 400) {
    throw new MockPackagesAssertionError(
      `the server at ${base} gives no contract verdicts, so there is nothing to assert: start it with ` +
        "--contract-verdicts (or contractVerdicts: true in the vitest helper's options)",
    );
  }
  await probe.body?.cancel();
  const all = await adminRequest(base, "/__mock/journal", options.adminToken);
  assertVerdicts(((await all.json()) as { entries: JournalEntry[] }).entries);
}

/** One admin API request; anything but a 2xx (or an `allowed` status) is an error that says what to do. */
async function adminRequest(
  base: string,
  path: string,
  adminToken: string | undefined,
  init: RequestInit = {},
  allowed: number[] = [],
): Promise<Response> {
  const method = init.method ?? "GET";
  const headers = new Headers(init.headers);
  if (adminToken) headers.set("Authorization", `bearer ${adminToken}`);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { ...init, headers });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`[mock-packages] ${method} ${base}${path} failed (${cause}): is the server running at ${base}?`, {
      cause: error,
    });
  }
  if (response.ok || allowed.includes(response.status)) return response;
  const text = await response.text();
  const detail = cfDetail(text) ?? (text.slice(0, 200) || "(no body)");
  const hint =
    response.status === 401 || response.status === 403
      ? " The server wants its admin token: pass adminToken (the server's --admin-token)."
      : response.status === 404
        ? " Is the admin API off (--no-admin), or is this not a mock-packages server?"
        : "";
  throw new Error(`[mock-packages] ${method} ${base}${path} answered ${response.status}: ${detail}.${hint}`);
}

/** The `detail` of a CF error envelope, if the text is one. */
function cfDetail(text: string): string | undefined {
  try {
    const detail = (JSON.parse(text) as { errors?: { detail?: unknown }[] }).errors?.[0]?.detail;
    return typeof detail === "string" ? detail : undefined;
  } catch {
    return undefined;
  }
}
