/**
 * The reference model of test/model.test.ts: what a Cloud Controller would answer and which
 * packages it would hold, in plain data, without the simulator's code. It starts from the
 * world the simulator was given (the fixture packages as they are loaded) and from then on
 * follows the controller's rules (the reference's §3 and the packages endpoints):
 *
 * - a bits package is created AWAITING_UPLOAD; an accepted upload ends READY (the checksum is
 *   the stored zip's sha256) or FAILED; a copy ends READY with the source's bits when the source
 *   was READY, else FAILED;
 * - when a bits package of an app finishes and more than five are READY or FAILED, the oldest
 *   extras become EXPIRED: no bits, checksum null (`bits_expiration.rb`);
 * - delete removes the package (and any scenario bound to it); a copy keeps its bits whatever
 *   happens to its source afterwards;
 * - a reset returns to the starting world, the resource cache emptied.
 */
import type { Simulator } from "../../src/index.js";

/** `packages.max_valid_packages_stored`. */
export const MAX_VALID_PACKAGES = 5;

/** Scenarios the model binds to packages (`PUT /__mock/packages/{guid}/scenario`). */
export type ScenarioName = "processing-fails" | "expires" | "rate-limited";

/** The default `data.error` of `processing-fails`, and the text of a zip that is not one. */
export const INVALID_ZIP = "The app upload is invalid: Invalid zip archive.";
export const COPY_WITHOUT_BITS = "failed to copy - source package has no bits";

/**
 * Stored bits. Shared by a package and its copies (the controller copies the blob: the copy's
 * checksum is the source's). `sha256` is unknown for zips the server builds (a resources-only
 * upload) until an answer shows it; from then on every answer must agree.
 */
export interface Bits {
  sha256?: string;
}

export interface ModelApp {
  guid: string;
  name: string;
  /** Its org or space is suspended: writes get 403 CF-OrgSuspended / CF-SpaceSuspended. */
  suspended: boolean;
  /** A docker app: it takes no bits package, so no command creates one in it. */
  docker: boolean;
}

export interface ModelPackage {
  guid: string;
  appGuid: string;
  type: "bits" | "docker";
  state: "AWAITING_UPLOAD" | "PROCESSING_UPLOAD" | "READY" | "FAILED" | "COPYING" | "EXPIRED";
  /** Creation order (the controller orders by `created_at`): bigger is newer. */
  created: number;
  bits: Bits | null;
  error: string | null;
  scenario: ScenarioName | null;
}

/** A file in the resource cache: what a `resources` entry may name. */
export interface CachedFile {
  path: string;
  content: string;
}

export interface Model {
  apps: ModelApp[];
  /** The packages that exist, by guid. */
  packages: Map<string, ModelPackage>;
  /** Every guid seen since the run began (deleted ones too): commands pick from these. */
  known: string[];
  cache: CachedFile[];
  /** The next package's creation order. */
  next: number;
  /** The starting world, to return to on reset. */
  start: { packages: ModelPackage[]; next: number };
}

/** The model of the world `sim` serves now (call right after a reset). */
export function initialModel(sim: Simulator): Model {
  const apps: ModelApp[] = [...sim.state.apps.values()].map((app) => {
    const space = sim.state.spaces.get(app.spaceGuid)!;
    const org = sim.state.orgs.get(space.orgGuid)!;
    return {
      guid: app.guid,
      name: app.name,
      suspended: Boolean(org.suspended || space.suspended),
      docker: app.lifecycle === "docker",
    };
  });
  const packages: ModelPackage[] = [...sim.state.packages.values()].map((p) => ({
    guid: p.guid,
    appGuid: p.appGuid,
    type: p.type,
    state: p.state,
    created: p.createdAt,
    bits: p.state === "READY" && p.type === "bits" ? { sha256: p.checksum.value ?? undefined } : null,
    error: p.error,
    scenario: null,
  }));
  // New packages are newer than every fixture (the simulator's clock is now, the fixtures' 2024).
  const next = Math.max(0, ...packages.map((p) => p.created)) + 1;
  const model: Model = { apps, packages: new Map(), known: [], cache: [], next, start: { packages, next } };
  resetModel(model);
  return model;
}

/** `POST /__mock/reset`: the starting world again; known guids stay pickable (they now answer 404). */
export function resetModel(model: Model): void {
  model.packages = new Map(model.start.packages.map((p) => [p.guid, { ...p, bits: p.bits && { ...p.bits } }]));
  for (const guid of model.packages.keys()) remember(model, guid);
  model.cache = [];
  model.next = model.start.next;
}

export function remember(model: Model, guid: string): void {
  if (!model.known.includes(guid)) model.known.push(guid);
}

/** The guid a command's `pick` names: any guid seen so far, whether or not it still exists. */
export function pickGuid(model: Model, pick: number): string {
  return model.known[pick % model.known.length]!;
}

/** An app that commands create packages in: buildpack apps only, since a docker app takes no bits package. */
export function pickApp(model: Model, pick: number): ModelApp {
  const buildpack = model.apps.filter((a) => !a.docker);
  return buildpack[pick % buildpack.length]!;
}

export function appOf(model: Model, pkg: ModelPackage): ModelApp {
  return model.apps.find((a) => a.guid === pkg.appGuid)!;
}

/** A new package, in creation order. */
export function addPackage(model: Model, pkg: Omit<ModelPackage, "created" | "scenario">): ModelPackage {
  const created: ModelPackage = { ...pkg, created: model.next++, scenario: null };
  model.packages.set(pkg.guid, created);
  remember(model, pkg.guid);
  return created;
}

/**
 * A package finished READY or FAILED: the app keeps its five newest finished bits packages.
 * Answers whether older ones expired.
 */
export function finish(model: Model, pkg: ModelPackage, state: "READY" | "FAILED", outcome: Bits | string): boolean {
  pkg.state = state;
  if (state === "READY") pkg.bits = outcome as Bits;
  else pkg.error = outcome as string;
  const finished = [...model.packages.values()]
    .filter((p) => p.appGuid === pkg.appGuid && p.type === "bits" && (p.state === "READY" || p.state === "FAILED"))
    .sort((a, b) => b.created - a.created);
  for (const old of finished.slice(MAX_VALID_PACKAGES)) {
    old.state = "EXPIRED";
    old.bits = null;
  }
  return finished.length > MAX_VALID_PACKAGES;
}

/** What the controller answers: a status, and for errors the CF title and, when it matters, the detail. */
export interface Expected {
  status: number;
  title?: string;
  detail?: string;
}

export const NOT_FOUND: Expected = { status: 404, title: "CF-ResourceNotFound", detail: "Package not found" };
export const SUSPENDED: Expected = { status: 403, title: "CF-OrgSuspended" };

/** The upload's checks that the model can reach (reference §1.2 rows 6, 8c, 9, 10; a bound status scenario first). */
export function uploadAnswer(pkg: ModelPackage | undefined, app: ModelApp | undefined): Expected {
  if (pkg?.scenario === "rate-limited") return { status: 429, title: "CF-RateLimitExceeded" };
  if (!pkg || !app) return NOT_FOUND;
  if (app.suspended) return SUSPENDED;
  if (pkg.type !== "bits")
    return { status: 422, title: "CF-UnprocessableEntity", detail: "Package type must be bits." };
  if (pkg.state !== "AWAITING_UPLOAD") return { status: 400, title: "CF-PackageBitsAlreadyUploaded" };
  return { status: 200 };
}

/** `GET /v3/packages/{guid}/download` (reference: download checks 2, 4, 5). */
export function downloadAnswer(pkg: ModelPackage | undefined): Expected {
  if (!pkg) return NOT_FOUND;
  if (pkg.type !== "bits")
    return { status: 422, title: "CF-UnprocessableEntity", detail: "Package type must be bits." };
  if (pkg.state !== "READY") {
    return { status: 422, title: "CF-UnprocessableEntity", detail: "Package has no bits to download." };
  }
  return { status: 200 };
}

/** `DELETE /v3/packages/{guid}`: upload checks 6–8, then 202. */
export function deleteAnswer(pkg: ModelPackage | undefined, app: ModelApp | undefined): Expected {
  if (!pkg || !app) return NOT_FOUND;
  if (app.suspended) return SUSPENDED;
  return { status: 202 };
}

export const SOURCE_INVALID = "Source package is invalid. Ensure it exists and you have access to it.";
export const SAME_APP = "Source and destination app cannot be the same";

/**
 * `POST /v3/packages?source_guid=`: the answers the model accepts, the controller's first.
 * Copies are generated only from bits packages of apps that are not suspended into such apps.
 */
export function copyAnswers(source: ModelPackage | undefined, destination: ModelApp): Expected[] {
  const invalid: Expected = { status: 422, title: "CF-UnprocessableEntity", detail: SOURCE_INVALID };
  if (!source) return [invalid];
  const same: Expected = { status: 422, title: "CF-UnprocessableEntity", detail: SAME_APP };
  if (source.appGuid === destination.guid) return [same];
  return [{ status: 201 }];
}
