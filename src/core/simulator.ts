/**
 * The simulator: one object that maps a web-standard `Request` to a
 * `Response` and owns all state. The HTTP server, the msw handlers and the
 * CLI are thin adapters over {@link Simulator.handle}.
 */
import { Context, type Runtime } from "./context.js";
import { CfError } from "./errors.js";
import { FrontEndError } from "./http/front-end-error.js";
import { errorResponse } from "./http/responses.js";
import { createIdSource } from "./ids.js";
import type { WorldData } from "./world/model.js";
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from "./options.js";
import { State } from "./world/state.js";
import { createMemoryStore, type BlobStore } from "./blob-store.js";
import {
  handleCreatePackage,
  handleDeletePackage,
  handleDownloadPackage,
  handleGetPackage,
  handleListAppPackages,
  handleListPackages,
  handleUpdatePackage,
} from "./routes/packages.js";
import { handleUpload } from "./routes/upload.js";
import { handleResourceMatches } from "./routes/resource-matches.js";
import { handleGetApp, handleListApps } from "./routes/apps.js";
import { handleGetFeatureFlag, handleListFeatureFlags, handleUpdateFeatureFlag } from "./routes/feature-flags.js";
import { handleGetJob } from "./routes/jobs.js";
import { handleRoot, handleV3Root } from "./routes/root.js";
import {
  handleBindPackageScenario,
  handleGetScenario,
  handleListScenarios,
  handleSetScenario,
  handleUnbindPackageScenario,
} from "./routes/admin.js";
import { toSetting, type ScenarioInput, type ScenarioSetting } from "./scenarios/catalog.js";
import {
  createJournal,
  redactHeaders,
  type ContractVerdict,
  type Journal,
  type JournalQuery,
} from "./journal/journal.js";
import { json } from "./http/responses.js";

type Handler = (ctx: Context) => Promise<Response>;
interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  const keys: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_, key: string) => {
    keys.push(key);
    return "([^/]+)";
  });
  return { method, pattern: new RegExp(`^${source}/?$`), keys, handler };
}

const ROUTES: Route[] = [
  route("GET", "/", handleRoot),
  route("GET", "/v3", handleV3Root),
  route("POST", "/v3/packages/{guid}/upload", handleUpload),
  route("GET", "/v3/packages/{guid}/download", handleDownloadPackage),
  route("GET", "/v3/packages/{guid}", handleGetPackage),
  route("PATCH", "/v3/packages/{guid}", handleUpdatePackage),
  route("DELETE", "/v3/packages/{guid}", handleDeletePackage),
  route("GET", "/v3/packages", handleListPackages),
  route("POST", "/v3/packages", handleCreatePackage),
  route("POST", "/v3/resource_matches", handleResourceMatches),
  route("GET", "/v3/jobs/{guid}", handleGetJob),
  route("GET", "/v3/apps/{guid}/packages", handleListAppPackages),
  route("GET", "/v3/apps/{guid}", handleGetApp),
  route("GET", "/v3/apps", handleListApps),
  route("GET", "/v3/feature_flags/{name}", handleGetFeatureFlag),
  route("PATCH", "/v3/feature_flags/{name}", handleUpdateFeatureFlag),
  route("GET", "/v3/feature_flags", handleListFeatureFlags),
];

const ADMIN_ROUTES: Route[] = [
  route("GET", "/__mock/scenarios", handleListScenarios),
  route("GET", "/__mock/scenario", handleGetScenario),
  route("PUT", "/__mock/scenario", handleSetScenario),
  route("PUT", "/__mock/packages/{guid}/scenario", handleBindPackageScenario),
  route("DELETE", "/__mock/packages/{guid}/scenario", handleUnbindPackageScenario),
];

const CORS_ALLOW_HEADERS = "Authorization, Content-Type, Prefer, X-Requested-With";
const CORS_EXPOSE_HEADERS = "Location, X-VCAP-Request-ID, X-Mock-Packages-Detail";

export interface Simulator {
  /** Answers one request as the Cloud Controller would. Never rejects. */
  handle(request: Request): Promise<Response>;
  /**
   * Sends a request in process, with no port: `path` may be relative to
   * `options.origin`. `token` is a shortcut for the Authorization header.
   */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** Resolves when the world is loaded; `handle` waits for it by itself. */
  readonly ready: Promise<void>;
  /** Returns to the starting world: cancels background jobs and deletes stored bits. */
  reset(): Promise<void>;
  /** Cancels background work and deletes stored bits. The simulator answers nothing after. */
  close(): Promise<void>;
  /** The live state, for assertions in tests (read it, do not write it). */
  readonly state: State;
  readonly options: Readonly<ResolvedOptions>;
  /** Waits until no background job is running (upload processing, deletes, copies). */
  idle(): Promise<void>;
  /** The global scenario of the upload endpoint. */
  readonly scenario: ScenarioSetting;
  /** Switches the global scenario (until `reset()`, which restores the `scenario` option). */
  useScenario(scenario: ScenarioInput): void;
  /** Binds a scenario to one package, or unbinds it with null. */
  bindScenario(packageGuid: string, scenario: ScenarioInput | null): void;
  /** Every request answered, with multipart summaries and contract verdicts; cleared by `reset()`. */
  readonly journal: Journal;
}

/** Creates a simulator. See {@link SimulatorOptions} for every option and its default. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveOptions(options);
  const store: BlobStore = options.store ?? createMemoryStore();
  const now = options.now ?? (() => Date.now());
  const logger =
    options.logger ??
    ((level, message, error) => {
      if (level !== "info") console.error(`[mock-packages] ${message}`, error ?? "");
    });

  let state = new State();
  const journal = createJournal(resolved.journalLimit);
  let ids = createIdSource(resolved.seed);
  // Request ids come from their own source so that guids do not depend on how many requests came first.
  const requestIds = createIdSource(resolved.seed ^ 0x5eed);
  let generation = 0;
  let closed = false;
  const timers = new Set<() => void>();
  let draining = false;
  const hangs = new Set<() => void>();
  const pending = new Set<Promise<void>>();

  const loadWorld = async (): Promise<State> => {
    const world: WorldData =
      typeof resolved.world === "function"
        ? await resolved.world(resolved.seed)
        : (resolved.world ?? (await (await import("./world/fixture-world.js")).buildFixtureWorld(resolved.seed)));
    const fresh = new State();
    await fresh.load(world, store);
    fresh.scenario = { ...resolved.scenario };
    return fresh;
  };

  let ready = loadWorld().then((s) => {
    state = s;
  });

  const runtime: Runtime = {
    get state() {
      return state;
    },
    store,
    options: resolved,
    get ids() {
      return ids;
    },
    now,
    background(task) {
      const born = generation;
      const p = (async () => {
        try {
          await task();
        } catch (error) {
          if (born === generation) logger("error", "a background job failed", error);
        }
      })();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    sleep(ms) {
      return new Promise<void>((resolve, reject) => {
        // While a reset or close drains the jobs (or after close), no new wait may start.
        if (draining || closed) return reject(new Error("mock-packages: cancelled by reset or close"));
        if (ms <= 0) return resolve();
        // Cancelling (reset, close) rejects at once, so that the job waiting here ends now.
        const cancel = () => {
          clearTimeout(t);
          reject(new Error("mock-packages: cancelled by reset or close"));
        };
        const t = setTimeout(() => {
          timers.delete(cancel);
          resolve();
        }, ms);
        timers.add(cancel);
      });
    },
    log: logger,
    tokenCache: new Map(),
    hang(signal) {
      return new Promise<void>((resolve) => {
        const done = () => {
          hangs.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        if (signal.aborted || closed) return resolve();
        hangs.add(done);
        signal.addEventListener("abort", done);
      });
    },
  };

  /** Cancels every background job and waits until none runs, however far each had got. */
  const drainBackground = async () => {
    draining = true;
    try {
      for (;;) {
        cancelBackground();
        if (pending.size === 0) return;
        await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 5))]);
      }
    } finally {
      draining = false;
    }
  };

  const cancelBackground = () => {
    for (const release of [...hangs]) release();
    generation++;
    const cancels = [...timers];
    timers.clear();
    for (const cancel of cancels) cancel();
  };

  const dispatch = async (request: Request, seen: { ctx: Context | null }): Promise<Response> => {
    try {
      if (closed) throw new CfError("ServiceUnavailable", "The simulator has been closed");
      await ready;
      const url = new URL(request.url);
      const path = url.pathname.replace(/\/{2,}/g, "/");
      const routes = resolved.admin && path.startsWith("/__mock/") ? ADMIN_ROUTES : ROUTES;
      if (resolved.admin && request.method === "POST" && /^\/__mock\/reset\/?$/.test(path)) {
        await api.reset();
        return new Response(null, { status: 204 });
      }
      if (resolved.admin && /^\/__mock\/journal\/?$/.test(path)) {
        if (request.method === "DELETE") {
          journal.clear();
          return new Response(null, { status: 204 });
        }
        if (request.method === "GET") return json(200, { entries: journal.find(journalQuery(url)) });
      }
      for (const r of routes) {
        if (r.method !== request.method.toUpperCase()) continue;
        const m = r.pattern.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        r.keys.forEach((k, i) => {
          params[k] = safeDecode(m[i + 1]!);
        });
        const ctx = new Context(request, params, runtime);
        seen.ctx = ctx;
        return withRequestId(await r.handler(ctx), requestIds);
      }
      // The Cloud Controller answers unknown routes and methods with 404 CF-NotFound.
      throw new CfError("NotFound");
    } catch (error) {
      if (error instanceof CfError) return withRequestId(errorResponse(error), requestIds);
      if (error instanceof FrontEndError) return error.toResponse();
      logger("error", `${request.method} ${request.url} failed unexpectedly`, error);
      return withRequestId(errorResponse(new CfError("UnknownError")), requestIds);
    }
  };

  const handle = async (request: Request): Promise<Response> => {
    const origin = request.headers.get("origin");
    if (resolved.cors && request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
      // A browser's CORS preflight: allow the headers a client of this API sends, Prefer included.
      return new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Origin": origin ?? "*",
          "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers") ?? CORS_ALLOW_HEADERS,
          "Access-Control-Max-Age": "600",
          Vary: "Origin",
        },
      });
    }
    const started = now();
    const seen: { ctx: Context | null } = { ctx: null };
    const requestHeaders = redactHeaders(request.headers);
    const response = await dispatch(request, seen);
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/__mock/") && request.method !== "OPTIONS") {
      const multipart = seen.ctx?.multipart ?? null;
      let contract: ContractVerdict | null = null;
      if (options.contract) {
        try {
          contract = options.contract.checkRequest({
            method: request.method,
            path: url.pathname,
            query: url.search,
            headers: requestHeaders,
            multipart,
            body: seen.ctx?.bodyText ?? null,
          });
        } catch (error) {
          logger("warn", "the contract checker failed", error);
        }
      }
      journal.add({
        time: new Date(started).toISOString(),
        method: request.method.toUpperCase(),
        path: url.pathname,
        query: url.search,
        headers: requestHeaders,
        multipart,
        body: seen.ctx?.bodyText ?? null,
        status: response.type === "error" ? 0 : response.status,
        scenario: seen.ctx?.scenario ?? null,
        contract,
        durationMs: now() - started,
      });
    }
    if (resolved.cors && origin !== null && response.type !== "error") {
      try {
        response.headers.set("Access-Control-Allow-Origin", origin);
        response.headers.set("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
        response.headers.append("Vary", "Origin");
      } catch {
        /* immutable headers */
      }
    }
    return response;
  };

  const api: Simulator = {
    handle,
    async request(path, init = {}) {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== undefined && !headers.has("authorization")) headers.set("authorization", `bearer ${token}`);
      const url = /^https?:\/\//.test(path) ? path : `${resolved.origin}${path.startsWith("/") ? "" : "/"}${path}`;
      return handle(new Request(url, { ...rest, headers }));
    },
    get ready() {
      return ready;
    },
    async reset() {
      journal.clear();
      await drainBackground();
      await ready.catch(() => {});
      await store.clear();
      ids = createIdSource(resolved.seed);
      ready = loadWorld().then((s) => {
        state = s;
      });
      await ready;
    },
    async close() {
      closed = true;
      await drainBackground();
      await store.clear();
    },
    get state() {
      return state;
    },
    options: resolved,
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    get scenario() {
      return state.scenario;
    },
    journal: {
      entries: () => journal.entries(),
      find: (query) => journal.find(query),
      uploads: () => journal.uploads(),
      last: () => journal.last(),
      clear: () => journal.clear(),
    },
    useScenario(scenario) {
      state.scenario = toSetting(scenario);
    },
    bindScenario(packageGuid, scenario) {
      if (scenario === null) state.packageScenarios.delete(packageGuid);
      else state.packageScenarios.set(packageGuid, toSetting(scenario));
    },
  };
  return api;
}

/** `GET /__mock/journal?method=POST&path=/v3/…&status=200&uploads=true&violations=true`. */
function journalQuery(url: URL): JournalQuery {
  const q = url.searchParams;
  const query: JournalQuery = {};
  if (q.has("method")) query.method = q.get("method")!;
  if (q.has("path")) query.path = q.get("path")!;
  if (q.has("status") && /^\d+$/.test(q.get("status")!)) query.status = Number(q.get("status"));
  if (q.get("uploads") === "true") query.uploads = true;
  if (q.get("violations") === "true") query.violations = true;
  return query;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function withRequestId(response: Response, source: { uuid(): string }): Response {
  // Every Cloud Controller response carries the request id the router assigned.
  if (!response.headers.has("X-VCAP-Request-ID")) {
    try {
      response.headers.set("X-VCAP-Request-ID", source.uuid());
    } catch {
      /* immutable headers (a Response.error()): leave them */
    }
  }
  return response;
}
