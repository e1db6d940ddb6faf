/**
 * How the package bits job fails: with a message that becomes the package's
 * `data.error` (`lib/cloud_controller/app_packager.rb`,
 * `lib/cloud_controller/packager/local_bits_packer.rb`). The underlying CF
 * errors never become HTTP answers for uploads; only their text does.
 */
import { cfMessage } from "../errors.js";

export const INVALID_ZIP = cfMessage("AppBitsUploadInvalid", "Invalid zip archive.");
export const EMPTY_ZIP = cfMessage("AppBitsUploadInvalid", "Invalid zip archive (zipfile is empty).");

/** A failure that ends the job with its message as `data.error`. Not an Error: no stack to capture. */
export class JobFailure {
  constructor(readonly message: string) {}
}
