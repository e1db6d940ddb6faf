/**
 * The package endpoints around the upload: create, list, show, update,
 * delete and download (`app/controllers/v3/packages_controller.rb`, reference §4).
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { findReadablePackage, requireActiveOrgAndSpace, requireSpaceWrite } from "../auth/permissions.js";
import { isPlainObject, unknownFieldsMessage } from "../validation.js";
import { json } from "../http/responses.js";
import { matchesLabels, parseLabelSelector } from "../lists/label-selector.js";
import { matchesTimestampFilter, parseListQuery, sortForList } from "../lists/list-query.js";
import type { PackageRecord } from "../world/model.js";
import { paginate, presentPackage } from "../presenters.js";
import { startJob } from "../jobs/jobs.js";

const LIST_FILTERS = [
  "guids",
  "states",
  "types",
  "app_guids",
  "space_guids",
  "organization_guids",
  "label_selector",
  "created_ats",
  "updated_ats",
];

function listPackages(
  ctx: Context,
  packages: PackageRecord[],
  filterKeys: readonly string[],
  listPath: string,
): Response {
  const query = parseListQuery(ctx.url, filterKeys);
  const f = query.filters;
  const selector = f.has("label_selector")
    ? parseLabelSelector(ctx.url.searchParams.get("label_selector") ?? "")
    : null;
  const matching = packages.filter((p) => {
    const space = ctx.state.spaceOfApp(p.appGuid);
    if (f.has("guids") && !f.get("guids")!.includes(p.guid)) return false;
    if (f.has("states") && !f.get("states")!.includes(p.state)) return false;
    if (f.has("types") && !f.get("types")!.includes(p.type)) return false;
    if (f.has("app_guids") && !f.get("app_guids")!.includes(p.appGuid)) return false;
    if (f.has("space_guids") && !(space && f.get("space_guids")!.includes(space.guid))) return false;
    if (f.has("organization_guids") && !(space && f.get("organization_guids")!.includes(space.orgGuid))) return false;
    if (selector && !matchesLabels(selector, p.labels)) return false;
    if (!matchesTimestampFilter(f.get("created_ats"), p.createdAt)) return false;
    if (!matchesTimestampFilter(f.get("updated_ats"), p.updatedAt)) return false;
    return true;
  });
  sortForList(matching, query);
  return json(
    200,
    paginate(matching, query.page, query.perPage, `${ctx.origin}${listPath}`, query.filterPairs, (p) =>
      presentPackage(p, ctx.present),
    ),
  );
}

/** `GET /v3/packages`: admins and global readers see all; others the packages of spaces they can read. */
export async function handleListPackages(ctx: Context): Promise<Response> {
  const perms = await ctx.reader();
  const readable = perms.canReadGlobally ? null : perms.readableSpaceGuids();
  const visible = [...ctx.state.packages.values()].filter((p) => {
    const space = ctx.state.spaceOfApp(p.appGuid);
    return space !== undefined && (readable === null || readable.has(space.guid));
  });
  return listPackages(ctx, visible, LIST_FILTERS, "/v3/packages");
}

/** `GET /v3/apps/{guid}/packages`: the same list nested under an app; the app-scoping filters are refused. */
export async function handleListAppPackages(ctx: Context): Promise<Response> {
  const perms = await ctx.reader();
  const app = ctx.state.apps.get(ctx.params.guid!);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  if (!app || !space || !perms.canReadFromSpace(space)) throw new CfError("ResourceNotFound", "App not found");
  const filters = LIST_FILTERS.filter((k) => !["app_guids", "space_guids", "organization_guids"].includes(k));
  const packages = [...ctx.state.packages.values()].filter((p) => p.appGuid === app.guid);
  return listPackages(ctx, packages, filters, `/v3/apps/${app.guid}/packages`);
}

/** `GET /v3/packages/{guid}`. */
export async function handleGetPackage(ctx: Context): Promise<Response> {
  const perms = await ctx.reader();
  const { pkg } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  return json(200, presentPackage(pkg, ctx.present));
}

function validateMetadata(
  value: unknown,
  messages: string[],
): { labels?: Record<string, string | null>; annotations?: Record<string, string | null> } | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) {
    messages.push("Metadata must be an object");
    return null;
  }
  const extra = unknownFieldsMessage(Object.keys(value), ["labels", "annotations"]);
  if (extra) messages.push(`Metadata ${extra.charAt(0).toLowerCase()}${extra.slice(1)}`);
  const out: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> } = {};
  for (const kind of ["labels", "annotations"] as const) {
    const map = value[kind];
    if (map === undefined) continue;
    if (!isPlainObject(map) || Object.values(map).some((v) => v !== null && typeof v !== "string")) {
      messages.push(`Metadata ${kind} must be an object of strings`);
      continue;
    }
    out[kind] = map as Record<string, string | null>;
  }
  return out;
}

function applyMetadata(pkg: PackageRecord, metadata: ReturnType<typeof validateMetadata>): void {
  if (!metadata) return;
  for (const kind of ["labels", "annotations"] as const) {
    for (const [k, v] of Object.entries(metadata[kind] ?? {})) {
      if (v === null) delete pkg[kind][k];
      else pkg[kind][k] = v;
    }
  }
}

/**
 * `POST /v3/packages` (`app/messages/package_create_message.rb`, `app/actions/package_create.rb`):
 * body validation, then the app (422 when missing or unreadable), write access, an active
 * org and space, and a package type that fits the app's lifecycle.
 */
export async function handleCreatePackage(ctx: Context): Promise<Response> {
  const perms = await ctx.writer();
  if (ctx.url.searchParams.has("source_guid")) return copyPackage(ctx);
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  const messages: string[] = [];
  const unknown = unknownFieldsMessage(Object.keys(body), ["type", "relationships", "data", "metadata"]);
  if (unknown) messages.push(unknown);
  const type = body.type;
  if (type !== "bits" && type !== "docker") messages.push("Type must be one of 'bits, docker'");
  const rel = body.relationships;
  const appGuid =
    isPlainObject(rel) && isPlainObject(rel.app) && isPlainObject(rel.app.data) && typeof rel.app.data.guid === "string"
      ? rel.app.data.guid
      : null;
  if (!isPlainObject(rel)) messages.push("Relationships must be an object");
  else if (appGuid === null)
    messages.push('Relationships App must be structured like this: "app: {"data": {"guid": "valid-guid"}}"');
  let docker: { image: string; username: string | null; password: string | null } | null = null;
  if (type === "docker") {
    const data = body.data;
    if (!isPlainObject(data) || typeof data.image !== "string" || data.image === "") {
      messages.push("Data Image required");
    } else {
      const username = typeof data.username === "string" ? data.username : null;
      docker = { image: data.image, username, password: username ? "***" : null };
    }
  } else if (
    type === "bits" &&
    body.data !== undefined &&
    !(isPlainObject(body.data) && Object.keys(body.data).length === 0)
  ) {
    messages.push("Data must be empty if provided for bits packages");
  }
  const metadata = validateMetadata(body.metadata, messages);
  if (messages.length) throw new CfError("UnprocessableEntity", messages);

  const app = ctx.state.apps.get(appGuid!);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  const org = space ? ctx.state.orgOfSpace(space) : undefined;
  if (!app || !space || !org || !perms.canReadFromSpace(space)) {
    throw new CfError("UnprocessableEntity", "App is invalid. Ensure it exists and you have access to it.");
  }
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  if (type === "bits" && app.lifecycle === "docker") {
    throw new CfError("UnprocessableEntity", "Cannot create bits package for a Docker app.");
  }
  if (type === "docker" && app.lifecycle !== "docker") {
    throw new CfError("UnprocessableEntity", "Cannot create Docker package for a buildpack app.");
  }
  const now = ctx.runtime.now();
  const pkg: PackageRecord = {
    guid: ctx.runtime.ids.uuid(),
    appGuid: app.guid,
    type: type as PackageRecord["type"],
    state: type === "docker" ? "READY" : "AWAITING_UPLOAD",
    createdAt: now,
    updatedAt: now,
    error: null,
    checksum: { type: "sha256", value: null },
    sha1: null,
    blobId: null,
    docker,
    labels: {},
    annotations: {},
  };
  applyMetadata(pkg, metadata);
  ctx.state.packages.set(pkg.guid, pkg);
  return json(201, presentPackage(pkg, ctx.present));
}

/**
 * `POST /v3/packages?source_guid=` copies a package into another app
 * (`app/actions/package_copy.rb`): bits copies start COPYING, docker copies are READY.
 */
async function copyPackage(ctx: Context): Promise<Response> {
  const perms = await ctx.writer();
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  const unknown = unknownFieldsMessage(Object.keys(body), ["relationships"]);
  const rel = body.relationships;
  const appGuid =
    isPlainObject(rel) && isPlainObject(rel.app) && isPlainObject(rel.app.data) && typeof rel.app.data.guid === "string"
      ? rel.app.data.guid
      : null;
  const messages: string[] = [];
  if (unknown) messages.push(unknown);
  if (appGuid === null)
    messages.push('Relationships App must be structured like this: "app: {"data": {"guid": "valid-guid"}}"');
  if (messages.length) throw new CfError("UnprocessableEntity", messages);
  const source = findReadablePackage(ctx.state, perms, ctx.url.searchParams.get("source_guid") ?? "");
  const app = ctx.state.apps.get(appGuid!);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  const org = space ? ctx.state.orgOfSpace(space) : undefined;
  if (!app || !space || !org || !perms.canReadFromSpace(space)) {
    throw new CfError("UnprocessableEntity", "App is invalid. Ensure it exists and you have access to it.");
  }
  requireSpaceWrite(perms, space);
  requireSpaceWrite(perms, source.space);
  requireActiveOrgAndSpace(perms, org, space);
  const now = ctx.runtime.now();
  const src = source.pkg;
  const pkg: PackageRecord = {
    ...src,
    guid: ctx.runtime.ids.uuid(),
    appGuid: app.guid,
    state: src.type === "docker" ? "READY" : "COPYING",
    createdAt: now,
    updatedAt: now,
    error: null,
    checksum: { type: "sha256", value: null },
    sha1: null,
    blobId: null,
    docker: src.docker ? { ...src.docker } : null,
    labels: {},
    annotations: {},
  };
  ctx.state.packages.set(pkg.guid, pkg);
  if (pkg.type === "bits") {
    const sourceBlob = src.state === "READY" ? src.blobId : null;
    const sourceChecksum = { ...src.checksum };
    const sourceSha1 = src.sha1;
    ctx.runtime.background(async () => {
      await ctx.runtime.sleep(ctx.runtime.options.processingDelay);
      const current = ctx.state.packages.get(pkg.guid);
      if (!current || current.state !== "COPYING") return;
      current.updatedAt = ctx.runtime.now();
      if (sourceBlob === null) {
        current.state = "FAILED";
        ctx.state.finishedOf(current.appGuid).add(current.guid);
        current.error = "failed to copy - source package has no bits";
        return;
      }
      current.state = "READY";
      ctx.state.finishedOf(current.appGuid).add(current.guid);
      current.blobId = sourceBlob;
      current.checksum = sourceChecksum;
      current.sha1 = sourceSha1;
    });
  }
  return json(201, presentPackage(pkg, ctx.present));
}

/** `PATCH /v3/packages/{guid}`: metadata only. */
export async function handleUpdatePackage(ctx: Context): Promise<Response> {
  const perms = await ctx.writer();
  const { pkg, space, org } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  const messages: string[] = [];
  const unknown = unknownFieldsMessage(Object.keys(body), ["metadata"]);
  if (unknown) messages.push(unknown);
  const metadata = validateMetadata(body.metadata, messages);
  if (messages.length) throw new CfError("UnprocessableEntity", messages);
  applyMetadata(pkg, metadata);
  pkg.updatedAt = ctx.runtime.now();
  return json(200, presentPackage(pkg, ctx.present));
}

/**
 * `DELETE /v3/packages/{guid}`: upload rows 1–2 and 6–8, then 202 with an empty body
 * and the `Location` of a `package.delete` job; the package is gone when the job completes.
 */
export async function handleDeletePackage(ctx: Context): Promise<Response> {
  const perms = await ctx.writer();
  const { pkg, space, org } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  const job = startJob(ctx.runtime, "package.delete", pkg.guid, async () => {
    const current = ctx.state.packages.get(pkg.guid);
    if (!current) return;
    ctx.state.packages.delete(pkg.guid);
    if (current.blobId) await ctx.runtime.store.delete(current.blobId);
  });
  return new Response(null, { status: 202, headers: { Location: `${ctx.origin}/v3/jobs/${job.guid}` } });
}

/**
 * `GET /v3/packages/{guid}/download`: read scope, visibility (404), permission to
 * read secrets (403), type bits and state READY (422); then the stored zip, as a
 * local blobstore serves it.
 */
export async function handleDownloadPackage(ctx: Context): Promise<Response> {
  const perms = await ctx.reader();
  const { pkg, space } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  if (!perms.canReadSecretsInSpace(space)) throw new CfError("NotAuthorized");
  if (pkg.type !== "bits") throw new CfError("UnprocessableEntity", "Package type must be bits.");
  if (pkg.state !== "READY" || !pkg.blobId)
    throw new CfError("UnprocessableEntity", "Package has no bits to download.");
  const size = await ctx.runtime.store.size(pkg.blobId);
  return new Response(ctx.runtime.store.stream(pkg.blobId), {
    status: 200,
    headers: {
      "Content-Type": "application/zip",
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename="${pkg.guid}.zip"`,
    },
  });
}
