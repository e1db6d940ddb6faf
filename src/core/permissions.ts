/**
 * Who may do what: `cloud_controller_ng: lib/cloud_controller/permissions.rb`,
 * as tabulated in the behaviour reference (§6).
 */
import type { UserData } from "./model.js";
import type { SpaceRecord, State } from "./state.js";

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
