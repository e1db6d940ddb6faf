/**
 * `created_ats` / `updated_ats` as `app/messages/validators.rb` (`TimestampValidator`) checks them
 * and `app/fetchers/base_list_fetcher.rb` (`advanced_filtering`) applies them:
 *
 * - `created_ats=t1,t2`: equality, each timestamp matching the whole second it names
 *   (`[t, t + 0.999999 s]`; records carry milliseconds, their JSON whole seconds);
 * - `created_ats[lt]=t`, `[lte]`, `[gt]`, `[gte]`: one timestamp each, all given operators applied
 *   together; `lte` and `gt` take the end of the second (`t + 0.999999 s`), `lt` and `gte` its start.
 */

export type RelationalOperator = "lt" | "lte" | "gt" | "gte";

export type TimestampFilter =
  { kind: "in"; starts: number[] } | { kind: "range"; bounds: Array<[RelationalOperator, number]> };

/** The keys of `list_message.rb`'s `ADVANCED_FILTERING_KEYS`. */
export const TIMESTAMP_KEYS: readonly string[] = ["created_ats", "updated_ats"];

/** In the validator's order: `valid_relational_operators`. */
const OPERATORS: readonly string[] = ["lt", "gt", "lte", "gte"];

/** `opinionated_iso_8601`: Ruby's `\Z` also allows one final newline. */
const FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\n?$/;

/** `created_ats` → `Created ats`, as ActiveModel's `full_messages` names an attribute. */
function humanize(key: string): string {
  const text = key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `Time.parse(t).utc` of a timestamp in the one format the validator lets through. */
function toMs(timestamp: string): number {
  return Date.parse(timestamp.trim());
}

/**
 * Validates one timestamp filter, pushing the controller's messages, and returns it: `given` is
 * the plain value's list (already split on commas) or the operator form's `[operator, value]`
 * pairs in the order they came.
 */
export function readTimestampFilter(
  key: string,
  given: readonly string[] | ReadonlyArray<readonly [string, string]>,
  messages: string[],
): TimestampFilter {
  const label = humanize(key);
  const formatError = `${label} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`;
  if (given.every((v): v is string => typeof v === "string")) {
    for (const value of given) if (!FORMAT.test(value)) messages.push(formatError);
    return { kind: "in", starts: given.map(toMs) };
  }
  const bounds: Array<[RelationalOperator, number]> = [];
  for (const [operator, value] of given as ReadonlyArray<readonly [string, string]>) {
    const known = OPERATORS.includes(operator);
    if (!known) messages.push(`${label} Invalid relational operator: '${operator}'`);
    if (value.includes(",")) {
      messages.push(`${label} only accepts one value when using a relational operator`);
      continue;
    }
    if (!FORMAT.test(value)) messages.push(formatError);
    else if (known) bounds.push([operator as RelationalOperator, toMs(value)]);
  }
  return { kind: "range", bounds };
}

/** Whether a record's time (milliseconds) passes the filter; no filter passes everything. */
export function matchesTimestampFilter(filter: TimestampFilter | undefined, ms: number): boolean {
  if (!filter) return true;
  if (filter.kind === "in") return filter.starts.some((start) => ms >= start && ms - start < 1000);
  return filter.bounds.every(([operator, t]) => {
    switch (operator) {
      case "lt":
        return ms < t;
      case "lte":
        return ms < t + 1000;
      case "gt":
        return ms >= t + 1000;
      case "gte":
        return ms >= t;
    }
  });
}
