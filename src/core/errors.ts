/**
 * The Cloud Controller error catalogue and its one renderer.
 *
 * Every title, code, status and detail template below is taken from
 * `cloud_controller_ng: errors/v2.yml` (and `app/presenters/v3_error_hasher.rb`
 * for the envelope). Checks throw a {@link CfError} built from an entry; the
 * simulator catches it in one place and renders the CF error envelope.
 */

export interface CfErrorDefinition {
  /** `CF-<Name>`, or `UnknownError` (which has no `CF-` prefix). */
  readonly title: string;
  readonly code: number;
  readonly status: number;
  /** Detail template; each `%s` is replaced by an argument. */
  readonly template: string;
}

const define = (title: string, status: number, code: number, template: string): CfErrorDefinition =>
  Object.freeze({ title, status, code, template });

/** The errors this simulator can answer, keyed by their name without the `CF-` prefix. */
export const CF_ERRORS = Object.freeze({
  InvalidAuthToken: define("CF-InvalidAuthToken", 401, 1000, "Invalid Auth Token"),
  MessageParseError: define("CF-MessageParseError", 400, 1001, "Request invalid due to parse error: %s"),
  BadRequest: define("CF-BadRequest", 400, 1004, "Bad request: %s"),
  NotFound: define("CF-NotFound", 404, 10000, "Unknown request"),
  UnknownError: define("UnknownError", 500, 10001, "An unknown error occurred."),
  NotAuthenticated: define("CF-NotAuthenticated", 401, 10002, "Authentication error"),
  NotAuthorized: define("CF-NotAuthorized", 403, 10003, "You are not authorized to perform the requested action"),
  InvalidRequest: define("CF-InvalidRequest", 400, 10004, "The request is invalid"),
  BadQueryParameter: define("CF-BadQueryParameter", 400, 10005, "The query parameter is invalid: %s"),
  UnprocessableEntity: define("CF-UnprocessableEntity", 422, 10008, "%s"),
  ResourceNotFound: define("CF-ResourceNotFound", 404, 10010, "%s"),
  RateLimitExceeded: define("CF-RateLimitExceeded", 429, 10013, "Rate Limit Exceeded"),
  ServiceUnavailable: define("CF-ServiceUnavailable", 503, 10015, "%s"),
  OrgSuspended: define("CF-OrgSuspended", 403, 10017, "The organization is suspended"),
  SpaceSuspended: define("CF-SpaceSuspended", 403, 10019, "The space is suspended"),
  ResourceBeingDeleted: define("CF-ResourceBeingDeleted", 422, 10020, "The %s is being deleted"),
  UaaUnavailable: define("CF-UaaUnavailable", 503, 20004, "The UAA service is currently unavailable"),
  AppPackageInvalid: define("CF-AppPackageInvalid", 400, 150001, "The app package is invalid: %s"),
  PackageBitsAlreadyUploaded: define(
    "CF-PackageBitsAlreadyUploaded",
    400,
    150004,
    "Bits may be uploaded only once. Create a new package to upload different bits.",
  ),
  BlobstoreUnavailable: define(
    "CF-BlobstoreUnavailable",
    502,
    150006,
    "Failed to perform operation due to blobstore unavailability.",
  ),
  BlobstoreError: define(
    "CF-BlobstoreError",
    500,
    150007,
    "Failed to perform blobstore operation after three retries.",
  ),
  ResourceChecksumMismatch: define(
    "CF-ResourceChecksumMismatch",
    500,
    150010,
    "One or more cached resources did not match the given checksum. They have been deleted; please retry package upload.",
  ),
  AppBitsUploadInvalid: define("CF-AppBitsUploadInvalid", 400, 160001, "The app upload is invalid: %s"),
  AppResourcesFileModeInvalid: define(
    "CF-AppResourcesFileModeInvalid",
    400,
    160003,
    "The resource file mode is invalid: %s",
  ),
  AppResourcesFilePathInvalid: define(
    "CF-AppResourcesFilePathInvalid",
    400,
    160004,
    "The resource file path is invalid: %s",
  ),
  FeatureDisabled: define("CF-FeatureDisabled", 403, 330002, "Feature Disabled: %s"),
});

export type CfErrorName = keyof typeof CF_ERRORS;

/** Fills a detail template; an array argument is joined with `", "` as the real hasher does. */
function formatDetail(template: string, args: ReadonlyArray<string | readonly string[]>): string {
  let i = 0;
  return template.replace(/%s/g, () => {
    const arg = args[i++];
    if (arg === undefined) return "";
    return typeof arg === "string" ? arg : arg.join(", ");
  });
}

/** One entry of the CF error envelope: exactly `detail`, `title` and `code`, in that order. */
export interface CfErrorEntry {
  detail: string;
  title: string;
  code: number;
}

/** An error that renders itself as the Cloud Controller's error envelope. */
export class CfError extends Error {
  readonly definition: CfErrorDefinition;
  readonly detail: string;

  constructor(name: CfErrorName, ...args: Array<string | readonly string[]>) {
    const definition = CF_ERRORS[name];
    const detail = formatDetail(definition.template, args);
    super(`${definition.title}: ${detail}`);
    this.name = "CfError";
    this.definition = definition;
    this.detail = detail;
  }

  /**
   * An error of the catalogue with a detail of the simulator's own: for its admin API,
   * which the controller does not have, so that a refusal can say what to do.
   */
  static withDetail(name: CfErrorName, detail: string): CfError {
    const error = new CfError(name);
    (error as { detail: string }).detail = detail;
    error.message = `${error.definition.title}: ${detail}`;
    return error;
  }

  get status(): number {
    return this.definition.status;
  }

  toEntry(): CfErrorEntry {
    return { detail: this.detail, title: this.definition.title, code: this.definition.code };
  }

  toJSON(): { errors: CfErrorEntry[] } {
    return { errors: [this.toEntry()] };
  }
}

/** The message text of a CF error, as it reaches a package's `data.error` (`app_packager.rb`: message only, never a response). */
export function cfMessage(name: CfErrorName, ...args: Array<string | readonly string[]>): string {
  return formatDetail(CF_ERRORS[name].template, args);
}
