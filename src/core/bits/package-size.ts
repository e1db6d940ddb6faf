/**
 * The package size check (`lib/cloud_controller/app_packager.rb#size`): the sum
 * of the entries' uncompressed sizes as the zip's central directory declares
 * them, against `packages.max_package_size`. The job checks it twice: on the
 * uploaded zip, and after the cached resources are appended.
 */
import { cfMessage } from "../errors.js";
import { JobFailure } from "./failures.js";

/** `The app package is invalid: Package may not be larger than N bytes` (no final period, as the real one). */
function tooLargeMessage(max: number): string {
  return cfMessage("AppPackageInvalid", `Package may not be larger than ${max} bytes`);
}

/** Fails the job when `sizes` add up to more than `max` bytes. */
export function checkPackageSize(sizes: Iterable<number>, max: number): void {
  let total = 0;
  for (const size of sizes) total += size;
  if (total > max) throw new JobFailure(tooLargeMessage(max));
}

/**
 * Counts what unzipping really gives against `max`, as it comes out: a guard behind the
 * declared sizes (their sum is checked first, and no entry may give more than it declares).
 */
export function inflatedSizeGuard(max: number): (chunk: Uint8Array) => void {
  let total = 0;
  return (chunk) => {
    total += chunk.length;
    if (total > max) throw new JobFailure(tooLargeMessage(max));
  };
}
