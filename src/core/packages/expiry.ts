/**
 * `lib/cloud_controller/bits_expiration.rb`: when a package of an app finishes
 * while more than `packages.max_valid_packages_stored` finished (READY or
 * FAILED) packages exist, the oldest extras become EXPIRED and their bits are deleted.
 */
import type { Runtime } from "../context.js";

export async function expireOldPackages(runtime: Runtime, appGuid: string): Promise<void> {
  const keep = runtime.options.maxValidPackagesStored;
  const finishedSet = runtime.state.finishedOf(appGuid);
  // The set holds the app's READY and FAILED bits packages (it never grows past keep + 1 for long).
  const finished = [...finishedSet]
    .map((guid) => runtime.state.packages.get(guid))
    .filter((p): p is NonNullable<typeof p> => p !== undefined && (p.state === "READY" || p.state === "FAILED"))
    .sort((a, b) => b.createdAt - a.createdAt || b.guid.localeCompare(a.guid));
  finishedSet.clear();
  for (const p of finished.slice(0, keep)) finishedSet.add(p.guid);
  for (const pkg of finished.slice(keep)) {
    pkg.state = "EXPIRED";
    pkg.updatedAt = runtime.now();
    if (pkg.blobId) {
      await runtime.store.delete(pkg.blobId);
      pkg.blobId = null;
    }
  }
}
