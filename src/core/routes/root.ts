/**
 * The root documents, `GET /` and `GET /v3` (`app/controllers/runtime/root_controller.rb`,
 * `app/controllers/v3/root_controller.rb`): no authentication.
 */
import type { Context } from "../context.js";
import { json, type Answer } from "../http/answer.js";

/** `GET /`: the global root document; no authentication. */
export async function handleRoot(ctx: Context): Promise<Answer> {
  const o = ctx.origin;
  return json(200, {
    links: {
      self: { href: o },
      bits_service: null,
      cloud_controller_v2: null,
      cloud_controller_v3: { href: `${o}/v3`, meta: { version: "3.180.0" } },
      network_policy_v0: { href: `${o}/networking/v0/external` },
      network_policy_v1: { href: `${o}/networking/v1/external` },
      // UAA is served on the same origin (routes/uaa-*.ts): the cf CLI sends `/login` and
      // `/oauth/token` to `login.href`, and stores `uaa.href` for user management only.
      login: { href: o },
      uaa: { href: o },
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

/**
 * The controller's `/v3` links (in its order) to the collections the simulator serves: the v7 cf
 * CLI routes every request by these links, so each one must answer what it promises. The
 * controller's others (builds, droplets, processes, routes, …) are left out, not simulated.
 */
export const V3_RESOURCES = [
  "apps",
  "feature_flags",
  "info",
  "organizations",
  "packages",
  "resource_matches",
  "spaces",
];

/** `GET /v3`: links to the V3 resources the simulator serves; no authentication. */
export async function handleV3Root(ctx: Context): Promise<Answer> {
  const links: Record<string, { href: string }> = { self: { href: `${ctx.origin}/v3` } };
  for (const name of V3_RESOURCES) links[name] = { href: `${ctx.origin}/v3/${name}` };
  return json(200, { links });
}
