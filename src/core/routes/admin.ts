/**
 * The admin API under `/__mock/`: read and set the global scenario, bind a
 * scenario to one package, list the catalog, reset the world. No token is
 * needed; switch it off with the `admin: false` option (`--no-admin`).
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { isPlainObject } from "../validation.js";
import { json } from "../http/responses.js";
import {
  SCENARIOS,
  findScenario,
  parseLatency,
  unknownScenarioMessage,
  type ScenarioSetting,
} from "../scenarios/catalog.js";

export interface AdminHooks {
  reset(): Promise<void>;
}

function presentSetting(setting: ScenarioSetting) {
  return {
    name: setting.name,
    ...(setting.error !== undefined ? { error: setting.error } : {}),
    ...(setting.latency !== undefined ? { latency: setting.latency } : {}),
  };
}

function presentScenarios(ctx: Context) {
  const packages: Record<string, ReturnType<typeof presentSetting>> = {};
  for (const [guid, setting] of ctx.state.packageScenarios) packages[guid] = presentSetting(setting);
  return { scenario: presentSetting(ctx.state.scenario), packages };
}

/** Reads `{ "name": …, "error"?: …, "latency"?: … }`; 400 CF-BadRequest naming what is wrong. */
async function readSetting(ctx: Context): Promise<ScenarioSetting> {
  const body = await ctx.jsonBody();
  if (!isPlainObject(body) || typeof body.name !== "string") {
    throw new CfError(
      "BadRequest",
      `send {"name": "<scenario>"}; valid scenarios are: ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  }
  if (!findScenario(body.name)) throw new CfError("BadRequest", unknownScenarioMessage(body.name));
  const unknown = Object.keys(body).filter((k) => !["name", "error", "latency"].includes(k));
  if (unknown.length)
    throw new CfError(
      "BadRequest",
      `unknown field(s) ${unknown.map((k) => `'${k}'`).join(", ")}: a scenario takes name, error and latency`,
    );
  const setting: ScenarioSetting = { name: body.name as ScenarioSetting["name"] };
  if (body.error !== undefined) {
    if (typeof body.error !== "string")
      throw new CfError("BadRequest", "'error' must be the data.error text, a string");
    setting.error = body.error;
  }
  if (body.latency !== undefined) {
    try {
      setting.latency = parseLatency(
        typeof body.latency === "number" || typeof body.latency === "string"
          ? body.latency
          : (body.latency as [number, number]),
      );
    } catch (error) {
      throw new CfError("BadRequest", (error as Error).message.replace(/^mock-packages: /, ""));
    }
  }
  return setting;
}

export async function handleListScenarios(): Promise<Response> {
  return json(200, {
    scenarios: SCENARIOS.map((s) => ({ name: s.name, status: s.status, description: s.description })),
  });
}

export async function handleGetScenario(ctx: Context): Promise<Response> {
  return json(200, presentScenarios(ctx));
}

export async function handleSetScenario(ctx: Context): Promise<Response> {
  ctx.state.scenario = await readSetting(ctx);
  return json(200, presentScenarios(ctx));
}

export async function handleBindPackageScenario(ctx: Context): Promise<Response> {
  const guid = ctx.params.guid!;
  if (!ctx.state.packages.has(guid)) throw new CfError("ResourceNotFound", "Package not found");
  ctx.state.packageScenarios.set(guid, await readSetting(ctx));
  return json(200, presentScenarios(ctx));
}

export async function handleUnbindPackageScenario(ctx: Context): Promise<Response> {
  ctx.state.packageScenarios.delete(ctx.params.guid!);
  return json(200, presentScenarios(ctx));
}
