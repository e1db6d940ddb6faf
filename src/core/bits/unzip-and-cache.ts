/**
 * Step 2 with resource matching on: the job unzips the whole upload, as `unzip`
 * does (any corrupt entry fails it), and files that qualify enter the resource
 * cache (`lib/cloud_controller/packager/shared_bits_packer.rb`,
 * `lib/cloud_controller/resource_pool.rb`). Entries are inflated one at a time as
 * streams (`zip/entry-data.ts`), each stopped the moment it gives more than it
 * declares, and the whole against the package limit: memory stays flat whatever
 * the entries' sizes, and a zip bomb fails as `Invalid zip archive.`. Cached files go
 * to the store as long-lived blobs (on disk with the file store) and into the cache's
 * index, which keeps them within its byte budget (`resource-cache.ts`).
 */
import type { BlobInfo } from "../blob-store.js";
import { readEntryData } from "../zip/entry-data.js";
import type { ReadRange, ZipDirectory, ZipEntry } from "../zip/reader.js";
import type { ProcessingEnv } from "./local-bits-packer.js";
import { inflatedSizeGuard } from "./package-size.js";

const S_IFMT = 0o170000;

/** Regular files of cacheable size and mode (symlinks never). */
function isCacheable(entry: ZipEntry, min: number, max: number): boolean {
  const regular =
    !entry.isSymlink &&
    (entry.unixMode === null || (entry.unixMode & S_IFMT) === 0 || (entry.unixMode & S_IFMT) === 0o100000);
  const mode = entry.unixMode === null ? 0o644 : entry.unixMode & 0o7777;
  // Sizes are inclusive here, strict when matching (`resource_pool.rb` `size_allowed?` against the packer's own bounds).
  return regular && entry.uncompressedSize >= min && entry.uncompressedSize <= max && mode >= 0o600;
}

/** Inflates one entry into a new long-lived blob of the store. */
async function extractToStore(
  env: ProcessingEnv,
  read: ReadRange,
  entry: ZipEntry,
  check: (chunk: Uint8Array) => void,
): Promise<BlobInfo> {
  const writer = env.store.create({ longLived: true });
  try {
    await readEntryData(read, entry, { check, write: (chunk) => writer.write(chunk) });
    return await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Unzips every entry and caches the regular files of cacheable size and mode. */
export async function unzipAndCache(env: ProcessingEnv, read: ReadRange, dir: ZipDirectory): Promise<void> {
  const { resourceCacheMinSize: min, resourceCacheMaxSize: max, maxPackageSize } = env.options;
  const guard = inflatedSizeGuard(maxPackageSize);
  // A reset or close cancels the job between pieces of output, so that neither a zip of many
  // entries nor one huge entry holds up the exit.
  const check = (chunk: Uint8Array) => {
    env.signal?.throwIfAborted();
    guard(chunk);
  };
  for (const entry of dir.entries) {
    env.signal?.throwIfAborted();
    if (entry.isDirectory) continue;
    if (!isCacheable(entry, min, max)) {
      await readEntryData(read, entry, { check });
      continue;
    }
    // The cache takes the blob: a file it has already refreshes that entry instead.
    await env.resourceCache.add(await extractToStore(env, read, entry, check));
  }
}
