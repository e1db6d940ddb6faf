/**
 * The package lifecycle: the one place where a package is created, changes
 * state, gets or loses its stored bits, and is deleted
 * (`app/models/runtime/package_model.rb` and the actions and jobs around it).
 *
 *   create (bits)          → AWAITING_UPLOAD          create (docker) → READY
 *   upload accepted        → PROCESSING_UPLOAD
 *   processing done        → READY with the stored zip's digests, or FAILED with `data.error`
 *   copy (bits)            → COPYING, then READY with the source's bits, or FAILED
 *   a newer package done   → EXPIRED: bits deleted, checksum null (`bits_expiration.rb`,
 *                            `delete_expired_package_blob.rb`)
 *   delete                 → gone, bits released
 *
 * Stored bits are counted references (`blob-holds.ts`): a package holds one on its blob, and a
 * copy in flight holds one on its source's. A blob leaves the store when its
 * last holder lets go, so deleting or expiring a package never takes the bits
 * of a copy made from it (the real controller copies the blob; counting gives
 * the same answers without a second copy of the bytes).
 */
import { putBytes, type BlobInfo, type BlobStore } from "../blob-store.js";
import { BlobHolds } from "./blob-holds.js";
import {
  applyMetadata,
  copiedDocker,
  dockerOf,
  newRecord,
  withCredentials,
  type NewPackage,
  type PackageChanges,
} from "./records.js";
import { ResourceCache } from "../bits/resource-cache.js";
import { DEFAULTS } from "../options.js";
import type { PackageData, PackageRecord, WorldData } from "../world/model.js";
import { Cancelled } from "../jobs/scheduler.js";
import { toSetting } from "../scenarios/parse.js";
import { State } from "../world/state.js";

/** How the upload's background job ended. */
export type UploadOutcome =
  | { state: "READY"; blob: BlobInfo }
  | { state: "FAILED"; error: string }
  /** The `expires` scenario: the package ends EXPIRED without bits. */
  | { state: "EXPIRED" };

export interface LifecycleEnv {
  store: BlobStore;
  now(): number;
  /** `packages.max_valid_packages_stored`: finished packages kept per app. */
  maxValidPackagesStored: number;
  /** Most bytes of files the world's resource cache keeps. Default {@link DEFAULTS}' `resourceCacheBudget`. */
  resourceCacheBudget?: number;
  /** Told of every change to a package after the world is loaded (the live event stream); `deleted` when it is gone. */
  onChange?: (pkg: Readonly<PackageRecord>, deleted: boolean) => void;
}

export type { NewPackage };

/** The text of a package whose default `data.error` a world leaves out. */
const DEFAULT_FAILURE = "The app upload is invalid: Invalid zip archive.";

/**
 * A world the simulator serves: its state and the lifecycle that alone may change its packages.
 * A reset retires it: requests and jobs that began in it can then change nothing, here or in the
 * world that replaces it.
 */
export interface World {
  readonly state: State;
  readonly lifecycle: PackageLifecycle;
  /** Aborted when the world is retired. */
  readonly signal: AbortSignal;
  retire(): void;
}

/** What a request or job that began in a retired world meets when it tries to change it. */
export class Retired extends Cancelled {
  constructor() {
    super();
    this.message = "mock-packages: the simulator was reset while this was in flight";
    this.name = "Retired";
  }
}

/** A world's state and the lifecycle that alone may change its packages. */
export async function createWorld(world: WorldData, env: LifecycleEnv): Promise<World> {
  const packages = new Map<string, PackageRecord>();
  const state = new State(
    packages,
    new ResourceCache(env.store, env.resourceCacheBudget ?? DEFAULTS.resourceCacheBudget),
  );
  state.load(world);
  if (world.scenario !== undefined) state.scenario = toSetting(world.scenario);
  const retirement = new AbortController();
  const lifecycle = new PackageLifecycle(state, packages, env, retirement.signal);
  for (const p of world.packages) await lifecycle.load(p);
  return { state, lifecycle, signal: retirement.signal, retire: () => retirement.abort(new Retired()) };
}

export class PackageLifecycle {
  /** READY and FAILED bits packages by app: the candidates for expiry. */
  private readonly finishedByApp = new Map<string, Set<string>>();
  /** Holders of each stored blob. */
  private readonly blobs: BlobHolds;
  /** Copies in flight: the source's blob (held), its digests, or null when the source had no bits. */
  private readonly copies = new Map<string, Pick<PackageRecord, "blobId" | "checksum" | "sha1"> | null>();

  constructor(
    private readonly state: State,
    private readonly packages: Map<string, PackageRecord>,
    private readonly env: LifecycleEnv,
    /** Aborted when a reset retires this world: from then on every change is refused with {@link Retired}. */
    private readonly retired: AbortSignal = new AbortController().signal,
  ) {
    this.blobs = new BlobHolds(env.store);
  }

  private guard(): void {
    if (this.retired.aborted) throw new Retired();
  }

  /** A package as a world describes it; the bits of a READY bits package go into the store. */
  async load(p: PackageData): Promise<void> {
    const record = newRecord(
      {
        guid: p.guid,
        appGuid: p.appGuid,
        type: p.type,
        docker: p.type === "docker" ? dockerOf(p.docker) : null,
        labels: p.labels,
        annotations: p.annotations,
      },
      p.state,
      p.createdAt,
    );
    record.updatedAt = p.updatedAt ?? p.createdAt;
    if (p.state === "FAILED") record.error = p.error ?? DEFAULT_FAILURE;
    if (p.type === "bits" && p.state === "READY" && p.bits) {
      this.holdReady(record, await putBytes(this.env.store, p.bits));
    }
    this.packages.set(record.guid, record);
    if (record.state === "READY" || record.state === "FAILED") this.markFinished(record);
    if (p.scenario !== undefined) this.state.packageScenarios.set(record.guid, toSetting(p.scenario));
  }

  /** `POST /v3/packages`: bits start AWAITING_UPLOAD, docker READY (`app/actions/package_create.rb`). */
  create(input: NewPackage): Readonly<PackageRecord> {
    this.guard();
    const record = newRecord(input, input.type === "docker" ? "READY" : "AWAITING_UPLOAD", this.env.now());
    this.packages.set(record.guid, record);
    this.changed(record);
    return record;
  }

  /**
   * The upload is accepted: AWAITING_UPLOAD becomes PROCESSING_UPLOAD with a null checksum
   * (`app/actions/package_upload.rb`). Synchronous, so that of concurrent uploads exactly one wins.
   */
  acceptUpload(guid: string): Readonly<PackageRecord> {
    this.guard();
    const pkg = this.get(guid);
    if (pkg.state !== "AWAITING_UPLOAD") throw new Error(`mock-packages: package ${guid} is ${pkg.state}`);
    pkg.state = "PROCESSING_UPLOAD";
    pkg.updatedAt = this.env.now();
    pkg.error = null;
    pkg.checksum = { type: "sha256", value: null };
    this.changed(pkg);
    return pkg;
  }

  /**
   * The upload's job ended. A package that is gone or no longer processing takes nothing: the
   * job exits quietly (`app/jobs/v3/package_bits.rb`), and a stored zip it made is deleted.
   * Answers whether the package took the outcome.
   */
  async finishUpload(guid: string, outcome: UploadOutcome): Promise<boolean> {
    if (this.retired.aborted && outcome.state === "READY") await this.env.store.delete(outcome.blob.id);
    this.guard();
    const pkg = this.packages.get(guid);
    if (!pkg || pkg.state !== "PROCESSING_UPLOAD") {
      if (outcome.state === "READY") await this.env.store.delete(outcome.blob.id);
      return false;
    }
    pkg.updatedAt = this.env.now();
    if (outcome.state === "EXPIRED") {
      pkg.state = "EXPIRED";
      this.changed(pkg);
      return true;
    }
    if (outcome.state === "READY") {
      pkg.state = "READY";
      this.holdReady(pkg, outcome.blob);
    } else {
      pkg.state = "FAILED";
      pkg.error = outcome.error;
    }
    this.markFinished(pkg);
    this.changed(pkg);
    await this.expireExtras(pkg.appGuid);
    return true;
  }

  /**
   * `POST /v3/packages?source_guid=` (`app/actions/package_copy.rb`): a docker copy is READY at
   * once with the source's image only (no credentials); a bits copy is COPYING until
   * {@link finishCopy}, holding the source's bits meanwhile.
   */
  startCopy(source: Readonly<PackageRecord>, input: Omit<NewPackage, "type" | "docker">): Readonly<PackageRecord> {
    this.guard();
    const copy = newRecord(
      { ...input, type: source.type, docker: copiedDocker(source.docker) },
      source.type === "docker" ? "READY" : "COPYING",
      this.env.now(),
    );
    this.packages.set(copy.guid, copy);
    if (copy.type === "bits") {
      const bits = source.state === "READY" && source.blobId !== null;
      if (bits) this.blobs.hold(source.blobId!);
      this.copies.set(
        copy.guid,
        bits ? { blobId: source.blobId, checksum: { ...source.checksum }, sha1: source.sha1 } : null,
      );
    }
    this.changed(copy);
    return copy;
  }

  /** The copy job: COPYING becomes READY with the source's bits, or FAILED when it had none. */
  async finishCopy(guid: string): Promise<void> {
    this.guard();
    const source = this.copies.get(guid);
    if (source === undefined) return;
    this.copies.delete(guid);
    const pkg = this.packages.get(guid);
    if (!pkg || pkg.state !== "COPYING") {
      if (source?.blobId) await this.blobs.release(source.blobId);
      return;
    }
    pkg.updatedAt = this.env.now();
    if (source === null) {
      pkg.state = "FAILED";
      pkg.error = "failed to copy - source package has no bits";
    } else {
      pkg.state = "READY";
      pkg.blobId = source.blobId;
      pkg.checksum = source.checksum;
      pkg.sha1 = source.sha1;
    }
    this.markFinished(pkg);
    this.changed(pkg);
    await this.expireExtras(pkg.appGuid);
  }

  /**
   * `PATCH /v3/packages/{guid}` (`package_update.rb`): labels and annotations (a null value removes
   * the key), and a docker package's credentials (an undefined one is left as it is).
   */
  updatePackage(guid: string, changes: PackageChanges): Readonly<PackageRecord> {
    this.guard();
    const pkg = this.get(guid);
    applyMetadata(pkg, changes);
    if (pkg.docker) pkg.docker = withCredentials(pkg.docker, changes);
    pkg.updatedAt = this.env.now();
    this.changed(pkg);
    return pkg;
  }

  /** The delete job: the package is gone, its bits released and any scenario bound to it dropped. */
  async delete(guid: string): Promise<void> {
    this.guard();
    const pkg = this.packages.get(guid);
    if (!pkg) return;
    this.packages.delete(guid);
    this.finishedByApp.get(pkg.appGuid)?.delete(guid);
    this.state.packageScenarios.delete(guid);
    this.env.onChange?.(pkg, true);
    if (pkg.blobId) await this.blobs.release(pkg.blobId);
  }

  /** Whether a package of this world holds the blob. */
  holds(blobId: string): boolean {
    return this.blobs.holds(blobId);
  }

  private get(guid: string): PackageRecord {
    const pkg = this.packages.get(guid);
    if (!pkg) throw new Error(`mock-packages: no package ${guid}`);
    return pkg;
  }

  private holdReady(pkg: PackageRecord, blob: BlobInfo): void {
    this.blobs.hold(blob.id);
    pkg.blobId = blob.id;
    pkg.checksum = { type: "sha256", value: blob.sha256 };
    pkg.sha1 = blob.sha1;
  }

  private markFinished(pkg: PackageRecord): void {
    if (pkg.type !== "bits") return;
    let finished = this.finishedByApp.get(pkg.appGuid);
    if (!finished) this.finishedByApp.set(pkg.appGuid, (finished = new Set()));
    finished.add(pkg.guid);
  }

  /**
   * `lib/cloud_controller/bits_expiration.rb`: when an app has more than
   * `max_valid_packages_stored` finished packages, the oldest extras become EXPIRED, and
   * `delete_expired_package_blob.rb` deletes their bits and clears their checksums.
   */
  private async expireExtras(appGuid: string): Promise<void> {
    const set = this.finishedByApp.get(appGuid);
    if (!set || set.size <= this.env.maxValidPackagesStored) return;
    const finished = [...set]
      .map((guid) => this.packages.get(guid))
      .filter((p): p is PackageRecord => p !== undefined && (p.state === "READY" || p.state === "FAILED"))
      .sort((a, b) => b.createdAt - a.createdAt || b.guid.localeCompare(a.guid));
    set.clear();
    for (const p of finished.slice(0, this.env.maxValidPackagesStored)) set.add(p.guid);
    for (const pkg of finished.slice(this.env.maxValidPackagesStored)) {
      pkg.state = "EXPIRED";
      pkg.updatedAt = this.env.now();
      pkg.checksum = { type: "sha256", value: null };
      pkg.sha1 = null;
      const blobId = pkg.blobId;
      pkg.blobId = null;
      this.changed(pkg);
      if (blobId) await this.blobs.release(blobId);
    }
  }

  private changed(pkg: PackageRecord): void {
    this.env.onChange?.(pkg, false);
  }
}
