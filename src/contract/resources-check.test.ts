/**
 * checkResources validates the `resources` entries one at a time and stops at the
 * first entry whose violations no longer fit in the request's list: counted here by
 * the calls to the entry validator, so the bound is on work, not on time.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { OpenAPIV3_1 } from "openapi-types";
import { parse as parseYaml } from "yaml";
import { SPEC_PATH } from "./contract.js";
import {
  checkResources,
  compileResourcesValidators,
  type ResourcesValidators,
  type Validator,
} from "./resources-check.js";
import { ViolationList } from "./violations.js";

const compiled = compileResourcesValidators(parseYaml(readFileSync(SPEC_PATH, "utf8")) as OpenAPIV3_1.Document)!;
const SHA1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
const V3_ENTRY = { path: "lib/a.js", mode: "644", checksum: { value: SHA1 }, size_in_bytes: 70000 };

/** The document's validators, with the calls to the entry validator counted. */
function counted(): { validators: ResourcesValidators; calls: () => number } {
  let calls = 0;
  const entry = compiled.entry!;
  const counting: Validator = (value) => {
    calls++;
    const ok = entry(value);
    counting.errors = entry.errors;
    return ok;
  };
  return { validators: { array: compiled.array, entry: counting }, calls: () => calls };
}

describe("checkResources", () => {
  it("finds one validator per entry in spec/openapi.yaml's UploadResource (an array with items)", () => {
    expect(compiled.entry).not.toBeNull();
  });

  it("validates 7 entries of a 1 MiB [1,1,…]: 3 violations each, it stops at the one that does not fit", () => {
    const { validators, calls } = counted();
    const list = new ViolationList();
    checkResources(validators, { entries: new Array(512 * 1024).fill(1) }, list);
    expect(calls()).toBe(7);
    expect(list.violations()).toHaveLength(21);
  });

  it("validates every entry once when none breaks the schema", () => {
    const { validators, calls } = counted();
    const list = new ViolationList();
    checkResources(validators, { entries: new Array(10_000).fill(V3_ENTRY) }, list);
    expect(calls()).toBe(10_000);
    expect(list.violations()).toEqual([]);
  });

  it("validates no entry of a resources value that is not an array", () => {
    const { validators, calls } = counted();
    const list = new ViolationList();
    checkResources(validators, { entries: { 0: 1, length: 1 } as unknown as unknown[] }, list);
    checkResources(validators, { invalid: "{" }, list);
    expect(calls()).toBe(0);
    expect(list.violations()).toEqual([
      { location: "body.resources", message: "the resources field is not a JSON array" },
      { location: "body.resources", message: "the resources field is not a JSON array" },
    ]);
  });

  it("starts with a full list (other violations came first): stops at the first broken entry", () => {
    const { validators, calls } = counted();
    const list = new ViolationList();
    for (let i = 0; i < 25; i++) list.add({ location: "query.per_page", message: "must be integer" });
    checkResources(validators, { entries: [V3_ENTRY, V3_ENTRY, 1, 1, 1] }, list);
    expect(calls()).toBe(3);
    expect(list.violations().at(-1)).toEqual({
      location: "request",
      message:
        "… and 5 more violations not listed, and more violations from body.resources[2] on: checking stopped " +
        "at that entry and skipped the 2 entries after it (the checker lists at most 20 violations per request)",
    });
  });
});
