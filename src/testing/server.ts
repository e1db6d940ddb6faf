/**
 * A running mock-packages server seen from a test, over HTTP: its URL, tokens its users
 * can send, and its admin API (reset, scenario, journal, contract verdicts). It works with
 * any server (`npx mock-packages`, `serve()`, the vitest helper's) and any test runner; the
 * vitest helper (`mock-packages/vitest`) hands each test file one of these.
 *
 * @example
 * import { connectToServer } from "mock-packages/testing";
 * // A sandbox of its own on a shared server: its own world, scenario and journal.
 * const server = connectToServer(process.env.MOCK_PACKAGES_URL!, { sandbox: `jest-${process.env.JEST_WORKER_ID}` });
 * beforeAll(() => server.openSandbox());
 * beforeEach(() => server.reset());
 * afterAll(() => server.deleteSandbox());
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
  /**
   * A sandbox id (letters, digits, `-`, `_`): the connection then works in that sandbox of the
   * server, which `openSandbox()` creates. `url` is the sandbox's base URL
   * (`<server>/sandboxes/<id>`), `token()` mints tokens carrying its claim, and `reset`,
   * `journal`, `useScenario` and `expectNoContractViolations` see only it. Default: none (the
   * server's default sandbox, shared by every client that names none).
   */
  sandbox?: string;
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
  /**
   * Where the client under test sends its requests: the server's URL
   * (`http://127.0.0.1:40123`), or with a sandbox its base URL (`…/sandboxes/<id>`).
   */
  readonly url: string;
  /** The sandbox this connection works in (the `sandbox` option), or undefined for the default one. */
  readonly sandbox: string | undefined;
  /**
   * A bearer token for a user, by name, signed with the server's key (and carrying the
   * sandbox's claim, so it reaches the sandbox whatever URL it is sent to). Minted here, not
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
  /**
   * `POST /__mock/sandboxes`: creates the connection's sandbox from the server's options, or
   * finds it there already (a later test file of the same worker). Before it, requests to `url`
   * answer 404. Throws on a connection without `sandbox`, or when the server holds its
   * `--max-sandboxes`.
   */
  openSandbox(): Promise<void>;
  /** `DELETE /__mock/sandboxes/<id>`: the sandbox goes with its journal and bits; gone already is fine. */
  deleteSandbox(): Promise<void>;
}

/** A test's handle on a running server. Nothing is sent until a method is called. */
export function connectToServer(url: string, options: ServerConnectionOptions = {}): ServerConnection {
  const root = url.replace(/\/+$/, "");
  const { sandbox, adminToken } = options;
  if (sandbox !== undefined && !SANDBOX_ID.test(sandbox)) {
    throw new Error(
      `[mock-packages] sandbox ${JSON.stringify(sandbox)} is no sandbox id: 1 to 63 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  // Admin operations go through the sandbox's prefix, so they reach its state and no other.
  const base = sandbox === undefined ? root : `${root}/sandboxes/${sandbox}`;
  const admin = (path: string, init?: RequestInit, allowed?: number[]) =>
    adminRequest(base, path, adminToken, init, allowed);
  const own = (what: string) => {
    if (sandbox === undefined) {
      throw new Error(`[mock-packages] ${what} needs a sandbox: pass { sandbox: ID } to connectToServer`);
    }
    return sandbox;
  };
  return {
    url: base,
    sandbox,
    token: (user, tokenOptions = {}) =>
      mintUserToken(user, {
        signingKey: options.signingKey,
        globalRole: options.globalRoles?.[user],
        ...(sandbox === undefined ? {} : { sandbox }),
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
    expectNoContractViolations: () => expectNoContractViolationsAt(base, { adminToken }),
    openSandbox: async () => openSandbox(root, own("openSandbox()"), adminToken),
    async deleteSandbox() {
      const id = own("deleteSandbox()");
      const res = await adminRequest(root, `/__mock/sandboxes/${id}`, adminToken, { method: "DELETE" }, [404]);
      await res.body?.cancel();
    },
  };
}

/** Sandbox ids as the server takes them (`src/core/sandboxes/registry.ts`). */
const SANDBOX_ID = /^(?!default$)[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** Creates a sandbox, or finds it there: a 422 is fine when the sandbox exists, the limit's own message otherwise. */
async function openSandbox(root: string, id: string, adminToken: string | undefined): Promise<void> {
  const created = await adminRequest(
    root,
    "/__mock/sandboxes",
    adminToken,
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id }) },
    [422],
  );
  if (created.status !== 422) return void (await created.body?.cancel());
  const refusal = await created.text();
  const there = await adminRequest(root, `/__mock/sandboxes/${id}`, adminToken, undefined, [404]);
  await there.body?.cancel();
  if (there.status === 404) {
    throw new Error(`[mock-packages] POST ${root}/__mock/sandboxes answered 422: ${cfDetail(refusal) ?? refusal}`);
  }
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
      : response.status === 404 && /\/sandboxes\/[^/]+\/__mock\//.test(`${base}${path}`)
        ? " Call openSandbox() first (the vitest helper does it in a beforeAll), or was the sandbox deleted?"
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
