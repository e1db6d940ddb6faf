/**
 * Steps 2 to 6 of the package bits job with the local bits packer
 * (`lib/cloud_controller/packager/local_bits_packer.rb`): it works on what was
 * really uploaded. The zip's central directory is read through random access
 * (its size is never found by inflating), files that qualify enter the resource
 * cache, cached resources are appended with their modes, directory entries are
 * removed, and the final zip is written by copying entries raw. Every failure
 * ends with the real job's exact text.
 */
import type { BlobInfo, BlobStore } from "../blob-store.js";
import { cfMessage } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { V2Resource } from "../upload/resources-field.js";
import type { ResourceCache } from "./resource-cache.js";
import { ZipFormatError, readZipDirectory, type ReadRange, type ZipDirectory } from "../zip/reader.js";
import { writeZip, type AppendedFile } from "../zip/writer.js";
import { EMPTY_ZIP, INVALID_ZIP, JobFailure } from "./failures.js";
import { checkPackageSize } from "./package-size.js";
import { checkResources, workDirectory } from "./resource-entries.js";
import { unzipAndCache } from "./unzip-and-cache.js";

export interface ProcessingInput {
  /** The uploaded zip as received, or null for a resources-only upload. */
  upload: BlobInfo | null;
  resources: V2Resource[];
  /** The package's guid: the job's work directory is named after it. */
  packageGuid: string;
}

export interface ProcessingEnv {
  store: BlobStore;
  options: ResolvedOptions;
  resourceCache: ResourceCache;
  /** The `resource_matching` feature flag: uploads are unzipped and cached only when on. */
  resourceMatching: boolean;
  now(): number;
  /** Aborts when a reset or close cancels the job: the work stops between entries. */
  signal?: AbortSignal;
}

export type ProcessingResult = { ok: true; blob: BlobInfo } | { ok: false; error: string };

/** Runs steps 2 to 6 on an upload; every expected failure is a result, not an exception. */
export async function processPackage(input: ProcessingInput, env: ProcessingEnv): Promise<ProcessingResult> {
  if (input.upload === null && input.resources.length === 0) return { ok: false, error: INVALID_ZIP };
  // The cache entries the resources name are a use, and held from eviction until the final zip is
  // written: caching the upload's own files (step 2) or another job's never evicts them meanwhile.
  const held = input.resources
    .map((r) => r.sha1)
    .filter((sha1): sha1 is string => typeof sha1 === "string" && env.resourceCache.hold(sha1) !== undefined);
  try {
    const uploaded = input.upload ? await readUploadedZip(input.upload, env) : null;
    env.signal?.throwIfAborted();
    const appended = await fetchResources(input, env);
    // Step 4: append (a file already in the zip is replaced, as `zip -r` updates it) and check the size again.
    const kept = (uploaded?.dir.entries ?? []).filter((e) => !appended.has(e.name));
    checkPackageSize(
      [...kept.map((e) => e.uncompressedSize), ...[...appended.values()].map((f) => f.size)],
      env.options.maxPackageSize,
    );
    // Step 5: every directory entry goes.
    const files = kept.filter((e) => !e.isDirectory);
    if (uploaded && appended.size === 0 && files.length === uploaded.dir.entries.length) {
      // Nothing to remove and nothing to add: the real job stores the uploaded bytes as they are
      // (so the checksum is the upload's own), and so does the simulator, without a copy.
      return { ok: true, blob: input.upload! };
    }
    // Step 6: store the final zip; its digests are the package's.
    return { ok: true, blob: await storeZip(env, uploaded, files, [...appended.values()]) };
  } catch (error) {
    if (error instanceof JobFailure) return { ok: false, error: error.message };
    if (error instanceof ZipFormatError) return { ok: false, error: INVALID_ZIP };
    throw error;
  } finally {
    for (const sha1 of held) env.resourceCache.release(sha1);
  }
}

interface UploadedZip {
  read: ReadRange;
  dir: ZipDirectory;
}

/**
 * Step 2: the uploaded zip. Its size is the sum of the uncompressed sizes its directory
 * declares; with resource matching on it is unzipped whole and its files cached.
 */
async function readUploadedZip(upload: BlobInfo, env: ProcessingEnv): Promise<UploadedZip> {
  const read: ReadRange = (s, e) => env.store.read(upload.id, s, e);
  const dir = await readZipDirectory(read, upload.size);
  checkPackageSize([dir.totalUncompressed], env.options.maxPackageSize);
  if (env.resourceMatching) {
    if (dir.entries.length === 0) throw new JobFailure(EMPTY_ZIP);
    await unzipAndCache(env, read, dir);
  }
  return { read, dir };
}

/** Step 3: each resource's path and mode, then its file from the cache, verified by SHA-1. */
async function fetchResources(input: ProcessingInput, env: ProcessingEnv): Promise<Map<string, AppendedFile>> {
  const appended = new Map<string, AppendedFile>();
  for (const r of checkResources(input.resources, workDirectory(input.packageGuid))) {
    const cached = env.resourceCache.get(r.sha1);
    if (!cached) throw new JobFailure(`Could not find object '${r.sha1}'`);
    if (cached.contentSha1 !== r.sha1) {
      // A corrupt cache entry is deleted (its blob with it), and the upload must be retried.
      await env.resourceCache.delete(r.sha1);
      throw new JobFailure(cfMessage("ResourceChecksumMismatch"));
    }
    appended.set(r.name, {
      name: r.name,
      mode: r.mode,
      size: cached.size,
      read: (s, e) => env.store.read(cached.blobId, s, e),
    });
  }
  return appended;
}

async function storeZip(
  env: ProcessingEnv,
  uploaded: UploadedZip | null,
  files: ZipDirectory["entries"],
  appended: AppendedFile[],
): Promise<BlobInfo> {
  const out = env.store.create();
  try {
    const source = uploaded
      ? { read: uploaded.read, centralDirectoryOffset: uploaded.dir.centralDirectoryOffset }
      : null;
    await writeZip(out, source, files, appended, env.now(), env.signal);
    return await out.finish();
  } catch (error) {
    await out.abort();
    throw error;
  }
}
