/**
 * The admin API of sandboxes, `/__mock/sandboxes` (simulator only): create one with options,
 * list them, show, reset or delete one, and mint a token for one. Every other admin operation
 * works per sandbox as it is: `/sandboxes/ID/__mock/journal`, or with `X-Mock-Sandbox: ID`.
 */
import { mintUserToken } from "../auth/user-tokens.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { empty, json, type Answer } from "../http/answer.js";
import type { SandboxInfo, SandboxOptions } from "../sandboxes/registry.js";
import { ScenarioError, parseScenario } from "../scenarios/parse.js";

/** A sandbox as the admin API answers it: where it is, and how to reach it each way. */
function present(ctx: Context, info: SandboxInfo) {
  const root = ctx.url.origin + ctx.origin.slice(ctx.url.origin.length).replace(/\/sandboxes\/[^/]+$/, "");
  return {
    id: info.id,
    base_url: `${root}${info.basePath}`,
    header: { "X-Mock-Sandbox": info.id },
    seed: info.seed,
    scenario: info.scenario,
    created_at: info.createdAt,
    last_used_at: info.lastUsedAt,
    expires_at: info.expiresAt,
    tokens: {
      admin_api: `POST ${root}/__mock/sandboxes/${info.id}/tokens {"user":"space-developer"}`,
      cli: `npx mock-packages token --user space-developer --sandbox ${info.id}`,
      code: `mintUserToken("space-developer", { sandbox: "${info.id}" })`,
    },
  };
}

const OPTION_KEYS = ["id", "seed", "scenario", "processing_delay", "blobstore"];

/** Reads the create options; 400 CF-BadRequest saying which one is wrong. */
async function readOptions(ctx: Context): Promise<SandboxOptions> {
  const body = await ctx.jsonBody();
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw CfError.withDetail("BadRequest", "Bad request: the body must be a JSON object (or empty)");
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !OPTION_KEYS.includes(k));
  if (unknown.length > 0) {
    throw CfError.withDetail(
      "BadRequest",
      `Bad request: unknown option ${unknown.map((k) => `'${k}'`).join(", ")}; a sandbox takes ${OPTION_KEYS.join(", ")}`,
    );
  }
  const options: SandboxOptions = {};
  if (b.id !== undefined) options.id = b.id as string;
  if (b.seed !== undefined) options.seed = count(b.seed, "seed");
  if (b.processing_delay !== undefined) options.processingDelay = count(b.processing_delay, "processing_delay");
  if (b.blobstore !== undefined) {
    if (b.blobstore !== "remote" && b.blobstore !== "local") {
      throw CfError.withDetail("BadRequest", `Bad request: blobstore must be "remote" or "local"`);
    }
    options.blobstore = b.blobstore;
  }
  if (b.scenario !== undefined) {
    try {
      options.scenario = parseScenario(typeof b.scenario === "string" ? { name: b.scenario } : b.scenario);
    } catch (error) {
      if (error instanceof ScenarioError)
        throw CfError.withDetail("BadRequest", `Bad request: scenario: ${error.message}`);
      throw error;
    }
  }
  return options;
}

function count(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw CfError.withDetail("BadRequest", `Bad request: ${name} must be a whole number of 0 or more`);
  }
  return value;
}

function sandboxOf(ctx: Context) {
  const sandbox = ctx.services.sandboxes.get(ctx.params.id!);
  if (!sandbox) throw CfError.withDetail("ResourceNotFound", `Sandbox '${ctx.params.id}' not found`);
  return sandbox;
}

/** `POST /__mock/sandboxes`: 201 with the new sandbox. */
export async function handleCreateSandbox(ctx: Context): Promise<Answer> {
  const sandbox = await ctx.services.sandboxes.create(await readOptions(ctx));
  return json(201, present(ctx, sandbox.info()));
}

/** `GET /__mock/sandboxes`. */
export async function handleListSandboxes(ctx: Context): Promise<Answer> {
  const registry = ctx.services.sandboxes;
  return json(200, {
    sandboxes: registry.list().map((info) => present(ctx, info)),
    max_sandboxes: registry.max,
    idle_timeout: registry.idleTimeout,
  });
}

/** `GET /__mock/sandboxes/{id}`. */
export async function handleGetSandbox(ctx: Context): Promise<Answer> {
  return json(200, present(ctx, sandboxOf(ctx).info()));
}

/** `POST /__mock/sandboxes/{id}/reset`: that sandbox back to its starting world and scenario. */
export async function handleResetSandbox(ctx: Context): Promise<Answer> {
  await sandboxOf(ctx).simulator.reset();
  return empty(204);
}

/** `DELETE /__mock/sandboxes/{id}`: gone with its journal, jobs and bits. */
export async function handleDeleteSandbox(ctx: Context): Promise<Answer> {
  if (!(await ctx.services.sandboxes.delete(ctx.params.id!))) {
    throw CfError.withDetail("ResourceNotFound", `Sandbox '${ctx.params.id}' not found`);
  }
  return empty(204);
}

/** `POST /__mock/sandboxes/{id}/tokens` `{"user": NAME, "expires_in"?: SECONDS}`: a token carrying the sandbox's claim. */
export async function handleMintSandboxToken(ctx: Context): Promise<Answer> {
  const sandbox = sandboxOf(ctx);
  const body = (await ctx.jsonBody()) as Record<string, unknown> | null;
  const user = body && typeof body === "object" ? body.user : undefined;
  if (typeof user !== "string" || user === "") {
    throw CfError.withDetail(
      "BadRequest",
      `Bad request: send {"user": "<user name>"}, e.g. {"user": "space-developer"}`,
    );
  }
  const expiresIn = body!.expires_in === undefined ? undefined : count(body!.expires_in, "expires_in");
  const known = [...sandbox.simulator.state.users.values()].find((u) => u.name === user);
  const token = await mintUserToken(user, {
    sandbox: sandbox.id,
    expiresIn,
    userId: known?.guid,
    globalRole: known?.globalRole,
    signingKey: ctx.services.options.signingKey,
    now: ctx.services.now(),
  });
  return json(201, { token, user, sandbox: sandbox.id });
}
