/**
 * The scenario catalog: named, documented behaviours of the upload endpoint
 * that a client team switches on to see how its code copes. One catalog
 * drives every adapter (HTTP server, msw handlers, programmatic API).
 *
 * Precedence, highest first: the request's `Prefer` header, a scenario bound
 * to the package, the global scenario.
 */
import { CfError, type CfErrorName } from "../errors.js";
import type { components } from "../../types/openapi.js";

/** The scenario names, as spec/openapi.yaml's `ScenarioName` enumerates them (one list, in the document). */
export type ScenarioName = components["schemas"]["ScenarioName"];

export interface ScenarioDefinition {
  name: ScenarioName;
  /** One line for `mock-packages scenarios` and the README. */
  description: string;
  /** The status the upload answers with; `Prefer: code=N` picks the scenario listed first for N. */
  status: number | null;
  /** For error scenarios: the error the upload answers, as the real controller words it. */
  error?: { name: CfErrorName; args: string[] };
}

const error = (
  name: ScenarioName,
  status: number,
  description: string,
  cf: CfErrorName,
  ...args: string[]
): ScenarioDefinition => ({
  name,
  status,
  description,
  error: { name: cf, args },
});

export const SCENARIOS: readonly ScenarioDefinition[] = Object.freeze([
  {
    name: "cloud-controller",
    status: 200,
    description: "The real controller (default): 200, then READY or FAILED from what was uploaded.",
  },
  {
    name: "async-upload",
    status: 202,
    description:
      "The seed's variant: 202 with the package and Location of a package.upload job that ends COMPLETE or FAILED.",
  },
  {
    name: "processing-fails",
    status: 200,
    description: "200, then FAILED with a realistic data.error (option: the text).",
  },
  {
    name: "stuck-processing",
    status: 200,
    description: "200, then the package stays PROCESSING_UPLOAD forever (test your timeout).",
  },
  { name: "expires", status: 200, description: "200, then the package ends EXPIRED." },
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
  },
  { name: "timeout", status: null, description: "Never answers the upload (the client's timeout must fire)." },
  { name: "connection-reset", status: null, description: "Drops the connection while the upload body is being sent." },
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

export type ScenarioInput = ScenarioName | ScenarioSetting;

export function findScenario(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** Why a scenario name is not known, with the valid ones. */
export function unknownScenarioMessage(name: string): string {
  return `unknown scenario '${name}'. Valid scenarios are: ${SCENARIO_NAMES.join(", ")}`;
}

/** Normalises and checks a scenario; throws a TypeError naming the valid ones. */
export function toSetting(input: ScenarioInput): ScenarioSetting {
  const setting = typeof input === "string" ? { name: input } : { ...input };
  if (!findScenario(setting.name)) throw new TypeError(`mock-packages: ${unknownScenarioMessage(setting.name)}`);
  if (setting.latency !== undefined) parseLatency(setting.latency);
  return setting as ScenarioSetting;
}

/** `MS` or `MIN-MAX` (also a number or a pair); throws a TypeError when it is neither. */
export function parseLatency(value: string | number | [number, number]): number | [number, number] {
  const bad = () =>
    new TypeError(
      `mock-packages: latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got '${String(value)}'`,
    );
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw bad();
    return value;
  }
  if (Array.isArray(value)) {
    if (value.length !== 2) throw bad();
    const [a, b] = value;
    if (!(Number.isFinite(a) && Number.isFinite(b) && a >= 0 && b >= a)) throw bad();
    return [a, b];
  }
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!m) throw bad();
  if (m[2] === undefined) return Number(m[1]);
  const range: [number, number] = [Number(m[1]), Number(m[2])];
  if (range[1] < range[0]) throw bad();
  return range;
}

/** The status → scenario map of `Prefer: code=N` (Prism-compatible). */
export function scenarioForStatus(code: number): ScenarioName | undefined {
  return SCENARIOS.find((s) => s.status === code)?.name;
}

/**
 * Reads the scenario a request asks for in its `Prefer` header (RFC 7240):
 * `respond-async`, `code=NNN` or `scenario=NAME`. Null when it asks for none;
 * 400 CF-BadRequest naming the valid values when it asks for one that does not exist.
 */
export function scenarioFromPrefer(header: string | null): ScenarioSetting | null {
  if (!header) return null;
  let chosen: ScenarioSetting | null = null;
  for (const raw of header.split(",")) {
    const pref = raw.split(";")[0]!.trim();
    if (pref === "") continue;
    const eq = pref.indexOf("=");
    const key = (eq === -1 ? pref : pref.slice(0, eq)).trim().toLowerCase();
    const value =
      eq === -1
        ? ""
        : pref
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, "$1");
    if (key === "respond-async") chosen = { name: "async-upload" };
    else if (key === "code") {
      const name = /^\d{3}$/.test(value) ? scenarioForStatus(Number(value)) : undefined;
      if (!name) {
        const codes = [...new Set(SCENARIOS.flatMap((s) => (s.status === null ? [] : [s.status])))]
          .sort((a, b) => a - b)
          .join(", ");
        throw new CfError(
          "BadRequest",
          `the Prefer header asks for code=${value}, which no scenario answers. Valid codes are: ${codes}`,
        );
      }
      chosen = { name };
    } else if (key === "scenario") {
      if (!findScenario(value))
        throw new CfError("BadRequest", `the Prefer header names an ${unknownScenarioMessage(value)}`);
      chosen = { name: value as ScenarioName };
    }
    // Other preferences (return=minimal, wait=…) are not for the simulator: ignored, as RFC 7240 §2 allows.
  }
  return chosen;
}
