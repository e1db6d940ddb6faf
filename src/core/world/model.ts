/**
 * The simulator's world: what the Cloud Controller database would hold.
 * A {@link WorldData} describes a world to start from (the fixture world, or a
 * team's own); the simulator copies it into its state on start and on reset.
 */
import type { ScenarioInput } from "../scenarios/catalog.js";

export type GlobalRole = "admin" | "admin_read_only" | "global_auditor";
export type OrgRole = "org_manager" | "org_auditor" | "org_billing_manager" | "org_user";
export type SpaceRole = "space_developer" | "space_manager" | "space_auditor" | "space_supporter";

export type PackageType = "bits" | "docker";
export type PackageState = "AWAITING_UPLOAD" | "PROCESSING_UPLOAD" | "READY" | "FAILED" | "COPYING" | "EXPIRED";
export const PACKAGE_STATES: readonly PackageState[] = [
  "AWAITING_UPLOAD",
  "PROCESSING_UPLOAD",
  "READY",
  "FAILED",
  "COPYING",
  "EXPIRED",
];

export interface OrgData {
  guid: string;
  name: string;
  suspended?: boolean;
  beingDeleted?: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Defaults to `createdAt`. */
  updatedAt?: number;
}

export interface SpaceData {
  guid: string;
  name: string;
  orgGuid: string;
  suspended?: boolean;
  beingDeleted?: boolean;
  createdAt: number;
  /** Defaults to `createdAt`. */
  updatedAt?: number;
}

export interface AppData {
  guid: string;
  name: string;
  spaceGuid: string;
  lifecycle?: "buildpack" | "docker";
  state?: "STARTED" | "STOPPED";
  createdAt: number;
  updatedAt?: number;
}

export interface UserData {
  /** The UAA user id: the `user_id` claim of the user's tokens. */
  guid: string;
  /** The UAA user name: what `mock-packages token --user NAME` takes. */
  name: string;
  globalRole?: GlobalRole;
  orgRoles?: Array<{ orgGuid: string; role: OrgRole }>;
  spaceRoles?: Array<{ spaceGuid: string; role: SpaceRole }>;
  /** The password of the `password` grant at `POST /oauth/token`. Default `password`. */
  password?: string;
}

/** A UAA client for the `client_credentials` grant at `POST /oauth/token`. */
export interface ClientData {
  id: string;
  secret: string;
  /** The token's scopes. Default: the admin scopes with `admin`, otherwise `uaa.none`. */
  scopes?: string[];
  /** A client with `cloud_controller.admin` (and read and write), unless `scopes` says otherwise. */
  admin?: boolean;
}

export interface PackageData {
  guid: string;
  appGuid: string;
  type: PackageType;
  state: PackageState;
  createdAt: number;
  updatedAt?: number;
  /** `data.error` of a FAILED package. */
  error?: string | null;
  /** The stored zip of a READY bits package. */
  bits?: Uint8Array;
  docker?: { image: string; username?: string | null; password?: string | null };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** A scenario bound to this package (`bindScenario`), e.g. `"processing-fails"` or `"slow; latency=300"`. */
  scenario?: ScenarioInput;
}

export interface WorldData {
  orgs: OrgData[];
  spaces: SpaceData[];
  apps: AppData[];
  users: UserData[];
  packages: PackageData[];
  /** Clients of the `client_credentials` grant, besides the built-in `admin-client`. */
  clients?: ClientData[];
  /** Overrides of the feature flags' defaults, by flag name. */
  featureFlags?: Record<string, { enabled: boolean; customErrorMessage?: string | null }>;
  /** The global scenario of the upload endpoint; the simulator's `scenario` option, when given, wins. */
  scenario?: ScenarioInput;
  /** How downloads answer (see the simulator's `blobstore` option, which, when given, wins). */
  blobstore?: "remote" | "local";
}

/** A package as the simulator holds it. */
export interface PackageRecord {
  guid: string;
  appGuid: string;
  type: PackageType;
  state: PackageState;
  createdAt: number;
  updatedAt: number;
  error: string | null;
  checksum: { type: "sha256" | "sha1"; value: string | null };
  sha1: string | null;
  /** Id of the stored zip in the blob store (READY bits packages). */
  blobId: string | null;
  docker: { image: string; username: string | null; password: string | null } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface JobRecord {
  guid: string;
  operation: string;
  state: "PROCESSING" | "POLLING" | "COMPLETE" | "FAILED";
  createdAt: number;
  updatedAt: number;
  errors: Array<{ detail: string; title: string; code: number }>;
  warnings: Array<{ detail: string }>;
  /** The package the job is about; its link is shown while the package exists. */
  packageGuid: string | null;
}

export interface FeatureFlagRecord {
  name: string;
  enabled: boolean;
  customErrorMessage: string | null;
  updatedAt: number | null;
}

/**
 * Feature flags of a Cloud Controller with their default values
 * (`cloud_controller_ng: app/models/runtime/feature_flag.rb`).
 */
export const FEATURE_FLAG_DEFAULTS: Readonly<Record<string, boolean>> = Object.freeze({
  user_org_creation: false,
  private_domain_creation: true,
  app_bits_upload: true,
  app_scaling: true,
  route_creation: true,
  service_instance_creation: true,
  diego_docker: false,
  set_roles_by_username: true,
  unset_roles_by_username: true,
  task_creation: true,
  env_var_visibility: true,
  space_scoped_private_broker_creation: true,
  space_developer_env_var_visibility: true,
  service_instance_sharing: false,
  hide_marketplace_from_unauthenticated_users: false,
  resource_matching: true,
  route_sharing: false,
});
