/**
 * The admin API under `/__mock/` (simulator only): the scenario catalog, the
 * global scenario, scenarios bound to one package, the journal, and a reset to
 * the starting world. Who may call it is checked before each route
 * (`admin-guard.ts`); switch it off with the `admin: false` option (`--no-admin`).
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { empty, json, jsonList, type Answer } from "../http/answer.js";
import type { JournalQuery } from "../journal/journal.js";
import { SCENARIOS, type ScenarioSetting } from "../scenarios/catalog.js";
import { ScenarioError, parseScenario } from "../scenarios/parse.js";

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

/** Reads `{ "name": …, "error"?: …, "latency"?: … }`; 400 CF-BadRequest saying what is wrong. */
async function readSetting(ctx: Context): Promise<ScenarioSetting> {
  const body = await ctx.jsonBody();
  try {
    return parseScenario(body);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CfError("BadRequest", error.message);
    throw error;
  }
}

/** `GET /__mock/scenarios`. */
export async function handleListScenarios(): Promise<Answer> {
  return json(200, {
    scenarios: SCENARIOS.map((s) => ({ name: s.name, status: s.status, description: s.description })),
  });
}

/** `GET /__mock/scenario`: the global scenario and the package bindings. */
export async function handleGetScenario(ctx: Context): Promise<Answer> {
  return json(200, presentScenarios(ctx));
}

/** `PUT /__mock/scenario`. */
export async function handleSetScenario(ctx: Context): Promise<Answer> {
  ctx.state.scenario = await readSetting(ctx);
  return json(200, presentScenarios(ctx));
}

/** `PUT /__mock/packages/{guid}/scenario`. */
export async function handleBindPackageScenario(ctx: Context): Promise<Answer> {
  const guid = ctx.params.guid!;
  if (!ctx.state.packages.has(guid)) throw new CfError("ResourceNotFound", "Package not found");
  ctx.state.packageScenarios.set(guid, await readSetting(ctx));
  return json(200, presentScenarios(ctx));
}

/** `DELETE /__mock/packages/{guid}/scenario`. */
export async function handleUnbindPackageScenario(ctx: Context): Promise<Answer> {
  ctx.state.packageScenarios.delete(ctx.params.guid!);
  return json(200, presentScenarios(ctx));
}

/** `POST /__mock/reset`: the starting world again, with no background job left running. */
export async function handleReset(ctx: Context): Promise<Answer> {
  await ctx.services.reset();
  return empty(204);
}

/** `GET /__mock/journal?method=POST&path=/v3/…&status=200&uploads=true&violations=true`. */
export async function handleGetJournal(ctx: Context): Promise<Answer> {
  const q = ctx.url.searchParams;
  const query: JournalQuery = {};
  if (q.has("method")) query.method = q.get("method")!;
  if (q.has("path")) query.path = q.get("path")!;
  if (q.has("status") && /^\d+$/.test(q.get("status")!)) query.status = Number(q.get("status"));
  if (q.get("uploads") === "true") query.uploads = true;
  if (q.get("violations") === "true") {
    // Without verdicts every entry would pass the filter's test of "no violation": an empty list that looks like good news.
    if (!ctx.services.journal.verdicts) {
      throw new CfError(
        "BadRequest",
        "violations=true needs contract verdicts, and this simulator has none: start the server with " +
          "--contract-verdicts (or create the simulator with a contract checker from mock-packages/contract)",
      );
    }
    query.violations = true;
  }
  return jsonList(200, "entries", ctx.services.journal.find(query), { dropped: ctx.services.journal.dropped() });
}

/** `DELETE /__mock/journal`. */
export async function handleClearJournal(ctx: Context): Promise<Answer> {
  ctx.services.journal.clear();
  return empty(204);
}
