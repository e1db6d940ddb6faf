/**
 * Jobs, apps, feature flags and the root documents.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { isPlainObject, unknownFieldsMessage } from "../guards.js";
import { json } from "../http.js";
import { parseListQuery, sortForList } from "../list-query.js";
import { paginate, presentApp, presentFeatureFlag, presentJob } from "../presenters.js";

/** `GET /v3/jobs/{guid}`: authentication and read scope only; no space check. */
export async function handleGetJob(ctx: Context): Promise<Response> {
  await ctx.reader();
  const job = ctx.state.jobs.get(ctx.params.guid!);
  if (!job) throw new CfError("ResourceNotFound", "Job not found");
  return json(200, presentJob(job, ctx.state, ctx.present));
}

/** `GET /v3/apps` with the `names`, `guids`, `space_guids` and `organization_guids` filters. */
export async function handleListApps(ctx: Context): Promise<Response> {
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
    paginate(apps, query.page, query.perPage, `${ctx.origin}/v3/apps`, query.filterPairs, (a) =>
      presentApp(a, ctx.present),
    ),
  );
}

/** `GET /v3/apps/{guid}`. */
export async function handleGetApp(ctx: Context): Promise<Response> {
  const perms = await ctx.reader();
  const app = ctx.state.apps.get(ctx.params.guid!);
  const space = app ? ctx.state.spaces.get(app.spaceGuid) : undefined;
  if (!app || !space || !perms.canReadFromSpace(space)) throw new CfError("ResourceNotFound", "App not found");
  return json(200, presentApp(app, ctx.present));
}

/** `GET /v3/feature_flags`: any authenticated user. */
export async function handleListFeatureFlags(ctx: Context): Promise<Response> {
  await ctx.authenticate();
  const query = parseListQuery(ctx.url, ["names"]);
  const names = query.filters.get("names");
  const flags = [...ctx.state.featureFlags.values()]
    .filter((f) => !names || names.includes(f.name))
    .sort((a, b) => a.name.localeCompare(b.name) * (query.descending ? -1 : 1));
  return json(
    200,
    paginate(flags, query.page, query.perPage, `${ctx.origin}/v3/feature_flags`, query.filterPairs, (f) =>
      presentFeatureFlag(f, ctx.present),
    ),
  );
}

/** `GET /v3/feature_flags/{name}`. */
export async function handleGetFeatureFlag(ctx: Context): Promise<Response> {
  await ctx.authenticate();
  const flag = ctx.state.featureFlags.get(ctx.params.name!);
  if (!flag) throw new CfError("ResourceNotFound", "Feature flag not found");
  return json(200, presentFeatureFlag(flag, ctx.present));
}

/** `PATCH /v3/feature_flags/{name}`: admins only. */
export async function handleUpdateFeatureFlag(ctx: Context): Promise<Response> {
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
  flag.updatedAt = ctx.runtime.now();
  return json(200, presentFeatureFlag(flag, ctx.present));
}

/** `GET /`: the global root document; no authentication. */
export async function handleRoot(ctx: Context): Promise<Response> {
  const o = ctx.origin;
  return json(200, {
    links: {
      self: { href: o },
      bits_service: null,
      cloud_controller_v2: null,
      cloud_controller_v3: { href: `${o}/v3`, meta: { version: "3.180.0" } },
      network_policy_v0: { href: `${o}/networking/v0/external` },
      network_policy_v1: { href: `${o}/networking/v1/external` },
      login: { href: o.replace("//", "//login.") },
      uaa: { href: o.replace("//", "//uaa.") },
      credhub: null,
      routing: { href: `${o}/routing` },
      logging: { href: o.replace(/^http/, "ws").replace("//", "//doppler.") },
      log_cache: { href: o.replace("//", "//log-cache.") },
      log_stream: { href: o.replace("//", "//log-stream.") },
      app_ssh: {
        href: "ssh.example.local:2222",
        meta: { host_key_fingerprint: "mock-packages", oauth_client: "ssh-proxy" },
      },
    },
  });
}

const V3_RESOURCES = [
  "app_usage_events",
  "apps",
  "audit_events",
  "buildpacks",
  "builds",
  "deployments",
  "domains",
  "droplets",
  "environment_variable_groups",
  "feature_flags",
  "info",
  "isolation_segments",
  "organizations",
  "organization_quotas",
  "packages",
  "processes",
  "resource_matches",
  "roles",
  "routes",
  "security_groups",
  "service_brokers",
  "service_instances",
  "service_offerings",
  "service_plans",
  "spaces",
  "space_quotas",
  "stacks",
  "tasks",
  "users",
];

/** `GET /v3`: links to the V3 resources; no authentication. */
export async function handleV3Root(ctx: Context): Promise<Response> {
  const links: Record<string, { href: string }> = { self: { href: `${ctx.origin}/v3` } };
  for (const name of V3_RESOURCES) links[name] = { href: `${ctx.origin}/v3/${name}` };
  return json(200, { links });
}
