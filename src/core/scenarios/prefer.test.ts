// Unit tests of the scenario parser on the Prefer header (RFC 7240): choosing a scenario, and the preference syntax.
import { describe, expect, it } from "vitest";
import { parsePreferences, scenarioFromPrefer } from "./parse.js";
import {
  VALID_SCENARIOS,
  VALID_CODES,
  LATENCY_HELP,
  UNKNOWN_FIELDS,
  expectScenarioError,
} from "../../../test/support/scenarios.js";

describe("scenarioFromPrefer", () => {
  it("answers null for no header and for an empty one", () => {
    expect(scenarioFromPrefer(null)).toBeNull();
    expect(scenarioFromPrefer("")).toBeNull();
  });

  it("reads respond-async as async-upload", () => {
    expect(scenarioFromPrefer("respond-async")).toEqual({ name: "async-upload" });
  });

  it("reads code=NNN as the first scenario listed for the status", () => {
    const expected: Array<[string, string]> = [
      ["200", "cloud-controller"],
      ["202", "async-upload"],
      ["400", "already-uploaded"],
      ["401", "unauthenticated"],
      ["403", "not-authorized"],
      ["404", "not-found"],
      ["422", "unprocessable"],
      ["429", "rate-limited"],
      ["500", "server-error"],
      ["503", "unavailable"],
    ];
    for (const [code, name] of expected) expect(scenarioFromPrefer(`code=${code}`)).toEqual({ name });
  });

  it("refuses a code no scenario answers, listing the valid codes", () => {
    for (const code of ["418", "99", "4040", "abc", ""]) {
      expectScenarioError(
        () => scenarioFromPrefer(`code=${code}`),
        `the Prefer header asks for code=${code}, which no scenario answers. Valid codes are: ${VALID_CODES}`,
      );
    }
  });

  it("reads scenario=NAME, with options as parameters", () => {
    expect(scenarioFromPrefer("scenario=timeout")).toEqual({ name: "timeout" });
    expect(scenarioFromPrefer("scenario=slow; latency=300")).toEqual({ name: "slow", latency: 300 });
    expect(scenarioFromPrefer('scenario=slow; latency="200-800"')).toEqual({ name: "slow", latency: [200, 800] });
    expect(scenarioFromPrefer('scenario="processing-fails"; error="Bad, bad; zip"')).toEqual({
      name: "processing-fails",
      error: "Bad, bad; zip",
    });
  });

  it("lets the last of several scenario preferences win", () => {
    expect(scenarioFromPrefer("respond-async, scenario=slow")).toEqual({ name: "slow" });
    expect(scenarioFromPrefer("scenario=slow, respond-async")).toEqual({ name: "async-upload" });
    expect(scenarioFromPrefer("scenario=slow; latency=5, code=404")).toEqual({ name: "not-found" });
    expect(scenarioFromPrefer("code=404, scenario=expires")).toEqual({ name: "expires" });
  });

  it("ignores preferences that are not for the simulator", () => {
    expect(scenarioFromPrefer("return=minimal")).toBeNull();
    expect(scenarioFromPrefer("return=minimal, wait=10, handling=lenient")).toBeNull();
    expect(scenarioFromPrefer("return=minimal, scenario=timeout, wait=10")).toEqual({ name: "timeout" });
  });

  it("reads preference and parameter names case-insensitively", () => {
    expect(scenarioFromPrefer("Respond-Async")).toEqual({ name: "async-upload" });
    expect(scenarioFromPrefer("CODE=404")).toEqual({ name: "not-found" });
    expect(scenarioFromPrefer("Scenario=slow; LATENCY=300")).toEqual({ name: "slow", latency: 300 });
  });

  it("keeps commas and semicolons inside quoted strings", () => {
    expect(scenarioFromPrefer('wait=10, scenario=processing-fails; error="a, b; c", return=minimal')).toEqual({
      name: "processing-fails",
      error: "a, b; c",
    });
  });

  it("says the header names an unknown scenario", () => {
    expectScenarioError(
      () => scenarioFromPrefer("scenario=nope"),
      `the Prefer header names an unknown scenario 'nope'. Valid scenarios are: ${VALID_SCENARIOS}`,
      "nope",
    );
  });

  it("says the header asks for a scenario it cannot have, for bad options", () => {
    const cases: Array<[string, string]> = [
      ["scenario=slow; latency=abc", `${LATENCY_HELP} 'abc'`],
      ["scenario=slow; foo=1", UNKNOWN_FIELDS],
      ["scenario=timeout; latency=5", "'latency' is not an option of the scenario 'timeout' (it takes none)"],
      ["code=404; latency=5", "'latency' is not an option of the scenario 'not-found' (it takes none)"],
      [
        "scenario=processing-fails; error",
        "the option 'error' needs a value, e.g. error=\"The app upload is invalid: Invalid zip archive.\"",
      ],
    ];
    for (const [header, message] of cases) {
      expectScenarioError(
        () => scenarioFromPrefer(header),
        `the Prefer header asks for a scenario it cannot have: ${message}`,
      );
    }
  });
});

describe("parsePreferences", () => {
  it("splits preferences at commas, each a name with an optional value", () => {
    expect(parsePreferences("respond-async, wait=10")).toEqual([
      { name: "respond-async", value: null, params: [] },
      { name: "wait", value: "10", params: [] },
    ]);
  });

  it("lower-cases names, never values", () => {
    expect(parsePreferences("Return=Minimal; Foo=Bar")).toEqual([
      { name: "return", value: "Minimal", params: [["foo", "Bar"]] },
    ]);
  });

  it("reads ';'-separated parameters, with or without a value", () => {
    expect(parsePreferences("a; x=1; y")).toEqual([
      {
        name: "a",
        value: null,
        params: [
          ["x", "1"],
          ["y", null],
        ],
      },
    ]);
  });

  it("allows whitespace around '=', ';' and ','", () => {
    expect(parsePreferences('  a = b ;  c =  d ,\te\t, f =\t "g, h"')).toEqual([
      { name: "a", value: "b", params: [["c", "d"]] },
      { name: "e", value: null, params: [] },
      { name: "f", value: "g, h", params: [] },
    ]);
  });

  it("reads quoted strings, whose commas, semicolons and '=' separate nothing", () => {
    expect(parsePreferences('a="x, y; z=1", b; c="d,e"')).toEqual([
      { name: "a", value: "x, y; z=1", params: [] },
      { name: "b", value: null, params: [["c", "d,e"]] },
    ]);
  });

  it("unescapes quoted pairs and keeps an empty quoted string", () => {
    expect(parsePreferences('a="\\"q\\" \\\\", b=""')).toEqual([
      { name: "a", value: '"q" \\', params: [] },
      { name: "b", value: "", params: [] },
    ]);
  });

  it("skips empty elements and empty parameters", () => {
    expect(parsePreferences(", ,a,,;, b;;x=1,")).toEqual([
      { name: "a", value: null, params: [] },
      { name: "b", value: null, params: [["x", "1"]] },
    ]);
    expect(parsePreferences("")).toEqual([]);
    expect(parsePreferences(" , ")).toEqual([]);
  });

  it("skips a preference with no name", () => {
    expect(parsePreferences("=x; y=1, a")).toEqual([{ name: "a", value: null, params: [] }]);
  });

  // RFC 7240 §2 starts every preference with a token: an element without one names nothing, as
  // `=x; y=1` does above, so `Prefer: ; scenario=timeout` asks for no scenario.
  it("skips an element that starts with a parameter", () => {
    expect(parsePreferences("; scenario=timeout, a")).toEqual([{ name: "a", value: null, params: [] }]);
  });
});
