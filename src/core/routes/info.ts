/**
 * `GET /v3/info` (`app/controllers/v3/info_controller.rb`, `app/presenters/v3/info_presenter.rb`):
 * the deployment's info document. Anonymous, like the root documents: no token needed, and a bad
 * one is not looked at. The values are the simulator's own; the rate limits are the controller's
 * defaults (`config/cloud_controller.yml`: off, 2000 a process, reset every 60 minutes).
 */
import type { Context } from "../context.js";
import { json, type Answer } from "../http/answer.js";

/** `GET /v3/info`, keys in the presenter's order. */
export async function handleGetInfo(ctx: Context): Promise<Answer> {
  return json(200, {
    build: "mock-packages",
    cli_version: { minimum: "7.0.0", recommended: "8.0.0" },
    custom: {},
    description: "mock-packages: a simulated Cloud Controller for the V3 package endpoints",
    name: "mock-packages",
    version: 0,
    osbapi_version: "2.15",
    rate_limits: { enabled: false, general_limit: 2000, reset_interval_in_minutes: 60 },
    links: {
      self: { href: `${ctx.origin}/v3/info` },
      support: { href: "https://support.example.local" },
    },
  });
}
