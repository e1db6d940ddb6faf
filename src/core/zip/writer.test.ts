import { createHash, randomBytes } from "node:crypto";
import { unzipSync, zipSync } from "fflate";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";
import { dataOffset, type ZipEntry } from "./reader.js";

import {
  text,
  NOW,
  APP,
  BIN,
  rangeOf,
  directory,
  u16,
  u32,
  file,
  write,
  writeError,
  fflateSource,
  storedBytes,
} from "../../../test/support/zip-writer.js";

describe("writeZip: appended files", () => {
  const files = () => [
    file("package.json", 0o644, text('{"name":"web"}\n')),
    file("bin/start", 0o755, APP),
    file("empty", 0o600, new Uint8Array(0)),
    file("naïve €.txt", 0o640, BIN),
  ];

  it("stores each file with its mode, CRC and sizes, at offsets one after the other", async () => {
    const zip = await write(null, [], files());
    const dir = await directory(zip);
    const sizes = [15, APP.length, 0, BIN.length];
    const names = ["package.json", "bin/start", "empty", "naïve €.txt"].map((n) => text(n).length);
    expect(dir.entries.map((e) => [e.name, e.method, e.flags, e.versionMadeBy, e.unixMode])).toEqual([
      ["package.json", 0, 0, 0x031e, 0o100644],
      ["bin/start", 0, 0, 0x031e, 0o100755],
      ["empty", 0, 0, 0x031e, 0o100600],
      ["naïve €.txt", 0, 0x800, 0x031e, 0o100640],
    ]);
    expect(dir.entries.map((e) => [e.crc32, e.compressedSize, e.uncompressedSize])).toEqual(
      [text('{"name":"web"}\n'), APP, new Uint8Array(0), BIN].map((c) => [crc32(c), c.length, c.length]),
    );
    let offset = 0;
    dir.entries.forEach((e, i) => {
      expect(e.localHeaderOffset).toBe(offset);
      offset += 30 + names[i]! + sizes[i]!;
    });
    expect(dir.centralDirectoryOffset).toBe(offset);
    expect(zip.length).toBe(offset + names.reduce((n, l) => n + 46 + l, 0) + 22);
  });

  it("writes an archive fflate and jszip read back byte for byte, CRCs checked", async () => {
    const zip = await write(null, [], files());
    expect(unzipSync(zip)).toEqual({
      "package.json": text('{"name":"web"}\n'),
      "bin/start": APP,
      empty: new Uint8Array(0),
      "naïve €.txt": BIN,
    });
    const loaded = await JSZip.loadAsync(zip, { checkCRC32: true });
    expect(await loaded.file("bin/start")!.async("uint8array")).toEqual(APP);
    expect(Object.values(loaded.files).map((f) => [f.name, f.unixPermissions, f.date.getTime()])).toEqual([
      ["package.json", 0o100644, NOW - 1000],
      ["bin/start", 0o100755, NOW - 1000],
      ["empty", 0o100600, NOW - 1000],
      ["naïve €.txt", 0o100640, NOW - 1000],
    ]);
  });

  it("keeps only the permission bits of a mode, setuid, setgid and sticky included", async () => {
    const zip = await write(null, [], [file("a", 0o104755, BIN), file("b", 0o120777, BIN), file("c", 0o1777, BIN)]);
    expect((await directory(zip)).entries.map((e) => e.unixMode)).toEqual([0o104755, 0o100777, 0o101777]);
  });

  it("dates every entry from nowMs in MS-DOS form, in UTC, to the even second, and no earlier than 1980", async () => {
    const dos = async (now: number) => {
      const zip = await write(null, [], [file("a", 0o644, BIN)], now);
      const cd = (await directory(zip)).centralDirectoryOffset;
      expect([u16(zip, 10), u16(zip, 12)]).toEqual([u16(zip, cd + 12), u16(zip, cd + 14)]);
      return [u16(zip, 10), u16(zip, 12)];
    };
    expect(await dos(NOW)).toEqual([(13 << 11) | (45 << 5) | 29, (44 << 9) | (2 << 5) | 29]);
    expect(await dos(Date.UTC(1975, 5, 15, 1, 2, 3))).toEqual([(1 << 11) | (2 << 5) | 1, (0 << 9) | (6 << 5) | 15]);
  });

  it("writes the same bytes for the same files and date", async () => {
    const a = await write(null, [], files());
    expect(await write(null, [], files())).toEqual(a);
    const later = await write(null, [], files(), NOW + 2000);
    expect(later.length).toBe(a.length);
    const differing = [...a.keys()].filter((i) => a[i] !== later[i]);
    const dir = await directory(a);
    let record = dir.centralDirectoryOffset;
    const dateBytes = dir.entries.flatMap((e) => {
      const at = [e.localHeaderOffset + 10, record + 12].flatMap((p) => [p, p + 1, p + 2, p + 3]);
      record += e.record.length;
      return at;
    });
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.filter((i) => !dateBytes.includes(i))).toEqual([]);
  });

  it("reads a file in 1 MiB pieces, once for the CRC and once for the copy", async () => {
    const big = randomBytes(1024 * 1024 + 1);
    const log: Array<[number, number]> = [];
    const zip = await write(null, [], [file("big", 0o644, big, log)]);
    expect(log).toEqual([
      [0, 1048576],
      [1048576, 1048577],
      [0, 1048576],
      [1048576, 1048577],
    ]);
    expect((await directory(zip)).entries[0]!.crc32).toBe(crc32(big));
    const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    expect(sha256(unzipSync(zip).big!)).toBe(sha256(big));
  });

  it("writes an archive with no entries as a bare end record", async () => {
    const zip = await write(null, [], []);
    expect([...zip]).toEqual([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
    expect(unzipSync(zip)).toEqual({});
  });

  it("adds zip64 end records for 65535 entries", async () => {
    const many = Array.from({ length: 0xffff }, (_, i) => file(`f${i}`, 0o644, new Uint8Array(0)));
    const zip = await write(null, [], many);
    const eocd = zip.length - 22;
    expect([u16(zip, eocd + 8), u16(zip, eocd + 10)]).toEqual([0xffff, 0xffff]);
    expect(u32(zip, eocd - 20)).toBe(0x07064b50);
    const eocd64 = u32(zip, eocd - 12);
    expect([u32(zip, eocd64), eocd64]).toEqual([0x06064b50, eocd - 20 - 56]);
    const dir = await directory(zip);
    expect([dir.entries.length, dir.entries.at(-1)!.name, dir.centralDirectoryOffset]).toEqual([
      0xffff,
      "f65534",
      u32(zip, eocd + 16),
    ]);
    let seen = 0;
    unzipSync(zip, { filter: () => (seen++, false) });
    expect(seen).toBe(0xffff);
  });
});

describe("writeZip: entries kept from a source archive", () => {
  it("copies kept entries raw, patching only the offset in their central records", async () => {
    const { zip: src, entries, source } = await fflateSource();
    const zip = await write(source, entries, [file("new.txt", 0o644, text("new"))]);
    const out = (await directory(zip)).entries;
    expect(out.map((e) => e.name)).toEqual(["app.js", "data.bin", "dir/", "link", "new.txt"]);
    const ends = (list: ZipEntry[], cd: number) => list.map((_, i) => list[i + 1]?.localHeaderOffset ?? cd);
    const srcEnds = ends(entries, source.centralDirectoryOffset);
    const outEnds = ends(out, out[4]!.localHeaderOffset);
    for (const [i, e] of entries.entries()) {
      expect(await storedBytes(zip, out[i]!, outEnds[i]!)).toEqual(await storedBytes(src, e, srcEnds[i]!));
      expect(out[i]!.record.subarray(0, 42)).toEqual(e.record.subarray(0, 42));
      expect(out[i]!.record.subarray(46)).toEqual(e.record.subarray(46));
    }
    expect(out.map((e) => e.localHeaderOffset)).toEqual([0, ...outEnds.slice(0, 4)]);
    expect(unzipSync(zip)).toEqual({ ...unzipSync(src), "new.txt": text("new") });
    const loaded = await JSZip.loadAsync(zip, { checkCRC32: true });
    expect(Object.values(loaded.files).map((f) => f.unixPermissions)).toEqual([
      0o100644, 0o100600, 0o40755, 0o120777, 0o100644,
    ]);
  });

  it("writes kept entries in the order given, from offset 0", async () => {
    const { entries, source } = await fflateSource();
    const zip = await write(source, [entries[3]!, entries[0]!], []);
    const out = (await directory(zip)).entries;
    expect(out.map((e) => [e.name, e.localHeaderOffset])).toEqual([
      ["link", 0],
      ["app.js", 30 + 4 + 6],
    ]);
    expect(unzipSync(zip)).toEqual({ link: text("app.js"), "app.js": APP });
  });

  it("copies the signed data descriptors of streamed entries", async () => {
    const js = new JSZip();
    js.file("a.txt", APP);
    js.file("b.bin", BIN, { compression: "STORE" });
    const src = await js.generateAsync({ type: "uint8array", compression: "DEFLATE", streamFiles: true });
    const dir = await directory(src);
    const zip = await write(
      { read: rangeOf(src), centralDirectoryOffset: dir.centralDirectoryOffset },
      dir.entries,
      [],
    );
    const [a] = (await directory(zip)).entries;
    const second = (await directory(zip)).entries[1]!.localHeaderOffset;
    expect(second).toBe((await dataOffset(rangeOf(zip), a!)) + a!.compressedSize + 16);
    expect(u32(zip, second - 16)).toBe(0x08074b50);
    expect(unzipSync(zip)).toEqual({ "a.txt": APP, "b.bin": BIN });
    const loaded = await JSZip.loadAsync(zip, { checkCRC32: true });
    expect(await loaded.file("a.txt")!.async("uint8array")).toEqual(APP);
  });
});

/** Little-endian [value, size] fields and raw bytes, as one array. */
function le(...fields: Array<[number, number] | Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const f of fields) {
    if (f instanceof Uint8Array) out.push(...f);
    else for (let i = 0; i < f[1]; i++) out.push(Math.floor(f[0] / 256 ** i) % 256);
  }
  return Uint8Array.from(out);
}

/** A copy of an entry whose central record keeps its offset (and its sizes) in a zip64 extra field. */
function asZip64(entry: ZipEntry, sizesToo: boolean): ZipEntry {
  const head = entry.record.slice(0, 46 + entry.nameBytes.length);
  expect(head.length).toBe(entry.record.length); // no extra field, no comment
  const values = sizesToo
    ? [entry.uncompressedSize, entry.compressedSize, entry.localHeaderOffset]
    : [entry.localHeaderOffset];
  const v = new DataView(head.buffer);
  v.setUint16(30, 4 + 8 * values.length, true);
  v.setUint32(42, 0xffffffff, true);
  if (sizesToo) (v.setUint32(20, 0xffffffff, true), v.setUint32(24, 0xffffffff, true));
  const extra = le([1, 2], [8 * values.length, 2], ...values.map((x): [number, number] => [x, 8]));
  return { ...entry, record: le(head, extra) };
}

describe("writeZip: kept entries of other shapes", () => {
  it("copies an unsigned 12-byte data descriptor", async () => {
    const [d, p, hello] = [text("d.txt"), text("p.txt"), text("hello")];
    const local = (name: Uint8Array, flags: number, crc: number, size: number) =>
      le([0x04034b50, 4], [20, 2], [flags, 2], [0, 6], [crc, 4], [size, 4], [size, 4], [name.length, 2], [0, 2], name);
    const central = (name: Uint8Array, flags: number, crc: number, size: number, offset: number) =>
      le(
        le([0x02014b50, 4], [0x0314, 2], [20, 2], [flags, 2], [0, 6], [crc, 4], [size, 4], [size, 4]),
        le([name.length, 2], [0, 8], [(0o100644 << 16) >>> 0, 4], [offset, 4], name),
      );
    // 30 + 5 + 5 bytes of entry, then crc, compressed and uncompressed size without a signature.
    const streamed = le(local(d, 8, 0, 0), hello, [crc32(hello), 4], [5, 4], [5, 4]);
    const plain = le(local(p, 0, crc32(BIN), 300), BIN);
    const cd = le(central(d, 8, crc32(hello), 5, 0), central(p, 0, crc32(BIN), 300, 52));
    const eocd = le([0x06054b50, 4], [0, 4], [2, 2], [2, 2], [cd.length, 4], [52 + plain.length, 4], [0, 2]);
    const src = le(streamed, plain, cd, eocd);
    const dir = await directory(src);
    const zip = await write(
      { read: rangeOf(src), centralDirectoryOffset: dir.centralDirectoryOffset },
      dir.entries,
      [],
    );
    expect((await directory(zip)).entries.map((e) => e.localHeaderOffset)).toEqual([0, 52]);
    expect(zip.subarray(0, 52 + plain.length)).toEqual(src.subarray(0, 52 + plain.length));
    expect(unzipSync(zip)).toEqual({ "d.txt": hello, "p.txt": BIN });
  });

  it("patches an offset kept in a zip64 extra field, after the sizes when they are there", async () => {
    const { entries, source } = await fflateSource();
    for (const sizesToo of [false, true]) {
      const kept = [entries[3]!, asZip64(entries[1]!, sizesToo)];
      const out = (await directory(await write(source, kept, []))).entries;
      expect(out.map((e) => [e.name, e.localHeaderOffset, e.compressedSize, e.uncompressedSize])).toEqual([
        ["link", 0, 6, 6],
        ["data.bin", 30 + 4 + 6, 300, 300],
      ]);
      expect(u32(out[1]!.record, 42)).toBe(0xffffffff);
    }
  });
});

describe("writeZip: refusals", () => {
  it("a kept entry that runs into the central directory", async () => {
    const { entries, source } = await fflateSource();
    const long = { ...entries[3]!, compressedSize: entries[3]!.compressedSize + 1 };
    expect(await writeError(source, [long], [])).toBe("an entry runs into the central directory");
  });

  it("a source that ends inside an entry", async () => {
    const big = randomBytes(1536 * 1024);
    const src = zipSync({ big: [big, { level: 0 }] });
    const dir = await directory(src);
    const cut = {
      read: rangeOf(src.subarray(0, 1024 * 1024 - 10)),
      centralDirectoryOffset: dir.centralDirectoryOffset,
    };
    expect(await writeError(cut, dir.entries, [])).toBe("archive ends inside an entry");
  });

  it("a kept entry whose offset is not a local header", async () => {
    const { entries, source } = await fflateSource();
    expect(await writeError(source, [{ ...entries[0]!, localHeaderOffset: 1 }], [])).toBe("bad local file header");
  });

  it("a central record that says its offset is in a zip64 field it does not have", async () => {
    const { entries, source } = await fflateSource();
    const record = entries[0]!.record.slice();
    new DataView(record.buffer).setUint32(42, 0xffffffff, true);
    expect(await writeError(source, [{ ...entries[0]!, record }], [])).toBe("zip64 offset missing");
  });
});
