/**
 * What the dashboard and the event stream show of the simulator's state: packages with their
 * app, the world as a tree, and journal entries as table rows. Plain data, no Cloud Controller
 * presenter: these are the simulator's own views (`x-mock-packages` in the OpenAPI document).
 */
import type { BlobSigner } from "../blobstore/signed-url.js";
import type { JournalEntry } from "../journal/journal.js";
import type { ScenarioSetting } from "../scenarios/catalog.js";
import type { PackageRecord } from "../world/model.js";
import type { components } from "../../types/openapi.js";
import type { State } from "../world/state.js";

/** A package as the dashboard shows it: `MockPackageView` of spec/openapi.yaml. */
export type PackageView = components["schemas"]["MockPackageView"];

const iso = (ms: number) => new Date(ms).toISOString();

export function presentPackageView(
  pkg: Readonly<PackageRecord>,
  signer: BlobSigner,
  now: number,
  deleted = false,
): PackageView {
  const hasBits = !deleted && pkg.type === "bits" && pkg.state === "READY" && pkg.blobId !== null;
  return {
    guid: pkg.guid,
    appGuid: pkg.appGuid,
    type: pkg.type,
    state: pkg.state,
    checksum: pkg.checksum.value,
    error: pkg.error,
    createdAt: iso(pkg.createdAt),
    updatedAt: iso(pkg.updatedAt),
    image: pkg.docker?.image ?? null,
    download: hasBits ? signer.url("", pkg.guid, now) : null,
    ...(deleted ? { deleted: true as const } : {}),
  };
}

/** A scenario setting as the admin API shows it: its name and the options it has. */
export function presentSetting(setting: ScenarioSetting) {
  return {
    name: setting.name,
    ...(setting.error !== undefined ? { error: setting.error } : {}),
    ...(setting.latency !== undefined ? { latency: setting.latency } : {}),
  };
}

/** The global scenario and the package bindings (`GET /__mock/scenario`, the `scenario` event). */
export function presentScenarios(state: State) {
  const packages: Record<string, ReturnType<typeof presentSetting>> = {};
  for (const [guid, setting] of state.packageScenarios) packages[guid] = presentSetting(setting);
  return { scenario: presentSetting(state.scenario), packages };
}

/** Users with their roles as `role@org` or `role@org/space`, for the Tokens view. */
function presentUsers(state: State) {
  return [...state.users.values()].map((user) => {
    const roles: string[] = user.globalRole ? [user.globalRole] : [];
    for (const r of user.orgRoles ?? []) {
      if (r.role !== "org_user") roles.push(`${r.role}@${state.orgs.get(r.orgGuid)?.name ?? r.orgGuid}`);
    }
    for (const r of user.spaceRoles ?? []) {
      const space = state.spaces.get(r.spaceGuid);
      const org = space ? state.orgs.get(space.orgGuid)?.name : undefined;
      roles.push(`${r.role}@${org ?? "?"}/${space?.name ?? r.spaceGuid}`);
    }
    return { guid: user.guid, name: user.name, roles };
  });
}

/** `GET /__mock/world`: orgs, their spaces, their apps and their packages, the users and the scenarios. */
export function presentWorld(state: State, signer: BlobSigner, now: number) {
  const packagesOf = new Map<string, PackageView[]>();
  for (const pkg of state.packages.values()) {
    const list = packagesOf.get(pkg.appGuid) ?? [];
    list.push(presentPackageView(pkg, signer, now));
    packagesOf.set(pkg.appGuid, list);
  }
  const orgs = [...state.orgs.values()].map((org) => ({
    guid: org.guid,
    name: org.name,
    suspended: org.suspended,
    spaces: [...state.spaces.values()]
      .filter((space) => space.orgGuid === org.guid)
      .map((space) => ({
        guid: space.guid,
        name: space.name,
        apps: [...state.apps.values()]
          .filter((app) => app.spaceGuid === space.guid)
          .map((app) => ({
            guid: app.guid,
            name: app.name,
            lifecycle: app.lifecycle,
            packages: packagesOf.get(app.guid) ?? [],
          })),
      })),
  }));
  return { orgs, users: presentUsers(state), blobstore: state.blobstore, ...presentScenarios(state) };
}

/** A journal entry as a row of the Requests table (and the `journal` event). */
export function presentJournalRow(entry: JournalEntry): components["schemas"]["MockJournalRow"] {
  return {
    id: entry.id,
    time: entry.time,
    method: entry.method,
    path: entry.path,
    query: entry.query,
    status: entry.status,
    scenario: entry.scenario,
    durationMs: entry.durationMs,
    /** The contract verdict: true (valid), false (violations), null (no checker). */
    valid: entry.contract === null ? null : entry.contract.valid,
  };
}
