/**
 * The sandboxes of one server: isolated simulators beside the default one (the server's own
 * state), each with its own world, scenario and bindings, journal, jobs and share of the blob
 * store. The registry creates and deletes them, keeps them within `maxSandboxes`, expires the idle
 * ones, and hands each request to the sandbox it names (`resolve.ts`).
 */
import type { BlobStore } from "../blob-store.js";
import { CfError } from "../errors.js";
import type { Answer } from "../http/answer.js";
import { mountAt, mountOf, refuseWith } from "../internal.js";
import type { Log } from "../jobs/scheduler.js";
import type { Blobstore, SimulatorOptions } from "../options.js";
import type { ScenarioInput } from "../scenarios/catalog.js";
import type { Simulator } from "../simulator.js";
import type { WorldData } from "../world/model.js";
import { ClaimReader, DEFAULT_SANDBOX, chooseSandbox, missingSandbox } from "./resolve.js";
import { scopedStore, type ScopedStore } from "./scoped-store.js";

/** What a sandbox may differ in from the server; everything else (keys, limits, admin access) is the server's. */
export interface SandboxOptions {
  /** Letters, digits, `-` and `_`, up to 63, starting with a letter or digit. Default: a random `sb-…` id. */
  id?: string;
  /** Seed of its fixture world and guids. Default: the server's. */
  seed?: number;
  /** Its world. Default: the server's world option, or the fixture world for `seed`. */
  world?: SimulatorOptions["world"];
  /** Its starting scenario (and the one its reset returns to). Default: the server's. */
  scenario?: ScenarioInput;
  /** Milliseconds from an accepted upload to the end of its job. Default: the server's. */
  processingDelay?: number;
  /** How its downloads answer. Default: the server's. */
  blobstore?: Blobstore;
}

/** A sandbox as the admin API shows it. */
export interface SandboxInfo {
  id: string;
  seed: number;
  scenario: string;
  /** The path prefix that reaches it: `/sandboxes/<id>`. */
  basePath: string;
  createdAt: string;
  lastUsedAt: string;
  /** When it expires if left idle; null when sandboxes never expire. */
  expiresAt: string | null;
}

export interface Sandbox {
  readonly id: string;
  /** The sandbox's own simulator: `request`, `journal`, `useScenario`, `reset`, … as on any simulator. */
  readonly simulator: Simulator;
  info(): SandboxInfo;
}

/** `sim.sandboxes`: create, find, list and delete sandboxes in code. */
export interface Sandboxes {
  create(options?: SandboxOptions): Promise<Sandbox>;
  get(id: string): Sandbox | undefined;
  list(): SandboxInfo[];
  /** Deletes a sandbox: its requests in flight answer 503, its jobs stop, its bits are deleted. False when there was none. */
  delete(id: string): Promise<boolean>;
  /** Most sandboxes at once (`maxSandboxes`). */
  readonly max: number;
  /** Seconds of idleness after which a sandbox is deleted (`sandboxIdleTimeout`); 0: never. */
  readonly idleTimeout: number;
}

/** A sandbox's simulator as the registry drives it. */
export interface SandboxSimulator extends Simulator {
  answer(request: Request): Promise<Answer>;
}

export interface RegistryEnv {
  store: BlobStore;
  max: number;
  idleTimeout: number;
  seed: number;
  now(): number;
  log: Log;
  /** Makes a sandbox's simulator: the server's options with these over them. */
  make(options: SimulatorOptions, id: string): SandboxSimulator;
  /** The server's own `world` option, which sandboxes start from unless given a seed or a world. */
  world: SimulatorOptions["world"];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

interface Entry {
  sandbox: Sandbox;
  sim: SandboxSimulator;
  store: ScopedStore;
  seed: number;
  createdAt: number;
  lastUsed: number;
  inflight: number;
}

export class SandboxRegistry implements Sandboxes {
  private readonly entries = new Map<string, Entry>();
  private readonly creating = new Set<string>();
  private readonly claims = new ClaimReader();
  /** Fixture worlds by seed, built once: a sandbox starts from shared, never-written data. */
  private readonly fixtureWorlds = new Map<number, Promise<WorldData>>();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly env: RegistryEnv) {}

  get max(): number {
    return this.env.max;
  }

  get idleTimeout(): number {
    return this.env.idleTimeout;
  }

  /** Hands a request to the sandbox it names, or to `own` (the default sandbox's answerer). */
  async route(request: Request, own: (request: Request) => Promise<Answer>): Promise<Answer> {
    let choice;
    try {
      choice = chooseSandbox(request, new URL(request.url), this.claims);
    } catch (error) {
      return own(refuseWith(request, error as Error));
    }
    if (choice === null) return own(request);
    const mounted = choice.prefix === null ? request : mountAt(request, mountOf(request) + choice.prefix);
    if (choice.id === DEFAULT_SANDBOX) return own(mounted);
    const entry = this.entries.get(choice.id);
    if (!entry) return own(refuseWith(request, missingSandbox(choice)));
    entry.inflight++;
    entry.lastUsed = this.env.now();
    try {
      return await entry.sim.answer(mounted);
    } finally {
      entry.inflight--;
      entry.lastUsed = this.env.now();
    }
  }

  async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const id = options.id ?? randomId();
    if (typeof id !== "string" || !ID.test(id) || id === DEFAULT_SANDBOX) {
      throw CfError.withDetail(
        "BadRequest",
        `Bad request: a sandbox id is 1 to 63 letters, digits, '-' or '_', starting with a letter or digit, and not 'default'; got ${JSON.stringify(id)}`,
      );
    }
    if (this.entries.has(id) || this.creating.has(id)) {
      throw CfError.withDetail(
        "UnprocessableEntity",
        `A sandbox '${id}' exists already: pick another id, or delete it first.`,
      );
    }
    if (this.entries.size + this.creating.size >= this.env.max) {
      throw CfError.withDetail(
        "UnprocessableEntity",
        `This server holds ${this.env.max} sandboxes, its limit (--max-sandboxes, option maxSandboxes): delete one (DELETE /__mock/sandboxes/ID) or start the server with a higher limit.`,
      );
    }
    this.creating.add(id);
    try {
      return await this.build(id, options);
    } finally {
      this.creating.delete(id);
    }
  }

  private async build(id: string, options: SandboxOptions): Promise<Sandbox> {
    const seed = options.seed ?? this.env.seed;
    const world =
      options.world ?? (options.seed === undefined && this.env.world ? this.env.world : this.fixtureWorld(seed));
    const store = scopedStore(this.env.store);
    const sim = this.env.make(
      {
        seed,
        world,
        scenario: options.scenario,
        processingDelay: options.processingDelay,
        blobstore: options.blobstore,
        store,
      },
      id,
    );
    try {
      await sim.ready;
    } catch (error) {
      await sim.close().catch(() => {});
      await store.close();
      throw error;
    }
    const now = this.env.now();
    const entry: Entry = { sim, store, seed, createdAt: now, lastUsed: now, inflight: 0, sandbox: undefined! };
    entry.sandbox = { id, simulator: sim, info: () => this.infoOf(id, entry) };
    this.entries.set(id, entry);
    this.startSweeper();
    return entry.sandbox;
  }

  get(id: string): Sandbox | undefined {
    return this.entries.get(id)?.sandbox;
  }

  list(): SandboxInfo[] {
    return [...this.entries].map(([id, entry]) => this.infoOf(id, entry));
  }

  async delete(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return false;
    // Gone for new requests at once; those in flight answer 503 (the world is retired) and write nothing.
    this.entries.delete(id);
    await entry.sim.close();
    await entry.store.close();
    if (this.entries.size === 0) this.stopSweeper();
    return true;
  }

  /** Deletes every sandbox and stops the expiry timer (the server's close). */
  async close(): Promise<void> {
    this.stopSweeper();
    await Promise.all([...this.entries.keys()].map((id) => this.delete(id)));
  }

  /** Deletes the sandboxes idle for longer than the timeout (none with a request in flight). */
  async sweep(): Promise<string[]> {
    const limit = this.env.idleTimeout * 1000;
    if (limit <= 0) return [];
    const now = this.env.now();
    const idle = [...this.entries].filter(([, e]) => e.inflight === 0 && now - e.lastUsed >= limit).map(([id]) => id);
    for (const id of idle) {
      this.env.log("info", `sandbox '${id}' was idle for ${this.env.idleTimeout} s: deleted`);
      await this.delete(id);
    }
    return idle;
  }

  private infoOf(id: string, entry: Entry): SandboxInfo {
    const timeout = this.env.idleTimeout * 1000;
    return {
      id,
      seed: entry.seed,
      scenario: entry.sim.scenario.name,
      basePath: `/sandboxes/${id}`,
      createdAt: new Date(entry.createdAt).toISOString(),
      lastUsedAt: new Date(entry.lastUsed).toISOString(),
      expiresAt: timeout > 0 ? new Date(entry.lastUsed + timeout).toISOString() : null,
    };
  }

  private fixtureWorld(seed: number): (seed: number) => Promise<WorldData> {
    const built = this.fixtureWorldOf(seed);
    return () => built;
  }

  /**
   * The fixture world of a seed, built once and shared read-only: by the sandboxes of that seed and
   * by the default sandbox (its start and every reset), so that the first sandbox of the server's
   * own seed costs no more than the next.
   */
  fixtureWorldOf(seed: number): Promise<WorldData> {
    let world = this.fixtureWorlds.get(seed);
    if (!world) {
      if (this.fixtureWorlds.size >= 16) this.fixtureWorlds.clear();
      world = import("../world/fixture-world.js").then((m) => m.buildFixtureWorld(seed));
      world.catch(() => this.fixtureWorlds.delete(seed));
      this.fixtureWorlds.set(seed, world);
    }
    return world;
  }

  /** One timer for all sandboxes, unref'd so that it never keeps a process alive, stopped when none is left. */
  private startSweeper(): void {
    if (this.sweeper || this.env.idleTimeout <= 0) return;
    const every = Math.max(50, Math.min((this.env.idleTimeout * 1000) / 4, 30_000));
    this.sweeper = setInterval(
      () => void this.sweep().catch((e) => this.env.log("error", "sandbox expiry failed", e)),
      every,
    );
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `sb-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
