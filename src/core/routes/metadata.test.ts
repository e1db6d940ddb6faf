/**
 * The metadata checks against `metadata_validator.rb` and `metadata_validator_helper.rb`:
 * each message, in the order the controller finds them.
 */
import { describe, expect, it } from "vitest";
import { labelValueError, metadataKeyError, validateMetadata } from "./metadata.js";

const run = (metadata: unknown) => {
  const messages: string[] = [];
  const out = validateMetadata(metadata, messages);
  return { messages, out };
};

describe("metadataKeyError (key_error)", () => {
  const cases: Array<[string, string | null]> = [
    ["env", null],
    ["example.com/env", null],
    ["a", null],
    ["my_key-1.x", null],
    ["", "key cannot be empty string"],
    [" ", "key cannot be empty string"],
    ["a/b/c", "key has more than one '/'"],
    ["/env", "prefix '' must be in valid dns format"],
    ["localhost/env", "prefix 'localhost' must be in valid dns format"],
    ["exa_mple.com/env", "prefix 'exa_mple.com' must be in valid dns format"],
    ["-x.com/env", "prefix '-x.com' must be in valid dns format"],
    [`${"a.".repeat(127)}com/env`, "prefix 'a.a.a.a....' is greater than 253 characters"],
    ["cloudfoundry.org/env", "prefix 'cloudfoundry.org' is reserved"],
    ["CloudFoundry.ORG/env", "prefix 'cloudfoundry.org' is reserved"],
    ["example.com/", "key cannot be empty string"],
    ["bad key", "'bad key' contains invalid characters"],
    ["example.com/b@d", "'b@d' contains invalid characters"],
    ["-env", "'-env' starts or ends with invalid characters"],
    ["env_", "'env_' starts or ends with invalid characters"],
    ["a".repeat(63), null],
    ["b".repeat(64), "'bbbbbbbb...' is greater than 63 characters"],
  ];
  for (const [key, error] of cases) {
    it(`${JSON.stringify(key.length > 40 ? key.slice(0, 40) + "…" : key)} → ${error ?? "valid"}`, () => {
      expect(metadataKeyError(key)).toBe(error);
    });
  }
});

describe("labelValueError (value_error)", () => {
  it("allows the empty value, checks characters, ends and length", () => {
    expect(labelValueError("")).toBeNull();
    expect(labelValueError("prod-1.2_x")).toBeNull();
    expect(labelValueError("hello world")).toBe("'hello world' contains invalid characters");
    expect(labelValueError(".prod")).toBe("'.prod' starts or ends with invalid characters");
    expect(labelValueError("v".repeat(63))).toBeNull();
    expect(labelValueError("v".repeat(64))).toBe("'vvvvvvvv...' is greater than 63 characters");
  });
});

describe("validateMetadata (MetadataValidator)", () => {
  it("answers nothing for a body without metadata, and the changes for a good one", () => {
    expect(run(undefined)).toEqual({ messages: [], out: null });
    expect(run({ labels: { env: "prod", gone: null, n: 5 }, annotations: { "note here!": null, x: "y" } })).toEqual({
      messages: [],
      out: { labels: { env: "prod", gone: null, n: "5" }, annotations: { "note here!": null, x: "y" } },
    });
  });

  it("names unexpected fields joined by spaces, and non-object metadata, labels and annotations", () => {
    expect(run(null).messages).toEqual(["Metadata must be an object"]);
    expect(run({ labels: [], annotations: "x", foo: 1, bar: 2 }).messages).toEqual([
      "Metadata has unexpected field(s): 'foo' 'bar'",
      "Metadata 'labels' is not an object",
      "Metadata 'annotations' is not an object",
    ]);
  });

  it("reports each label's key error, then its value error, in key order", () => {
    expect(run({ labels: { "cloudfoundry.org/a": "x y", ok: "fine", "b!": "-" } }).messages).toEqual([
      "Metadata label key error: prefix 'cloudfoundry.org' is reserved",
      "Metadata label value error: 'x y' contains invalid characters",
      "Metadata label key error: 'b!' contains invalid characters",
      "Metadata label value error: '-' starts or ends with invalid characters",
    ]);
  });

  it("checks an annotation's key only when its value is present, and its value's length", () => {
    expect(
      run({ annotations: { "bad key": "", "also bad": null, "x/y/z": "v", long: "é".repeat(5001) } }).messages,
    ).toEqual([
      "Metadata annotation key error: key has more than one '/'",
      "Metadata annotation value error: 'éééééééé...' is greater than 5000 characters",
    ]);
    expect(run({ annotations: { note: "n".repeat(5000), "free text key?": "" } }).messages).toEqual([]);
  });
});
