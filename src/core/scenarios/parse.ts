/**
 * Every way of naming a scenario goes through this one parser: the CLI's
 * `--scenario`, the `Prefer` header, the admin API, `useScenario()`,
 * `bindScenario()`, the `scenario` option and world files. Each surface wraps
 * a {@link ScenarioError} in its own kind of error (a usage error, a 400
 * CF-BadRequest, a TypeError) but the words are the same everywhere.
 *
 * Text forms follow RFC 7240's preference syntax: `NAME`, or `NAME; option=value`
 * with a token or a quoted string as the value, e.g. `slow; latency=200-800` or
 * `processing-fails; error="The app upload is invalid: Invalid zip archive."`.
 */
import { SCENARIOS, findScenario, type ScenarioName, type ScenarioOption, type ScenarioSetting } from "./catalog.js";

/** A scenario that cannot be used; the message is written for the person who named it. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    /** The name that is not a scenario, when that is the problem. */
    readonly unknownName: string | null = null,
  ) {
    super(message);
    this.name = "ScenarioError";
  }
}

const OPTION_KEYS: readonly ScenarioOption[] = ["error", "latency"];
const EXAMPLES: Record<ScenarioOption, string> = {
  error: 'error="The app upload is invalid: Invalid zip archive."',
  latency: "latency=300",
};

export function unknownScenarioMessage(name: string): string {
  return `unknown scenario '${name}'. Valid scenarios are: ${SCENARIOS.map((s) => s.name).join(", ")}`;
}

/**
 * A checked setting from any form of a scenario: a name, a `NAME; option=value` text, or
 * `{ name, error?, latency? }`. Throws {@link ScenarioError}.
 */
export function parseScenario(input: unknown): ScenarioSetting {
  if (typeof input === "string") {
    const [first, ...rest] = parsePreferences(input);
    if (!first || rest.length > 0 || first.value !== null) {
      throw new ScenarioError(
        `a scenario is written NAME or NAME; option=value (e.g. slow; latency=300), got '${input}'`,
      );
    }
    const bare = first.params.find(([key, value]) => value === null && key in EXAMPLES);
    if (bare)
      throw new ScenarioError(`the option '${bare[0]}' needs a value, e.g. ${EXAMPLES[bare[0] as ScenarioOption]}`);
    // The name as written: preference names are case-insensitive, scenario names are not.
    return settingOf(input.slice(0, input.search(/;|$/)).trim(), Object.fromEntries(first.params));
  }
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    const { name, ...options } = input as Record<string, unknown>;
    if (typeof name === "string") return settingOf(name, options);
  }
  throw new ScenarioError(
    `send {"name": "<scenario>"}; valid scenarios are: ${SCENARIOS.map((s) => s.name).join(", ")}`,
  );
}

/** A scenario given through the programmatic API (`useScenario`, the `scenario` option): a bad one is a TypeError. */
export function toSetting(input: unknown): ScenarioSetting {
  try {
    return parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) throw new TypeError(`mock-packages: ${error.message}`);
    throw error;
  }
}

function settingOf(name: string, options: Record<string, unknown>): ScenarioSetting {
  const definition = findScenario(name);
  if (!definition) throw new ScenarioError(unknownScenarioMessage(name), name);
  const unknown = Object.keys(options).filter((k) => !(OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new ScenarioError(
      `unknown field(s) ${unknown.map((k) => `'${k}'`).join(", ")}: a scenario takes name, error and latency`,
    );
  }
  const setting: ScenarioSetting = { name: definition.name };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (value === null) {
      throw new ScenarioError(`the option '${key}' needs a value, e.g. ${EXAMPLES[key as ScenarioOption]}`);
    }
    if (value === null)
      throw new ScenarioError(`the option '${key}' needs a value, e.g. ${EXAMPLES[key as ScenarioOption]}`);
    if (!definition.options.includes(key as ScenarioOption)) {
      const takes = definition.options.length ? `it takes ${definition.options.join(" and ")}` : "it takes none";
      throw new ScenarioError(`'${key}' is not an option of the scenario '${name}' (${takes})`);
    }
    if (key === "error") {
      if (typeof value !== "string") throw new ScenarioError("'error' must be the data.error text, a string");
      setting.error = value;
    } else {
      setting.latency = parseLatency(value);
    }
  }
  return setting;
}

/** A latency: `MS` or `MIN-MAX` (also a number or a `[min, max]` pair). Throws {@link ScenarioError}. */
export function parseLatency(value: unknown): number | [number, number] {
  const bad = () =>
    new ScenarioError(
      `latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got '${Array.isArray(value) ? JSON.stringify(value) : String(value)}'`,
    );
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw bad();
    return value;
  }
  if (Array.isArray(value)) {
    const [a, b] = value as unknown[];
    if (value.length !== 2 || typeof a !== "number" || typeof b !== "number") throw bad();
    if (!(Number.isFinite(a) && Number.isFinite(b) && a >= 0 && b >= a)) throw bad();
    return [a, b];
  }
  if (typeof value !== "string") throw bad();
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!m) throw bad();
  if (m[2] === undefined) return Number(m[1]);
  const range: [number, number] = [Number(m[1]), Number(m[2])];
  if (range[1] < range[0]) throw bad();
  return range;
}

/** The statuses `Prefer: code=N` can ask for, each answered by the first scenario listed for it. */
export function scenarioForStatus(code: number): ScenarioName | undefined {
  return SCENARIOS.find((s) => s.status === code)?.name;
}

/**
 * The scenario a request's `Prefer` header asks for (RFC 7240): `respond-async`, `code=NNN`
 * or `scenario=NAME`, the last two with options as parameters
 * (`scenario=slow; latency=300`, `scenario=processing-fails; error="…"`). Null when it asks
 * for none; other preferences (`return=minimal`, `wait=10`) are not for the simulator and are
 * ignored, as RFC 7240 §2 allows. Throws {@link ScenarioError} for a scenario or code that
 * does not exist and for bad options.
 */
export function scenarioFromPrefer(header: string | null): ScenarioSetting | null {
  if (!header) return null;
  try {
    return chooseFromPreferences(parsePreferences(header));
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const phrase =
      error.unknownName !== null
        ? `names an ${error.message}`
        : error.message.startsWith("asks for")
          ? error.message
          : `asks for a scenario it cannot have: ${error.message}`;
    throw new ScenarioError(`the Prefer header ${phrase}`, error.unknownName);
  }
}

function chooseFromPreferences(preferences: Preference[]): ScenarioSetting | null {
  let chosen: ScenarioSetting | null = null;
  for (const pref of preferences) {
    const options = Object.fromEntries(pref.params);
    if (pref.name === "respond-async") chosen = { name: "async-upload" };
    else if (pref.name === "code") {
      const value = pref.value ?? "";
      const name = /^\d{3}$/.test(value) ? scenarioForStatus(Number(value)) : undefined;
      if (!name) {
        const codes = [...new Set(SCENARIOS.flatMap((s) => (s.status === null ? [] : [s.status])))]
          .sort((a, b) => a - b)
          .join(", ");
        throw new ScenarioError(`asks for code=${value}, which no scenario answers. Valid codes are: ${codes}`);
      }
      chosen = settingOf(name, options);
    } else if (pref.name === "scenario") {
      chosen = settingOf(pref.value ?? "", options);
    }
  }
  return chosen;
}

/** One preference of a `Prefer` header: `name[=value]` and its `; param[=value]` list. */
export interface Preference {
  /** Lower case: preference names are case-insensitive. */
  name: string;
  value: string | null;
  params: Array<[string, string | null]>;
}

/**
 * Splits a `Prefer` value into preferences (RFC 7240 §2): comma-separated, each a token with an
 * optional `=value` and `;`-separated parameters; a value is a token or a quoted string, whose
 * commas and semicolons do not separate anything. Empty elements are skipped.
 */
export function parsePreferences(header: string): Preference[] {
  const out: Preference[] = [];
  let current: Array<[string, string | null]> = [];
  let i = 0;
  const finishPreference = () => {
    const [head, ...params] = current;
    if (head && head[0] !== "") out.push({ name: head[0].toLowerCase(), value: head[1], params });
    current = [];
  };
  // An element whose first pair is empty (`; x=1`, `=x`) starts with no preference token: RFC 7240 §2
  // makes it no preference at all, so its parameters are dropped with it.
  let headless = false;
  while (i <= header.length) {
    const [pair, next] = readPair(header, i);
    if (current.length === 0 && pair[0] === "") headless = pair[1] !== null || header[next] === ";";
    if (!headless && (pair[0] !== "" || pair[1] !== null)) current.push([pair[0].toLowerCase(), pair[1]]);
    i = next + 1;
    if (next >= header.length || header[next] === ",") {
      finishPreference();
      headless = false;
    }
  }
  return out;
}

/** Reads `key[=value]` from `start` up to the next `;` or `,` outside quotes; answers it and where it stopped. */
function readPair(text: string, start: number): [[string, string | null], number] {
  let i = start;
  let key = "";
  while (i < text.length && !";,=".includes(text[i]!)) key += text[i++];
  if (text[i] !== "=") return [[key.trim(), null], i];
  i++;
  while (text[i] === " " || text[i] === "\t") i++;
  let value = "";
  if (text[i] === '"') {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\" && i + 1 < text.length) i++;
      value += text[i++];
    }
    i++;
    while (i < text.length && !";,".includes(text[i]!)) i++;
    return [[key.trim(), value], i];
  }
  while (i < text.length && !";,".includes(text[i]!)) value += text[i++];
  return [[key.trim(), value.trim()], i];
}
