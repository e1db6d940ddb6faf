/**
 * `GET /v3/packages/{guid}/droplets` (`app/controllers/v3/droplets_controller.rb#index`, package
 * nested): read scope, the query as `droplets_list_message.rb` validates it, then the package must
 * be visible (404 `Package not found`). The simulator stages nothing, so the list is always empty,
 * in the controller's list envelope.
 */
import { findReadablePackage } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { json, type Answer } from "../http/answer.js";
import { parseLabelSelector } from "../lists/label-selector.js";
import { parseListQuery } from "../lists/list-query.js";
import { paginate } from "../presenters.js";

/** `DropletsListMessage`'s own keys, in the order it registers them (after list_message.rb's). */
const FILTERS = [
  "created_ats",
  "updated_ats",
  "guids",
  "app_guid",
  "app_guids",
  "current",
  "organization_guids",
  "package_guid",
  "space_guids",
  "states",
  "label_selector",
];

/** `not_app_nested_request`: `current` is for the app-nested list only. */
function notAppNested(url: URL): string[] {
  return url.searchParams.get("current") !== null ? ["Unknown query parameter(s): 'current'"] : [];
}

export async function handleListPackageDroplets(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const query = parseListQuery(ctx.url, FILTERS, notAppNested);
  if (query.filters.has("label_selector")) parseLabelSelector(ctx.url.searchParams.get("label_selector") ?? "");
  const guid = ctx.params.guid!;
  findReadablePackage(ctx.state, perms, guid);
  // `to_param_hash(exclude: [:app_guid, :package_guid])`.
  const params = query.linkParams.filter(([key]) => key !== "app_guid" && key !== "package_guid");
  const listUrl = `${ctx.origin}/v3/packages/${encodeURIComponent(guid)}/droplets`;
  return json(
    200,
    paginate([], query.page, query.perPage, listUrl, params, (droplet: never) => droplet),
  );
}
