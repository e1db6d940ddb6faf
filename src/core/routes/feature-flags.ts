/**
 * Feature flags (`app/controllers/v3/feature_flags_controller.rb`): `app_bits_upload` and
 * `resource_matching` change how uploads and resource matches are answered.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { json, type Answer } from "../http/answer.js";
import { parseListQuery } from "../lists/list-query.js";
import { paginate, presentFeatureFlag } from "../presenters.js";
import { isPlainObject, unknownFieldsMessage } from "../validation.js";

/**
 * `GET /v3/feature_flags`: any user with read scope (`ApplicationController#check_read_permissions!`:
 * admin, admin_read_only, global_auditor or `cloud_controller.read`; 403 CF-NotAuthorized otherwise).
 */
export async function handleListFeatureFlags(ctx: Context): Promise<Answer> {
  await ctx.reader();
  const query = parseListQuery(ctx.url, ["names"]);
  const names = query.filters.get("names");
  const flags = [...ctx.state.featureFlags.values()]
    .filter((f) => !names || names.includes(f.name))
    .sort((a, b) => a.name.localeCompare(b.name) * (query.descending ? -1 : 1));
  return json(
    200,
    paginate(flags, query.page, query.perPage, `${ctx.origin}/v3/feature_flags`, query.linkParams, (f) =>
      presentFeatureFlag(f, ctx.present),
    ),
  );
}

/** `GET /v3/feature_flags/{name}`: read scope, as the list. */
export async function handleGetFeatureFlag(ctx: Context): Promise<Answer> {
  await ctx.reader();
  const flag = ctx.state.featureFlags.get(ctx.params.name!);
  if (!flag) throw new CfError("ResourceNotFound", "Feature flag not found");
  return json(200, presentFeatureFlag(flag, ctx.present));
}

/** `PATCH /v3/feature_flags/{name}`: admins only. */
export async function handleUpdateFeatureFlag(ctx: Context): Promise<Answer> {
  const perms = await ctx.authenticate();
  if (!perms.isAdmin) throw new CfError("NotAuthorized");
  const flag = ctx.state.featureFlags.get(ctx.params.name!);
  if (!flag) throw new CfError("ResourceNotFound", "Feature flag not found");
  const body = await ctx.jsonBody();
  if (!isPlainObject(body)) throw new CfError("MessageParseError", "invalid request body");
  const messages: string[] = [];
  const unknown = unknownFieldsMessage(Object.keys(body), ["enabled", "custom_error_message"]);
  if (unknown) messages.push(unknown);
  if (body.enabled !== undefined && typeof body.enabled !== "boolean") messages.push("Enabled must be a boolean");
  const message = body.custom_error_message;
  if (message !== undefined && message !== null && typeof message !== "string") {
    messages.push("Custom error message must be a string");
  }
  if (messages.length) throw new CfError("UnprocessableEntity", messages);
  if (typeof body.enabled === "boolean") flag.enabled = body.enabled;
  if (message !== undefined) flag.customErrorMessage = message as string | null;
  flag.updatedAt = ctx.services.now();
  return json(200, presentFeatureFlag(flag, ctx.present));
}
