import { describe, expect, it } from "vitest";
import { CfError } from "../errors.js";
import { parseListQuery } from "./list-query.js";
import { matchesTimestampFilter, type TimestampFilter } from "./timestamp-filter.js";

const KEYS = ["guids", "created_ats", "updated_ats"];
const VALID = "Valid parameters are: 'page', 'per_page', 'order_by', 'guids', 'created_ats', 'updated_ats'";
const AT = Date.UTC(2024, 0, 2, 3, 4, 5);
const T = "2024-01-02T03:04:05Z";
const FORMAT = "has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'";

const parse = (query: string) => parseListQuery(new URL(`http://sim.local/v3/packages${query}`), KEYS);
const filter = (query: string, key = "created_ats"): TimestampFilter | undefined => parse(query).timestamps.get(key);
const matches = (query: string, ms: number) => matchesTimestampFilter(filter(query), ms);

/** The detail of the 400 a query gets. */
function rejection(query: string): string {
  try {
    parse(query);
  } catch (error) {
    if (!(error instanceof CfError)) throw error;
    expect(error.toEntry()).toMatchObject({ title: "CF-BadQueryParameter", code: 10005 });
    return error.detail;
  }
  throw new Error(`'${query}' was accepted`);
}
const invalid = (...messages: string[]) => `The query parameter is invalid: ${messages.join(", ")}`;

describe("created_ats / updated_ats equality (base_list_fetcher.rb: the span of the second)", () => {
  it("lets everything through without the filter", () => {
    expect(matchesTimestampFilter(undefined, AT)).toBe(true);
  });

  it("matches when any listed timestamp names the instant", () => {
    expect(matches(`?created_ats=${T}`, AT)).toBe(true);
    expect(matches(`?created_ats=2020-01-01T00:00:00Z,${T}`, AT)).toBe(true);
    expect(matches(`?created_ats=2020-01-01T00:00:00Z,%20${T}`, AT)).toBe(true);
    expect(matches("?created_ats=2024-01-02T03:04:06Z,2024-01-02T03:04:04Z", AT)).toBe(false);
  });

  it("matches an instant anywhere in [t, t + 0.999999 s]", () => {
    for (const [ms, hit] of [
      [AT, true],
      [AT + 678, true],
      [AT + 999, true],
      [AT + 1000, false],
      [AT - 1, false],
    ] as const) {
      expect(matches(`?created_ats=${T}`, ms)).toBe(hit);
    }
  });
});

describe("created_ats[lt|lte|gt|gte] (base_list_fetcher.rb)", () => {
  it.each([
    ["lt", AT - 1, true],
    ["lt", AT, false],
    ["lte", AT + 999, true],
    ["lte", AT + 1000, false],
    ["gt", AT + 999, false],
    ["gt", AT + 1000, true],
    ["gte", AT - 1, false],
    ["gte", AT, true],
  ] as const)("[%s] at %i matches: %s", (operator, ms, hit) => {
    expect(matches(`?created_ats[${operator}]=${T}`, ms)).toBe(hit);
  });

  it("applies every operator given, together", () => {
    const query = `?created_ats[gte]=${T}&created_ats[lt]=2024-01-02T03:04:07Z`;
    expect(filter(query)).toEqual({
      kind: "range",
      bounds: [
        ["gte", AT],
        ["lt", AT + 2000],
      ],
    });
    expect([AT - 1, AT, AT + 1999, AT + 2000].map((ms) => matches(query, ms))).toEqual([false, true, true, false]);
  });

  it("keeps the operator form for the links, and updated_ats beside it", () => {
    const query = parse(`?updated_ats[lte]=${T}&created_ats[gt]=${T}&guids=a`);
    expect(query.timestamps.get("updated_ats")).toEqual({ kind: "range", bounds: [["lte", AT]] });
    expect(query.linkParams).toEqual([
      ["created_ats[gt]", T],
      ["updated_ats[lte]", T],
      ["guids", "a"],
    ]);
  });
});

describe("created_ats / updated_ats validation (validators.rb TimestampValidator)", () => {
  it.each(["yesterday", "", "2024-01-02T03:04:05.500Z", "2024-01-02 03:04:05Z", "2024-01-02T03:04:05+00:00"])(
    "refuses %j",
    (value) => {
      expect(rejection(`?created_ats=${encodeURIComponent(value)}`)).toBe(invalid(`Created ats ${FORMAT}`));
    },
  );

  it("names each bad value, created_ats before updated_ats", () => {
    expect(rejection(`?updated_ats=x&created_ats=${T},y,z`)).toBe(
      invalid(`Created ats ${FORMAT}`, `Created ats ${FORMAT}`, `Updated ats ${FORMAT}`),
    );
  });

  it("refuses an unknown operator, and a list after an operator", () => {
    expect(rejection(`?created_ats[eq]=${T}`)).toBe(invalid("Created ats Invalid relational operator: 'eq'"));
    expect(rejection(`?updated_ats[gt]=${T},${T}`)).toBe(
      invalid("Updated ats only accepts one value when using a relational operator"),
    );
    expect(rejection("?created_ats[foo]=bad")).toBe(
      invalid("Created ats Invalid relational operator: 'foo'", `Created ats ${FORMAT}`),
    );
    expect(rejection("?created_ats[lt]=")).toBe(invalid(`Created ats ${FORMAT}`));
  });

  it("comes after the pagination messages and before the unknown parameters", () => {
    expect(rejection("?foo=1&created_ats=x&page=0")).toBe(
      invalid(
        "Page must be a positive integer",
        `Created ats ${FORMAT}`,
        `Unknown query parameter(s): 'foo'. ${VALID}`,
      ),
    );
  });

  it("is an unknown parameter where the list has no timestamp filters", () => {
    expect(() => parseListQuery(new URL(`http://sim.local/v3/x?created_ats[gt]=${T}`), ["names"])).toThrow(
      "Unknown query parameter(s): 'created_ats[gt]'",
    );
  });
});
