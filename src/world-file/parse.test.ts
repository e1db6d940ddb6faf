/**
 * The world-file parser (src/world-file/parse.ts): syntax errors with their
 * line and column, and the line and column of any place in a parsed document.
 */
import { describe, expect, it } from "vitest";
import { parseWorldText, type ParseResult } from "./parse.js";
import type { Locator } from "./problems.js";

function parsed(file: string, text: string): { value: unknown; locate: Locator } {
  const result: ParseResult = parseWorldText(file, text);
  if (!result.ok) throw new Error(`unexpected problem: ${JSON.stringify(result.problem)}`);
  return result;
}

const YAML = `orgs:
  - name: acme
    suspended: yes
    spaces:
      - name: dev
      - {name: "prod", apps: [{name: shop}]}
feature_flags:
  diego_docker: true
labels:
  "example.com/x": 1
  2: two
`;

describe("the line and column of a place in a YAML document", () => {
  const { value, locate } = parsed("w.yaml", YAML);

  it("parses the text to a plain value", () => {
    expect((value as { orgs: Array<{ name: string }> }).orgs[0]!.name).toBe("acme");
  });

  it("finds values through mappings and lists, block and flow", () => {
    expect(locate(["orgs", 0, "name"])).toEqual({ line: 2, column: 11 });
    expect(locate(["orgs", 0, "suspended"])).toEqual({ line: 3, column: 16 });
    expect(locate(["orgs", 0, "spaces", 1, "name"])).toEqual({ line: 6, column: 16 });
    expect(locate(["orgs", 0, "spaces", 1, "apps", 0, "name"])).toEqual({ line: 6, column: 38 });
    expect(locate(["feature_flags", "diego_docker"])).toEqual({ line: 8, column: 17 });
  });

  it("finds a key instead of its value when asked", () => {
    expect(locate(["orgs", 0, "suspended"], true)).toEqual({ line: 3, column: 5 });
    expect(locate(["feature_flags", "diego_docker"], true)).toEqual({ line: 8, column: 3 });
  });

  it("matches quoted keys and keys that are numbers, as a JSON pointer gives them", () => {
    expect(locate(["labels", "example.com/x"])).toEqual({ line: 10, column: 20 });
    expect(locate(["labels", 2])).toEqual({ line: 11, column: 6 });
  });

  it("answers the nearest place the file has for one it does not have", () => {
    // orgs[0].spaces[0] has no guid: the place is the space's mapping.
    expect(locate(["orgs", 0, "spaces", 0, "guid"])).toEqual({ line: 5, column: 9 });
    // There is no orgs[7]: the place is the list of orgs.
    expect(locate(["orgs", 7, "name"])).toEqual({ line: 2, column: 3 });
    expect(locate(["users"])).toEqual({ line: 1, column: 1 });
    expect(locate([])).toEqual({ line: 1, column: 1 });
  });

  it("follows aliases to their anchors", () => {
    const { locate: at } = parsed("a.yaml", "base: &b\n  name: acme\norgs:\n  - *b\n");
    expect(at(["orgs", 0])).toEqual({ line: 4, column: 5 });
    expect(at(["orgs", 0, "name"])).toEqual({ line: 2, column: 9 });
  });
});

describe("the line and column of a place in a JSON document", () => {
  const text = '{\n  "orgs": [\n    {"name": "acme", "suspended": "no"},\n    {"name":"a/b"}\n  ]\n}\n';
  const { value, locate } = parsed("w.json", text);

  it("parses with JSON.parse and locates with the YAML parser", () => {
    expect(value).toEqual({ orgs: [{ name: "acme", suspended: "no" }, { name: "a/b" }] });
    expect(locate(["orgs", 0, "suspended"])).toEqual({ line: 3, column: 35 });
    expect(locate(["orgs", 0, "suspended"], true)).toEqual({ line: 3, column: 22 });
    expect(locate(["orgs", 1, "name"])).toEqual({ line: 4, column: 13 });
    expect(locate(["orgs", 1, "guid"])).toEqual({ line: 4, column: 5 });
  });

  it("locates the last of duplicate keys, the one JSON.parse keeps", () => {
    const { value: v, locate: at } = parsed("d.json", '{"orgs": [],\n "orgs": 3}');
    expect(v).toEqual({ orgs: 3 });
    expect(at(["orgs"])).toEqual({ line: 2, column: 10 });
  });
});

describe("what stops the parsing", () => {
  it("a YAML syntax error, with its line and column", () => {
    expect(parseWorldText("w.yaml", "orgs: []\norgs: []\n")).toEqual({
      ok: false,
      problem: { location: "line 2, column 1", line: 2, column: 1, problem: "invalid YAML: Map keys must be unique" },
    });
  });

  it("a JSON syntax error, in JSON.parse's words, with its line and column", () => {
    expect(parseWorldText("w.JSON", '{\n  "orgs": []\n  "users": []\n}')).toEqual({
      ok: false,
      problem: {
        location: "line 3, column 3",
        line: 3,
        column: 3,
        problem: "invalid JSON: Expected ',' or '}' after property value",
      },
    });
  });

  it("an empty document, YAML or JSON", () => {
    const empty = {
      ok: false,
      problem: {
        location: null,
        line: null,
        column: null,
        problem: "the file is empty; a world file is a mapping with orgs, users and feature_flags",
      },
    };
    expect(parseWorldText("w.yaml", "# nothing here\n")).toEqual(empty);
    expect(parseWorldText("w.json", "null")).toEqual(empty);
  });
});
