/**
 * What the page knows of the simulator it looks at (the default sandbox or another), kept current
 * by that simulator's event stream: the world, the scenarios, the catalog and the journal's rows.
 * Views read it through `useStore`. Switching sandboxes starts afresh: new state, new stream.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type Api } from "./api.js";

// The shapes the admin API answers and the event stream sends, as spec/openapi.yaml declares
// them (type-only: nothing is bundled).
import type { components } from "../types/openapi.js";

type Schemas = components["schemas"];
export type PackageView = Schemas["MockPackageView"];
export type WorldView = Omit<Schemas["MockWorld"], "scenario" | "packages">;
export type AppView = WorldView["orgs"][number]["spaces"][number]["apps"][number];
export interface Setting {
  name: string;
  error?: string;
  latency?: number | [number, number];
}
export interface Scenarios {
  scenario: Setting;
  packages: Record<string, Setting>;
}
export interface CatalogEntry {
  name: string;
  status: number | null;
  description: string;
}
export type JournalRow = Schemas["MockJournalRow"];

export interface State {
  world: WorldView | null;
  scenarios: Scenarios | null;
  catalog: CatalogEntry[];
  rows: JournalRow[];
  dropped: number;
  connected: boolean;
  /** Why the page cannot read the simulator (no admin token, refused origin); null when it can. */
  problem: string | null;
  /** What the last action did, for the status line. */
  message: string;
  /** The sandbox the page looks at; null for the default sandbox. */
  sandbox: string | null;
  /** Set when the sandbox the page looks at is no more (deleted, or expired after being idle). */
  gone: string | null;
}

/** The most journal rows the page keeps (the journal itself may hold many more). */
const MAX_ROWS = 500;

export class Store {
  state: State = {
    world: null,
    scenarios: null,
    catalog: [],
    rows: [],
    dropped: 0,
    connected: false,
    problem: null,
    message: "",
    sandbox: null,
    gone: null,
  };
  private listeners = new Set<() => void>();
  /** Counts switches, so that answers and events for a sandbox the page has left are ignored. */
  private generation = 0;
  private unfollow: (() => void) | null = null;

  constructor(readonly api: Api) {
    this.state.sandbox = api.sandbox;
  }

  set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  say(message: string): void {
    this.set({ message });
  }

  /** Runs one action of the page and says what happened: its own words, or why it failed. */
  async attempt(failed: string, work: () => Promise<string>): Promise<void> {
    try {
      this.say(await work());
    } catch (error) {
      this.say(`${failed}: ${(error as Error).message}`);
    }
  }

  /**
   * Follows the event stream of the simulator the page looks at. After a drop, events may have
   * been missed, so the page reads its state afresh on reconnecting; in a sandbox a drop may also
   * mean the sandbox is gone (its stream ends when it is deleted or expires), which is checked.
   */
  connect(): void {
    const generation = this.generation;
    let dropped = false;
    this.unfollow = this.api.follow({
      onEvent: (type, data) => generation === this.generation && this.apply(type, data),
      onConnection: (connected) => {
        if (generation !== this.generation) return;
        this.set({ connected });
        if (connected && dropped) void this.load();
        if (!connected) {
          dropped = true;
          void this.checkGone();
        }
      },
    });
  }

  /** Points the whole page at a sandbox (null: the default one): its state, its stream, its admin API. */
  switchTo(sandbox: string | null): void {
    if (sandbox === this.api.sandbox && this.state.gone === null) return;
    this.generation++;
    this.unfollow?.();
    this.api.sandbox = sandbox;
    this.set({
      world: null,
      scenarios: null,
      rows: [],
      dropped: 0,
      connected: false,
      problem: null,
      sandbox,
      gone: null,
      message:
        sandbox === null
          ? "The page now shows the default sandbox (the server's own state)."
          : `The page now shows sandbox '${sandbox}': every view, the live stream, tokens and uploads are its own.`,
    });
    void this.load();
    this.connect();
  }

  /** In a sandbox: asks the server whether it still exists; if not, says so and stops following it. */
  async checkGone(): Promise<void> {
    const id = this.api.sandbox;
    if (id === null || this.state.gone === id) return;
    const generation = this.generation;
    try {
      await this.api.serverGet(`/sandboxes/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || generation !== this.generation) return;
      this.unfollow?.();
      this.unfollow = null;
      this.set({ gone: id, connected: false, problem: null });
    }
  }

  /** Reads everything afresh (at start, after a reset, after the stream reconnects). */
  async load(): Promise<void> {
    const generation = this.generation;
    try {
      // All four at once; the world (the first view) is shown as soon as it is there.
      const world = this.api.get<WorldView & Scenarios>("/world");
      const rest = Promise.all([
        this.api.get<Scenarios>("/scenario"),
        this.api.get<{ scenarios: CatalogEntry[] }>("/scenarios"),
        this.api.get<{ entries: JournalRow[]; dropped: number }>(`/journal?summary=true&last=${MAX_ROWS}`),
      ]);
      rest.catch(() => {}); // awaited below, after the world; its failure must not go unhandled meanwhile
      const shown = await world;
      if (generation !== this.generation) return;
      this.set({ world: shown, problem: null });
      const [scenarios, catalog, journal] = await rest;
      if (generation !== this.generation) return;
      this.set({
        scenarios,
        catalog: catalog.scenarios,
        rows: journal.entries.reverse(),
        dropped: journal.dropped,
      });
    } catch (error) {
      if (generation !== this.generation) return;
      // A sandbox's 404 is most likely the sandbox gone, which the page says in its own words.
      if (this.api.sandbox !== null && error instanceof ApiError && error.status === 404) await this.checkGone();
      if (generation === this.generation && this.state.gone === null) this.set({ problem: (error as Error).message });
    }
  }

  /** One event of the stream, applied to what the page shows. */
  apply(type: string, data: unknown): void {
    if (type === "package") this.applyPackage(data as PackageView);
    else if (type === "journal") this.set({ rows: [data as JournalRow, ...this.state.rows].slice(0, MAX_ROWS) });
    else if (type === "scenario") this.set({ scenarios: data as Scenarios });
    else if (type === "reset") {
      this.say("The simulator was reset: the world is back to its start and the journal is empty.");
      void this.load();
    }
  }

  private applyPackage(pkg: PackageView): void {
    const world = this.state.world;
    if (!world) return;
    const orgs = world.orgs.map((org) => ({
      ...org,
      spaces: org.spaces.map((space) => ({
        ...space,
        apps: space.apps.map((app) => {
          if (app.guid !== pkg.appGuid) return app;
          const others = app.packages.filter((p) => p.guid !== pkg.guid);
          if (pkg.deleted) return { ...app, packages: others };
          const at = app.packages.findIndex((p) => p.guid === pkg.guid);
          const packages = at === -1 ? [...others, pkg] : app.packages.map((p) => (p.guid === pkg.guid ? pkg : p));
          return { ...app, packages };
        }),
      })),
    }));
    this.set({ world: { ...world, orgs } });
  }
}

/** The store's state, re-rendering the component when it changes. */
export function useStore(store: Store): State {
  const [state, setState] = useState(store.state);
  useEffect(() => store.subscribe(() => setState(store.state)), [store]);
  return state;
}

/** Every package of the world with its app, space and org names. */
export function allPackages(world: WorldView | null) {
  const out: Array<{ pkg: PackageView; app: AppView; space: string; org: string }> = [];
  for (const org of world?.orgs ?? [])
    for (const space of org.spaces)
      for (const app of space.apps)
        for (const pkg of app.packages) out.push({ pkg, app, space: space.name, org: org.name });
  return out;
}
