/**
 * Who may do what: `cloud_controller_ng: lib/cloud_controller/permissions.rb`,
 * and `spec/request/packages_spec.rb`.
 */
import type { UserData } from "../world/model.js";
import { CfError } from "../errors.js";
import type { PackageRecord } from "../world/model.js";
import type { OrgRecord, SpaceRecord, State } from "../world/state.js";

export interface Identity {
  userId: string;
  userName: string;
  scopes: ReadonlySet<string>;
  /** The user the simulator knows by this id; a stranger has no roles. */
  user: UserData | undefined;
}

export class Permissions {
  constructor(
    private readonly identity: Identity,
    private readonly state: State,
  ) {}

  get isAdmin(): boolean {
    return this.identity.scopes.has("cloud_controller.admin") || this.identity.user?.globalRole === "admin";
  }

  get isAdminReadOnly(): boolean {
    return (
      this.identity.scopes.has("cloud_controller.admin_read_only") ||
      this.identity.user?.globalRole === "admin_read_only"
    );
  }

  get isGlobalAuditor(): boolean {
    return (
      this.identity.scopes.has("cloud_controller.global_auditor") || this.identity.user?.globalRole === "global_auditor"
    );
  }

  /** Global readers see every space. */
  get canReadGlobally(): boolean {
    return this.isAdmin || this.isAdminReadOnly || this.isGlobalAuditor;
  }

  /** Row 2 of the upload checks: admin or the `cloud_controller.write` scope. */
  get hasWriteScope(): boolean {
    return this.isAdmin || this.identity.scopes.has("cloud_controller.write");
  }

  /** Read scope: `cloud_controller.read`, or a global role's scope. */
  get hasReadScope(): boolean {
    return this.canReadGlobally || this.identity.scopes.has("cloud_controller.read");
  }

  private spaceRoles(spaceGuid: string): Set<string> {
    return new Set((this.identity.user?.spaceRoles ?? []).filter((r) => r.spaceGuid === spaceGuid).map((r) => r.role));
  }

  private orgRoles(orgGuid: string): Set<string> {
    return new Set((this.identity.user?.orgRoles ?? []).filter((r) => r.orgGuid === orgGuid).map((r) => r.role));
  }

  isOrgManager(orgGuid: string): boolean {
    return this.orgRoles(orgGuid).has("org_manager");
  }

  /**
   * `ROLES_FOR_ORG_READING`: any org role (manager, auditor, billing manager, user), and global
   * readers. A space role counts as the org-user role the controller requires beside it.
   */
  canReadFromOrg(orgGuid: string): boolean {
    if (this.canReadGlobally || this.orgRoles(orgGuid).size > 0) return true;
    return (this.identity.user?.spaceRoles ?? []).some((r) => this.state.spaces.get(r.spaceGuid)?.orgGuid === orgGuid);
  }

  /** Space developers, managers, auditors and supporters, the org's managers, and global readers. */
  canReadFromSpace(space: SpaceRecord): boolean {
    if (this.canReadGlobally) return true;
    if (this.spaceRoles(space.guid).size > 0) return true;
    return this.isOrgManager(space.orgGuid);
  }

  /** Space developers and admins (row 7). */
  canWriteToSpace(space: SpaceRecord): boolean {
    return this.isAdmin || this.spaceRoles(space.guid).has("space_developer");
  }

  /** Admins, read-only admins and space developers may download bits. */
  canReadSecretsInSpace(space: SpaceRecord): boolean {
    return this.isAdmin || this.isAdminReadOnly || this.spaceRoles(space.guid).has("space_developer");
  }

  /** The guids of the spaces this caller can read. */
  readableSpaceGuids(): Set<string> {
    const out = new Set<string>();
    for (const space of this.state.spaces.values()) if (this.canReadFromSpace(space)) out.add(space.guid);
    return out;
  }
}

// The checks endpoints share, each named after the Cloud Controller rule it reproduces.

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
