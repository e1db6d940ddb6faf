/**
 * Every route of the simulator in one table: the Cloud Controller's endpoints, UAA's that the
 * cf CLI calls (`/login`, `/oauth/token`, on the same origin), the blob
 * URLs downloads redirect to (`/blobstore/…`, standing in for a remote blobstore), and the
 * admin API under `/__mock/` when it is on. Anything else is answered 404 CF-NotFound, as
 * the controller answers unknown routes and methods.
 */
import type { Context } from "../context.js";
import type { Answer } from "../http/answer.js";
import { createRouter, type Router } from "../http/router.js";
import {
  handleBindPackageScenario,
  handleClearJournal,
  handleGetJournal,
  handleGetScenario,
  handleListScenarios,
  handleReset,
  handleSetScenario,
  handleUnbindPackageScenario,
} from "./admin.js";
import { guardAdmin } from "./admin-guard.js";
import {
  handleCreateSandbox,
  handleDeleteSandbox,
  handleGetSandbox,
  handleListSandboxes,
  handleMintSandboxToken,
  handleResetSandbox,
} from "./sandboxes.js";
import {
  handleEvents,
  handleJournalEntry,
  handleJournalHar,
  handleMintToken,
  handleUiFile,
  handleWorld,
} from "./dashboard.js";
import { handleGetApp, handleListApps } from "./apps.js";
import { handleBlobDownload } from "./blobstore.js";
import { handleGetFeatureFlag, handleListFeatureFlags, handleUpdateFeatureFlag } from "./feature-flags.js";
import { handleGetInfo } from "./info.js";
import { handleGetJob } from "./jobs.js";
import { handleCreatePackage } from "./package-create.js";
import { handleDownloadPackage } from "./package-download.js";
import { handleListPackageDroplets } from "./package-droplets.js";
import { handleUpdatePackage } from "./package-update.js";
import { handleDeletePackage, handleGetPackage, handleListAppPackages, handleListPackages } from "./packages.js";
import { handleGetOrg, handleGetSpace, handleListOrgs, handleListSpaces } from "./orgs-spaces.js";
import { handleResourceMatches } from "./resource-matches.js";
import { handleRoot, handleV3Root } from "./root.js";
import { handleLoginInfo, handleRevokeToken } from "./uaa-login.js";
import { handleToken } from "./uaa-token.js";
import { handleUpload } from "./upload.js";

export type RouteHandler = (ctx: Context) => Promise<Answer>;

export function routeTable(options: { admin: boolean }): Router<RouteHandler> {
  const router = createRouter<RouteHandler>()
    .add("GET", "/", handleRoot)
    .add("GET", "/v3", handleV3Root)
    .add("GET", "/v3/info", handleGetInfo)
    .add("POST", "/v3/packages/{guid}/upload", handleUpload)
    .add("GET", "/v3/packages/{guid}/download", handleDownloadPackage)
    .add("GET", "/v3/packages/{guid}/droplets", handleListPackageDroplets)
    .add("GET", "/v3/packages/{guid}", handleGetPackage)
    .add("PATCH", "/v3/packages/{guid}", handleUpdatePackage)
    .add("DELETE", "/v3/packages/{guid}", handleDeletePackage)
    .add("GET", "/v3/packages", handleListPackages)
    .add("POST", "/v3/packages", handleCreatePackage)
    .add("POST", "/v3/resource_matches", handleResourceMatches)
    .add("GET", "/v3/jobs/{guid}", handleGetJob)
    .add("GET", "/v3/apps/{guid}/packages", handleListAppPackages)
    .add("GET", "/v3/apps/{guid}", handleGetApp)
    .add("GET", "/v3/apps", handleListApps)
    .add("GET", "/v3/organizations/{guid}", handleGetOrg)
    .add("GET", "/v3/organizations", handleListOrgs)
    .add("GET", "/v3/spaces/{guid}", handleGetSpace)
    .add("GET", "/v3/spaces", handleListSpaces)
    .add("GET", "/v3/feature_flags/{name}", handleGetFeatureFlag)
    .add("PATCH", "/v3/feature_flags/{name}", handleUpdateFeatureFlag)
    .add("GET", "/v3/feature_flags", handleListFeatureFlags)
    // UAA on the same origin: the root document's `login` and `uaa` links point here.
    .add("GET", "/login", handleLoginInfo)
    .add("POST", "/oauth/token", handleToken)
    .add("DELETE", "/oauth/token/revoke/{jti}", handleRevokeToken)
    // The simulator's own blobstore, where downloads redirect (not a Cloud Controller route).
    .add("GET", "/blobstore/packages/{guid}", handleBlobDownload)
    .add("HEAD", "/blobstore/packages/{guid}", handleBlobDownload);
  if (!options.admin) return router;
  // Each admin route checks who sends it first (admin-guard.ts).
  return (
    router
      .add("GET", "/__mock/scenarios", guardAdmin(handleListScenarios))
      .add("GET", "/__mock/scenario", guardAdmin(handleGetScenario))
      .add("PUT", "/__mock/scenario", guardAdmin(handleSetScenario))
      .add("PUT", "/__mock/packages/{guid}/scenario", guardAdmin(handleBindPackageScenario))
      .add("DELETE", "/__mock/packages/{guid}/scenario", guardAdmin(handleUnbindPackageScenario))
      .add("POST", "/__mock/reset", guardAdmin(handleReset))
      .add("GET", "/__mock/journal", guardAdmin(handleGetJournal))
      .add("DELETE", "/__mock/journal", guardAdmin(handleClearJournal))
      .add("POST", "/__mock/sandboxes", guardAdmin(handleCreateSandbox))
      .add("GET", "/__mock/sandboxes", guardAdmin(handleListSandboxes))
      .add("GET", "/__mock/sandboxes/{id}", guardAdmin(handleGetSandbox))
      .add("DELETE", "/__mock/sandboxes/{id}", guardAdmin(handleDeleteSandbox))
      .add("POST", "/__mock/sandboxes/{id}/reset", guardAdmin(handleResetSandbox))
      .add("POST", "/__mock/sandboxes/{id}/tokens", guardAdmin(handleMintSandboxToken))
      .add("GET", "/__mock/journal.har", guardAdmin(handleJournalHar))
      .add("GET", "/__mock/journal/{id}", guardAdmin(handleJournalEntry))
      .add("GET", "/__mock/world", guardAdmin(handleWorld))
      .add("POST", "/__mock/tokens", guardAdmin(handleMintToken))
      .add("GET", "/__mock/events", guardAdmin(handleEvents))
      // The dashboard's files: no admin token (a browser's navigation cannot send one), see dashboard.ts.
      .add("GET", "/__mock/ui", handleUiFile)
      .add("GET", "/__mock/ui/{file}", handleUiFile)
  );
}
