import { describe, expect, it } from "vitest";
import { CfError } from "../errors.js";
import { matchesLabels, parseLabelSelector } from "./label-selector.js";

type Labels = Record<string, string>;

const PROD: Labels = { env: "prod", tier: "web" };
const DEV: Labels = { env: "dev" };
const EMPTY_ENV: Labels = { env: "" };
const STAGING: Labels = { env: "staging", legacy: "true" };
const NONE: Labels = {};
const ALL = { PROD, DEV, EMPTY_ENV, STAGING, NONE };

/** The names of the label sets in ALL that the selector matches. */
function matching(selector: string): string[] {
  const requirements = parseLabelSelector(selector);
  return Object.entries(ALL)
    .filter(([, labels]) => matchesLabels(requirements, labels))
    .map(([name]) => name);
}

function errorOf(selector: string): CfError {
  try {
    parseLabelSelector(selector);
  } catch (error) {
    if (error instanceof CfError) return error;
    throw error;
  }
  throw new Error(`'${selector}' was accepted`);
}

describe("parseLabelSelector and matchesLabels: each requirement form", () => {
  it("key: the label exists, whatever its value", () => {
    expect(matching("env")).toEqual(["PROD", "DEV", "EMPTY_ENV", "STAGING"]);
    expect(matching("tier")).toEqual(["PROD"]);
  });

  it("!key: the label does not exist", () => {
    expect(matching("!env")).toEqual(["NONE"]);
    expect(matching("!legacy")).toEqual(["PROD", "DEV", "EMPTY_ENV", "NONE"]);
  });

  it("key=value and key==value: the label exists with exactly that value", () => {
    expect(matching("env=prod")).toEqual(["PROD"]);
    expect(matching("env==prod")).toEqual(["PROD"]);
    expect(matching("env=Prod")).toEqual([]);
    expect(matching("env=pro")).toEqual([]);
  });

  it("key= and key==: the label exists with an empty value", () => {
    expect(matching("env=")).toEqual(["EMPTY_ENV"]);
    expect(matching("env==")).toEqual(["EMPTY_ENV"]);
  });

  it("key!=value: the label has another value, or is absent", () => {
    expect(matching("env!=prod")).toEqual(["DEV", "EMPTY_ENV", "STAGING", "NONE"]);
    expect(matching("env!=")).toEqual(["PROD", "DEV", "STAGING", "NONE"]);
  });

  it("key in (a,b): the label exists with one of the values", () => {
    expect(matching("env in (prod,dev)")).toEqual(["PROD", "DEV"]);
    expect(matching("env in (staging)")).toEqual(["STAGING"]);
    expect(matching("tier in (dev)")).toEqual([]);
  });

  it("key notin (a,b): the label has none of the values, or is absent", () => {
    expect(matching("env notin (prod,dev)")).toEqual(["EMPTY_ENV", "STAGING", "NONE"]);
    expect(matching("tier notin (web)")).toEqual(["DEV", "EMPTY_ENV", "STAGING", "NONE"]);
  });

  it("takes keys with a DNS prefix, and values with dots, dashes and underscores", () => {
    const labels = { "example.com/purpose": "upload-target", "app.kubernetes.io/name": "web_app.v2" };
    const match = (selector: string) => matchesLabels(parseLabelSelector(selector), labels);
    expect(match("example.com/purpose=upload-target")).toBe(true);
    expect(match("example.com/purpose")).toBe(true);
    expect(match("!example.com/purpose")).toBe(false);
    expect(match("app.kubernetes.io/name in (web_app.v2,other)")).toBe(true);
    expect(match("purpose")).toBe(false);
  });
});

describe("matchesLabels: only a set's own labels exist", () => {
  it("does not find the names of Object.prototype's members among the labels", () => {
    for (const key of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]) {
      expect(matching(key), key).toEqual([]);
      expect(matching(`!${key}`), key).toEqual(["PROD", "DEV", "EMPTY_ENV", "STAGING", "NONE"]);
      expect(matching(`${key} notin (x)`), key).toEqual(["PROD", "DEV", "EMPTY_ENV", "STAGING", "NONE"]);
      expect(matching(`${key}!=x`), key).toEqual(["PROD", "DEV", "EMPTY_ENV", "STAGING", "NONE"]);
    }
  });

  it("finds a label named like one when the set has it", () => {
    const labels: Labels = { constructor: "yes" };
    expect(matchesLabels(parseLabelSelector("constructor"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("constructor=yes"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("!constructor"), labels)).toBe(false);
  });
});

describe("parseLabelSelector: several requirements", () => {
  it("splits on commas outside parentheses and requires every requirement", () => {
    expect(parseLabelSelector("env in (prod,dev),tier=web,!legacy")).toHaveLength(3);
    expect(matching("env in (prod,dev),tier=web,!legacy")).toEqual(["PROD"]);
    expect(matching("env,!tier")).toEqual(["DEV", "EMPTY_ENV", "STAGING"]);
    expect(matching("env notin (prod,dev),legacy=true")).toEqual(["STAGING"]);
    expect(matching("env=prod,env=dev")).toEqual([]);
  });

  it("matches everything with no requirements", () => {
    expect(matchesLabels([], NONE)).toBe(true);
    expect(matchesLabels([], PROD)).toBe(true);
  });
});

describe("parseLabelSelector: invalid selectors", () => {
  // The controller's words (app/messages/validators/label_selector_requirement_validator.rb):
  // the selector itself is not repeated in the message.
  const INVALID = "The query parameter is invalid: Invalid label_selector value";
  const MISSING = "The query parameter is invalid: Missing label_selector value";

  it.each(["=prod", "env in prod", "!", "env!", "a b", "env in (a", "(env)", "env notin", "!env=prod", " "])(
    "refuses %j with 400 CF-BadQueryParameter, Invalid label_selector value",
    (selector) => {
      const error = errorOf(selector);
      expect(error.status).toBe(400);
      expect(error.toEntry()).toStrictEqual({ detail: INVALID, title: "CF-BadQueryParameter", code: 10005 });
    },
  );

  it("refuses the whole selector when one requirement is invalid", () => {
    expect(errorOf("env=prod,tier=web,=oops").detail).toBe(INVALID);
  });

  it.each(["", ",", ",,"])("refuses %j, which holds no requirement, as Missing label_selector value", (selector) => {
    expect(errorOf(selector).toEntry()).toStrictEqual({ detail: MISSING, title: "CF-BadQueryParameter", code: 10005 });
  });

  it("skips empty requirements between commas, as the controller's splitter does", () => {
    expect(parseLabelSelector("env=prod,")).toHaveLength(1);
    expect(matching(",env=prod,,tier,")).toEqual(["PROD"]);
  });
});
