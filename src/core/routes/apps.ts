/**
 * `GET /v3/apps` and `GET /v3/apps/{guid}` (`app/controllers/v3/apps_controller.rb`): enough of
 * the apps for a client to find the one it pushes to.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { json, type Answer } from "../http/answer.js";
import { parseListQuery, sortForList } from "../lists/list-query.js";
import { paginate, presentApp } from "../presenters.js";

/** `GET /v3/apps` with the `names`, `guids`, `space_guids` and `organization_guids` filters. */
export async function handleListApps(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const query = parseListQuery(ctx.url, ["names", "guids", "space_guids", "organization_guids"]);
  const f = query.filters;
  const apps = [...ctx.state.apps.values()].filter((app) => {
    const space = ctx.state.spaces.get(app.spaceGuid);
    if (!space || !perms.canReadFromSpace(space)) return false;
    if (f.has("names") && !f.get("names")!.includes(app.name)) return false;
    if (f.has("guids") && !f.get("guids")!.includes(app.guid)) return false;
    if (f.has("space_guids") && !f.get("space_guids")!.includes(space.guid)) return false;
    if (f.has("organization_guids") && !f.get("organization_guids")!.includes(space.orgGuid)) return false;
    return true;
  });
  sortForList(apps, query);
  return json(
    200,
    paginate(apps, query.page, query.perPage, `${ctx.origin}/v3/apps`, query.linkParams, (a) =>
      presentApp(a, ctx.present),
    ),
  );
}

/** `GET /v3/apps/{guid}`. */
export async function handleGetApp(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const app = ctx.state.apps.get(ctx.params.guid!);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  if (!app || !space || !perms.canReadFromSpace(space)) throw new CfError("ResourceNotFound", "App not found");
  return json(200, presentApp(app, ctx.present));
}
