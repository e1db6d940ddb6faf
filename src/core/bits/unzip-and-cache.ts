/**
 * Step 2 with resource matching on: the job unzips the whole upload, as `unzip`
 * does (any corrupt entry fails it), and files that qualify enter the resource
 * cache (`lib/cloud_controller/packager/shared_bits_packer.rb`,
 * `lib/cloud_controller/resource_pool.rb`). Entries are inflated one at a time
 * with fflate's push inflater, so memory stays flat whatever their size.
 */
import type { BlobInfo, BlobStore } from "../blob-store.js";
import { crc32 } from "../zip/crc32.js";
import { ZipFormatError, dataOffset, type ReadRange, type ZipDirectory, type ZipEntry } from "../zip/reader.js";
import type { ProcessingEnv } from "./local-bits-packer.js";

const S_IFMT = 0o170000;
const CHUNK = 1024 * 1024;

/**
 * Inflates one entry, checking its size and CRC as `unzip` does; into the store
 * when `store` is given, else only checked.
 */
async function extractEntry(store: BlobStore, read: ReadRange, entry: ZipEntry): Promise<BlobInfo>;
async function extractEntry(store: null, read: ReadRange, entry: ZipEntry): Promise<null>;
async function extractEntry(store: BlobStore | null, read: ReadRange, entry: ZipEntry): Promise<BlobInfo | null> {
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(`unsupported compression method ${entry.method}`);
  const start = await dataOffset(read, entry);
  const end = start + entry.compressedSize;
  const writer = store?.create() ?? null;
  let size = 0;
  let crc = 0;
  // fflate's push inflater: output arrives in pieces, so memory stays flat whatever the entry's size.
  const out: Uint8Array[] = [];
  let inflateError: unknown = null;
  // Loaded on the first deflated entry, not with the package: importing fflate costs some 40 ms.
  const inflater =
    entry.method === 8
      ? new (await import("fflate")).Inflate((chunk) => {
          out.push(chunk);
        })
      : null;
  const take = async (chunk: Uint8Array) => {
    size += chunk.length;
    if (size > entry.uncompressedSize) throw new ZipFormatError("an entry inflates to more than it declares");
    crc = crc32(chunk, crc);
    if (writer) await writer.write(chunk);
  };
  try {
    for (let at = start; at < end;) {
      const bytes = await read(at, Math.min(end, at + CHUNK));
      if (bytes.length === 0) throw new ZipFormatError("archive ends inside an entry");
      at += bytes.length;
      if (inflater) {
        try {
          inflater.push(bytes, at >= end);
        } catch (error) {
          inflateError = error;
        }
        if (inflateError) throw new ZipFormatError("corrupt deflate data");
        for (const chunk of out.splice(0)) await take(chunk);
      } else {
        await take(bytes);
      }
    }
    if (size !== entry.uncompressedSize || crc !== entry.crc32) throw new ZipFormatError("size or CRC mismatch");
    return writer ? await writer.finish() : null;
  } catch (error) {
    await writer?.abort();
    throw error;
  }
}

/** Unzips every entry and caches the regular files of cacheable size and mode (symlinks never). */
export async function unzipAndCache(env: ProcessingEnv, read: ReadRange, dir: ZipDirectory): Promise<void> {
  const { resourceCacheMinSize: min, resourceCacheMaxSize: max } = env.options;
  for (const entry of dir.entries) {
    // A reset or close cancels the job here: a zip of many entries would otherwise hold up the exit.
    env.signal?.throwIfAborted();
    if (entry.isDirectory) continue;
    const regular =
      !entry.isSymlink &&
      (entry.unixMode === null || (entry.unixMode & S_IFMT) === 0 || (entry.unixMode & S_IFMT) === 0o100000);
    const mode = entry.unixMode === null ? 0o644 : entry.unixMode & 0o7777;
    // Sizes are inclusive here, strict when matching (`resource_pool.rb` `size_allowed?` against the packer's own bounds).
    const cacheable = regular && entry.uncompressedSize >= min && entry.uncompressedSize <= max && mode >= 0o600;
    if (!cacheable) {
      await extractEntry(null, read, entry);
      continue;
    }
    const blob = await extractEntry(env.store, read, entry);
    if (env.resourceCache.has(blob.sha1)) {
      await env.store.delete(blob.id);
    } else {
      env.resourceCache.set(blob.sha1, { sha1: blob.sha1, size: blob.size, blobId: blob.id, contentSha1: blob.sha1 });
    }
  }
}
