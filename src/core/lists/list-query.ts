/**
 * List query parameters as `app/messages/list_message.rb` validates them:
 * comma-separated filters, `page`, `per_page`, `order_by`, and one 400
 * CF-BadQueryParameter listing every problem.
 */
import { CfError } from "../errors.js";

export interface ListQuery {
  page: number;
  perPage: number;
  orderBy: "created_at" | "updated_at";
  descending: boolean;
  /** Filters that were given, split on commas. */
  filters: Map<string, string[]>;
  /** The filters as given, for the pagination links. */
  filterPairs: Array<[string, string]>;
}

const PAGINATION_KEYS = ["page", "per_page", "order_by"];

/**
 * Ruby's `String#to_i`: ASCII whitespace, a sign, an optional `0d` prefix, then
 * digits with single underscores between them ("1_000" is 1000); 0 when no digit leads.
 */
function rubyToI(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:0[dD](?=\d))?(\d+(?:_\d+)*)/.exec(s);
  if (!m) return 0;
  const n = parseInt(m[2]!.replace(/_/g, ""), 10);
  return m[1] === "-" ? -n : n;
}

export function parseListQuery(url: URL, filterKeys: readonly string[]): ListQuery {
  const allowed = [...PAGINATION_KEYS, ...filterKeys];
  const messages: string[] = [];
  const page = url.searchParams.get("page");
  const perPage = url.searchParams.get("per_page");
  const orderBy = url.searchParams.get("order_by");
  if (page !== null && !(rubyToI(page) > 0)) messages.push("Page must be a positive integer");
  if (perPage !== null) {
    if (!(rubyToI(perPage) > 0)) messages.push("Per page must be a positive integer");
    else if (rubyToI(perPage) > 5000) messages.push("Per page must be between 1 and 5000");
  }
  let order: ListQuery["orderBy"] = "created_at";
  let descending = false;
  if (orderBy !== null && orderBy !== "") {
    const m = /^([+-])?(created_at|updated_at)$/.exec(orderBy);
    if (!m) messages.push("Order by can only be: 'created_at', 'updated_at'");
    else {
      descending = m[1] === "-";
      order = m[2] as ListQuery["orderBy"];
    }
  }
  // The subclass's NoAdditionalParamsValidator runs after list_message.rb's own validators.
  const unknown = [...new Set([...url.searchParams.keys()])].filter((k) => !allowed.includes(k));
  if (unknown.length) {
    messages.push(
      `Unknown query parameter(s): ${unknown.map((k) => `'${k}'`).join(", ")}. ` +
        `Valid parameters are: ${allowed.map((k) => `'${k}'`).join(", ")}`,
    );
  }
  if (messages.length) throw new CfError("BadQueryParameter", messages);
  const filters = new Map<string, string[]>();
  const filterPairs: Array<[string, string]> = [];
  for (const key of filterKeys) {
    const value = url.searchParams.get(key);
    if (value === null) continue;
    filters.set(
      key,
      value
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    );
    filterPairs.push([key, value]);
  }
  if (orderBy) filterPairs.push(["order_by", orderBy]);
  return {
    page: page === null ? 1 : rubyToI(page),
    perPage: perPage === null ? 50 : rubyToI(perPage),
    orderBy: order,
    descending,
    filters,
    filterPairs,
  };
}

/** Sorts by the requested timestamp, then guid, as a stable order. */
export function sortForList<T extends { createdAt: number; updatedAt: number; guid: string }>(
  items: T[],
  query: ListQuery,
): T[] {
  const key = query.orderBy === "created_at" ? "createdAt" : "updatedAt";
  const sign = query.descending ? -1 : 1;
  return items.sort((a, b) => sign * (a[key] - b[key] || a.guid.localeCompare(b.guid)));
}

/**
 * `created_ats` / `updated_ats`: a comma list of timestamps (equality). As in
 * `base_list_fetcher.rb`, a timestamp matches the whole second it names
 * (`[t, t + 0.999999 s]`): records carry milliseconds, their JSON whole seconds.
 * Operator forms such as `created_ats[gt]=` are not simulated.
 */
export function matchesTimestampFilter(values: string[] | undefined, ms: number): boolean {
  if (!values) return true;
  return values.some((v) => {
    const start = Date.parse(v);
    return ms >= start && ms - start < 1000;
  });
}
