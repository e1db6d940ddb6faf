import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";

const ascii = (s: string) => new TextEncoder().encode(s);

/** The textbook bit-at-a-time CRC-32, to check the slicing-by-8 tables against. */
function bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("matches the published check values", () => {
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii("a"))).toBe(0xe8b7be43);
    expect(crc32(ascii("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it("returns an unsigned 32-bit number", () => {
    const value = crc32(ascii("123456789"));
    expect(value).toBeGreaterThan(0x7fffffff);
    expect(value >>> 0).toBe(value);
  });

  it("leaves a continued CRC unchanged by an empty chunk", () => {
    expect(crc32(new Uint8Array(0), 0xcbf43926)).toBe(0xcbf43926);
  });

  it("agrees with the bitwise definition for every length around the 8-byte stride", () => {
    const bytes = randomBytes(40);
    for (let n = 0; n <= bytes.length; n++) {
      const slice = bytes.subarray(0, n);
      expect(crc32(slice), `length ${n}`).toBe(bitwise(slice));
    }
  });

  it("agrees with the bitwise definition over a megabyte of random bytes, and over every byte value", () => {
    const big = randomBytes(1 << 20);
    expect(crc32(big)).toBe(bitwise(big));
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(crc32(all)).toBe(0x29058c73);
  });

  it("gives the one-shot value when continued over chunks split at any offset", () => {
    const bytes = randomBytes(67);
    const whole = crc32(bytes);
    for (let i = 0; i <= bytes.length; i++) {
      expect(crc32(bytes.subarray(i), crc32(bytes.subarray(0, i))), `split at ${i}`).toBe(whole);
    }
    let running = 0;
    for (let i = 0; i < bytes.length; i += 5) running = crc32(bytes.subarray(i, i + 5), running);
    expect(running).toBe(whole);
    const check = crc32(ascii("56789"), crc32(ascii("1234")));
    expect(check).toBe(0xcbf43926);
  });

  it("reads only the view it is given, not the rest of its buffer", () => {
    const backing = ascii("xx123456789yy");
    expect(crc32(backing.subarray(2, 11))).toBe(0xcbf43926);
  });
});
