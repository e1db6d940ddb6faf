import { describe, expect, it } from "vitest";
import { CfError } from "../errors.js";
import { parseListQuery, sortForList, type ListQuery } from "./list-query.js";

const FILTERS = ["guids", "states", "types", "app_guids", "label_selector", "created_ats"];
const VALID =
  "Valid parameters are: 'page', 'per_page', 'order_by', 'guids', 'states', 'types', 'app_guids', 'label_selector', 'created_ats'";

const parse = (query: string, keys: readonly string[] = FILTERS) =>
  parseListQuery(new URL(`http://sim.local/v3/packages${query}`), keys);

/** The detail of the 400 a query gets. */
function rejection(query: string, keys: readonly string[] = FILTERS): string {
  try {
    parse(query, keys);
  } catch (error) {
    if (!(error instanceof CfError)) throw error;
    expect(error.toEntry()).toMatchObject({ title: "CF-BadQueryParameter", code: 10005 });
    expect(error.status).toBe(400);
    return error.detail;
  }
  throw new Error(`'${query}' was accepted`);
}

const invalid = (...messages: string[]) => `The query parameter is invalid: ${messages.join(", ")}`;
const PAGE = "Page must be a positive integer";
const PER_PAGE_POSITIVE = "Per page must be a positive integer";
const PER_PAGE_RANGE = "Per page must be between 1 and 5000";
const ORDER_BY = "Order by can only be: 'created_at', 'updated_at'";

describe("parseListQuery: defaults", () => {
  it("is page 1 of 50, oldest first, with no filters", () => {
    expect(parse("")).toStrictEqual({
      page: 1,
      perPage: 50,
      orderBy: "created_at",
      descending: false,
      filters: new Map(),
      timestamps: new Map(),
      linkParams: [],
    } satisfies ListQuery);
  });
});

describe("parseListQuery: page and per_page, read with Ruby's String#to_i", () => {
  it.each([
    ["1", 1],
    ["2", 2],
    ["007", 7],
    [" 3", 3],
    ["\t\n3", 3],
    ["+4", 4],
    ["5abc", 5],
    ["1.9", 1],
    ["12 34", 12],
    ["6e3", 6],
    ["123456789", 123456789],
  ])("page=%j is page %i", (value, page) => {
    expect(parse(`?page=${encodeURIComponent(value)}`).page).toBe(page);
  });

  it.each(["0", "-1", "-0", "abc", "", " ", "+-2", "_1", "0x10", "a1", "%2B%2B2"])("page=%s is refused", (value) => {
    expect(rejection(`?page=${value}`)).toBe(invalid(PAGE));
  });

  // ruby/spec core/string/to_i_spec.rb: single underscores between digits are skipped, a
  // base-10 "0d" prefix is read, leading whitespace is ASCII only.
  it.each([
    ["1_000", 1000],
    ["1_2_3asdf", 123],
    ["1__2", 1],
    ["7_", 7],
    ["0d56", 56],
    ["+0d56", 56],
    ["0D9", 9],
    ["\v\f8", 8],
  ])("page=%j is page %i", (value, page) => {
    expect(parse(`?page=${encodeURIComponent(value)}`).page).toBe(page);
  });

  it.each(["0d", "0d_1", "\u00a05", "\u20035"])("page=%j reads as 0 and is refused", (value) => {
    expect(rejection(`?page=${encodeURIComponent(value)}`)).toBe(invalid(PAGE));
  });

  it("reads underscores in per_page too", () => {
    expect(parse("?per_page=5_000").perPage).toBe(5000);
    expect(rejection("?per_page=5_001")).toBe(invalid(PER_PAGE_RANGE));
  });

  it("takes per_page from 1 to 5000", () => {
    expect(parse("?per_page=1").perPage).toBe(1);
    expect(parse("?per_page=5000").perPage).toBe(5000);
    expect(parse("?per_page=250xyz").perPage).toBe(250);
  });

  it.each(["5001", "10000", "99999999999999999999"])("per_page=%s is out of range", (value) => {
    expect(rejection(`?per_page=${value}`)).toBe(invalid(PER_PAGE_RANGE));
  });

  it.each(["0", "-5", "abc", ""])("per_page=%j is not a positive integer", (value) => {
    expect(rejection(`?per_page=${value}`)).toBe(invalid(PER_PAGE_POSITIVE));
  });
});

describe("parseListQuery: order_by", () => {
  it.each([
    ["created_at", "created_at", false],
    ["%2Bcreated_at", "created_at", false],
    ["-created_at", "created_at", true],
    ["updated_at", "updated_at", false],
    ["%2Bupdated_at", "updated_at", false],
    ["-updated_at", "updated_at", true],
  ])("order_by=%s sorts by %s, descending %s", (value, orderBy, descending) => {
    const query = parse(`?order_by=${value}`);
    expect([query.orderBy, query.descending]).toEqual([orderBy, descending]);
  });

  it("writes order_by for the links with its direction, + when none was given", () => {
    expect(parse("?order_by=created_at").linkParams).toEqual([["order_by", "+created_at"]]);
    expect(parse("?order_by=%2Bupdated_at").linkParams).toEqual([["order_by", "+updated_at"]]);
    expect(parse("?order_by=-created_at").linkParams).toEqual([["order_by", "-created_at"]]);
  });

  it.each(["", "%20", "%09"])("takes a blank order_by (%j) as absent", (value) => {
    const query = parse(`?order_by=${value}`);
    expect([query.orderBy, query.descending, query.linkParams]).toEqual(["created_at", false, []]);
  });

  // A raw "+" in a query string is a space, for Rack as for URLSearchParams: "+created_at" is refused.
  it.each(["name", "CREATED_AT", "created_at%20", "+created_at", "--created_at", "-", "created_at,updated_at"])(
    "order_by=%s is refused",
    (value) => {
      expect(rejection(`?order_by=${value}`)).toBe(invalid(ORDER_BY));
    },
  );
});

describe("parseListQuery: unknown parameters", () => {
  it("names the unknown parameter and lists the valid ones, pagination first", () => {
    expect(rejection("?foo=1")).toBe(invalid(`Unknown query parameter(s): 'foo'. ${VALID}`));
  });

  it("names each unknown parameter once, in the order they came", () => {
    expect(rejection("?zeta=1&states=READY&alpha=2&zeta=3")).toBe(
      invalid(`Unknown query parameter(s): 'zeta', 'alpha'. ${VALID}`),
    );
  });

  it("knows only the filters it is given", () => {
    expect(rejection("?app_guids=a", ["states"])).toBe(
      invalid(
        "Unknown query parameter(s): 'app_guids'. Valid parameters are: 'page', 'per_page', 'order_by', 'states'",
      ),
    );
    expect(parse("?app_guids=a").filters.get("app_guids")).toEqual(["a"]);
  });

  it("takes parameter names as they are: case and brackets matter", () => {
    expect(rejection("?Page=1")).toBe(invalid(`Unknown query parameter(s): 'Page'. ${VALID}`));
    expect(rejection("?states[gt]=READY")).toBe(invalid(`Unknown query parameter(s): 'states[gt]'. ${VALID}`));
  });
});

describe("parseListQuery: every problem in one 400", () => {
  // list_message.rb's validators (page, per_page, order_by) run before the subclass's
  // NoAdditionalParamsValidator (packages_list_message.rb): the unknown parameters come last.
  it("lists page, per_page, order_by and then the unknown parameters, joined with ', '", () => {
    expect(rejection("?foo=1&order_by=name&per_page=0&page=0&bar=2")).toBe(
      invalid(PAGE, PER_PAGE_POSITIVE, ORDER_BY, `Unknown query parameter(s): 'foo', 'bar'. ${VALID}`),
    );
    expect(rejection("?per_page=5001&foo=1")).toBe(
      invalid(PER_PAGE_RANGE, `Unknown query parameter(s): 'foo'. ${VALID}`),
    );
    expect(rejection("?order_by=x&page=-1")).toBe(invalid(PAGE, ORDER_BY));
  });
});

describe("parseListQuery: filters", () => {
  it("splits each filter on commas, trimming and dropping empty values", () => {
    const query = parse("?states=READY,%20FAILED,,&guids=g1&types=");
    expect(query.filters).toStrictEqual(
      new Map([
        ["guids", ["g1"]],
        ["states", ["READY", "FAILED"]],
        ["types", []],
      ]),
    );
  });

  it("unescapes each value once more, as to_array! does (the cf CLI's %252C for a comma in a name)", () => {
    const query = parse("?guids=a%252Cb,c%2525", ["guids"]);
    expect(query.filters.get("guids")).toEqual(["a,b", "c%"]);
  });

  // base_message.rb's to_param_hash: each list filter split on /,\s*/ and rejoined with its own
  // commas escaped; order_by as OrderByMapper.to_param_hash writes it, with its direction.
  it("keeps the filters for the links as the message's to_param_hash gives them, with order_by last", () => {
    const query = parse("?order_by=-updated_at&states=READY,%20FAILED,&page=2&per_page=10&guids=a,b%252Cc");
    expect(query.linkParams).toEqual([
      ["guids", "a,b%2Cc"],
      ["states", "READY,FAILED,"],
      ["order_by", "-updated_at"],
    ]);
    expect([query.page, query.perPage, query.orderBy, query.descending]).toEqual([2, 10, "updated_at", true]);
  });

  it("leaves a label_selector to its own parser, whole", () => {
    const query = parse("?label_selector=env%20in%20(a,b),tier=web");
    expect(query.linkParams).toEqual([["label_selector", "env in (a,b),tier=web"]]);
  });
});

describe("sortForList", () => {
  const item = (guid: string, createdAt: number, updatedAt: number) => ({ guid, createdAt, updatedAt });
  const items = () => [item("c", 2, 10), item("a", 1, 30), item("d", 2, 20), item("b", 2, 5)];
  const guids = (query: string) => sortForList(items(), parse(query)).map((i) => i.guid);

  it("sorts by created_at, then by guid", () => {
    expect(guids("")).toEqual(["a", "b", "c", "d"]);
  });

  it("reverses both keys when descending", () => {
    expect(guids("?order_by=-created_at")).toEqual(["d", "c", "b", "a"]);
  });

  it("sorts by updated_at when asked", () => {
    expect(guids("?order_by=updated_at")).toEqual(["b", "c", "d", "a"]);
    expect(guids("?order_by=-updated_at")).toEqual(["a", "d", "c", "b"]);
  });

  it("sorts the array in place and returns it", () => {
    const list = items();
    expect(sortForList(list, parse(""))).toBe(list);
    expect(list.map((i) => i.guid)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("order_by name (orgs and spaces: valid_order_by_values + [:name])", () => {
  const ORDER = ["created_at", "updated_at", "name"];
  const named = (query: string) =>
    parseListQuery(new URL(`http://sim.local/v3/organizations${query}`), ["names"], undefined, ORDER);
  const records = () => [
    { guid: "2", name: "beta", createdAt: 1, updatedAt: 1 },
    { guid: "1", name: "alpha", createdAt: 2, updatedAt: 2 },
    { guid: "3", name: "Zulu", createdAt: 3, updatedAt: 3 },
  ];

  it("reads name with its sign and writes +name to the links", () => {
    expect([named("?order_by=-name").orderBy, named("?order_by=-name").descending]).toEqual(["name", true]);
    expect(named("?order_by=name").linkParams).toEqual([["order_by", "+name"]]);
  });

  it("sorts by name in byte order, either way", () => {
    expect(sortForList(records(), named("?order_by=name")).map((r) => r.name)).toEqual(["Zulu", "alpha", "beta"]);
    expect(sortForList(records(), named("?order_by=-name")).map((r) => r.name)).toEqual(["beta", "alpha", "Zulu"]);
  });

  it("lists the message's columns in its 400", () => {
    try {
      named("?order_by=state");
      throw new Error("accepted");
    } catch (error) {
      expect((error as CfError).detail).toBe(
        "The query parameter is invalid: Order by can only be: 'created_at', 'updated_at', 'name'",
      );
    }
  });

  it("is refused where the message does not allow it", () => {
    expect(rejection("?order_by=name")).toBe(invalid(ORDER_BY));
  });
});
