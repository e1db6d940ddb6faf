/**
 * Stored bits as counted references: a package holds one on its blob, and a copy in flight holds
 * one on its source's. A blob leaves the store when its last holder lets go, so deleting or
 * expiring a package never takes the bits of a copy made from it.
 */
import type { BlobStore } from "../blob-store.js";

export class BlobHolds {
  private readonly refs = new Map<string, number>();

  constructor(private readonly store: BlobStore) {}

  hold(blobId: string): void {
    this.refs.set(blobId, (this.refs.get(blobId) ?? 0) + 1);
  }

  /** Lets go of one hold; the last one deletes the blob from the store. */
  async release(blobId: string): Promise<void> {
    const left = (this.refs.get(blobId) ?? 1) - 1;
    if (left > 0) {
      this.refs.set(blobId, left);
      return;
    }
    this.refs.delete(blobId);
    await this.store.delete(blobId);
  }

  /** Whether anything holds the blob. */
  holds(blobId: string): boolean {
    return this.refs.has(blobId);
  }
}
