/**
 * What parsing a JSON text will cost, counted as its bytes arrive and before anything is
 * parsed. `JSON.parse` takes time and memory by the values it makes, not by the bytes: 4 MiB
 * of `[{},{},…]` is 1.4 million objects, 0.7 s of a blocked event loop and some 250 MiB, while
 * 4 MiB of real resource entries parse in 20 ms. The bounds keep the dearest text the simulator
 * parses (parsing, translating and journalling it) within some 100 ms. So a text the simulator will parse (the
 * `resources` field, a JSON body) is refused when it holds more values than any client sends.
 */

/**
 * The most objects and arrays a parsed text may hold: 20,000 V3 resource entries (two each).
 * An upload lists only cached files, each at least 64 KiB, and no package holds more than 1 GiB
 * of them: 16,384 at most. A resource match takes 5,000 entries.
 */
export const MAX_JSON_CONTAINERS = 40_000;
/** The most values in all (roughly: commas, objects and arrays): 20,000 entries of six values, and more. */
export const MAX_JSON_VALUES = 150_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Counts the objects, arrays and values of a JSON text fed to it in pieces, strings skipped, and how deep it nests. */
export class JsonCounter {
  containers = 0;
  values = 0;
  /** The deepest nesting of objects and arrays so far (`[[1]]` is 2). */
  maxDepth = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Counts one more piece of the text; false once the text holds more than the simulator parses. */
  feed(bytes: Uint8Array): boolean {
    let { containers, values, inString, escaped, depth, maxDepth } = this;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (b === QUOTE) inString = true;
      else if (b === COMMA) values++;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        containers++;
        values++;
        if (++depth > maxDepth) maxDepth = depth;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
    }
    Object.assign(this, { containers, values, inString, escaped, depth, maxDepth });
    return this.withinBudget();
  }

  withinBudget(): boolean {
    return this.containers <= MAX_JSON_CONTAINERS && this.values <= MAX_JSON_VALUES;
  }

  /** What was over budget, for an error message. */
  describe(): string {
    return this.containers > MAX_JSON_CONTAINERS
      ? `more than ${MAX_JSON_CONTAINERS} JSON objects and arrays`
      : `more than ${MAX_JSON_VALUES} JSON values`;
  }
}
