/**
 * The simulator's mutable state, one instance per simulator: never module-global.
 */
import type {
  AppData,
  FeatureFlagRecord,
  JobRecord,
  OrgData,
  PackageRecord,
  SpaceData,
  UserData,
  WorldData,
} from "./model.js";
import { FEATURE_FLAG_DEFAULTS } from "./model.js";
import type { BlobStore } from "../blob-store.js";
import { putBytes } from "../blob-store.js";
import type { ScenarioSetting } from "../scenarios/catalog.js";

export interface OrgRecord extends Required<OrgData> {}
export interface SpaceRecord extends Required<SpaceData> {}
export interface AppRecord extends Required<AppData> {}

/** The resource cache: files a successful upload left behind, keyed by SHA-1. */
export interface CachedResource {
  /** The key: the SHA-1 the file was cached under. */
  sha1: string;
  size: number;
  blobId: string;
  /** SHA-1 of the stored content; differs from the key only when the cache is corrupt. */
  contentSha1: string;
}

/** Packages by guid, with an index by app kept in step on every set and delete. */
export class PackageMap extends Map<string, PackageRecord> {
  private readonly byApp = new Map<string, Map<string, PackageRecord>>();

  override set(guid: string, pkg: PackageRecord): this {
    const previous = super.get(guid);
    if (previous) this.byApp.get(previous.appGuid)?.delete(guid);
    super.set(guid, pkg);
    let app = this.byApp.get(pkg.appGuid);
    if (!app) this.byApp.set(pkg.appGuid, (app = new Map()));
    app.set(guid, pkg);
    return this;
  }

  override delete(guid: string): boolean {
    const previous = super.get(guid);
    if (previous) this.byApp.get(previous.appGuid)?.delete(guid);
    return super.delete(guid);
  }

  override clear(): void {
    this.byApp.clear();
    super.clear();
  }

  ofApp(appGuid: string): PackageRecord[] {
    return [...(this.byApp?.get(appGuid)?.values() ?? [])];
  }
}

export class State {
  orgs = new Map<string, OrgRecord>();
  spaces = new Map<string, SpaceRecord>();
  apps = new Map<string, AppRecord>();
  users = new Map<string, UserData>();
  packages = new PackageMap();
  jobs = new Map<string, JobRecord>();
  featureFlags = new Map<string, FeatureFlagRecord>();
  resourceCache = new Map<string, CachedResource>();
  /** The global scenario of the upload endpoint. */
  scenario: ScenarioSetting = { name: "cloud-controller" };
  /** Scenarios bound to one package each, by guid. */
  packageScenarios = new Map<string, ScenarioSetting>();

  /** Copies a world into this state, writing fixture bits into the store. */
  async load(world: WorldData, store: BlobStore): Promise<void> {
    for (const o of world.orgs) {
      this.orgs.set(o.guid, { suspended: false, beingDeleted: false, ...o });
    }
    for (const s of world.spaces) {
      this.spaces.set(s.guid, { suspended: false, beingDeleted: false, ...s });
    }
    for (const a of world.apps) {
      this.apps.set(a.guid, { lifecycle: "buildpack", state: "STOPPED", updatedAt: a.createdAt, ...a });
    }
    for (const u of world.users) this.users.set(u.guid, u);
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
    for (const p of world.packages) {
      const record: PackageRecord = {
        guid: p.guid,
        appGuid: p.appGuid,
        type: p.type,
        state: p.state,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt ?? p.createdAt,
        error: p.state === "FAILED" ? (p.error ?? "The app upload is invalid: Invalid zip archive.") : null,
        checksum: { type: "sha256", value: null },
        sha1: null,
        blobId: null,
        docker:
          p.type === "docker"
            ? {
                image: p.docker?.image ?? "cloudfoundry/diego-docker-app:latest",
                username: p.docker?.username ?? null,
                password: p.docker?.username ? "***" : null,
              }
            : null,
        labels: { ...(p.labels ?? {}) },
        annotations: { ...(p.annotations ?? {}) },
      };
      if (p.type === "bits" && p.state === "READY" && p.bits) {
        const blob = await putBytes(store, p.bits);
        record.blobId = blob.id;
        record.checksum = { type: "sha256", value: blob.sha256 };
        record.sha1 = blob.sha1;
      }
      this.packages.set(p.guid, record);
      if (record.type === "bits" && (record.state === "READY" || record.state === "FAILED")) {
        this.finishedOf(record.appGuid).add(record.guid);
      }
    }
  }

  /** READY and FAILED bits packages by app, for expiry; added to where a package finishes. */
  private finishedByApp = new Map<string, Set<string>>();

  /** The set of an app's finished bits packages (add a guid when a package becomes READY or FAILED). */
  finishedOf(appGuid: string): Set<string> {
    let set = this.finishedByApp.get(appGuid);
    if (!set) this.finishedByApp.set(appGuid, (set = new Set()));
    return set;
  }

  /** The packages of one app, from an index kept by the package map. */
  packagesOfApp(appGuid: string): PackageRecord[] {
    return this.packages.ofApp(appGuid);
  }

  spaceOfApp(appGuid: string): SpaceRecord | undefined {
    const app = this.apps.get(appGuid);
    return app ? this.spaces.get(app.spaceGuid) : undefined;
  }

  orgOfSpace(space: SpaceRecord): OrgRecord | undefined {
    return this.orgs.get(space.orgGuid);
  }

  userByName(name: string): UserData | undefined {
    for (const u of this.users.values()) if (u.name === name) return u;
    return undefined;
  }
}
