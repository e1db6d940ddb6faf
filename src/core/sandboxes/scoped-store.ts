/**
 * A sandbox's share of the server's blob store: the blobs it made, tracked by id, so that
 * deleting the sandbox removes its bits at once and nobody else's. After `close()` nothing new
 * is kept: a write that finishes later (an upload still streaming when its sandbox was deleted)
 * throws its blob away and ends as a cancelled request.
 */
import type { BlobInfo, BlobStore, BlobWriter } from "../blob-store.js";
import { Cancelled } from "../jobs/scheduler.js";

export interface ScopedStore extends BlobStore {
  /** Deletes every blob of this scope and refuses to keep new ones. */
  close(): Promise<void>;
  /** How many blobs this scope holds (for tests and the benchmark). */
  readonly count: number;
}

export function scopedStore(parent: BlobStore): ScopedStore {
  const ids = new Set<string>();
  let closed = false;
  // Cancelled, as for a reset: the request that wrote it answers 503 ("send it again") and changes nothing.
  const gone = () => new Cancelled();
  const deleteAll = async () => {
    const all = [...ids];
    ids.clear();
    await Promise.all(all.map((id) => parent.delete(id)));
  };
  return {
    create(options): BlobWriter {
      if (closed) throw gone();
      const writer = parent.create(options);
      return {
        write: (chunk) => (closed ? Promise.reject(gone()) : writer.write(chunk)),
        async finish(): Promise<BlobInfo> {
          const info = await writer.finish();
          if (closed) {
            await parent.delete(info.id);
            throw gone();
          }
          ids.add(info.id);
          return info;
        },
        abort: () => writer.abort(),
      };
    },
    read: (id, start, end) => parent.read(id, start, end),
    stream: (id) => parent.stream(id),
    size: (id) => parent.size(id),
    async delete(id) {
      ids.delete(id);
      await parent.delete(id);
    },
    clear: deleteAll,
    async close() {
      closed = true;
      await deleteAll();
    },
    get count() {
      return ids.size;
    },
  };
}
