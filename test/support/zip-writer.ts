/** Sources, files and checks shared by the zip writer's unit tests (src/core/zip/writer.test.ts). */
import { zipSync } from "fflate";
import type { BlobWriter } from "../../src/core/blob-store.js";
import { expect } from "vitest";
import {
  ZipFormatError,
  dataOffset,
  readZipDirectory,
  type ReadRange,
  type ZipEntry,
} from "../../src/core/zip/reader.js";
import { writeZip, type AppendedFile } from "../../src/core/zip/writer.js";

export const text = (s: string) => new TextEncoder().encode(s);
export const NOW = Date.UTC(2024, 1, 29, 13, 45, 59);
export const APP = text("console.log('hello');\n".repeat(30));
export const BIN = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);

export const rangeOf =
  (bytes: Uint8Array): ReadRange =>
  async (start, end) =>
    bytes.subarray(start, Math.min(end, bytes.length));
export const directory = (zip: Uint8Array) => readZipDirectory(rangeOf(zip), zip.length);
export const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
export const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

/** An appended file over bytes; `log` records each range read. */
export function file(name: string, mode: number, content: Uint8Array, log?: Array<[number, number]>): AppendedFile {
  return {
    name,
    mode,
    size: content.length,
    read: async (start, end) => {
      log?.push([start, end]);
      return content.slice(start, end);
    },
  };
}

export type Source = { read: ReadRange; centralDirectoryOffset: number } | null;

/** Runs writeZip into memory and returns the archive. */
export async function write(source: Source, keep: readonly ZipEntry[], append: readonly AppendedFile[], now = NOW) {
  const chunks: Uint8Array[] = [];
  const out: BlobWriter = {
    write: async (chunk) => void chunks.push(chunk),
    finish: () => Promise.reject(new Error("writeZip never finishes the blob")),
    abort: () => Promise.reject(new Error("writeZip never aborts the blob")),
  };
  await writeZip(out, source, keep, append, now);
  const zip = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) zip.set(c, (at += c.length) - c.length);
  return zip;
}

export async function writeError(...args: Parameters<typeof write>): Promise<string> {
  const error = await write(...args).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZipFormatError);
  return (error as Error).message;
}

/** A source archive from fflate: deflated and stored files, a directory and a symlink, all made on Unix. */
export async function fflateSource() {
  const unix = (mode: number) => ({ os: 3, attrs: (mode << 16) >>> 0 });
  const zip = zipSync(
    {
      "app.js": [APP, { level: 9, ...unix(0o100644) }],
      "data.bin": [BIN, { level: 0, ...unix(0o100600) }],
      "dir/": [new Uint8Array(0), { level: 0, ...unix(0o40755) }],
      link: [text("app.js"), { level: 0, ...unix(0o120777) }],
    },
    { mtime: new Date(NOW) },
  );
  const dir = await directory(zip);
  return {
    zip,
    entries: dir.entries,
    source: { read: rangeOf(zip), centralDirectoryOffset: dir.centralDirectoryOffset },
  };
}

/** An entry's local header, data and data descriptor, as stored. */
export async function storedBytes(zip: Uint8Array, entry: ZipEntry, next: number): Promise<Uint8Array> {
  expect(await dataOffset(rangeOf(zip), entry)).toBeLessThanOrEqual(next);
  return zip.subarray(entry.localHeaderOffset, next);
}
