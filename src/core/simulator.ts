/**
 * The simulator: one object that maps a web-standard `Request` to a
 * `Response` and owns all state. The HTTP server, the msw handlers and the
 * CLI are thin adapters over {@link Simulator.handle}.
 *
 * `createSimulator` only wires the parts together: the world and its package
 * lifecycle (`packages/lifecycle.ts`), the job scheduler (`jobs/scheduler.ts`),
 * the route table (`routes/index.ts`), and the journal, request ids and CORS as
 * wrappers around the answers.
 */
import { createMemoryStore, type BlobStore } from "./blob-store.js";
import { Context, type Services } from "./context.js";
import { CfError } from "./errors.js";
import { cfErrorAnswer, toResponse, type Answer } from "./http/answer.js";
import { withCors } from "./http/cors.js";
import { FrontEndError } from "./http/front-end-error.js";
import { withRequestIds } from "./http/request-id.js";
import { createIdSource, type IdSource } from "./ids.js";
import { ANSWER, type SimulatorInternals } from "./internal.js";
import { createScheduler, type Log } from "./jobs/scheduler.js";
import { createJournal, type Journal, type RequestTrace } from "./journal/journal.js";
import { recordRequests } from "./journal/record-requests.js";
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from "./options.js";
import { createWorld, type PackageLifecycle } from "./packages/lifecycle.js";
import { routeTable } from "./routes/index.js";
import type { ScenarioInput, ScenarioSetting } from "./scenarios/catalog.js";
import { toSetting } from "./scenarios/parse.js";
import type { WorldData } from "./world/model.js";
import type { State } from "./world/state.js";

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
  const log: Log =
    options.logger ??
    ((level, message, error) => {
      if (level !== "info") console.error(`[mock-packages] ${message}`, error ?? "");
    });
  const scheduler = createScheduler(log);
  const journal = createJournal(resolved.journalLimit);
  const router = routeTable({ admin: resolved.admin });
  let world: { state: State; lifecycle: PackageLifecycle } | null = null;
  let ids: IdSource = createIdSource(resolved.seed);
  let closed = false;

  const loadWorld = async () => {
    const data: WorldData =
      typeof resolved.world === "function"
        ? await resolved.world(resolved.seed)
        : (resolved.world ??
          // Loaded only here: the fixture world brings faker, which a simulator given a world never needs.
          (await (await import("./world/fixture-world.js")).buildFixtureWorld(resolved.seed)));
    const fresh = await createWorld(data, { store, now, maxValidPackagesStored: resolved.maxValidPackagesStored });
    // The scenario option wins over the world's own; without either, the real controller answers.
    if (options.scenario !== undefined || data.scenario === undefined) fresh.state.scenario = { ...resolved.scenario };
    world = fresh;
  };
  let ready = loadWorld();
  const current = () => {
    if (!world) throw new Error("mock-packages: the world is not loaded yet (await simulator.ready)");
    return world;
  };

  const services: Services = {
    get state() {
      return current().state;
    },
    get lifecycle() {
      return current().lifecycle;
    },
    store,
    options: resolved,
    get ids() {
      return ids;
    },
    scheduler,
    journal,
    tokenCache: new Map(),
    now,
    log,
    reset: () => simulator.reset(),
  };

  /** Routes a request and renders whatever it throws: CF errors in the envelope, front-end errors as nginx pages. */
  const dispatch = async (request: Request, trace: RequestTrace): Promise<Answer> => {
    try {
      if (closed) throw new CfError("ServiceUnavailable", "The simulator has been closed");
      await ready;
      const url = new URL(request.url);
      const match = router.match(request.method, url.pathname.replace(/\/{2,}/g, "/"));
      // The Cloud Controller answers unknown routes and methods with 404 CF-NotFound.
      if (!match) throw new CfError("NotFound");
      return await match.handler(new Context(request, url, match.params, services, trace));
    } catch (error) {
      if (error instanceof CfError) return cfErrorAnswer(error);
      if (error instanceof FrontEndError) return error.toAnswer();
      log("error", `${request.method} ${request.url} failed unexpectedly`, error);
      return cfErrorAnswer(new CfError("UnknownError"));
    }
  };

  // Request ids come from their own source so that guids do not depend on how many requests came first.
  const answered = recordRequests(withRequestIds(dispatch, createIdSource(resolved.seed ^ 0x5eed)), {
    add: (entry) => journal.add(entry),
    contract: options.contract,
    now,
    log,
  });
  const answer = resolved.cors ? withCors(answered) : answered;
  const handle = async (request: Request) => toResponse(await answer(request));

  const simulator: SimulatorInternals = {
    handle,
    [ANSWER]: answer,
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
      await scheduler.drain();
      await ready.catch(() => {});
      await store.clear();
      ids = createIdSource(resolved.seed);
      ready = loadWorld();
      await ready;
    },
    async close() {
      closed = true;
      await scheduler.close();
      await store.clear();
    },
    get state() {
      return current().state;
    },
    options: resolved,
    idle: () => scheduler.idle(),
    get scenario() {
      return current().state.scenario;
    },
    journal: {
      entries: () => journal.entries(),
      find: (query) => journal.find(query),
      uploads: () => journal.uploads(),
      last: () => journal.last(),
      clear: () => journal.clear(),
    },
    useScenario(scenario) {
      current().state.scenario = toSetting(scenario);
    },
    bindScenario(packageGuid, scenario) {
      const bindings = current().state.packageScenarios;
      if (scenario === null) bindings.delete(packageGuid);
      else bindings.set(packageGuid, toSetting(scenario));
    },
  };
  return simulator;
}
