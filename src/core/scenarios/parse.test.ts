import { describe, expect, it } from "vitest";
import {
  ScenarioError,
  parsePreferences,
  parseScenario,
  scenarioForStatus,
  scenarioFromPrefer,
  toSetting,
  unknownScenarioMessage,
} from "./parse.js";

const VALID_SCENARIOS =
  "cloud-controller, async-upload, processing-fails, stuck-processing, expires, unauthenticated, invalid-token, " +
  "not-authorized, feature-disabled, org-suspended, not-found, unprocessable, already-uploaded, rate-limited, " +
  "unavailable, server-error, slow, timeout, connection-reset";
const VALID_CODES = "200, 202, 400, 401, 403, 404, 422, 429, 500, 503";
const LATENCY_HELP = "latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got";
const TEXT_HELP = "a scenario is written NAME or NAME; option=value (e.g. slow; latency=300), got";
const UNKNOWN_FIELDS = "unknown field(s) 'foo': a scenario takes name, error and latency";

/** The error `fn` throws; fails the test when it throws none. */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("test: expected a throw");
}

/** Expects a ScenarioError with exactly `message`, and `unknownName` (null unless given). */
function expectScenarioError(fn: () => unknown, message: string, unknownName: string | null = null) {
  const error = errorOf(fn);
  expect(error).toBeInstanceOf(ScenarioError);
  expect(error.name).toBe("ScenarioError");
  expect(error.message).toBe(message);
  expect((error as ScenarioError).unknownName).toBe(unknownName);
}

describe("parseScenario", () => {
  describe("a name", () => {
    it("is a setting with that name alone", () => {
      expect(parseScenario("slow")).toEqual({ name: "slow" });
      expect(parseScenario("cloud-controller")).toEqual({ name: "cloud-controller" });
    });

    it("may have spaces around it, and a trailing ';'", () => {
      expect(parseScenario("  timeout ")).toEqual({ name: "timeout" });
      expect(parseScenario("timeout;")).toEqual({ name: "timeout" });
    });

    it("must be a scenario of the catalog; the error lists them and names the unknown one", () => {
      expectScenarioError(
        () => parseScenario("nope"),
        `unknown scenario 'nope'. Valid scenarios are: ${VALID_SCENARIOS}`,
        "nope",
      );
    });
  });

  describe("NAME; option=value text", () => {
    it("takes a latency in milliseconds", () => {
      expect(parseScenario("slow; latency=300")).toEqual({ name: "slow", latency: 300 });
    });

    it("takes a latency range MIN-MAX", () => {
      expect(parseScenario("slow; latency=200-800")).toEqual({ name: "slow", latency: [200, 800] });
      expect(parseScenario("slow;latency= 200 - 800 ")).toEqual({ name: "slow", latency: [200, 800] });
      expect(parseScenario("slow; latency=5-5")).toEqual({ name: "slow", latency: [5, 5] });
    });

    it("takes an error text as a quoted string, whose commas and semicolons are text", () => {
      expect(parseScenario('processing-fails; error="a, b; c"')).toEqual({
        name: "processing-fails",
        error: "a, b; c",
      });
    });

    it('unescapes \\" and \\\\ in a quoted string', () => {
      expect(parseScenario('processing-fails; error="say \\"no\\" \\\\ twice"')).toEqual({
        name: "processing-fails",
        error: 'say "no" \\ twice',
      });
    });

    it("takes an error text as a token", () => {
      expect(parseScenario("processing-fails; error=broken")).toEqual({ name: "processing-fails", error: "broken" });
    });

    it("takes a quoted latency", () => {
      expect(parseScenario('slow; latency="200-800"')).toEqual({ name: "slow", latency: [200, 800] });
    });

    it("refuses text that is not one NAME with parameters", () => {
      for (const text of ["", " ", "slow, timeout", "slow=1", "slow=1; latency=3"]) {
        expectScenarioError(() => parseScenario(text), `${TEXT_HELP} '${text}'`);
      }
    });

    it("refuses an option the scenario does not take, saying which it takes", () => {
      expectScenarioError(
        () => parseScenario("cloud-controller; latency=300"),
        "'latency' is not an option of the scenario 'cloud-controller' (it takes none)",
      );
      expectScenarioError(
        () => parseScenario("processing-fails; latency=300"),
        "'latency' is not an option of the scenario 'processing-fails' (it takes error)",
      );
      expectScenarioError(
        () => parseScenario("slow; error=x"),
        "'error' is not an option of the scenario 'slow' (it takes latency)",
      );
    });

    it("refuses unknown parameters", () => {
      expectScenarioError(() => parseScenario("slow; foo=1"), UNKNOWN_FIELDS);
    });

    it("refuses an error without a value", () => {
      expectScenarioError(
        () => parseScenario("processing-fails; error"),
        "the option 'error' needs a value, e.g. error=\"The app upload is invalid: Invalid zip archive.\"",
      );
    });

    it("refuses bad latencies", () => {
      for (const latency of ["abc", "-5", "1.5", "800-200", "1-2-3", "", "200-"]) {
        expectScenarioError(() => parseScenario(`slow; latency=${latency}`), `${LATENCY_HELP} '${latency}'`);
      }
      expectScenarioError(() => parseScenario("slow; latency"), "the option 'latency' needs a value, e.g. latency=300");
    });

    it("refuses an unknown scenario before looking at its options", () => {
      expectScenarioError(
        () => parseScenario("nope; latency=abc"),
        `unknown scenario 'nope'. Valid scenarios are: ${VALID_SCENARIOS}`,
        "nope",
      );
    });
  });

  describe("an object", () => {
    it("takes name, error and latency", () => {
      expect(parseScenario({ name: "expires" })).toEqual({ name: "expires" });
      expect(parseScenario({ name: "processing-fails", error: "x" })).toEqual({ name: "processing-fails", error: "x" });
      expect(parseScenario({ name: "slow", latency: 250 })).toEqual({ name: "slow", latency: 250 });
      expect(parseScenario({ name: "slow", latency: [1, 2] })).toEqual({ name: "slow", latency: [1, 2] });
      expect(parseScenario({ name: "slow", latency: "10-20" })).toEqual({ name: "slow", latency: [10, 20] });
    });

    it("leaves out options given as undefined", () => {
      expect(parseScenario({ name: "slow", latency: undefined, error: undefined })).toEqual({ name: "slow" });
    });

    it("refuses an unknown scenario, naming it", () => {
      expectScenarioError(
        () => parseScenario({ name: "SLOW" }),
        `unknown scenario 'SLOW'. Valid scenarios are: ${VALID_SCENARIOS}`,
        "SLOW",
      );
    });

    it("refuses unknown fields, listing each", () => {
      expectScenarioError(() => parseScenario({ name: "slow", foo: 1 }), UNKNOWN_FIELDS);
      expectScenarioError(
        () => parseScenario({ name: "slow", foo: 1, bar: 2 }),
        "unknown field(s) 'foo', 'bar': a scenario takes name, error and latency",
      );
    });

    it("refuses an option the scenario does not take", () => {
      expectScenarioError(
        () => parseScenario({ name: "timeout", error: "x" }),
        "'error' is not an option of the scenario 'timeout' (it takes none)",
      );
    });

    it("refuses an error that is not a string", () => {
      for (const error of [5, ["x"], { text: "x" }]) {
        expectScenarioError(
          () => parseScenario({ name: "processing-fails", error }),
          "'error' must be the data.error text, a string",
        );
      }
    });

    it("says an option given as null needs a value", () => {
      expectScenarioError(
        () => parseScenario({ name: "processing-fails", error: null }),
        "the option 'error' needs a value, e.g. error=\"The app upload is invalid: Invalid zip archive.\"",
      );
      expectScenarioError(
        () => parseScenario({ name: "slow", latency: null }),
        "the option 'latency' needs a value, e.g. latency=300",
      );
    });

    it("refuses bad latencies, showing each as given", () => {
      const bad: Array<[unknown, string]> = [
        [-1, "-1"],
        [Number.NaN, "NaN"],
        [Number.POSITIVE_INFINITY, "Infinity"],
        [[800, 200], "[800,200]"],
        [[1, 2, 3], "[1,2,3]"],
        [[1], "[1]"],
        [["1", "2"], '["1","2"]'],
        [[-1, 2], "[-1,2]"],
        [true, "true"],
        ["fast", "fast"],
      ];
      for (const [latency, shown] of bad) {
        expectScenarioError(() => parseScenario({ name: "slow", latency }), `${LATENCY_HELP} '${shown}'`);
      }
    });

    it("accepts latency 0 and a range of equal ends", () => {
      expect(parseScenario({ name: "slow", latency: 0 })).toEqual({ name: "slow", latency: 0 });
      expect(parseScenario({ name: "slow", latency: [0, 0] })).toEqual({ name: "slow", latency: [0, 0] });
    });
  });

  describe("anything else", () => {
    it("is refused with the shape to send and the valid scenarios", () => {
      for (const input of [undefined, null, 42, ["slow"], { latency: 3 }, { name: 5 }]) {
        expectScenarioError(
          () => parseScenario(input),
          `send {"name": "<scenario>"}; valid scenarios are: ${VALID_SCENARIOS}`,
        );
      }
    });
  });
});

describe("unknownScenarioMessage", () => {
  it("names the scenario and lists the valid ones", () => {
    expect(unknownScenarioMessage("x")).toBe(`unknown scenario 'x'. Valid scenarios are: ${VALID_SCENARIOS}`);
  });
});

describe("toSetting", () => {
  it("answers the setting of a good scenario", () => {
    expect(toSetting("slow; latency=300")).toEqual({ name: "slow", latency: 300 });
    expect(toSetting({ name: "expires" })).toEqual({ name: "expires" });
  });

  it("throws a TypeError prefixed mock-packages: for a bad one", () => {
    const error = errorOf(() => toSetting("nope"));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(ScenarioError);
    expect(error.message).toBe(`mock-packages: unknown scenario 'nope'. Valid scenarios are: ${VALID_SCENARIOS}`);
    expect(() => toSetting({ name: "slow", latency: -1 })).toThrow(
      new TypeError(`mock-packages: ${LATENCY_HELP} '-1'`),
    );
  });
});

describe("scenarioForStatus", () => {
  it("answers the first scenario listed for a status", () => {
    expect(scenarioForStatus(200)).toBe("cloud-controller");
    expect(scenarioForStatus(401)).toBe("unauthenticated");
    expect(scenarioForStatus(403)).toBe("not-authorized");
  });

  it("answers undefined for a status no scenario answers", () => {
    expect(scenarioForStatus(418)).toBeUndefined();
  });
});

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

describe("parseScenario: consistency between forms", () => {
  it("scenario names are case-sensitive in every form", () => {
    const unknown = `unknown scenario 'SLOW'. Valid scenarios are: ${VALID_SCENARIOS}`;
    expect(() => parseScenario("SLOW")).toThrow(unknown);
    expect(() => parseScenario("SLOW; latency=3")).toThrow(unknown);
    expect(() => parseScenario({ name: "SLOW" })).toThrow(unknown);
    // Option names, like preference names, are not.
    expect(parseScenario("slow; LATENCY=3")).toEqual({ name: "slow", latency: 3 });
  });

  it("an option without a value says what it needs", () => {
    expect(() => parseScenario("slow; latency")).toThrow("the option 'latency' needs a value, e.g. latency=300");
  });
});
