/**
 * The scenario catalog: named, documented behaviours of the upload endpoint
 * that a client team switches on to see how its code copes. One catalog
 * drives every adapter (HTTP server, msw handlers, programmatic API).
 *
 * Precedence, highest first: the request's `Prefer` header, a scenario bound
 * to the package, the global scenario. Every way of naming one is read by
 * `parse.ts`.
 */
import type { CfErrorName } from "../errors.js";
import type { components } from "../../types/openapi.js";

/** The scenario names, as spec/openapi.yaml's `ScenarioName` enumerates them (one list, in the document). */
export type ScenarioName = components["schemas"]["ScenarioName"];

/** What a scenario takes besides its name. */
export type ScenarioOption = "error" | "latency";

/**
 * A scenario as a record of what it does to an upload. The upload route reads
 * these fields, never a scenario's name. Left out: the real controller's way
 * (check everything, answer 200, process the bits for real).
 */
export interface ScenarioDefinition {
  name: ScenarioName;
  /** One line for `mock-packages scenarios` and the README. */
  description: string;
  /** The status the upload answers with; `Prefer: code=N` picks the scenario listed first for N. */
  status: number | null;
  /** Answer with this error, as the real controller words it, before anything else is looked at. */
  error?: { name: CfErrorName; args: string[] };
  /** Before the upload is read: wait out a latency, never answer, or drop the connection mid-body. */
  before?: "delay" | "never-answer" | "drop-connection";
  /** An accepted upload is answered with the package (200, the default) or a job's Location (202, the seed). */
  accepted?: "package" | "job";
  /** How the background job ends: process the bits (the default), fail, never end, or expire the package. */
  outcome?: "process" | "fail" | "hang" | "expire";
  /** The options it takes (`error`: the `data.error` text; `latency`: MS or MIN-MAX). */
  options: readonly ScenarioOption[];
}

const error = (
  name: ScenarioName,
  status: number,
  description: string,
  cf: CfErrorName,
  ...args: string[]
): ScenarioDefinition => ({ name, status, description, error: { name: cf, args }, options: [] });

export const SCENARIOS: readonly ScenarioDefinition[] = Object.freeze([
  {
    name: "cloud-controller",
    status: 200,
    description: "The real controller (default): 200, then READY or FAILED from what was uploaded.",
    options: [],
  },
  {
    name: "async-upload",
    status: 202,
    description:
      "The seed's variant: 202 with the package and Location of a package.upload job that ends COMPLETE or FAILED.",
    accepted: "job",
    options: [],
  },
  {
    name: "processing-fails",
    status: 200,
    description: "200, then FAILED with a realistic data.error (option: the text).",
    outcome: "fail",
    options: ["error"],
  },
  {
    name: "stuck-processing",
    status: 200,
    description: "200, then the package stays PROCESSING_UPLOAD forever (test your timeout).",
    outcome: "hang",
    options: [],
  },
  { name: "expires", status: 200, description: "200, then the package ends EXPIRED.", outcome: "expire", options: [] },
  error("unauthenticated", 401, "401 CF-NotAuthenticated: no token reached the controller.", "NotAuthenticated"),
  error("invalid-token", 401, "401 CF-InvalidAuthToken: the token expired or is not valid.", "InvalidAuthToken"),
  error("not-authorized", 403, "403 CF-NotAuthorized: the user may not upload to this space.", "NotAuthorized"),
  error(
    "feature-disabled",
    403,
    "403 CF-FeatureDisabled: an admin switched off app_bits_upload.",
    "FeatureDisabled",
    "app_bits_upload",
  ),
  error("org-suspended", 403, "403 CF-OrgSuspended: the organization is suspended.", "OrgSuspended"),
  error(
    "not-found",
    404,
    "404 CF-ResourceNotFound: the package does not exist or is not visible.",
    "ResourceNotFound",
    "Package not found",
  ),
  error(
    "unprocessable",
    422,
    "422 CF-UnprocessableEntity: the upload had neither bits nor resources.",
    "UnprocessableEntity",
    "Upload must include either resources or bits",
  ),
  error(
    "already-uploaded",
    400,
    "400 CF-PackageBitsAlreadyUploaded: bits were uploaded before.",
    "PackageBitsAlreadyUploaded",
  ),
  error("rate-limited", 429, "429 CF-RateLimitExceeded: the foundation's rate limit was hit.", "RateLimitExceeded"),
  error(
    "unavailable",
    503,
    "503 CF-ServiceUnavailable: the controller lost its database.",
    "ServiceUnavailable",
    "Database connection failure",
  ),
  error("server-error", 500, "500 UnknownError: the controller failed unexpectedly.", "UnknownError"),
  {
    name: "slow",
    status: null,
    description: "The real behaviour, answered after a latency (option or --latency: MS or MIN-MAX; default 2000).",
    before: "delay",
    options: ["latency"],
  },
  {
    name: "timeout",
    status: null,
    description: "Never answers the upload (the client's timeout must fire).",
    before: "never-answer",
    options: [],
  },
  {
    name: "connection-reset",
    status: null,
    description: "Drops the connection while the upload body is being sent.",
    before: "drop-connection",
    options: [],
  },
]);

export const SCENARIO_NAMES: readonly ScenarioName[] = SCENARIOS.map((s) => s.name);

/** A scenario with its options. */
export interface ScenarioSetting {
  name: ScenarioName;
  /** `processing-fails`: the `data.error` text. Default `The app upload is invalid: Invalid zip archive.` */
  error?: string;
  /** `slow`: milliseconds, or `[min, max]` for a random latency in that range. */
  latency?: number | [number, number];
}

/** A scenario by name, as `NAME; option=value` text (e.g. `slow; latency=300`), or as a setting. */
export type ScenarioInput = ScenarioName | `${ScenarioName};${string}` | ScenarioSetting;

export function findScenario(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** What the upload route does for a setting: its scenario's record, with the setting's options filled in. */
export interface UploadBehaviour {
  /** For the journal only: the route never looks at it. */
  name: ScenarioName;
  error: { name: CfErrorName; args: string[] } | null;
  before: "none" | "delay" | "never-answer" | "drop-connection";
  /** Milliseconds, or a `[min, max]` range, for `before: "delay"`. */
  latency: number | [number, number];
  accepted: "package" | "job";
  outcome: "process" | "fail" | "hang" | "expire";
  /** The `data.error` of `outcome: "fail"`. */
  failure: string;
}

/** The latency of a delayed upload when neither the setting nor the `latency` option gives one. */
export const DEFAULT_LATENCY = 2000;

export function behaviourOf(setting: ScenarioSetting, latency?: number | [number, number]): UploadBehaviour {
  const definition = findScenario(setting.name)!;
  return {
    name: definition.name,
    error: definition.error ?? null,
    before: definition.before ?? "none",
    latency: setting.latency ?? latency ?? DEFAULT_LATENCY,
    accepted: definition.accepted ?? "package",
    outcome: definition.outcome ?? "process",
    failure: setting.error ?? "The app upload is invalid: Invalid zip archive.",
  };
}
