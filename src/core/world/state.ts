/**
 * The simulator's mutable state, one instance per simulator and world: never module-global.
 * Packages change only through the lifecycle (`src/core/packages/lifecycle.ts`).
 */
import type {
  AppData,
  ClientData,
  FeatureFlagRecord,
  JobRecord,
  OrgData,
  PackageRecord,
  SpaceData,
  UserData,
  WorldData,
} from "./model.js";
import { FEATURE_FLAG_DEFAULTS } from "./model.js";
import type { ScenarioSetting } from "../scenarios/catalog.js";
import type { Blobstore } from "../options.js";
import type { ResourceCache } from "../bits/resource-cache.js";

export type { CachedResource } from "../bits/resource-cache.js";

export interface OrgRecord extends Required<OrgData> {}
export interface SpaceRecord extends Required<SpaceData> {}
export interface AppRecord extends Required<AppData> {}

export class State {
  /**
   * @param packages The package table, writable only by the lifecycle that was given it
   *   (`createWorld` in `src/core/packages/lifecycle.ts`); everyone else reads it here.
   * @param resourceCache The resource cache: files uploads left behind, by SHA-1, within a byte budget.
   */
  constructor(
    readonly packages: ReadonlyMap<string, Readonly<PackageRecord>>,
    readonly resourceCache: ResourceCache,
  ) {}

  orgs = new Map<string, OrgRecord>();
  spaces = new Map<string, SpaceRecord>();
  apps = new Map<string, AppRecord>();
  users = new Map<string, UserData>();
  /** UAA clients of the `client_credentials` grant, by id. */
  clients = new Map<string, ClientData>();
  jobs = new Map<string, JobRecord>();
  featureFlags = new Map<string, FeatureFlagRecord>();
  /** The global scenario of the upload endpoint. */
  scenario: ScenarioSetting = { name: "cloud-controller" };
  /** How downloads answer: a redirect to a signed blob URL (`remote`) or the zip itself (`local`). */
  blobstore: Blobstore = "remote";
  /** Scenarios bound to one package each, by guid. */
  packageScenarios = new Map<string, ScenarioSetting>();

  /** Copies a world's orgs, spaces, apps, users and feature flags (its packages go through the lifecycle). */
  load(world: WorldData): void {
    for (const o of world.orgs) {
      this.orgs.set(o.guid, { suspended: false, beingDeleted: false, updatedAt: o.createdAt, ...o });
    }
    for (const s of world.spaces) {
      this.spaces.set(s.guid, { suspended: false, beingDeleted: false, updatedAt: s.createdAt, ...s });
    }
    for (const a of world.apps) {
      this.apps.set(a.guid, { lifecycle: "buildpack", state: "STOPPED", updatedAt: a.createdAt, ...a });
    }
    for (const u of world.users) this.users.set(u.guid, u);
    for (const c of world.clients ?? []) this.clients.set(c.id, c);
    for (const [name, enabled] of Object.entries(FEATURE_FLAG_DEFAULTS)) {
      this.featureFlags.set(name, { name, enabled, customErrorMessage: null, updatedAt: null });
    }
    for (const [name, flag] of Object.entries(world.featureFlags ?? {})) {
      this.featureFlags.set(name, {
        name,
        enabled: flag.enabled,
        customErrorMessage: flag.customErrorMessage ?? null,
        updatedAt: null,
      });
    }
  }

  spaceOfApp(appGuid: string): SpaceRecord | undefined {
    const app = this.apps.get(appGuid);
    return app ? this.spaces.get(app.spaceGuid) : undefined;
  }

  orgOfSpace(space: SpaceRecord): OrgRecord | undefined {
    return this.orgs.get(space.orgGuid);
  }
}
