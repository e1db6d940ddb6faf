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
import { presentJournalRow, presentScenarios as presentScenarioState } from "../events/present.js";
import { SCENARIOS, type ScenarioSetting } from "../scenarios/catalog.js";
import { ScenarioError, parseScenario } from "../scenarios/parse.js";

function presentScenarios(ctx: Context) {
  return presentScenarioState(ctx.state);
}

/** The scenarios as they are now, to the answer and to the event stream. */
function scenariosChanged(ctx: Context): Answer {
  const scenarios = presentScenarios(ctx);
  ctx.services.events.publish("scenario", scenarios);
  return json(200, scenarios);
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
  return scenariosChanged(ctx);
}

/** `PUT /__mock/packages/{guid}/scenario`. */
export async function handleBindPackageScenario(ctx: Context): Promise<Answer> {
  const guid = ctx.params.guid!;
  if (!ctx.state.packages.has(guid)) throw new CfError("ResourceNotFound", "Package not found");
  ctx.state.packageScenarios.set(guid, await readSetting(ctx));
  return scenariosChanged(ctx);
}

/** `DELETE /__mock/packages/{guid}/scenario`. */
export async function handleUnbindPackageScenario(ctx: Context): Promise<Answer> {
  ctx.state.packageScenarios.delete(ctx.params.guid!);
  return scenariosChanged(ctx);
}

/** `POST /__mock/reset`: the starting world again, with no background job left running. */
export async function handleReset(ctx: Context): Promise<Answer> {
  await ctx.services.reset();
  return empty(204);
}

/**
 * `GET /__mock/journal?method=POST&path=/v3/…&status=200&uploads=true&violations=true`, and for the
 * dashboard `last=N` (the N most recent matches) and `summary=true` (table rows, not whole entries).
 */
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
  let entries = ctx.services.journal.find(query);
  const last = q.get("last");
  if (last !== null && /^\d+$/.test(last)) entries = entries.slice(Math.max(0, entries.length - Number(last)));
  const items = q.get("summary") === "true" ? entries.map(presentJournalRow) : entries;
  return jsonList(200, "entries", items, { dropped: ctx.services.journal.dropped() });
}

/** `DELETE /__mock/journal`. */
export async function handleClearJournal(ctx: Context): Promise<Answer> {
  ctx.services.journal.clear();
  return empty(204);
}
