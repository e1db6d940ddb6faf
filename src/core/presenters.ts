/**
 * JSON as the Cloud Controller presents it. Key order matters to clients that
 * compare bodies textually, so objects are built in the real order
 * (`cloud_controller_ng: app/presenters/v3/package_presenter.rb`).
 */
import { toQuery } from "./lists/to-query.js";
import type { FeatureFlagRecord, JobRecord, PackageRecord } from "./world/model.js";
import type { AppRecord, OrgRecord, SpaceRecord, State } from "./world/state.js";
import { stableGuid } from "./world/stable-guid.js";

/** The guid of the `default` organization quota every org of the simulator is on. */
export const DEFAULT_ORG_QUOTA_GUID = stableGuid("organization_quota", "default");

const stamps = new Map<number, string>();

/** `YYYY-MM-DDThh:mm:ssZ`: whole seconds, UTC. Memoised: the same few instants are shown over and over. */
export function timestamp(ms: number): string {
  let text = stamps.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    if (stamps.size >= 10_000) stamps.clear();
    stamps.set(ms, text);
  }
  return text;
}

export interface PresentOptions {
  /** Scheme, host and port of the request: all links are absolute. */
  origin: string;
  /** Emit `"method":"GET"` on the download link, as the seed document does. Default false (real). */
  downloadLinkMethod?: boolean;
}

export function presentPackage(pkg: PackageRecord, opts: PresentOptions) {
  const base = `${opts.origin}/v3/packages/${pkg.guid}`;
  const data =
    pkg.type === "docker"
      ? {
          image: pkg.docker?.image ?? "",
          username: pkg.docker?.username ?? null,
          password: pkg.docker?.password ?? null,
        }
      : { error: pkg.error, checksum: { type: pkg.checksum.type, value: pkg.checksum.value } };
  const links: Record<string, { href: string; method?: string }> = { self: { href: base } };
  if (pkg.type === "bits") {
    links.upload = { href: `${base}/upload`, method: "POST" };
    links.download = opts.downloadLinkMethod
      ? { href: `${base}/download`, method: "GET" }
      : { href: `${base}/download` };
  }
  links.app = { href: `${opts.origin}/v3/apps/${pkg.appGuid}` };
  return {
    guid: pkg.guid,
    created_at: timestamp(pkg.createdAt),
    updated_at: timestamp(pkg.updatedAt),
    type: pkg.type,
    data,
    state: pkg.state,
    relationships: { app: { data: { guid: pkg.appGuid } } },
    metadata: { labels: { ...pkg.labels }, annotations: { ...pkg.annotations } },
    links,
  };
}

export function presentJob(job: JobRecord, state: State, opts: PresentOptions) {
  const links: Record<string, { href: string }> = { self: { href: `${opts.origin}/v3/jobs/${job.guid}` } };
  if (job.packageGuid && state.packages.has(job.packageGuid)) {
    links.package = { href: `${opts.origin}/v3/packages/${job.packageGuid}` };
  }
  return {
    guid: job.guid,
    created_at: timestamp(job.createdAt),
    updated_at: timestamp(job.updatedAt),
    operation: job.operation,
    state: job.state,
    errors: job.errors.map((e) => ({ detail: e.detail, title: e.title, code: e.code })),
    warnings: job.warnings.map((w) => ({ detail: w.detail })),
    links,
  };
}

export function presentApp(app: AppRecord, opts: PresentOptions) {
  const base = `${opts.origin}/v3/apps/${app.guid}`;
  return {
    guid: app.guid,
    created_at: timestamp(app.createdAt),
    updated_at: timestamp(app.updatedAt),
    name: app.name,
    state: app.state,
    lifecycle:
      app.lifecycle === "docker"
        ? { type: "docker", data: {} }
        : { type: "buildpack", data: { buildpacks: [], stack: "cflinuxfs4" } },
    relationships: { space: { data: { guid: app.spaceGuid } } },
    metadata: { labels: {}, annotations: {} },
    links: {
      self: { href: base },
      environment_variables: { href: `${base}/environment_variables` },
      space: { href: `${opts.origin}/v3/spaces/${app.spaceGuid}` },
      processes: { href: `${base}/processes` },
      packages: { href: `${base}/packages` },
      current_droplet: { href: `${base}/droplets/current` },
      droplets: { href: `${base}/droplets` },
      tasks: { href: `${base}/tasks` },
      start: { href: `${base}/actions/start`, method: "POST" },
      stop: { href: `${base}/actions/stop`, method: "POST" },
      revisions: { href: `${base}/revisions` },
      deployed_revisions: { href: `${base}/revisions/deployed` },
      features: { href: `${base}/features` },
    },
  };
}

/** `app/presenters/v3/organization_presenter.rb`. */
export function presentOrg(org: OrgRecord, opts: PresentOptions) {
  const base = `${opts.origin}/v3/organizations/${org.guid}`;
  return {
    guid: org.guid,
    created_at: timestamp(org.createdAt),
    updated_at: timestamp(org.updatedAt),
    name: org.name,
    suspended: org.suspended,
    relationships: { quota: { data: { guid: DEFAULT_ORG_QUOTA_GUID } } },
    metadata: { labels: {}, annotations: {} },
    links: {
      self: { href: base },
      domains: { href: `${base}/domains` },
      default_domain: { href: `${base}/domains/default` },
      quota: { href: `${opts.origin}/v3/organization_quotas/${DEFAULT_ORG_QUOTA_GUID}` },
    },
  };
}

/** `app/presenters/v3/space_presenter.rb`: no space quotas, so `quota.data` is null and there is no quota link. */
export function presentSpace(space: SpaceRecord, opts: PresentOptions) {
  const base = `${opts.origin}/v3/spaces/${space.guid}`;
  return {
    guid: space.guid,
    created_at: timestamp(space.createdAt),
    updated_at: timestamp(space.updatedAt),
    name: space.name,
    suspended: space.suspended,
    relationships: {
      organization: { data: { guid: space.orgGuid } },
      quota: { data: null },
    },
    metadata: { labels: {}, annotations: {} },
    links: {
      self: { href: base },
      organization: { href: `${opts.origin}/v3/organizations/${space.orgGuid}` },
      features: { href: `${base}/features` },
      apply_manifest: { href: `${base}/actions/apply_manifest`, method: "POST" },
    },
  };
}

export function presentFeatureFlag(flag: FeatureFlagRecord, opts: PresentOptions) {
  return {
    name: flag.name,
    enabled: flag.enabled,
    updated_at: flag.updatedAt === null ? null : timestamp(flag.updatedAt),
    custom_error_message: flag.customErrorMessage,
    links: { self: { href: `${opts.origin}/v3/feature_flags/${flag.name}` } },
  };
}

/**
 * The list envelope (`app/presenters/v3/paginated_list_presenter.rb`): each href is the
 * absolute list URL with `params` (the filters and `order_by`, as `ListQuery.linkParams` has
 * them), `page` and `per_page` in its query, written as Rails' `Hash#to_query` writes it: each
 * pair `CGI.escape`d, the pairs sorted.
 */
export function paginate<T, R>(
  items: readonly T[],
  page: number,
  perPage: number,
  listUrl: string,
  params: ReadonlyArray<readonly [string, string]>,
  present: (item: T) => R,
) {
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const href = (p: number) => ({
    href: `${listUrl}?${toQuery([...params, ["page", String(p)], ["per_page", String(perPage)]])}`,
  });
  return {
    pagination: {
      total_results: items.length,
      total_pages: totalPages,
      first: href(1),
      last: href(totalPages),
      next: page < totalPages ? href(page + 1) : null,
      previous: page > 1 ? href(page - 1) : null,
    },
    resources: items.slice((page - 1) * perPage, page * perPage).map(present),
  };
}
