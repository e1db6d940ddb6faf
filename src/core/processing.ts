/**
 * The background job that turns an accepted upload into a stored package
 * (`Jobs::V3::PackageBits`, reference §3.2). This is the seam between the
 * request path and bits processing: it takes the stored upload and the
 * resource entries and returns the stored zip, or the failure text that
 * becomes the package's `data.error`.
 */
import { cfMessage } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { V2Resource } from "./resources.js";
import type { CachedResource } from "./state.js";
import type { BlobInfo, BlobStore } from "./store.js";

export interface ProcessingInput {
  /** The uploaded zip as received, or null for a resources-only upload. */
  upload: BlobInfo | null;
  resources: V2Resource[];
}

export interface ProcessingEnv {
  store: BlobStore;
  options: ResolvedOptions;
  resourceCache: Map<string, CachedResource>;
}

export type ProcessingResult = { ok: true; blob: BlobInfo } | { ok: false; error: string };

export type PackageProcessor = (input: ProcessingInput, env: ProcessingEnv) => Promise<ProcessingResult>;

/** Stores the upload as it is; a request with neither usable bits nor resources fails as the real job does. */
export const processPackage: PackageProcessor = async (input) => {
  if (input.upload === null) {
    return { ok: false, error: cfMessage("AppBitsUploadInvalid", "Invalid zip archive.") };
  }
  return { ok: true, blob: input.upload };
};
