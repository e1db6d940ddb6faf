/**
 * The background job that turns an accepted upload into a stored package
 * (`Jobs::V3::PackageBits` with the local bits packer, reference §3.2–§3.4).
 *
 * It works on what was really uploaded: the zip's central directory is read
 * through random access (its size is never found by inflating), files that
 * qualify enter the resource cache, cached resources are appended with their
 * modes, directory entries are removed, and the final zip is written by
 * copying entries raw. Every failure ends with the reference's exact text.
 */
import { cfMessage } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { V2Resource } from "../upload/resources-field.js";
import type { CachedResource } from "../world/state.js";
import type { BlobInfo, BlobStore } from "../blob-store.js";
import { crc32 } from "../zip/crc32.js";
import { Inflate } from "fflate";
import {
  ZipFormatError,
  dataOffset,
  readZipDirectory,
  type ReadRange,
  type ZipDirectory,
  type ZipEntry,
} from "../zip/reader.js";
import { writeZip, type AppendedFile } from "../zip/writer.js";

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
  resourceCache: Map<string, CachedResource>;
  /** The `resource_matching` feature flag: uploads are unzipped and cached only when on. */
  resourceMatching: boolean;
  now(): number;
}

export type ProcessingResult = { ok: true; blob: BlobInfo } | { ok: false; error: string };

export type PackageProcessor = (input: ProcessingInput, env: ProcessingEnv) => Promise<ProcessingResult>;

/** The job's work directory; resource paths must resolve inside it (`file_path_checker.rb`). */
export function workDirectory(packageGuid: string): string {
  return `/tmp/local_bits_packer-${packageGuid}`;
}

const INVALID_ZIP = cfMessage("AppBitsUploadInvalid", "Invalid zip archive.");
const EMPTY_ZIP = cfMessage("AppBitsUploadInvalid", "Invalid zip archive (zipfile is empty).");
const S_IFMT = 0o170000;
const CHUNK = 1024 * 1024;

/** A failure that ends the job with its message as `data.error`. Not an Error: no stack to capture. */
class JobFailure {
  constructor(readonly message: string) {}
}

const tooLarge = (max: number) => cfMessage("AppPackageInvalid", `Package may not be larger than ${max} bytes`);

/** POSIX path normalisation, as Ruby's File.expand_path does it (without `~`). */
function expandPath(path: string, root: string): string {
  const full = path.startsWith("/") ? path : `${root}/${path}`;
  const out: string[] = [];
  for (const part of full.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** Ruby's `String#to_i(8)`: the leading octal digits, 0 when there are none. */
function rubyOctal(s: string): number {
  const m = /^\s*([+-]?)([0-7](?:_?[0-7])*)/.exec(s);
  if (!m) return 0;
  const value = parseInt(m[2]!.replace(/_/g, ""), 8);
  return m[1] === "-" ? -value : value;
}

function rubyInspectClass(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return "Array";
  return "Hash";
}

interface CheckedResource {
  sha1: string;
  name: string;
  mode: number;
}

/**
 * Step 3's rules for each entry, in order (`fingerprints_collection.rb`): a path
 * that stays inside the work directory, and a mode that includes 0600.
 * Entries too malformed for those rules fail with the Ruby error the real job raises.
 */
function checkResources(resources: V2Resource[], root: string): CheckedResource[] {
  const out: CheckedResource[] = [];
  for (const r of resources) {
    if (typeof r.fn !== "string") {
      throw new JobFailure(`no implicit conversion of ${rubyInspectClass(r.fn)} into String`);
    }
    const resolved = expandPath(r.fn, root);
    // A string-prefix check, as the real one: `../../..<root>/legit/path` passes.
    if (!resolved.startsWith(root) || resolved === root) {
      throw new JobFailure(cfMessage("AppResourcesFilePathInvalid", `File path '${r.fn}' is not safe.`));
    }
    let mode: number;
    if (r.mode === undefined || r.mode === null) mode = 0o744;
    else if (typeof r.mode === "string") mode = rubyOctal(r.mode);
    else if (typeof r.mode === "number") throw new JobFailure("wrong number of arguments (given 1, expected 0)");
    else throw new JobFailure(`undefined method 'to_i' for ${rubyInspectClass(r.mode)}`);
    if ((mode & 0o600) !== 0o600) {
      throw new JobFailure(
        cfMessage(
          "AppResourcesFileModeInvalid",
          `File mode '${String(r.mode)}' with path '${r.fn}' is invalid. Minimum file mode is '0600'`,
        ),
      );
    }
    if (typeof r.sha1 !== "string")
      throw new JobFailure(`Could not find object '${r.sha1 === undefined || r.sha1 === null ? "" : String(r.sha1)}'`);
    out.push({ sha1: r.sha1, name: resolved.slice(root.length).replace(/^\/+/, ""), mode: mode & 0o7777 });
  }
  return out;
}

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
  const inflater =
    entry.method === 8
      ? new Inflate((chunk) => {
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

/**
 * Step 2 with resource matching on: the job unzips the whole upload (`unzip`
 * fails on any corrupt entry), and regular files of cacheable size and mode
 * enter the cache (symlinks never). Entries are inflated one at a time, streamed.
 */
async function unzipAndCache(env: ProcessingEnv, read: ReadRange, dir: ZipDirectory): Promise<void> {
  const { resourceCacheMinSize: min, resourceCacheMaxSize: max } = env.options;
  for (const entry of dir.entries) {
    if (entry.isDirectory) continue;
    const regular =
      !entry.isSymlink &&
      (entry.unixMode === null || (entry.unixMode & S_IFMT) === 0 || (entry.unixMode & S_IFMT) === 0o100000);
    const mode = entry.unixMode === null ? 0o644 : entry.unixMode & 0o7777;
    // Sizes are inclusive here, strict when matching (reference §7).
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

export const processPackage: PackageProcessor = async (input, env) => {
  const { store, options } = env;
  const upload = input.upload;
  if (upload === null && input.resources.length === 0) return { ok: false, error: INVALID_ZIP };
  const read: ReadRange | null = upload ? (s, e) => store.read(upload.id, s, e) : null;
  try {
    // Step 2: the uploaded zip; its size is the sum of the uncompressed sizes its directory declares.
    let dir: ZipDirectory | null = null;
    if (upload && read) {
      try {
        dir = await readZipDirectory(read, upload.size);
      } catch (error) {
        if (error instanceof ZipFormatError) return { ok: false, error: INVALID_ZIP };
        throw error;
      }
      if (dir.totalUncompressed > options.maxPackageSize) return { ok: false, error: tooLarge(options.maxPackageSize) };
      if (env.resourceMatching) {
        if (dir.entries.length === 0) return { ok: false, error: EMPTY_ZIP };
        try {
          await unzipAndCache(env, read, dir);
        } catch (error) {
          if (error instanceof ZipFormatError) return { ok: false, error: INVALID_ZIP };
          throw error;
        }
      }
    }
    // Step 3: each resource's path and mode, then its blob from the cache, verified.
    const checked = checkResources(input.resources, workDirectory(input.packageGuid));
    const appended = new Map<string, AppendedFile>();
    for (const r of checked) {
      const cached = env.resourceCache.get(r.sha1);
      if (!cached) throw new JobFailure(`Could not find object '${r.sha1}'`);
      if (cached.contentSha1 !== r.sha1) {
        env.resourceCache.delete(r.sha1);
        await store.delete(cached.blobId);
        throw new JobFailure(cfMessage("ResourceChecksumMismatch"));
      }
      appended.set(r.name, {
        name: r.name,
        mode: r.mode,
        size: cached.size,
        read: (s, e) => store.read(cached.blobId, s, e),
      });
    }
    // Step 4: append (a file already in the zip is replaced, as `zip -r` updates it) and check the size again.
    const kept = (dir?.entries ?? []).filter((e) => !appended.has(e.name));
    let total = 0;
    for (const e of kept) total += e.uncompressedSize;
    for (const f of appended.values()) total += f.size;
    if (total > options.maxPackageSize) return { ok: false, error: tooLarge(options.maxPackageSize) };
    // Step 5: every directory entry goes. Step 6: store the final zip; its digests are the package's.
    const files = kept.filter((e) => !e.isDirectory);
    if (upload && dir && appended.size === 0 && files.length === dir.entries.length) {
      // Nothing to remove and nothing to add: the real job stores the uploaded bytes as they are
      // (so the checksum is the upload's own), and so does the simulator, without a copy.
      return { ok: true, blob: upload };
    }
    const out = store.create();
    try {
      await writeZip(
        out,
        read && dir ? { read, centralDirectoryOffset: dir.centralDirectoryOffset } : null,
        files,
        [...appended.values()],
        env.now(),
      );
      return { ok: true, blob: await out.finish() };
    } catch (error) {
      await out.abort();
      if (error instanceof ZipFormatError) return { ok: false, error: INVALID_ZIP };
      throw error;
    }
  } catch (error) {
    if (error instanceof JobFailure) return { ok: false, error: error.message };
    throw error;
  }
};
