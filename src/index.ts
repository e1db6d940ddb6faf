/**
 * mock-packages: a faithful simulator of the Cloud Foundry V3 package upload
 * endpoint and its neighbours, as one `Request → Response` core.
 *
 * @example
 * import { createSimulator, mintUserToken } from "mock-packages";
 * const sim = createSimulator({ processingDelay: 0 });
 * const token = await mintUserToken("space-developer");
 * const res = await sim.request("/v3/packages", { token });
 */
export { createSimulator } from "./core/simulator.js";
export type { Simulator } from "./core/simulator.js";
export type { SimulatorOptions, ResolvedOptions } from "./core/options.js";
export { DEFAULTS } from "./core/options.js";
export { CF_ERRORS, CfError } from "./core/errors.js";
export type { CfErrorDefinition, CfErrorEntry, CfErrorName } from "./core/errors.js";
export { DEFAULT_SIGNING_KEY, mintToken } from "./core/auth/tokens.js";
export type { MintTokenOptions, TokenClaims } from "./core/auth/tokens.js";
export { mintUserToken, scopesForUser } from "./core/auth/user-tokens.js";
export type { MintUserTokenOptions } from "./core/auth/user-tokens.js";
export { createMemoryStore } from "./core/blob-store.js";
export { DEFAULT_SANDBOX, SANDBOX_CLAIM, SANDBOX_HEADER } from "./core/sandboxes/resolve.js";
export type { Sandbox, SandboxInfo, SandboxOptions, Sandboxes } from "./core/sandboxes/registry.js";
export type { BlobInfo, BlobStore, BlobWriter } from "./core/blob-store.js";
export type {
  AppData,
  ClientData,
  GlobalRole,
  OrgData,
  OrgRole,
  PackageData,
  PackageState,
  PackageType,
  SpaceData,
  SpaceRole,
  UserData,
  WorldData,
} from "./core/world/model.js";
export { SCENARIOS, SCENARIO_NAMES } from "./core/scenarios/catalog.js";
export type { ScenarioDefinition, ScenarioInput, ScenarioName, ScenarioSetting } from "./core/scenarios/catalog.js";
export type {
  ContractVerdict,
  ContractViolation,
  Journal,
  JournalEntry,
  JournalMultipart,
  JournalQuery,
  RequestChecker,
} from "./core/journal/journal.js";
// The bodies of spec/openapi.yaml as TypeScript types (generated: `npm run generate:types`).
export type {
  App,
  AppList,
  CfErrorItem,
  CfErrors,
  FeatureFlag,
  FeatureFlagList,
  FeatureFlagUpdate,
  Job,
  OpenApiComponents,
  OpenApiOperations,
  OpenApiPaths,
  Package,
  PackageCreate,
  PackageList,
  PackageUpdate,
  Pagination,
  ResourceMatchEntry,
  ResourceMatchList,
  ResourceMatchRequest,
  RootDocument,
  UploadResource,
  V3RootDocument,
} from "./types/index.js";
