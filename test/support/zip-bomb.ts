/**
 * Zip bombs for the tests of hostile uploads: one deflated entry of zeros whose
 * central directory and local header declare whatever size the test asks for.
 *
 * The deflate data is made without ever holding what it inflates to: fflate's
 * `deflateSync` of 1 MiB of zeros is a short header, a run of zero bytes (each
 * one four back-references of 258 bytes: 1032 bytes out) and a short tail, so
 * more zero bytes inserted into the run make it inflate to 1032 bytes more each.
 * A 256 KiB zip inflates to about 256 MiB, a 3 MB one to about 3 GiB.
 */
import { deflateSync } from "fflate";
import { crc32 } from "../../src/core/zip/crc32.js";

const BASE = 1024 * 1024;
/** What one zero byte in the run inflates to: four matches of 258 bytes at distance 1. */
const PER_BYTE = 1032;

let base: { data: Uint8Array; run: number } | undefined;

/** deflateSync of 1 MiB of zeros, and where its run of zero bytes starts. */
function baseStream(): { data: Uint8Array; run: number } {
  if (base) return base;
  const data = deflateSync(new Uint8Array(BASE), { level: 9 });
  let best = { start: 0, length: 0 };
  for (let i = 0; i < data.length;) {
    let j = i;
    while (j < data.length && data[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j + 1;
  }
  if (best.length < 100) throw new Error("zip-bomb: fflate's deflate of zeros has no run of zero bytes to extend");
  base = { data, run: best.start + 1 };
  return base;
}

/**
 * Raw deflate data of zeros: exactly `size` bytes out below 1 MiB, else 1 MiB plus the
 * next multiple of 1032 at or above `size`. Answers the data and what it inflates to.
 */
export function deflatedZeros(size: number): { data: Uint8Array; inflatedSize: number } {
  if (size <= BASE) return { data: deflateSync(new Uint8Array(size), { level: 9 }), inflatedSize: size };
  const { data, run } = baseStream();
  const extra = Math.ceil((size - BASE) / PER_BYTE);
  const out = new Uint8Array(data.length + extra);
  out.set(data.subarray(0, run));
  // The inserted bytes are zeros already (a new array); the rest of the stream follows them.
  out.set(data.subarray(run), run + extra);
  return { data: out, inflatedSize: BASE + extra * PER_BYTE };
}

/** CRC-32 of `size` zero bytes, through one reused buffer. */
function crcOfZeros(size: number): number {
  const zeros = new Uint8Array(Math.min(size, 4 * BASE));
  let crc = 0;
  for (let left = size; left > 0; left -= zeros.length)
    crc = crc32(zeros.subarray(0, Math.min(left, zeros.length)), crc);
  return crc;
}

export interface ZipBomb {
  zip: Uint8Array;
  /** What the entry really inflates to. */
  inflatedSize: number;
  /** What its headers say it inflates to. */
  declaredSize: number;
}

export interface ZipBombOptions {
  /** About how many bytes the entry inflates to (see {@link deflatedZeros}). */
  inflatesTo: number;
  /** The uncompressed size the headers declare; default the true size (an honest, if large, entry). */
  declares?: number;
  /** The entry's name; default `zeros.bin`. */
  name?: string;
  /** Give the entry its true CRC-32 (costs a pass over the inflated size); default when it declares its true size. */
  crc?: boolean;
}

/** A zip of one deflated entry of zeros made on Unix (mode 0644), declaring the size asked for (32-bit fields only). */
export function buildZipBomb(options: ZipBombOptions): ZipBomb {
  const { data, inflatedSize } = deflatedZeros(options.inflatesTo);
  const declaredSize = options.declares ?? inflatedSize;
  if (declaredSize > 0xfffffffe) throw new RangeError("buildZipBomb: declares must fit 32 bits (no zip64 here)");
  const crc = (options.crc ?? declaredSize === inflatedSize) ? crcOfZeros(inflatedSize) : 0;
  const name = new TextEncoder().encode(options.name ?? "zeros.bin");
  const local = 30 + name.length;
  const central = 46 + name.length;
  const zip = new Uint8Array(local + data.length + central + 22);
  const view = new DataView(zip.buffer);
  // Local header: version 2.0, deflate, no data descriptor.
  view.setUint32(0, 0x04034b50, true);
  view.setUint16(4, 20, true);
  view.setUint16(8, 8, true);
  view.setUint32(14, crc, true);
  view.setUint32(18, data.length, true);
  view.setUint32(22, declaredSize, true);
  view.setUint16(26, name.length, true);
  zip.set(name, 30);
  zip.set(data, local);
  // Central directory record: made on Unix (for the mode), the same sizes.
  const c = local + data.length;
  view.setUint32(c, 0x02014b50, true);
  view.setUint16(c + 4, (3 << 8) | 20, true);
  view.setUint16(c + 6, 20, true);
  view.setUint16(c + 10, 8, true);
  view.setUint32(c + 16, crc, true);
  view.setUint32(c + 20, data.length, true);
  view.setUint32(c + 24, declaredSize, true);
  view.setUint16(c + 28, name.length, true);
  view.setUint32(c + 38, (0o100644 << 16) >>> 0, true);
  zip.set(name, c + 46);
  // End of central directory: one entry.
  const e = c + central;
  view.setUint32(e, 0x06054b50, true);
  view.setUint16(e + 8, 1, true);
  view.setUint16(e + 10, 1, true);
  view.setUint32(e + 12, central, true);
  view.setUint32(e + 16, c, true);
  return { zip, inflatedSize, declaredSize };
}
