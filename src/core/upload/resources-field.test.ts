import { describe, expect, it } from "vitest";
import { isBlank, parseResources, resourcesAreBlank, translateResources } from "./resources-field.js";

const SHA1 = "b907173290db6a155949ab4dc9b2d019dea0c901";

describe("isBlank (Ruby's String#blank?)", () => {
  it.each([null, "", " ", "\t", "\r\n", " \n\t "])("%j is blank", (value) => {
    expect(isBlank(value)).toBe(true);
  });

  it.each(["[]", "x", " x ", "null", "0"])("%j is not blank", (value) => {
    expect(isBlank(value)).toBe(false);
  });
});

describe("resourcesAreBlank", () => {
  it.each([null, "", "  ", "\n", "[]"])("%j counts as blank", (value) => {
    expect(resourcesAreBlank(value)).toBe(true);
  });

  it.each(["[{}]", "[1]", "null", "x"])("%j is parsed", (value) => {
    expect(resourcesAreBlank(value)).toBe(false);
  });
});

describe("parseResources", () => {
  it("translates a V3 entry to the V2 names", () => {
    const v3 = { path: "app/a.js", mode: "644", checksum: { value: SHA1 }, size_in_bytes: 123 };
    expect(parseResources(JSON.stringify([v3]))).toStrictEqual({
      ok: true,
      entries: [{ fn: "app/a.js", size: 123, sha1: SHA1, mode: "644" }],
    });
  });

  it("passes a V2 entry through, dropping keys it does not know", () => {
    const v2 = { fn: "b.txt", size: 7, sha1: SHA1, mode: "0600", extra: true };
    expect(parseResources(JSON.stringify([v2]))).toStrictEqual({
      ok: true,
      entries: [{ fn: "b.txt", size: 7, sha1: SHA1, mode: "0600" }],
    });
  });

  it("does not validate values: an entry of junk is accepted as it is", () => {
    expect(parseResources(`[{"fn":1,"size":"big","sha1":"abc","mode":null}]`)).toStrictEqual({
      ok: true,
      entries: [{ fn: 1, size: "big", sha1: "abc", mode: null }],
    });
  });

  it("translates each entry of a mixed array on its own, in order", () => {
    const value = JSON.stringify([
      { fn: "v2.txt", size: 1, sha1: "a" },
      { path: "v3.txt", size_in_bytes: 2, checksum: { value: "b", type: "sha1" } },
      {},
    ]);
    expect(parseResources(value)).toStrictEqual({
      ok: true,
      entries: [
        { fn: "v2.txt", size: 1, sha1: "a", mode: undefined },
        { fn: "v3.txt", size: 2, sha1: "b", mode: undefined },
        { fn: undefined, size: undefined, sha1: undefined, mode: undefined },
      ],
    });
  });

  it("treats an entry as V3 only when it has both checksum and size_in_bytes", () => {
    const onlyChecksum = { fn: "a", checksum: { value: "x" }, size: 3 };
    const onlySize = { fn: "b", size_in_bytes: 4, sha1: "y" };
    expect(parseResources(JSON.stringify([onlyChecksum, onlySize]))).toStrictEqual({
      ok: true,
      entries: [
        { fn: "a", size: 3, sha1: undefined, mode: undefined },
        { fn: "b", size: undefined, sha1: "y", mode: undefined },
      ],
    });
  });

  it("gives a V3 entry without a value in its checksum an undefined sha1", () => {
    expect(parseResources(`[{"path":"a","size_in_bytes":1,"checksum":{}}]`)).toStrictEqual({
      ok: true,
      entries: [{ fn: "a", size: 1, sha1: undefined, mode: undefined }],
    });
  });

  it("parses an empty array that is not the exact text []", () => {
    expect(parseResources(" [ ] ")).toStrictEqual({ ok: true, entries: [] });
  });

  // Reference §1.1: each of these gets 422 "Resources must be valid JSON."
  it.each([
    ["invalid JSON", "[abcddf]"],
    ["truncated JSON", '[{"fn":"a"'],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"[]"'],
    ["true", "true"],
    ["an object", '{"fn":"a","size":1,"sha1":"x"}'],
    ["an array with a string member", '[{"fn":"a"},"b"]'],
    ["an array with a number member", "[1]"],
    ["an array with a null member", "[null]"],
    ["an array with an array member", "[[]]"],
    ["a V3 entry whose checksum is a string", `[{"path":"a","size_in_bytes":1,"checksum":"${SHA1}"}]`],
    ["a V3 entry whose checksum is null", '[{"path":"a","size_in_bytes":1,"checksum":null}]'],
    ["a V3 entry whose checksum is an array", '[{"path":"a","size_in_bytes":1,"checksum":["x"]}]'],
  ])("fails on %s", (_, value) => {
    expect(parseResources(value)).toEqual({ ok: false });
  });
});

describe("translateResources", () => {
  it("fails on a value that is not an array, whatever it is", () => {
    for (const value of [undefined, null, 1, "[]", {}, { length: 0 }]) {
      expect(translateResources(value)).toEqual({ ok: false });
    }
  });

  it("translates an already parsed array as parseResources does", () => {
    const parsed = [{ path: "p", size_in_bytes: 9, checksum: { value: "s" }, mode: "700" }];
    expect(translateResources(parsed)).toEqual(parseResources(JSON.stringify(parsed)));
    expect(translateResources(parsed)).toStrictEqual({
      ok: true,
      entries: [{ fn: "p", size: 9, sha1: "s", mode: "700" }],
    });
  });
});
