/**
 * Where the simulator keeps bytes: uploads in flight, stored packages and the
 * resource cache. The core only sees this interface; the Node adapter supplies
 * a store on private temporary files so that uploads of any size stream to
 * disk, and the default in-memory store serves browsers and tests.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { concatBytes } from "./bytes.js";

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

export interface BlobStore {
  create(): BlobWriter;
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
      const h1 = sha1.create();
      const h256 = sha256.create();
      let size = 0;
      let done = false;
      return {
        async write(chunk) {
          if (done) throw new Error("mock-packages: write after finish");
          const copy = chunk.slice();
          chunks.push(copy);
          h1.update(copy);
          h256.update(copy);
          size += copy.length;
        },
        async finish() {
          done = true;
          const bytes = concatBytes(chunks);
          chunks.length = 0;
          const id = `mem-${++next}`;
          blobs.set(id, bytes);
          return { id, size, sha1: bytesToHex(h1.digest()), sha256: bytesToHex(h256.digest()) };
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
