/**
 * Checks that several endpoints share, each named after the Cloud Controller
 * rule it reproduces.
 */
import { CfError } from "./errors.js";
import type { PackageRecord } from "./model.js";
import type { Permissions } from "./permissions.js";
import type { OrgRecord, SpaceRecord, State } from "./state.js";

export interface PackageScope {
  pkg: PackageRecord;
  space: SpaceRecord;
  org: OrgRecord;
}

/** The package, if it exists and the caller can read its space; else 404 `Package not found` (never 403). */
export function findReadablePackage(state: State, perms: Permissions, guid: string): PackageScope {
  const pkg = state.packages.get(guid);
  const space = pkg ? state.spaceOfApp(pkg.appGuid) : undefined;
  const org = space ? state.orgOfSpace(space) : undefined;
  if (!pkg || !space || !org || !perms.canReadFromSpace(space)) {
    throw new CfError("ResourceNotFound", "Package not found");
  }
  return { pkg, space, org };
}

/** Row 7: a reader who cannot write to the space gets 403. */
export function requireSpaceWrite(perms: Permissions, space: SpaceRecord): void {
  if (!perms.canWriteToSpace(space)) throw new CfError("NotAuthorized");
}

/**
 * Row 8 (`application_controller.rb`, `suspended!` and `resource_being_deleted!`):
 * admins skip it all; an org manager of the org skips the space checks.
 */
export function requireActiveOrgAndSpace(perms: Permissions, org: OrgRecord, space: SpaceRecord): void {
  if (perms.isAdmin) return;
  const orgManager = perms.isOrgManager(org.guid);
  if (org.beingDeleted) throw new CfError("ResourceBeingDeleted", "organization");
  if (space.beingDeleted && !orgManager) throw new CfError("ResourceBeingDeleted", "space");
  if (org.suspended) throw new CfError("OrgSuspended");
  if (space.suspended && !orgManager) throw new CfError("SpaceSuspended");
}

/** Check 3 of uploads and resource matches: the `app_bits_upload` flag; admins bypass it. */
export function requireAppBitsUploadFlag(state: State, perms: Permissions): void {
  if (perms.isAdmin) return;
  const flag = state.featureFlags.get("app_bits_upload");
  if (flag && !flag.enabled) {
    throw new CfError("FeatureDisabled", flag.customErrorMessage ?? "app_bits_upload");
  }
}

/** `Unknown field(s): 'a', 'b'` for keys outside `allowed`, in request order; null when none. */
export function unknownFieldsMessage(keys: readonly string[], allowed: readonly string[]): string | null {
  const unknown = keys.filter((k) => !allowed.includes(k));
  return unknown.length ? `Unknown field(s): ${unknown.map((k) => `'${k}'`).join(", ")}` : null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
