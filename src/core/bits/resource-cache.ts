/**
 * The resource cache (`lib/cloud_controller/resource_pool.rb`): files that earlier
 * uploads left behind, by SHA-1, which `POST /v3/resource_matches` reports and the
 * job's `resources` entries append. The real cache is a blobstore of its own; this
 * one keeps its files in the simulator's store and only an index in memory (a few
 * hundred bytes an entry, whatever the files' sizes).
 *
 * It holds at most `budget` bytes of files: adding one evicts the least recently used
 * until it fits, and an evicted entry's blob is deleted. A use refreshes an entry (a
 * match, an upload's `resources` entry naming it, an upload containing the file
 * again). Eviction only makes matches rarer, which clients handle: the cf CLI then
 * uploads the file in the zip. An entry a running job is appending is held, and not
 * evicted until the job lets go of it.
 */
import type { BlobInfo, BlobStore } from "../blob-store.js";

export interface CachedResource {
  /** The key: the SHA-1 the file was cached under. */
  readonly sha1: string;
  readonly size: number;
  readonly blobId: string;
  /** SHA-1 of the stored content; differs from the key only when the cache is corrupt. */
  readonly contentSha1: string;
}

export class ResourceCache {
  /** Least recently used first: a Map keeps insertion order, and a use moves its entry to the end. */
  private readonly entries = new Map<string, CachedResource>();
  /** How many running jobs hold each entry, by SHA-1. */
  private readonly holds = new Map<string, number>();
  private total = 0;

  /**
   * @param store Where the cached files' blobs are; the cache deletes those it lets go.
   * @param budget Most bytes of files kept.
   */
  constructor(
    private readonly store: BlobStore,
    readonly budget: number,
  ) {}

  /** How many files are cached. */
  get size(): number {
    return this.entries.size;
  }

  /** The bytes of all cached files. */
  get bytes(): number {
    return this.total;
  }

  has(sha1: string): boolean {
    return this.entries.has(sha1);
  }

  /** The entry, without counting as a use. */
  get(sha1: string): CachedResource | undefined {
    return this.entries.get(sha1);
  }

  /** Marks an entry as just used, so it is evicted last; false when it is not cached. */
  touch(sha1: string): boolean {
    const entry = this.entries.get(sha1);
    if (!entry) return false;
    this.entries.delete(sha1);
    this.entries.set(sha1, entry);
    return true;
  }

  /**
   * Takes a newly stored file into the cache under its SHA-1; its blob is the cache's from
   * now on. A file already cached is refreshed instead and the new blob deleted, as is one
   * larger than the budget, or one there is no room for because running jobs hold the rest.
   * Answers whether the file was added.
   */
  async add(blob: Pick<BlobInfo, "id" | "size" | "sha1">): Promise<boolean> {
    const evicted = this.touch(blob.sha1) ? null : this.makeRoom(blob.size);
    if (!evicted) {
      await this.store.delete(blob.id);
      return false;
    }
    this.entries.set(blob.sha1, { sha1: blob.sha1, size: blob.size, blobId: blob.id, contentSha1: blob.sha1 });
    this.total += blob.size;
    for (const entry of evicted) await this.store.delete(entry.blobId);
    return true;
  }

  /** Removes an entry and deletes its blob (a corrupt entry). */
  async delete(sha1: string): Promise<void> {
    const entry = this.entries.get(sha1);
    if (!entry) return;
    this.entries.delete(sha1);
    this.total -= entry.size;
    await this.store.delete(entry.blobId);
  }

  /** Uses an entry and keeps it from eviction until {@link release}; undefined when it is not cached. */
  hold(sha1: string): CachedResource | undefined {
    if (!this.touch(sha1)) return undefined;
    this.holds.set(sha1, (this.holds.get(sha1) ?? 0) + 1);
    return this.entries.get(sha1);
  }

  /** Lets go of one {@link hold}. */
  release(sha1: string): void {
    const count = this.holds.get(sha1) ?? 0;
    if (count <= 1) this.holds.delete(sha1);
    else this.holds.set(sha1, count - 1);
  }

  /** SHA-1s, least recently used first. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Entries, least recently used first. */
  values(): IterableIterator<CachedResource> {
    return this.entries.values();
  }

  [Symbol.iterator](): IterableIterator<[string, CachedResource]> {
    return this.entries.entries();
  }

  /**
   * Takes the least recently used entries out of the index until `size` more bytes fit, and
   * answers them (their blobs are still to delete); null, with nothing taken, when they cannot.
   */
  private makeRoom(size: number): CachedResource[] | null {
    if (size > this.budget) return null;
    const excess = this.total + size - this.budget;
    if (excess <= 0) return [];
    const victims: CachedResource[] = [];
    let freed = 0;
    for (const entry of this.entries.values()) {
      if (freed >= excess) break;
      if (this.holds.has(entry.sha1)) continue;
      victims.push(entry);
      freed += entry.size;
    }
    if (freed < excess) return null;
    for (const entry of victims) this.entries.delete(entry.sha1);
    this.total -= freed;
    return victims;
  }
}
