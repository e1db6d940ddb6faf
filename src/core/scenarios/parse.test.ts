// Unit tests of the scenario parser: names, NAME; option=value text, objects, and every message.
import { describe, expect, it } from "vitest";
import { ScenarioError, parseScenario, scenarioForStatus, toSetting, unknownScenarioMessage } from "./parse.js";
import {
  VALID_SCENARIOS,
  LATENCY_HELP,
  TEXT_HELP,
  UNKNOWN_FIELDS,
  errorOf,
  expectScenarioError,
} from "../../../test/support/scenarios.js";

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
