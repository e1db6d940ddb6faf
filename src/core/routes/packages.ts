/**
 * The package endpoints around the upload: list, show, update and delete
 * (`app/controllers/v3/packages_controller.rb`). Create and copy are in
 * `package-create.ts`, the download in `package-download.ts`.
 */
import { findReadablePackage, requireActiveOrgAndSpace, requireSpaceWrite } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { empty, json, type Answer } from "../http/answer.js";
import { startJob } from "../jobs/jobs.js";
import { matchesLabels, parseLabelSelector } from "../lists/label-selector.js";
import { parseListQuery, sortForList } from "../lists/list-query.js";
import { matchesTimestampFilter } from "../lists/timestamp-filter.js";
import { paginate, presentPackage } from "../presenters.js";
import { isPlainObject, unknownFieldsMessage } from "../validation.js";
import type { PackageRecord } from "../world/model.js";
import { validateMetadata } from "./metadata.js";

/** `PackagesListMessage`'s keys after `list_message.rb`'s, in the order they are registered. */
const LIST_FILTERS = [
  "created_ats",
  "updated_ats",
  "guids",
  "states",
  "types",
  "app_guids",
  "app_guid",
  "space_guids",
  "organization_guids",
  "label_selector",
];

/** `app_nested_request`: an app's list refuses the filters that scope by app, org or space. */
function appNestedChecks(url: URL): string[] {
  const given = ["app_guids", "organization_guids", "space_guids"].filter((k) => url.searchParams.get(k) !== null);
  return given.length ? [`Unknown query parameter(s): '${given.join("', '")}'`] : [];
}

/** The message, validated before anything is looked up: one 400 for the query, then the label selector's. */
function readQuery(ctx: Context, moreChecks?: (url: URL) => string[]) {
  const query = parseListQuery(ctx.url, LIST_FILTERS, moreChecks);
  const selector = query.filters.has("label_selector")
    ? parseLabelSelector(ctx.url.searchParams.get("label_selector") ?? "")
    : null;
  return { query, selector };
}

/** The list envelope of `packages`, filtered, ordered and paged as the query asks. */
function listPackages(
  ctx: Context,
  { query, selector }: ReturnType<typeof readQuery>,
  packages: Readonly<PackageRecord>[],
  listPath: string,
): Answer {
  const f = query.filters;
  const matching = packages.filter((p) => {
    const space = ctx.state.spaceOfApp(p.appGuid);
    if (f.has("guids") && !f.get("guids")!.includes(p.guid)) return false;
    if (f.has("states") && !f.get("states")!.includes(p.state)) return false;
    if (f.has("types") && !f.get("types")!.includes(p.type)) return false;
    if (f.has("app_guids") && !f.get("app_guids")!.includes(p.appGuid)) return false;
    if (f.has("space_guids") && !(space && f.get("space_guids")!.includes(space.guid))) return false;
    if (f.has("organization_guids") && !(space && f.get("organization_guids")!.includes(space.orgGuid))) return false;
    if (selector && !matchesLabels(selector, p.labels)) return false;
    if (!matchesTimestampFilter(query.timestamps.get("created_ats"), p.createdAt)) return false;
    if (!matchesTimestampFilter(query.timestamps.get("updated_ats"), p.updatedAt)) return false;
    return true;
  });
  sortForList(matching, query);
  // `to_param_hash(exclude: [:app_guid])`.
  const params = query.linkParams.filter(([key]) => key !== "app_guid");
  return json(
    200,
    paginate(matching, query.page, query.perPage, `${ctx.origin}${listPath}`, params, (p) =>
      presentPackage(p, ctx.present),
    ),
  );
}

/**
 * An app's packages (`PackageListFetcher.fetch_for_app`): the query first, then the app, which
 * the caller must be able to read (404 `App not found`).
 */
async function listAppPackages(ctx: Context, appGuid: string): Promise<Answer> {
  const perms = await ctx.reader();
  const read = readQuery(ctx, appNestedChecks);
  const app = ctx.state.apps.get(appGuid);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  if (!app || !space || !perms.canReadFromSpace(space)) throw new CfError("ResourceNotFound", "App not found");
  const packages = [...ctx.state.packages.values()].filter((p) => p.appGuid === app.guid);
  return listPackages(ctx, read, packages, `/v3/apps/${appGuid}/packages`);
}

/**
 * `GET /v3/packages`: admins and global readers see all; others the packages of spaces they can
 * read. An `app_guid` parameter makes it the app's list, as the controller's `app_nested?` reads
 * the query too.
 */
export async function handleListPackages(ctx: Context): Promise<Answer> {
  const appGuid = ctx.url.searchParams.get("app_guid");
  if (appGuid !== null && !/^\s*$/.test(appGuid)) return listAppPackages(ctx, appGuid);
  const perms = await ctx.reader();
  const read = readQuery(ctx);
  const readable = perms.canReadGlobally ? null : perms.readableSpaceGuids();
  const visible = [...ctx.state.packages.values()].filter((p) => {
    const space = ctx.state.spaceOfApp(p.appGuid);
    return space !== undefined && (readable === null || readable.has(space.guid));
  });
  return listPackages(ctx, read, visible, "/v3/packages");
}

/** `GET /v3/apps/{guid}/packages`: the same list nested under an app; the app-scoping filters are refused. */
export async function handleListAppPackages(ctx: Context): Promise<Answer> {
  return listAppPackages(ctx, ctx.params.guid!);
}

/** `GET /v3/packages/{guid}`. */
export async function handleGetPackage(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const { pkg } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  return json(200, presentPackage(pkg, ctx.present));
}

/**
 * `DELETE /v3/packages/{guid}`: upload checks 1–2 and 6–8, then 202 with an empty body and
 * the `Location` of a `package.delete` job; the package is gone when the job completes.
 */
export async function handleDeletePackage(ctx: Context): Promise<Answer> {
  const perms = await ctx.writer();
  const { pkg, space, org } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  requireSpaceWrite(perms, space);
  requireActiveOrgAndSpace(perms, org, space);
  const lifecycle = ctx.lifecycle;
  const job = startJob(ctx, "package.delete", pkg.guid, () => lifecycle.delete(pkg.guid));
  return empty(202, { Location: `${ctx.origin}/v3/jobs/${job.guid}` });
}
