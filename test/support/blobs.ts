/**
 * What a blob store holds, for the tests that check nothing is left behind.
 */
import type { FileStore } from "../../src/node/index.js";
import type { Simulator } from "../../src/index.js";

/** The blobs the world owns: those of READY packages and of resource cache entries, sorted. */
export function ownedBlobs(sim: Simulator): string[] {
  const ids = new Set<string>();
  for (const p of sim.state.packages.values()) if (p.state === "READY" && p.blobId) ids.add(p.blobId);
  for (const c of sim.state.resourceCache.values()) ids.add(c.blobId);
  return [...ids].sort();
}

/**
 * Every blob the store holds, on disk or in memory (small blobs may never touch the disk),
 * sorted: ids are `blob-N` from a counter, so each id up to a fresh one is probed.
 */
export async function liveBlobs(store: FileStore): Promise<string[]> {
  const probe = await store.create().finish();
  await store.delete(probe.id);
  const max = Number(/^blob-(\d+)$/.exec(probe.id)![1]);
  const live: string[] = [];
  for (let i = 1; i < max; i++) {
    const id = `blob-${i}`;
    if (
      await store.size(id).then(
        () => true,
        () => false,
      )
    )
      live.push(id);
  }
  return live.sort();
}
