import { describe, expect, it } from "vitest";
import { createIdSource, type IdSource } from "./ids.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function take<T>(n: number, next: () => T): T[] {
  return Array.from({ length: n }, next);
}

/** The 32-bit words behind `random()`, as 8 hex digits each. */
function words(source: IdSource, n: number): string[] {
  return take(n, () => {
    const r = source.random();
    const word = r * 0x100000000;
    expect(Number.isInteger(word)).toBe(true);
    return word.toString(16).padStart(8, "0");
  });
}

describe("createIdSource", () => {
  it("gives the same sequence of uuids and numbers for the same seed", () => {
    const a = createIdSource(4010);
    const b = createIdSource(4010);
    const seqA = [...take(20, () => a.uuid()), ...take(20, () => a.random())];
    const seqB = [...take(20, () => b.uuid()), ...take(20, () => b.random())];
    expect(seqA).toEqual(seqB);
    expect(new Set(seqA.slice(0, 20)).size).toBe(20);
  });

  it("gives different sequences for different seeds", () => {
    const first = (seed: number) => take(5, createIdSource(seed).uuid);
    const seeds = [1, 2, 3, 4010, 0xffffffff];
    const firsts = seeds.map((s) => first(s)[0]);
    expect(new Set(firsts).size).toBe(seeds.length);
    expect(first(1)).not.toEqual(first(2));
  });

  it("reads the seed as an unsigned 32-bit integer; seed 0 is replaced by the golden ratio constant", () => {
    const seq = (seed: number) => take(3, createIdSource(seed).uuid);
    expect(seq(-1)).toEqual(seq(0xffffffff));
    expect(seq(2 ** 32 + 7)).toEqual(seq(7));
    expect(seq(0)).toEqual(seq(0x9e3779b9));
    expect(seq(0)).not.toEqual(seq(1));
  });

  it("keeps no state between sources", () => {
    const a = createIdSource(99);
    a.uuid();
    a.random();
    expect(createIdSource(99).uuid()).toBe(createIdSource(99).uuid());
  });
});

describe("uuid()", () => {
  it("is shaped like an RFC 4122 version 4 uuid, with every variant digit appearing", () => {
    const ids = take(2000, createIdSource(12345).uuid);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[19])).size).toBe(4);
  });

  it("is four words of the random stream, with the version and variant nibbles set", () => {
    for (const seed of [1, 4010, 0xdeadbeef]) {
      const h = words(createIdSource(seed), 4).join("");
      const variant = ((parseInt(h[16]!, 16) & 3) | 8).toString(16);
      const expected = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
      expect(createIdSource(seed).uuid()).toBe(expected);
    }
  });
});

describe("random()", () => {
  it("stays in [0, 1) and spreads over the interval", () => {
    const values = take(10_000, createIdSource(7).random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const deciles = new Array<number>(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]!++;
    for (const count of deciles) expect(count).toBeGreaterThan(850);
    expect(new Set(values).size).toBe(values.length);
  });

  it("is a 32-bit word divided by 2^32", () => {
    const source = createIdSource(3);
    for (const w of words(source, 100)) expect(w).toMatch(/^[0-9a-f]{8}$/);
  });
});
