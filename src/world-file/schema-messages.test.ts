/**
 * The schema's messages (src/world-file/schema-messages.ts): every place that
 * breaks the published schema, once, in words for people.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schemaProblems } from "./schema-messages.js";

const schema = JSON.parse(readFileSync(new URL("../../fixtures/world.schema.json", import.meta.url), "utf8")) as object;

describe("schema problems", () => {
  it("none for a document that follows the schema", () => {
    expect(schemaProblems(schema, { orgs: [{ name: "acme" }], feature_flags: { diego_docker: true } })).toEqual([]);
  });

  it("one problem per place: the first of ajv's errors there", () => {
    // An empty name breaks minLength and the pattern; "must not be empty" says it best.
    expect(schemaProblems(schema, { orgs: [{ name: "" }, { name: "a@b" }] })).toEqual([
      { at: ["orgs", 0, "name"], problem: "must not be empty", onKey: false },
      {
        at: ["orgs", 1, "name"],
        problem: 'must not contain "/" or "@" (they separate names in roles) (got "a@b")',
        onKey: false,
      },
    ]);
  });

  it("an unknown property or flag is the key's problem; a missing one is at its own name", () => {
    expect(schemaProblems(schema, { orgs: [{ colour: "red" }], feature_flags: { nope: true } })).toEqual([
      { at: ["orgs", 0, "name"], problem: "is required", onKey: false },
      {
        at: ["orgs", 0, "colour"],
        problem: expect.stringMatching(/^is not a property of an org; its properties are name, guid, /),
        onKey: true,
      },
      {
        at: ["feature_flags", "nope"],
        problem: expect.stringMatching(/^is not a feature flag; the flags are /),
        onKey: true,
      },
    ]);
  });

  it("alternatives: the types together, or what is wrong inside the one the value's type matches", () => {
    const flags = { app_bits_upload: "no", diego_docker: { enabled: 1, x: 2 }, route_sharing: {} };
    expect(schemaProblems(schema, { feature_flags: flags })).toEqual([
      {
        at: ["feature_flags", "app_bits_upload"],
        problem: 'must be true or false, or a mapping (got "no")',
        onKey: false,
      },
      {
        at: ["feature_flags", "diego_docker", "x"],
        problem: "is not a property of a feature flag; its properties are enabled, custom_error_message",
        onKey: true,
      },
      { at: ["feature_flags", "diego_docker", "enabled"], problem: "must be true or false (got 1)", onKey: false },
      { at: ["feature_flags", "route_sharing", "enabled"], problem: "is required", onKey: false },
    ]);
  });

  it("a type that may be null says so", () => {
    expect(
      schemaProblems(schema, { feature_flags: { route_sharing: { enabled: true, custom_error_message: 3 } } }),
    ).toEqual([
      {
        at: ["feature_flags", "route_sharing", "custom_error_message"],
        problem: "must be a string or null (got 3)",
        onKey: false,
      },
    ]);
  });
});
