/**
 * Simulator options, with every default in one place.
 */
import type { WorldData } from "./world/model.js";
import type { BlobStore } from "./blob-store.js";
import { DEFAULT_SIGNING_KEY } from "./auth/tokens.js";
import type { RequestChecker } from "./journal/journal.js";
import type { ScenarioInput, ScenarioSetting } from "./scenarios/catalog.js";
import { ScenarioError, parseLatency, toSetting } from "./scenarios/parse.js";
import { resolveAdminOrigins } from "./http/admin-origins.js";

export interface SimulatorOptions {
  /** Seeds the fixture world and the guids the simulator hands out. Default 4010. */
  seed?: number;
  /** The world to start from (and to return to on reset). Default: the fixture world for `seed`. */
  world?: WorldData | ((seed: number) => WorldData | Promise<WorldData>);
  /** Milliseconds from an accepted upload (or a delete) to the end of its background job. Default 1000. */
  processingDelay?: number;
  /** HS256 key that tokens must be signed with. Default {@link DEFAULT_SIGNING_KEY}. */
  signingKey?: string;
  /**
   * Lifetime in seconds of the access tokens `POST /oauth/token` mints (UAA's
   * `accessTokenValiditySeconds`). Default 43200 (12 hours, UAA's default). The cf CLI refreshes a
   * token that expires within 60 seconds before each request, so a short one shows its refresh.
   */
  tokenTtl?: number;
  /** Where bytes are kept. Default: in memory (the Node adapter passes a store on temporary files). */
  store?: BlobStore;
  /** Largest request body the front end accepts, in bytes; larger gets 413. Default 2 GiB (`client_max_body_size 2048M`). */
  maxBodySize?: number;
  /**
   * Largest JSON request body (creates, updates, resource matches, the admin API); larger gets
   * the front end's 413 before it is read whole. Default 4 MiB.
   */
  maxJsonBodySize?: number;
  /** `packages.max_package_size`: largest sum of uncompressed entry sizes. Default 1073741824. */
  maxPackageSize?: number;
  /** `packages.max_valid_packages_stored`: finished packages kept per app before older ones expire. Default 5. */
  maxValidPackagesStored?: number;
  /** Smallest file the resource cache takes, in bytes. Default 65536. */
  resourceCacheMinSize?: number;
  /** Largest file the resource cache takes, in bytes. Default 536870912. */
  resourceCacheMaxSize?: number;
  /**
   * Most bytes of files the resource cache keeps; adding one evicts the least recently used
   * (their blobs are deleted), so matches only get rarer. Default 536870912 (512 MiB).
   */
  resourceCacheBudget?: number;
  /** Emit `"method":"GET"` on packages' download links, as the seed document shows. Default false (real). */
  downloadLinkMethod?: boolean;
  /**
   * How `GET /v3/packages/{guid}/download` answers, as the foundation's blobstore decides:
   * `"remote"` (S3, GCS, Azure, WebDAV: nearly every foundation) answers 302 with the `Location`
   * of a signed blob URL that needs no token and expires after an hour; `"local"` (the
   * local-file blobstore) answers 200 with the zip. Default `"remote"`; it wins over a world's own.
   */
  blobstore?: Blobstore;
  /** The scenario of the upload endpoint at start and after reset. Default `cloud-controller`. */
  scenario?: ScenarioInput;
  /** Latency of the `slow` scenario: milliseconds, or `[min, max]`. Default 2000. */
  latency?: number | [number, number];
  /** Serve the admin API under `/__mock/`. Default true. */
  admin?: boolean;
  /**
   * Page origins besides this machine's (`http(s)://localhost`, `127.0.0.1`, `[::1]`, any
   * port) that may use the admin API from a browser, e.g. `["https://dev.example.com:8443"]`.
   * Default none. Requests without an `Origin` (scripts, tests) and those msw answers in the
   * page itself need no entry.
   */
  adminOrigins?: string[];
  /**
   * A secret every admin API request must carry as `Authorization: bearer <adminToken>`
   * (401 otherwise). Default none. The command makes a random one when it listens beyond
   * this machine (`--host`), unless given one (`--admin-token`) or told not to (`--admin-open`).
   */
  adminToken?: string;
  /** Answer CORS preflights and add CORS headers, so browser clients can call the simulator. Default true. */
  cors?: boolean;
  /** Origin used by `simulator.request()` for relative paths. Default `http://127.0.0.1:4010`. */
  origin?: string;
  /**
   * Checks each request against the contract for the journal's verdicts. Default none;
   * `createContractChecker()` from `mock-packages/contract` checks against spec/openapi.yaml.
   */
  contract?: RequestChecker;
  /** Most journal entries kept (the oldest go first). Default 10000. */
  journalLimit?: number;
  /**
   * Most bytes the journal keeps, its entries measured as JSON (the oldest go first, and
   * `GET /__mock/journal` says how many were dropped). Default 64 MiB.
   */
  journalMaxBytes?: number;
  /** Most sandboxes the server holds at once (`--max-sandboxes`); creating one more is 422. Default 64. */
  maxSandboxes?: number;
  /**
   * Seconds a sandbox may stay idle (no request) before it is deleted with its bits
   * (`--sandbox-idle-timeout`); 0 keeps sandboxes until deleted. Default 1800 (30 minutes).
   */
  sandboxIdleTimeout?: number;
  /** Milliseconds since the epoch; for tests that need a fixed clock. Default `Date.now`. */
  now?: () => number;
  /** Receives the simulator's diagnostics. Default: warnings and errors to `console.error`. */
  logger?: (level: "info" | "warn" | "error", message: string, error?: unknown) => void;
}

export interface ResolvedOptions {
  seed: number;
  world: SimulatorOptions["world"];
  processingDelay: number;
  signingKey: string;
  tokenTtl: number;
  maxBodySize: number;
  maxJsonBodySize: number;
  maxPackageSize: number;
  maxValidPackagesStored: number;
  resourceCacheMinSize: number;
  resourceCacheMaxSize: number;
  resourceCacheBudget: number;
  downloadLinkMethod: boolean;
  blobstore: Blobstore;
  origin: string;
  scenario: ScenarioSetting;
  latency: number | [number, number] | undefined;
  admin: boolean;
  adminOrigins: string[];
  adminToken: string | null;
  cors: boolean;
  journalLimit: number;
  journalMaxBytes: number;
  maxSandboxes: number;
  sandboxIdleTimeout: number;
}

/** The kinds of package blobstore a foundation may have, as far as downloads can tell. */
export type Blobstore = "remote" | "local";

export const DEFAULTS = Object.freeze({
  seed: 4010,
  processingDelay: 1000,
  maxBodySize: 2 * 1024 * 1024 * 1024,
  maxPackageSize: 1073741824,
  maxValidPackagesStored: 5,
  resourceCacheMinSize: 65536,
  resourceCacheMaxSize: 536870912,
  resourceCacheBudget: 536870912,
  maxJsonBodySize: 4 * 1024 * 1024,
  journalMaxBytes: 64 * 1024 * 1024,
  tokenTtl: 43200,
  maxSandboxes: 64,
  sandboxIdleTimeout: 1800,
  origin: "http://127.0.0.1:4010",
});

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`mock-packages: option '${name}' must be a number of 0 or more, got ${String(value)}`);
  }
  return value;
}

function latencyOption(value: unknown): number | [number, number] {
  try {
    return parseLatency(value);
  } catch (error) {
    if (error instanceof ScenarioError) throw new TypeError(`mock-packages: option 'latency': ${error.message}`);
    throw error;
  }
}

function blobstoreOption(value: unknown): Blobstore {
  if (value === undefined) return "remote";
  if (value !== "remote" && value !== "local") {
    throw new TypeError(
      `mock-packages: option 'blobstore' must be "remote" (downloads redirect to a signed blob URL) or "local" (downloads answer the zip), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function adminTokenOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string" || !/^[\x21-\x7e]+$/.test(value)) {
    throw new TypeError(
      "mock-packages: option 'adminToken' must be a non-empty string of visible ASCII characters without spaces (it is sent in a header)",
    );
  }
  return value;
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  return {
    seed: nonNegative("seed", options.seed, DEFAULTS.seed),
    world: options.world,
    processingDelay: nonNegative("processingDelay", options.processingDelay, DEFAULTS.processingDelay),
    signingKey: options.signingKey ?? DEFAULT_SIGNING_KEY,
    tokenTtl: nonNegative("tokenTtl", options.tokenTtl, DEFAULTS.tokenTtl),
    maxBodySize: nonNegative("maxBodySize", options.maxBodySize, DEFAULTS.maxBodySize),
    maxJsonBodySize: nonNegative("maxJsonBodySize", options.maxJsonBodySize, DEFAULTS.maxJsonBodySize),
    maxPackageSize: nonNegative("maxPackageSize", options.maxPackageSize, DEFAULTS.maxPackageSize),
    maxValidPackagesStored: nonNegative(
      "maxValidPackagesStored",
      options.maxValidPackagesStored,
      DEFAULTS.maxValidPackagesStored,
    ),
    resourceCacheMinSize: nonNegative(
      "resourceCacheMinSize",
      options.resourceCacheMinSize,
      DEFAULTS.resourceCacheMinSize,
    ),
    resourceCacheMaxSize: nonNegative(
      "resourceCacheMaxSize",
      options.resourceCacheMaxSize,
      DEFAULTS.resourceCacheMaxSize,
    ),
    resourceCacheBudget: nonNegative("resourceCacheBudget", options.resourceCacheBudget, DEFAULTS.resourceCacheBudget),
    downloadLinkMethod: options.downloadLinkMethod ?? false,
    blobstore: blobstoreOption(options.blobstore),
    origin: (options.origin ?? DEFAULTS.origin).replace(/\/+$/, ""),
    scenario: toSetting(options.scenario ?? "cloud-controller"),
    latency: options.latency === undefined ? undefined : latencyOption(options.latency),
    admin: options.admin ?? true,
    adminOrigins: resolveAdminOrigins(options.adminOrigins),
    adminToken: adminTokenOption(options.adminToken),
    cors: options.cors ?? true,
    journalLimit: nonNegative("journalLimit", options.journalLimit, 10000),
    journalMaxBytes: nonNegative("journalMaxBytes", options.journalMaxBytes, DEFAULTS.journalMaxBytes),
    maxSandboxes: nonNegative("maxSandboxes", options.maxSandboxes, DEFAULTS.maxSandboxes),
    sandboxIdleTimeout: nonNegative("sandboxIdleTimeout", options.sandboxIdleTimeout, DEFAULTS.sandboxIdleTimeout),
  };
}
