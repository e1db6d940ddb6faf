import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { buildZipBomb } from "../../../test/support/zip-bomb.js";
import { readEntryData, type EntrySink } from "./entry-data.js";
import { ZipFormatError, readZipDirectory, type ReadRange } from "./reader.js";

const MiB = 1024 * 1024;
/** Reads of `bytes`, at most `most` bytes each (a store may answer short). */
const rangeOf =
  (bytes: Uint8Array, most = Infinity): ReadRange =>
  async (start, end) =>
    bytes.subarray(start, Math.min(end, bytes.length, start + most));

/** `size` bytes of words in a pseudo-random order: text that deflates about threefold. */
function appText(size: number): Uint8Array {
  const words = "const let return function value input options compute export import from the app data".split(" ");
  const out = new Uint8Array(size);
  let x = 12345;
  for (let i = 0; i < size;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const word = words[x % words.length]! + (x % 9 === 0 ? "\n" : " ");
    for (let k = 0; k < word.length && i < size; k++) out[i++] = word.charCodeAt(k);
  }
  return out;
}

/** The only entry of `zip`, read through readEntryData into memory (`most` bytes a read at most). */
async function readOnly(zip: Uint8Array, sink: EntrySink = {}, most = Infinity): Promise<Uint8Array> {
  const dir = await readZipDirectory(rangeOf(zip), zip.length);
  const chunks: Uint8Array[] = [];
  await readEntryData(rangeOf(zip, most), dir.entries[0]!, {
    ...sink,
    write: async (chunk) => void chunks.push(chunk),
  });
  return Buffer.concat(chunks);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe("readEntryData", () => {
  it("gives a deflated entry's bytes in order, byte for byte, across reads and pieces", async () => {
    const content = appText(MiB + 123);
    const zip = zipSync({ "app.js": [content, { level: 6 }] });
    expect(Buffer.from(await readOnly(zip)).equals(Buffer.from(content))).toBe(true);
    expect(Buffer.from(await readOnly(zip, {}, 10_007)).equals(Buffer.from(content))).toBe(true);
  });

  it("gives a stored entry's bytes as they are", async () => {
    const content = appText(MiB + 7);
    const zip = zipSync({ "app.js": [content, { level: 0 }] });
    expect(Buffer.from(await readOnly(zip)).equals(Buffer.from(content))).toBe(true);
    expect(Buffer.from(await readOnly(zip, {}, 100_003)).equals(Buffer.from(content))).toBe(true);
  });

  it("stops a bomb that declares 100 bytes of a GiB: a format error, and nothing past 100 bytes is seen", async () => {
    const bomb = buildZipBomb({ inflatesTo: 1024 * MiB, declares: 100 });
    let seen = 0;
    const error = await failure(readOnly(bomb.zip, { check: (c) => void (seen += c.length) }));
    expect(error).toBeInstanceOf(ZipFormatError);
    expect((error as Error).message).toBe("an entry inflates to more than it declares");
    expect(seen).toBeLessThanOrEqual(100);
  });

  it("passes on what the sink's check throws (the caller's own limit), and stops there", async () => {
    const bomb = buildZipBomb({ inflatesTo: 64 * MiB, crc: false });
    const limit = new Error("package limit");
    let seen = 0;
    const error = await failure(
      readOnly(bomb.zip, {
        check: (c) => {
          seen += c.length;
          if (seen > 5 * MiB) throw limit;
        },
      }),
    );
    expect(error).toBe(limit);
    expect(seen).toBeLessThan(5 * MiB + 17 * MiB);
  });

  it("fails an entry that gives less than it declares, or another CRC", async () => {
    const content = appText(10_000);
    const zip = zipSync({ "a.js": [content, { level: 6 }] });
    const view = new DataView(zip.buffer);
    const central = view.getUint32(zip.length - 6, true);
    const larger = zip.slice();
    new DataView(larger.buffer).setUint32(central + 24, 10_001, true);
    expect(await failure(readOnly(larger))).toBeInstanceOf(ZipFormatError);
    const badCrc = zip.slice();
    new DataView(badCrc.buffer).setUint32(central + 16, 12345, true);
    expect(((await failure(readOnly(badCrc))) as Error).message).toBe("size or CRC mismatch");
  });

  it("fails corrupt deflate data as a format error", async () => {
    const zip = zipSync({ "a.js": [appText(50_000), { level: 6 }] });
    const start = 30 + "a.js".length;
    for (let i = start + 10; i < start + 200; i++) zip[i] = 0xff;
    const error = await failure(readOnly(zip));
    expect(error).toBeInstanceOf(ZipFormatError);
    expect((error as Error).message).toBe("corrupt deflate data");
  });

  it("lets timers and I/O run while a long entry inflates, even from a source that never waits", async () => {
    const bomb = buildZipBomb({ inflatesTo: 48 * MiB, crc: false });
    const dir = await readZipDirectory(rangeOf(bomb.zip), bomb.zip.length);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // The CRC is left out, so the entry fails at its end: after the whole of it was inflated.
      const error = await failure(readEntryData(rangeOf(bomb.zip), dir.entries[0]!));
      expect((error as Error).message).toBe("size or CRC mismatch");
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
