/**
 * List query parameters as `app/messages/list_message.rb` validates them:
 * comma-separated filters, `page`, `per_page`, `order_by`, and one 400
 * CF-BadQueryParameter listing every problem.
 */
import { CfError } from "../errors.js";
import { readTimestampFilter, TIMESTAMP_KEYS, type TimestampFilter } from "./timestamp-filter.js";
import { rubyUnescape } from "./to-query.js";

export interface ListQuery {
  page: number;
  perPage: number;
  /** The column to order by: `created_at`, `updated_at`, or one the message adds (`name`). */
  orderBy: string;
  descending: boolean;
  /** Filters that were given, split on commas; `created_ats` and `updated_ats` are in `timestamps`. */
  filters: Map<string, string[]>;
  /** `created_ats` / `updated_ats`, in either form (`timestamp-filter.ts`). */
  timestamps: Map<string, TimestampFilter>;
  /**
   * The message's `to_param_hash` with `order_by` as `OrderByMapper.to_param_hash` writes it: the
   * parameters the pagination links carry besides `page` and `per_page`.
   */
  linkParams: Array<[string, string]>;
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

/** `BaseMessage.to_array!`: split on commas (and the blanks after them), each value unescaped once more. */
function rubyList(value: string): string[] {
  return value === "" ? [""] : value.split(/,\s*/).map(rubyUnescape);
}

/**
 * The operator forms Rack reads as nested hashes (`created_ats[gt]=…`), for the timestamp filters
 * among `allowed`: filter name → `[operator, value]` pairs in the order they came.
 */
function operatorForms(url: URL, allowed: readonly string[]): Map<string, Array<[string, string]>> {
  const forms = new Map<string, Array<[string, string]>>();
  for (const key of new Set(url.searchParams.keys())) {
    const m = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (!m || !TIMESTAMP_KEYS.includes(m[1]!) || !allowed.includes(m[1]!)) continue;
    const pairs = forms.get(m[1]!) ?? [];
    pairs.push([m[2]!, url.searchParams.get(key)!]);
    forms.set(m[1]!, pairs);
  }
  return forms;
}

/** `PaginationPageValidator` and `PaginationOrderValidator` (`list_message.rb`). */
function paginationMessages(url: URL, messages: string[]): void {
  const page = url.searchParams.get("page");
  const perPage = url.searchParams.get("per_page");
  if (page !== null && !(rubyToI(page) > 0)) messages.push("Page must be a positive integer");
  if (perPage !== null) {
    if (!(rubyToI(perPage) > 0)) messages.push("Per page must be a positive integer");
    else if (rubyToI(perPage) > 5000) messages.push("Per page must be between 1 and 5000");
  }
}

/** The timestamp filters among `filterKeys`, validated; their operator forms go to the links as given. */
function readTimestamps(
  url: URL,
  filterKeys: readonly string[],
  forms: Map<string, Array<[string, string]>>,
  messages: string[],
  linkParams: Array<[string, string]>,
): Map<string, TimestampFilter> {
  const timestamps = new Map<string, TimestampFilter>();
  for (const key of TIMESTAMP_KEYS) {
    if (!filterKeys.includes(key)) continue;
    const form = forms.get(key);
    const value = url.searchParams.get(key);
    if (form) {
      timestamps.set(key, readTimestampFilter(key, form, messages));
      for (const [operator, v] of form) linkParams.push([`${key}[${operator}]`, v]);
    } else if (value !== null) timestamps.set(key, readTimestampFilter(key, rubyList(value), messages));
  }
  return timestamps;
}

/**
 * The other filters given, split on commas, and every plain filter's link parameter as
 * `to_param_hash` writes it: a list rejoined with its own commas escaped, `label_selector` whole.
 */
function readFilters(
  url: URL,
  filterKeys: readonly string[],
  forms: Map<string, Array<[string, string]>>,
  linkParams: Array<[string, string]>,
): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const key of filterKeys) {
    const value = url.searchParams.get(key);
    if (value === null || forms.has(key)) continue;
    const list = rubyList(value).map((v) => v.replace(/,/g, "%2C"));
    linkParams.push([key, key === "label_selector" ? value : list.join(",")]);
    if (TIMESTAMP_KEYS.includes(key)) continue;
    filters.set(
      key,
      // Each value unescaped once more, as `to_array!` does: the cf CLI sends a comma in a name as `%252C`.
      value
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "")
        .map(rubyUnescape),
    );
  }
  return filters;
}

const TIMESTAMP_ORDER = ["created_at", "updated_at"] as const;

/**
 * Validates and reads a list query; every problem in one 400 CF-BadQueryParameter. `moreChecks`
 * are the message subclass's own validators, which run after its NoAdditionalParamsValidator.
 * `orderFields` are the message's `valid_order_by_values` (orgs and spaces add `name`).
 */
export function parseListQuery(
  url: URL,
  filterKeys: readonly string[],
  moreChecks: (url: URL) => string[] = () => [],
  orderFields: readonly string[] = TIMESTAMP_ORDER,
): ListQuery {
  const allowed = [...PAGINATION_KEYS, ...filterKeys];
  const messages: string[] = [];
  paginationMessages(url, messages);
  const orderBy = url.searchParams.get("order_by");
  let order = "created_at";
  let descending = false;
  // `order_by.present?`: a blank one is no ordering at all.
  const ordered = orderBy !== null && !/^\s*$/.test(orderBy);
  if (ordered) {
    const m = /^([+-])?(.*)$/s.exec(orderBy)!;
    if (!orderFields.includes(m[2]!)) {
      messages.push(`Order by can only be: ${orderFields.map((f) => `'${f}'`).join(", ")}`);
    } else {
      descending = m[1] === "-";
      order = m[2]!;
    }
  }
  // `validates :created_ats, timestamp: true` and the same for updated_ats, in that order.
  const forms = operatorForms(url, allowed);
  const linkParams: Array<[string, string]> = [];
  const timestamps = readTimestamps(url, filterKeys, forms, messages, linkParams);
  // The subclass's NoAdditionalParamsValidator runs after list_message.rb's own validators.
  const unknown = [...new Set(url.searchParams.keys())].filter(
    (k) => !allowed.includes(k) && !forms.has(/^([^[\]]+)\[[^[\]]+\]$/.exec(k)?.[1] ?? ""),
  );
  if (unknown.length) {
    messages.push(
      `Unknown query parameter(s): ${unknown.map((k) => `'${k}'`).join(", ")}. ` +
        `Valid parameters are: ${allowed.map((k) => `'${k}'`).join(", ")}`,
    );
  }
  messages.push(...moreChecks(url));
  if (messages.length) throw new CfError("BadQueryParameter", messages);
  const filters = readFilters(url, filterKeys, forms, linkParams);
  if (ordered) linkParams.push(["order_by", `${descending ? "-" : "+"}${order}`]);
  const page = url.searchParams.get("page");
  const perPage = url.searchParams.get("per_page");
  return {
    page: page === null ? 1 : rubyToI(page),
    perPage: perPage === null ? 50 : rubyToI(perPage),
    orderBy: order,
    descending,
    filters,
    timestamps,
    linkParams,
  };
}

/** Sorts by the requested timestamp (or `name`, when the message allows it), then guid, as a stable order. */
export function sortForList<T extends { createdAt: number; updatedAt: number; guid: string; name?: string }>(
  items: T[],
  query: ListQuery,
): T[] {
  const sign = query.descending ? -1 : 1;
  if (query.orderBy === "name") {
    // Byte order, as the database's `ORDER BY name` with a binary collation.
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    return items.sort((a, b) => sign * (cmp(a.name ?? "", b.name ?? "") || cmp(a.guid, b.guid)));
  }
  const key = query.orderBy === "created_at" ? "createdAt" : "updatedAt";
  return items.sort((a, b) => sign * (a[key] - b[key] || a.guid.localeCompare(b.guid)));
}
