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
import { createBlobSigner } from "./blobstore/signed-url.js";
import { Context, type Services } from "./context.js";
import { CfError } from "./errors.js";
import { cfErrorAnswer, headAnswer, toResponse, type Answer } from "./http/answer.js";
import { withCors } from "./http/cors.js";
import { FrontEndError } from "./http/front-end-error.js";
import { withRequestIds } from "./http/request-id.js";
import { createIdSource, type IdSource } from "./ids.js";
import { SandboxRegistry, type SandboxSimulator, type Sandboxes } from "./sandboxes/registry.js";
import { DEFAULT_SANDBOX } from "./sandboxes/resolve.js";
import { insideMount } from "./http/mount.js";
import { ANSWER, USE_UI_FILES, mountOf, refusalOf, type SimulatorInternals } from "./internal.js";
import { createEventHub, type EventHub } from "./events/hub.js";
import { presentJournalRow, presentPackageView, presentScenarios } from "./events/present.js";
import type { UiFiles } from "./routes/dashboard.js";
import { createScheduler, type Log, type Scheduler } from "./jobs/scheduler.js";
import { createJournal, type Journal, type RequestTrace } from "./journal/journal.js";
import { recordRequests } from "./journal/record-requests.js";
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from "./options.js";
import { Cancelled } from "./jobs/scheduler.js";
import { createWorld, type World } from "./packages/lifecycle.js";
import type { Router } from "./http/router.js";
import { routeTable, type RouteHandler } from "./routes/index.js";
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
  /**
   * The server's sandboxes: isolated simulators beside this one (the default sandbox), reached by a
   * token's claim, the path prefix `/sandboxes/ID` or the `X-Mock-Sandbox` header. Shared by every
   * sandbox of a server; `reset()` and `close()` of the default sandbox reset only it, close all.
   */
  readonly sandboxes: Sandboxes;
  /** This simulator's sandbox id: `default` for the one `createSimulator` returns. */
  readonly sandboxId: string;
}

/** Creates a simulator. See {@link SimulatorOptions} for every option and its default. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  return new SimulatorInstance(options);
}

/** A request outside the path the API is served under: the same 404 as an unknown route, saying where the API is. */
function outsideMount(base: string, pathname: string): CfError {
  return CfError.withDetail(
    "NotFound",
    `Unknown request: this server serves the API under ${base} (--base-path), so send ${base}${pathname === "/" ? "/" : pathname}`,
  );
}

const defaultLog: Log = (level, message, error) => {
  if (level !== "info") console.error(`[mock-packages] ${message}`, error ?? "");
};

/** The simulator behind {@link createSimulator}: the constructor wires the parts, each method is one operation. */
class SimulatorInstance implements SimulatorInternals, SandboxSimulator {
  readonly options: ResolvedOptions;
  readonly sandboxes: SandboxRegistry;
  readonly sandboxId: string;
  /** This sandbox's own answers, without choosing a sandbox first. */
  readonly answer: (request: Request) => Promise<Answer>;
  readonly journal: Journal;
  readonly [ANSWER]: (request: Request) => Promise<Answer>;
  private readonly store: BlobStore;
  private readonly scheduler: Scheduler;
  private readonly entries: ReturnType<typeof createJournal>;
  private readonly services: Services;
  private readonly events: EventHub = createEventHub();
  private uiFiles: UiFiles | null = null;
  private world: World | null = null;
  private ids: IdSource;
  private loading: Promise<void>;
  private closed = false;

  constructor(
    private readonly given: SimulatorOptions,
    /** Set for a sandbox: the registry of the server it belongs to, and its id. */
    sandbox?: { registry: SandboxRegistry; id: string },
  ) {
    this.options = resolveOptions(given);
    this.sandboxId = sandbox?.id ?? DEFAULT_SANDBOX;
    this.store = given.store ?? createMemoryStore();
    const now = given.now ?? (() => Date.now());
    const log = given.logger ?? defaultLog;
    this.scheduler = createScheduler(log);
    this.entries = createJournal({
      entries: this.options.journalLimit,
      bytes: this.options.journalMaxBytes,
      verdicts: given.contract !== undefined,
      origin: this.options.origin,
      onAdd: (entry) => this.events.publish("journal", presentJournalRow(entry)),
    });
    // The journal as users see it: everything but `add`, which only the recording wrapper calls.
    const { add: _add, ...journal } = this.entries;
    this.journal = journal;
    this.ids = createIdSource(this.options.seed);
    this.sandboxes = sandbox?.registry ?? this.makeRegistry(now, log);
    this.services = this.makeServices(now, log);
    this.answer = this.makeAnswerer(routeTable({ admin: this.options.admin }), log);
    // The default sandbox chooses the sandbox of each request first; a sandbox answers what it is handed.
    const registry = this.sandboxes;
    this[ANSWER] = sandbox ? this.answer : (request) => registry.route(request, this.answer);
    this.loading = this.loadWorld();
  }

  /** The server's sandboxes: each a simulator of the server's options with its own over them, on its share of the store. */
  private makeRegistry(now: () => number, log: Log): SandboxRegistry {
    const registry: SandboxRegistry = new SandboxRegistry({
      store: this.store,
      max: this.options.maxSandboxes,
      idleTimeout: this.options.sandboxIdleTimeout,
      seed: this.options.seed,
      world: this.given.world,
      now,
      log,
      make: (own, id) => {
        const defined = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined));
        return new SimulatorInstance({ ...this.given, ...defined, now, logger: log }, { registry, id });
      },
    });
    return registry;
  }

  readonly handle = async (request: Request): Promise<Response> => toResponse(await this[ANSWER](request));

  readonly request = (path: string, init: RequestInit & { token?: string } = {}): Promise<Response> => {
    const { token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== undefined && !headers.has("authorization")) headers.set("authorization", `bearer ${token}`);
    const origin = this.options.origin;
    const url = /^https?:\/\//.test(path) ? path : `${origin}${path.startsWith("/") ? "" : "/"}${path}`;
    return this.handle(new Request(url, { ...rest, headers }));
  };

  get ready(): Promise<void> {
    return this.loading;
  }

  get state(): State {
    return this.current().state;
  }

  get scenario(): ScenarioSetting {
    return this.current().state.scenario;
  }

  async reset(): Promise<void> {
    // What began in the old world, requests and jobs alike, can change nothing from here on.
    this.world?.retire();
    this.entries.clear();
    await this.scheduler.drain();
    await this.loading.catch(() => {});
    await this.store.clear();
    this.ids = createIdSource(this.options.seed);
    this.loading = this.loadWorld();
    await this.loading;
    this.events.publish("reset", {});
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sandboxId === DEFAULT_SANDBOX) await this.sandboxes.close();
    // Open event streams would keep their connections, and a server's close, waiting.
    this.events.close();
    this.world?.retire();
    await this.scheduler.close();
    await this.store.clear();
  }

  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  useScenario(scenario: ScenarioInput): void {
    this.current().state.scenario = toSetting(scenario);
    this.events.publish("scenario", presentScenarios(this.current().state));
  }

  bindScenario(packageGuid: string, scenario: ScenarioInput | null): void {
    const bindings = this.current().state.packageScenarios;
    if (scenario === null) bindings.delete(packageGuid);
    else bindings.set(packageGuid, toSetting(scenario));
    this.events.publish("scenario", presentScenarios(this.current().state));
  }

  /** The HTTP server hands over the dashboard's files (see `internal.ts`). */
  [USE_UI_FILES](files: UiFiles): void {
    this.uiFiles = files;
  }

  private current() {
    if (!this.world) throw new Error("mock-packages: the world is not loaded yet (await simulator.ready)");
    return this.world;
  }

  private async loadWorld(): Promise<void> {
    const { world, seed, maxValidPackagesStored, resourceCacheBudget } = this.options;
    const data: WorldData =
      typeof world === "function"
        ? await world(seed)
        : // The fixture world is loaded only here (it brings faker, which a simulator given a world
          // never needs), built once per seed and shared with the sandboxes of that seed.
          (world ?? (await this.sandboxes.fixtureWorldOf(seed)));
    const fresh = await createWorld(data, {
      store: this.store,
      now: this.services.now,
      maxValidPackagesStored,
      resourceCacheBudget,
      onChange: (pkg, deleted) =>
        this.events.publish("package", presentPackageView(pkg, this.services.blobSigner, this.services.now(), deleted)),
    });
    // The scenario option wins over the world's own; without either, the real controller answers.
    if (this.given.scenario !== undefined || data.scenario === undefined) {
      fresh.state.scenario = { ...this.options.scenario };
    }
    // The same for the blobstore: the option, then the world's own, then remote.
    fresh.state.blobstore = this.given.blobstore !== undefined ? this.options.blobstore : (data.blobstore ?? "remote");
    this.world = fresh;
  }

  private makeServices(now: () => number, log: Log): Services {
    const self = this;
    return {
      get ids() {
        return self.ids;
      },
      store: this.store,
      options: this.options,
      scheduler: this.scheduler,
      journal: this.journal,
      tokenCache: new Map(),
      revokedTokens: new Set(),
      blobSigner: createBlobSigner(),
      now,
      log,
      events: this.events,
      get uiFiles() {
        return self.uiFiles;
      },
      reset: () => this.reset(),
      sandboxes: this.sandboxes,
      sandboxId: this.sandboxId,
    };
  }

  /**
   * The answer pipeline: CORS around the journal around request ids around the router, which
   * renders whatever a route throws (CF errors in the envelope, front-end errors as nginx pages).
   */
  private makeAnswerer(router: Router<RouteHandler>, log: Log): (request: Request) => Promise<Answer> {
    const dispatch = async (request: Request, trace: RequestTrace): Promise<Answer> => {
      try {
        const refused = refusalOf(request);
        if (refused) throw refused;
        if (this.closed) throw new CfError("ServiceUnavailable", "The simulator has been closed");
        await this.loading;
        const url = new URL(request.url);
        const base = mountOf(request);
        const path = insideMount(url.pathname, base);
        if (path === null) throw outsideMount(base, url.pathname);
        const match = router.match(request.method, path);
        // The Cloud Controller answers unknown routes and methods with 404 CF-NotFound.
        if (!match) throw new CfError("NotFound");
        const world = this.current();
        return await match.handler(new Context(request, url, match.params, this.services, trace, world, base));
      } catch (error) {
        if (error instanceof CfError) return cfErrorAnswer(error);
        if (error instanceof Cancelled) {
          // A reset retired the world this request began in (or a close stopped its wait).
          const why = "The simulator was reset or closed while this request was in flight; send it again";
          return cfErrorAnswer(new CfError("ServiceUnavailable", why));
        }
        if (error instanceof FrontEndError) return error.toAnswer();
        log("error", `${request.method} ${request.url} failed unexpectedly`, error);
        return cfErrorAnswer(new CfError("UnknownError"));
      }
    };
    // A HEAD is answered as its GET, with the body dropped (`Rack::Head`), errors included.
    const answer = async (request: Request, trace: RequestTrace): Promise<Answer> => {
      const full = await dispatch(request, trace);
      return request.method === "HEAD" ? headAnswer(full) : full;
    };
    // Request ids come from their own source so that guids do not depend on how many requests came first.
    const recorded = recordRequests(withRequestIds(answer, createIdSource(this.options.seed ^ 0x5eed)), {
      add: (entry) => this.entries.add(entry),
      contract: this.given.contract,
      now: this.services.now,
      log,
    });
    return this.options.cors ? withCors(recorded, this.options.adminOrigins) : recorded;
  }
}
