/**
 * Reading stored zips back with the simulator's own reader (jszip renames entries such as
 * `../x` when loading). Uploading and downloading are in support/api.ts.
 */
import { dataOffset, readZipDirectory, type ZipEntry } from "../../src/core/zip/reader.js";

export interface StoredEntry {
  name: string;
  /** Unix `st_mode` (type and permission bits), or null when not made on Unix. */
  mode: number | null;
  isSymlink: boolean;
  isDirectory: boolean;
  /** The inflated content as UTF-8 text. */
  text: string;
}

const readerOf = (bytes: Uint8Array) => async (s: number, e: number) => bytes.slice(s, e);

async function inflate(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const start = await dataOffset(readerOf(bytes), entry);
  const raw = bytes.slice(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every entry of a zip, names exactly as stored, with contents. */
export async function readStoredZip(bytes: Uint8Array): Promise<StoredEntry[]> {
  const dir = await readZipDirectory(readerOf(bytes), bytes.length);
  const out: StoredEntry[] = [];
  for (const e of dir.entries) {
    out.push({
      name: e.name,
      mode: e.unixMode,
      isSymlink: e.isSymlink,
      isDirectory: e.isDirectory,
      text: new TextDecoder().decode(await inflate(bytes, e)),
    });
  }
  return out;
}
