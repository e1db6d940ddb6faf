/**
 * A world document as `fixtures/world.schema.json` allows it: what the builder
 * may assume once the schema has passed. Names follow the file (snake_case),
 * not the simulator's model.
 */
import type { GlobalRole, PackageState } from "../core/world/model.js";

/** A package of an app; every property is optional. */
export interface DocPackage {
  guid?: string;
  type?: "bits" | "docker";
  state?: PackageState;
  bits?: string;
  error?: string;
  image?: string;
  username?: string;
  password?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  created_at?: string;
  updated_at?: string;
  scenario?: DocScenario;
}

/** A scenario: a name or `NAME; option=value` text, or an object (the simulator's parser checks both). */
export type DocScenario = string | { name: string; error?: string; latency?: number | string | [number, number] };

/** An app of a space. */
export interface DocApp {
  name: string;
  guid?: string;
  lifecycle?: "buildpack" | "docker";
  state?: "STARTED" | "STOPPED";
  created_at?: string;
  packages?: DocPackage[];
}

/** A space of an org. */
export interface DocSpace {
  name: string;
  guid?: string;
  suspended?: boolean;
  being_deleted?: boolean;
  created_at?: string;
  apps?: DocApp[];
}

/** An org. */
export interface DocOrg {
  name: string;
  guid?: string;
  suspended?: boolean;
  being_deleted?: boolean;
  created_at?: string;
  spaces?: DocSpace[];
}

/** A user; roles are `<role>@<org>` or `<role>@<org>/<space>` (the schema checks the shape). */
export interface DocUser {
  name: string;
  global_role?: GlobalRole;
  roles?: string[];
  /** The password of the `password` grant; default `password`. */
  password?: string;
}

/** A client of the `client_credentials` grant. */
export interface DocClient {
  id: string;
  secret: string;
  scopes?: string[];
  admin?: boolean;
}

/** The whole document. */
export interface WorldDocument {
  orgs?: DocOrg[];
  users?: DocUser[];
  clients?: DocClient[];
  feature_flags?: Record<string, boolean | { enabled: boolean; custom_error_message?: string | null }>;
  scenario?: DocScenario;
  blobstore?: "remote" | "local";
}
