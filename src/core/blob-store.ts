/**
 * Where the simulator keeps bytes: uploads in flight, stored packages and the
 * resource cache. The core only sees this interface; the Node adapter supplies
 * a store on private temporary files so that uploads of any size stream to
 * disk, and the default in-memory store serves browsers and tests.
 */
import { concatBytes } from "./bytes.js";

/** @noble/hashes, loaded when the first blob is finished: hashing runs in any JavaScript runtime. */
async function digests(bytes: Uint8Array): Promise<{ sha1: string; sha256: string }> {
  const [{ sha1 }, { sha256 }, { bytesToHex }] = await Promise.all([
    import("@noble/hashes/legacy.js"),
    import("@noble/hashes/sha2.js"),
    import("@noble/hashes/utils.js"),
  ]);
  return { sha1: bytesToHex(sha1(bytes)), sha256: bytesToHex(sha256(bytes)) };
}

export interface BlobInfo {
  /** Opaque id chosen by the store, never by a client. */
  readonly id: string;
  readonly size: number;
  /** Lower-case hex digests of the whole blob. */
  readonly sha1: string;
  readonly sha256: string;
}

export interface BlobWriter {
  /** Appends bytes; resolves when the store can take more (back-pressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the blob and returns its size and digests. */
  finish(): Promise<BlobInfo>;
  /** Throws the partial blob away. Safe to call more than once, or after finish. */
  abort(): Promise<void>;
}

export interface BlobOptions {
  /**
   * The blob may be kept long, among many like it (a resource cache entry): a store that
   * keeps small blobs in memory keeps this one where it keeps large ones.
   */
  longLived?: boolean;
}

export interface BlobStore {
  create(options?: BlobOptions): BlobWriter;
  /** Bytes `[start, end)` of a blob; shorter when the blob ends first. */
  read(id: string, start: number, end: number): Promise<Uint8Array>;
  /** The whole blob as a stream. */
  stream(id: string): ReadableStream<Uint8Array>;
  size(id: string): Promise<number>;
  delete(id: string): Promise<void>;
  /** Deletes every blob (on reset and on close). */
  clear(): Promise<void>;
}

/** Writes a whole byte array as one blob. */
export async function putBytes(store: BlobStore, bytes: Uint8Array): Promise<BlobInfo> {
  const writer = store.create();
  try {
    await writer.write(bytes);
    return await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Reads a whole blob into memory; for small blobs only. */
export async function getBytes(store: BlobStore, id: string): Promise<Uint8Array> {
  return store.read(id, 0, await store.size(id));
}

/** A store in memory, hashing with @noble/hashes so that it runs in any JavaScript runtime. */
export function createMemoryStore(): BlobStore {
  const blobs = new Map<string, Uint8Array>();
  let next = 0;
  const get = (id: string): Uint8Array => {
    const blob = blobs.get(id);
    if (!blob) throw new Error(`mock-packages: no stored blob '${id}'`);
    return blob;
  };
  return {
    create() {
      const chunks: Uint8Array[] = [];
      let size = 0;
      let done = false;
      return {
        async write(chunk) {
          if (done) throw new Error("mock-packages: write after finish");
          const copy = chunk.slice();
          chunks.push(copy);
          size += copy.length;
        },
        async finish() {
          done = true;
          const bytes = concatBytes(chunks);
          chunks.length = 0;
          const id = `mem-${++next}`;
          blobs.set(id, bytes);
          // The bytes are all in memory anyway: hashed once, whole.
          return { id, size, ...(await digests(bytes)) };
        },
        async abort() {
          done = true;
          chunks.length = 0;
        },
      };
    },
    async read(id, start, end) {
      return get(id).slice(start, end);
    },
    stream(id) {
      const bytes = get(id);
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice());
          controller.close();
        },
      });
    },
    async size(id) {
      return get(id).length;
    },
    async delete(id) {
      blobs.delete(id);
    },
    async clear() {
      blobs.clear();
    },
  };
}
