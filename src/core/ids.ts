/**
 * A seeded source of guids, so that a simulator started with the same seed
 * hands out the same guids in the same order (no `Math.random`, no module state).
 */
export interface IdSource {
  /** A random-looking RFC 4122 version 4 UUID. */
  uuid(): string;
  /** A number in [0, 1). */
  random(): number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** splitmix32: small, fast and good enough for ids. */
export function createIdSource(seed: number): IdSource {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const hex8 = () => {
    const n = next();
    return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
  };
  return {
    random() {
      return next() / 0x100000000;
    },
    uuid() {
      const h = hex8() + hex8() + hex8() + hex8();
      const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
