/**
 * `GET /v3/organizations[/{guid}]` and `GET /v3/spaces[/{guid}]`
 * (`app/controllers/v3/organizations_controller.rb`, `spaces_controller.rb`): what the cf CLI
 * asks for when it logs in and targets (`cf login -o -s`, `cf target`, `cf orgs`, `cf spaces`).
 * Orgs are visible to global readers and to users with a role in them
 * (`ROLES_FOR_ORG_READING`); spaces to global readers, the space's members and the org's
 * managers (`ROLES_FOR_SPACE_READING`). An invisible one is not found, never forbidden.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { json, type Answer } from "../http/answer.js";
import { matchesLabels, parseLabelSelector } from "../lists/label-selector.js";
import { parseListQuery, sortForList, type ListQuery } from "../lists/list-query.js";
import { matchesTimestampFilter } from "../lists/timestamp-filter.js";
import { paginate, presentOrg, presentSpace } from "../presenters.js";
import type { OrgRecord, SpaceRecord } from "../world/state.js";

const ORDER_FIELDS = ["created_at", "updated_at", "name"];
// `allowed_keys` in registration order: ListMessage's, then the message's own, then MetadataListMessage's.
const ORG_FILTERS = ["created_ats", "updated_ats", "guids", "names", "isolation_segment_guid", "label_selector"];
const SPACE_FILTERS = [
  "created_ats",
  "updated_ats",
  "guids",
  "names",
  "organization_guids",
  "include",
  "label_selector",
];
const INCLUDE_VALUES = ["org", "organization"];

/** `IncludeParamValidator` with `valid_values: %w[org organization]`. */
function includeMessages(url: URL): string[] {
  const value = url.searchParams.get("include");
  if (value === null) return [];
  const seen = new Map<string, number>();
  const messages: string[] = [];
  for (const candidate of value.split(",")) {
    if (!INCLUDE_VALUES.includes(candidate)) {
      messages.push(
        `Invalid included resource: '${candidate}'. Valid included resources are: '${INCLUDE_VALUES.join("', '")}'`,
      );
      continue;
    }
    seen.set(candidate, (seen.get(candidate) ?? 0) + 1);
    if (seen.get(candidate) === 2) messages.push(`Duplicate included resource: '${candidate}'`);
  }
  return messages;
}

/** `IncludeSpaceOrganizationDecorator`: the spaces' orgs, ordered by `created_at`, then guid. */
function includedOrgs(ctx: Context, spaces: readonly SpaceRecord[]) {
  const orgs = [...new Set(spaces.map((s) => s.orgGuid))]
    .map((guid) => ctx.state.orgs.get(guid))
    .filter((o): o is OrgRecord => o !== undefined)
    .sort((a, b) => a.createdAt - b.createdAt || (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0));
  return { organizations: orgs.map((o) => presentOrg(o, ctx.present)) };
}

function wantsOrg(url: URL): boolean {
  return (url.searchParams.get("include") ?? "").split(",").some((v) => INCLUDE_VALUES.includes(v));
}

/**
 * The filters both lists share (`BaseListFetcher`, the fetchers' `names` and label selector): the
 * query's 400 first, then the label selector's.
 */
function commonFilter(url: URL, query: ListQuery) {
  const f = query.filters;
  const selector = f.has("label_selector") ? parseLabelSelector(url.searchParams.get("label_selector") ?? "") : null;
  return (r: { guid: string; name: string; createdAt: number; updatedAt: number }): boolean => {
    if (f.has("names") && !f.get("names")!.includes(r.name)) return false;
    if (f.has("guids") && !f.get("guids")!.includes(r.guid)) return false;
    // Orgs and spaces of the simulator carry no labels.
    if (selector && !matchesLabels(selector, {})) return false;
    if (!matchesTimestampFilter(query.timestamps.get("created_ats"), r.createdAt)) return false;
    return matchesTimestampFilter(query.timestamps.get("updated_ats"), r.updatedAt);
  };
}

/** `GET /v3/organizations`: `names`, `guids`, `label_selector`, timestamps, `order_by` (`name` too), paging. */
export async function handleListOrgs(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const query = parseListQuery(ctx.url, ORG_FILTERS, undefined, ORDER_FIELDS);
  const matches = commonFilter(ctx.url, query);
  const orgs = [...ctx.state.orgs.values()].filter((org) => perms.canReadFromOrg(org.guid) && matches(org));
  sortForList(orgs, query);
  const url = `${ctx.origin}/v3/organizations`;
  // `to_param_hash(exclude: [:isolation_segment_guid])`.
  const params = query.linkParams.filter(([key]) => key !== "isolation_segment_guid");
  return json(
    200,
    paginate(orgs, query.page, query.perPage, url, params, (o) => presentOrg(o, ctx.present)),
  );
}

/** `GET /v3/organizations/{guid}`. */
export async function handleGetOrg(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const org = ctx.state.orgs.get(ctx.params.guid!);
  if (!org || !perms.canReadFromOrg(org.guid)) throw new CfError("ResourceNotFound", "Organization not found");
  return json(200, presentOrg(org, ctx.present));
}

/** `GET /v3/spaces`: `names`, `guids`, `organization_guids`, `include=organization`, `order_by`, paging. */
export async function handleListSpaces(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const query = parseListQuery(ctx.url, SPACE_FILTERS, includeMessages, ORDER_FIELDS);
  const matches = commonFilter(ctx.url, query);
  const orgGuids = query.filters.get("organization_guids");
  const spaces = [...ctx.state.spaces.values()].filter(
    (space) => perms.canReadFromSpace(space) && matches(space) && (!orgGuids || orgGuids.includes(space.orgGuid)),
  );
  sortForList(spaces, query);
  const url = `${ctx.origin}/v3/spaces`;
  const page = paginate(spaces, query.page, query.perPage, url, query.linkParams, (s) => presentSpace(s, ctx.present));
  if (!wantsOrg(ctx.url)) return json(200, page);
  const shown = page.resources.map((r) => ctx.state.spaces.get(r.guid)!);
  return json(200, { ...page, included: includedOrgs(ctx, shown) });
}

/** `GET /v3/spaces/{guid}`: not found before the query is checked, as `SpacesController#show` does. */
export async function handleGetSpace(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const space = ctx.state.spaces.get(ctx.params.guid!);
  if (!space || !perms.canReadFromSpace(space)) throw new CfError("ResourceNotFound", "Space not found");
  const unknown = [...new Set(ctx.url.searchParams.keys())].filter((k) => k !== "include");
  const messages = unknown.length
    ? [`Unknown query parameter(s): ${unknown.map((k) => `'${k}'`).join(", ")}. Valid parameters are: 'include'`]
    : [];
  messages.push(...includeMessages(ctx.url));
  if (messages.length) throw new CfError("BadQueryParameter", messages);
  const body = presentSpace(space, ctx.present);
  return json(200, wantsOrg(ctx.url) ? { ...body, included: includedOrgs(ctx, [space]) } : body);
}
