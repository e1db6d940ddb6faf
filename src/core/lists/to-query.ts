/**
 * The query of the pagination links as Rails writes it (`Hash#to_query` in ActiveSupport):
 * each `name=value` escaped with `CGI.escape`, then the pairs sorted as strings and joined with `&`.
 */

/**
 * Ruby's `CGI.escape`: everything but ASCII letters, digits and `_.-~` percent-encoded (upper-case
 * hex, UTF-8), a space as `+`.
 */
export function cgiEscape(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** `Hash#to_query` of the pairs (names may carry `[operator]`, as a nested hash's do). */
export function toQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([name, value]) => `${cgiEscape(name)}=${cgiEscape(value)}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join("&");
}

/**
 * `Addressable::URI.unescape`, which `BaseMessage.to_array!` applies to each comma-separated value:
 * `%XX` sequences decoded as UTF-8 bytes, anything else kept.
 */
export function rubyUnescape(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = run
      .slice(1)
      .split("%")
      .map((hex) => parseInt(hex, 16));
    return new TextDecoder().decode(new Uint8Array(bytes));
  });
}
