import { describe, expect, it } from "vitest";
import { JsonCounter, MAX_JSON_CONTAINERS, MAX_JSON_VALUES } from "./json-budget.js";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` in pieces of `size` bytes; answers the counter and whether it stayed within budget. */
function count(text: string, size = 3): { counter: JsonCounter; ok: boolean } {
  const counter = new JsonCounter();
  const all = bytes(text);
  let ok = true;
  for (let i = 0; i < all.length; i += size) ok = counter.feed(all.subarray(i, i + size)) && ok;
  return { counter, ok };
}

describe("JsonCounter", () => {
  it("counts objects, arrays and commas outside strings, across piece boundaries", () => {
    const { counter } = count('[{"a,{[":"\\"{,","b":[1,2]},{}]');
    expect(counter.containers).toBe(4);
    expect(counter.values).toBe(4 + 3);
  });

  it("is over budget past the objects and arrays, or the values, the simulator parses", () => {
    expect(count(`[${"{},".repeat(MAX_JSON_CONTAINERS - 2)}{}]`, 4096).ok).toBe(true);
    const objects = count(`[${"{},".repeat(MAX_JSON_CONTAINERS)}{}]`, 4096);
    expect(objects.ok).toBe(false);
    expect(objects.counter.describe()).toBe("more than 40000 JSON objects and arrays");
    const numbers = count(`[${"1,".repeat(MAX_JSON_VALUES)}1]`, 4096);
    expect(numbers.ok).toBe(false);
    expect(numbers.counter.describe()).toBe("more than 150000 JSON values");
  });

  it("a long string is one value however long", () => {
    const { counter, ok } = count(`["${"{[,".repeat(100_000)}"]`, 4096);
    expect(ok).toBe(true);
    expect(counter).toMatchObject({ containers: 1, values: 1 });
  });
});
