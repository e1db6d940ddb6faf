import { inflateSync, unzipSync, zipSync } from "fflate";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";
import { ZipFormatError, dataOffset, readZipDirectory, readZipNames, type ReadRange, type ZipEntry } from "./reader.js";

const text = (s: string) => new TextEncoder().encode(s);
const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 6));
const HELLO = text("hello");
const APP = text("console.log('hello');\n".repeat(20));

const rangeOf =
  (bytes: Uint8Array): ReadRange =>
  async (start, end) =>
    bytes.subarray(start, Math.min(end, bytes.length));
const directory = (bytes: Uint8Array) => readZipDirectory(rangeOf(bytes), bytes.length);
const byName = (entries: ZipEntry[]) => Object.fromEntries(entries.map((e) => [e.name, e]));

/** The entry's content, read through dataOffset (inflated when deflated). */
async function contentOf(zip: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const start = await dataOffset(rangeOf(zip), entry);
  const raw = zip.subarray(start, start + entry.compressedSize);
  return entry.method === 8 ? inflateSync(raw) : raw;
}

async function formatError(zip: Uint8Array, read = rangeOf(zip)): Promise<string> {
  const error = await readZipDirectory(read, zip.length).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZipFormatError);
  expect((error as Error).name).toBe("ZipFormatError");
  return (error as Error).message;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.length);
/** A copy with a little-endian value written at `at` (a negative `at` counts from the end). */
function patched(zip: Uint8Array, at: number, value: number, size: 2 | 4 = 4): Uint8Array {
  const copy = zip.slice();
  const pos = at < 0 ? copy.length + at : at;
  if (size === 2) view(copy).setUint16(pos, value, true);
  else view(copy).setUint32(pos, value >>> 0, true);
  return copy;
}

interface RawEntry {
  name: Uint8Array;
  data: Uint8Array;
  flags?: number;
  /** Sizes and offset in a zip64 extra field; "offset" puts only the offset there. */
  zip64?: "all" | "offset";
  /** The uncompressed size to declare, when it is not the data's. */
  declared?: number;
}

type Field = [value: number, bytes: number] | Uint8Array;

/** A stored-entry zip built byte by byte, for what jszip and fflate never write: zip64, CP437 names. */
function craft(entries: RawEntry[], options: { zip64End?: boolean; comment?: Uint8Array } = {}): Uint8Array {
  const out: number[] = [];
  /** Little-endian [value, size] fields and raw bytes, in order. */
  const put = (...fields: Field[]) => {
    for (const f of fields) {
      if (f instanceof Uint8Array) out.push(...f);
      else for (let i = 0; i < f[1]; i++) out.push(Math.floor(f[0] / 256 ** i) % 256);
    }
  };
  const MAX = 0xffffffff;
  const offsets = entries.map((e) => {
    const at = out.length;
    const size = (n: number): Field => [e.zip64 === "all" ? MAX : n, 4];
    put([0x04034b50, 4], [20, 2], [e.flags ?? 0, 2], [0, 2], [0, 4], [crc32(e.data), 4]);
    put(size(e.data.length), size(e.declared ?? e.data.length), [e.name.length, 2], [0, 2], e.name, e.data);
    return at;
  });
  const cdStart = out.length;
  entries.forEach((e, i) => {
    const all = e.zip64 === "all";
    const wide = !e.zip64 ? [] : all ? [e.declared ?? e.data.length, e.data.length, offsets[i]!] : [offsets[i]!];
    const extraLength = wide.length === 0 ? 0 : 4 + 8 * wide.length;
    put([0x02014b50, 4], [0x0314, 2], [45, 2], [e.flags ?? 0, 2], [0, 2], [0, 4], [crc32(e.data), 4]);
    put([all ? MAX : e.data.length, 4], [all ? MAX : (e.declared ?? e.data.length), 4], [e.name.length, 2]);
    put([extraLength, 2], [0, 2], [0, 2], [0, 2], [0o100644 * 0x10000, 4], [e.zip64 ? MAX : offsets[i]!, 4]);
    put(e.name);
    if (wide.length > 0) put([1, 2], [8 * wide.length, 2], ...wide.map((v): Field => [v, 8]));
  });
  const cdSize = out.length - cdStart;
  const zip64 = options.zip64End === true;
  if (zip64) {
    const eocd64 = out.length;
    put([0x06064b50, 4], [44, 8], [45, 2], [45, 2], [0, 4], [0, 4]);
    put([entries.length, 8], [entries.length, 8], [cdSize, 8], [cdStart, 8]);
    put([0x07064b50, 4], [0, 4], [eocd64, 8], [1, 4]);
  }
  const comment = options.comment ?? new Uint8Array(0);
  const count: Field = [zip64 ? 0xffff : entries.length, 2];
  put([0x06054b50, 4], [0, 2], [0, 2], count, count, [zip64 ? MAX : cdSize, 4], [zip64 ? MAX : cdStart, 4]);
  put([comment.length, 2], comment);
  return Uint8Array.from(out);
}

async function jszipArchive(options: { streamFiles?: boolean; comment?: string } = {}): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file("hello.txt", HELLO, { compression: "STORE", date: MTIME });
  zip.file("src/app.js", APP, { unixPermissions: 0o100755, date: MTIME });
  zip.file("empty/", null, { dir: true, unixPermissions: 0o40755, date: MTIME });
  zip.file("link", "hello.txt", { unixPermissions: 0o120777, date: MTIME });
  return zip.generateAsync({ type: "uint8array", compression: "DEFLATE", platform: "UNIX", ...options });
}

describe("readZipDirectory on jszip archives", () => {
  it("reads names, methods, sizes, CRCs, unix modes, directories and symlinks", async () => {
    const zip = await jszipArchive({ comment: "release 1.0" });
    const dir = await directory(zip);
    const summary = dir.entries.map((e) => [e.name, e.method, e.unixMode?.toString(8), e.isDirectory, e.isSymlink]);
    expect(summary).toEqual([
      ["hello.txt", 0, "100664", false, false],
      ["src/", 0, "40775", true, false],
      ["src/app.js", 8, "100755", false, false],
      ["empty/", 0, "40755", true, false],
      ["link", 8, "120777", false, true],
    ]);
    const entries = byName(dir.entries);
    expect([entries["src/app.js"]!.uncompressedSize, entries["src/app.js"]!.crc32]).toEqual([APP.length, crc32(APP)]);
    expect(entries["hello.txt"]).toMatchObject({ compressedSize: 5, uncompressedSize: 5, crc32: crc32(HELLO) });
    expect(dir.entries.every((e) => e.versionMadeBy >>> 8 === 3)).toBe(true);
    expect(dir.totalUncompressed).toBe(HELLO.length + APP.length + "hello.txt".length);
    expect(dir.centralDirectoryOffset).toBe(view(zip).getUint32(zip.length - 22 - "release 1.0".length + 16, true));
  });

  it("finds each entry's data through dataOffset, byte for byte", async () => {
    const zip = await jszipArchive();
    const entries = byName((await directory(zip)).entries);
    expect(await contentOf(zip, entries["hello.txt"]!)).toEqual(HELLO);
    expect(await contentOf(zip, entries["src/app.js"]!)).toEqual(APP);
    expect(await contentOf(zip, entries["link"]!)).toEqual(text("hello.txt"));
    const hello = entries["hello.txt"]!;
    expect(await dataOffset(rangeOf(zip), hello)).toBe(hello.localHeaderOffset + 30 + "hello.txt".length);
  });

  it("keeps each central record as stored, and the sizes of entries with data descriptors", async () => {
    const zip = await jszipArchive({ streamFiles: true });
    const dir = await directory(zip);
    const app = byName(dir.entries)["src/app.js"]!;
    expect(app.flags & 0x8).toBe(8);
    expect(await contentOf(zip, app)).toEqual(APP);
    const cd = zip.subarray(dir.centralDirectoryOffset);
    let at = 0;
    for (const e of dir.entries) {
      expect(e.record).toEqual(cd.subarray(at, at + e.record.length));
      expect(e.record.length).toBe(46 + e.nameBytes.length);
      at += e.record.length;
    }
  });

  it("reads an archive with no entries", async () => {
    const empty = await new JSZip().generateAsync({ type: "uint8array" });
    expect(await directory(empty)).toStrictEqual({ entries: [], centralDirectoryOffset: 0, totalUncompressed: 0 });
  });
});

describe("readZipDirectory on fflate archives", () => {
  const archive = () =>
    zipSync(
      {
        "a.txt": [HELLO, { level: 0, os: 3, attrs: 0o100600 << 16, comment: "an entry comment" }],
        "b.js": [APP, { level: 9, extra: { 0x5455: Uint8Array.of(1, 0, 0, 0, 0) } }],
        "café/": [new Uint8Array(0), {}],
        dosdir: [new Uint8Array(0), { attrs: 0x10 }],
      },
      { mtime: MTIME },
    );

  it("reads modes only from unix-made entries, and directories by name or MS-DOS attribute", async () => {
    const entries = byName((await directory(archive())).entries);
    expect(Object.keys(entries)).toEqual(["a.txt", "b.js", "café/", "dosdir"]);
    expect(entries["a.txt"]).toMatchObject({ method: 0, unixMode: 0o100600, isDirectory: false });
    expect(entries["b.js"]).toMatchObject({ method: 8, unixMode: null, isDirectory: false, crc32: crc32(APP) });
    expect(entries["café/"]).toMatchObject({ flags: 0x800, unixMode: null, isDirectory: true });
    expect(entries["café/"]!.nameBytes).toEqual(text("café/"));
    expect(entries["dosdir"]).toMatchObject({ externalAttributes: 0x10, isDirectory: true, isSymlink: false });
  });

  it("skips entry comments and extra fields, and finds the data after them", async () => {
    const zip = archive();
    const entries = byName((await directory(zip)).entries);
    expect(entries["a.txt"]!.record.length).toBe(46 + 5 + "an entry comment".length);
    expect(await contentOf(zip, entries["a.txt"]!)).toEqual(HELLO);
    expect(await contentOf(zip, entries["b.js"]!)).toEqual(APP);
  });
});

describe("readZipDirectory on crafted archives", () => {
  it("decodes names without the UTF-8 flag byte for byte, and with it as UTF-8", async () => {
    const latin = craft([{ name: Uint8Array.of(0x63, 0x61, 0x66, 0xe9), data: HELLO }]);
    expect((await directory(latin)).entries[0]!.name).toBe("café");
    const utf = craft([{ name: text("café"), data: HELLO, flags: 0x800 }]);
    expect((await directory(utf)).entries[0]!.name).toBe("café");
  });

  it("finds the end record behind a comment of 65535 bytes", async () => {
    const zip = craft([{ name: text("a"), data: HELLO }], { comment: new Uint8Array(0xffff).fill(0x50) });
    expect((await directory(zip)).entries.map((e) => e.name)).toEqual(["a"]);
  });

  it("reads zip64 end records and extra fields, with sizes beyond 4 GiB", async () => {
    const big = 5 * 2 ** 30;
    const zip = craft(
      [
        { name: text("small"), data: HELLO, zip64: "offset" },
        { name: text("declared-big"), data: APP, zip64: "all", declared: big },
      ],
      { zip64End: true },
    );
    const dir = await directory(zip);
    expect(dir.entries.map((e) => [e.name, e.localHeaderOffset, e.compressedSize, e.uncompressedSize])).toEqual([
      ["small", 0, 5, 5],
      ["declared-big", 30 + 5 + 5, APP.length, big],
    ]);
    expect(dir.totalUncompressed).toBe(5 + big);
    expect(await contentOf(zip, dir.entries[1]!)).toEqual(APP);
    const cdOffset = 30 + 5 + 5 + 30 + 12 + APP.length;
    expect(dir.centralDirectoryOffset).toBe(cdOffset);
    expect(unzipSync(craft([{ name: text("small"), data: HELLO, zip64: "all" }], { zip64End: true }))).toEqual({
      small: HELLO,
    });
  });
});

describe("readZipDirectory refuses what is not a zip", () => {
  it("too short", async () => {
    for (const n of [0, 21]) expect(await formatError(new Uint8Array(n))).toBe("too short to be a zip archive");
  });

  it("no end-of-central-directory record, or one cut short", async () => {
    const zip = await jszipArchive();
    const missing = "end-of-central-directory signature not found";
    expect(await formatError(new Uint8Array(100))).toBe(missing);
    expect(await formatError(zip.subarray(0, zip.length - 1))).toBe(missing);
    expect(await formatError(patched(zip, -2, 1, 2))).toBe(missing); // a comment longer than what follows
  });

  it("a central directory outside the file, or not where the end record says", async () => {
    const zip = await jszipArchive();
    expect(await formatError(patched(zip, -6, zip.length))).toBe("central directory outside the file");
    expect(await formatError(patched(zip, -10, zip.length))).toBe("central directory outside the file");
    expect(await formatError(zip.subarray(10))).toBe("bad central directory record");
  });

  it("more entries than the directory holds, or than could fit", async () => {
    const zip = await jszipArchive();
    expect(await formatError(patched(zip, -12, 6, 2))).toBe("bad central directory record");
    expect(await formatError(patched(zip, -12, 0xfffe, 2))).toBe("more entries declared than can fit");
  });

  it("a store that returns less of the directory than asked", async () => {
    const zip = await jszipArchive();
    const cdOffset = (await directory(zip)).centralDirectoryOffset;
    const short: ReadRange = async (s, e) => zip.subarray(s, s === cdOffset ? e - 1 : e);
    expect(await formatError(zip, short)).toBe("central directory truncated");
  });

  it("a record that runs past the directory, or an entry past the local data", async () => {
    const zip = await jszipArchive();
    const cd = (await directory(zip)).centralDirectoryOffset;
    expect(await formatError(patched(zip, cd + 28, 0xffff, 2))).toBe("central directory record runs past its end");
    expect(await formatError(patched(zip, cd + 42, cd))).toBe("an entry's data lies outside the archive");
    expect(await formatError(patched(zip, cd + 42, 0xfffffff0))).toBe("an entry's data lies outside the archive");
  });

  it("a zip64 end record that is missing", async () => {
    const zip64 = craft([{ name: text("a"), data: HELLO }], { zip64End: true });
    const eocd = zip64.length - 22;
    expect(await formatError(patched(zip64, eocd - 20, 0))).toBe("zip64 locator missing");
    expect(await formatError(patched(zip64, eocd - 12, 3))).toBe("zip64 end record missing");
    expect(await formatError(patched(zip64, eocd - 12, eocd))).toBe("zip64 end record missing");
    const bare = patched(patched(new Uint8Array(22), 0, 0x06054b50), 10, 0xffff, 2);
    expect(await formatError(bare)).toBe("zip64 locator missing");
  });
});

describe("dataOffset", () => {
  it("refuses an offset that is not a local file header", async () => {
    const zip = await jszipArchive();
    const [first] = (await directory(zip)).entries;
    for (const localHeaderOffset of [1, zip.length - 10]) {
      const error = await dataOffset(rangeOf(zip), { ...first!, localHeaderOffset }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZipFormatError);
      expect((error as Error).message).toBe("bad local file header");
    }
  });
});

describe("bounded reading", () => {
  /** A virtual archive of `size` bytes, all zeros but an end record declaring a directory of `cdSize` at 0. */
  function virtualArchive(size: number, cdSize: number, count: number): ReadRange {
    const eocd = new Uint8Array(22);
    const view = new DataView(eocd.buffer);
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, count, true);
    view.setUint16(10, count, true);
    view.setUint32(12, cdSize, true);
    view.setUint32(16, 0, true);
    return async (start, end) => {
      if (end - start > 1024 * 1024) throw new Error(`read ${end - start} bytes at once`);
      const out = new Uint8Array(end - start);
      if (end === size) out.set(eocd, out.length - 22);
      return out;
    };
  }

  it("refuses a central directory over 64 MiB without reading it", async () => {
    const size = 70 * 1024 * 1024;
    const error = await readZipDirectory(virtualArchive(size, 65 * 1024 * 1024, 1000), size).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZipFormatError);
    expect((error as Error).message).toBe("central directory of 68157440 bytes, over the 67108864 the simulator reads");
  });

  it("readZipNames reads the names of the first entries from a bounded prefix and counts them all", async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) files[`${i}`.padStart(1000, "n")] = HELLO;
    const zip = zipSync(files, { level: 0 });
    const all = await readZipNames(rangeOf(zip), zip.length, 1 << 20);
    expect(all).toEqual({ names: Object.keys(files), count: 30 });
    const some = await readZipNames(rangeOf(zip), zip.length, 10 * 1046 + 500);
    expect(some).toEqual({ names: Object.keys(files).slice(0, 10), count: 30 });
  });
});
