/**
 * The data parts of a package record: docker data as a world gives it or a copy takes it,
 * and metadata changes.
 */
import { setOwn } from "../validation.js";
import type { PackageData, PackageRecord } from "../world/model.js";

/** A world's docker data; the image defaults to the Diego sample app. */
export function dockerOf(docker: PackageData["docker"]): PackageRecord["docker"] {
  return {
    image: docker?.image ?? "cloudfoundry/diego-docker-app:latest",
    username: docker?.username ?? null,
    // `docker_username && '***'`: in Ruby an empty string is a username too.
    password: docker?.username != null ? "***" : null,
  };
}

/** What a docker copy takes from its source (`package_copy.rb`): the image, no credentials. */
export function copiedDocker(docker: PackageRecord["docker"]): PackageRecord["docker"] {
  return docker && { image: docker.image, username: null, password: null };
}

/** Labels and annotations set, or removed where the value is null. */
export function applyMetadata(
  pkg: PackageRecord,
  changes: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> },
): void {
  for (const kind of ["labels", "annotations"] as const) {
    for (const [key, value] of Object.entries(changes[kind] ?? {})) {
      if (value === null) delete pkg[kind][key];
      else setOwn(pkg[kind], key, value);
    }
  }
}

/** What `PATCH /v3/packages/{guid}` may change. */
export interface PackageChanges {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
  username?: string;
  password?: string;
}

/**
 * Docker data with new credentials (`package_update.rb`). Only the mask is kept for the
 * password: it is presented as `docker_username && '***'` (`package_presenter.rb`), so a
 * username of `""` masks it too.
 */
export function withCredentials(
  docker: NonNullable<PackageRecord["docker"]>,
  changes: Pick<PackageChanges, "username">,
): PackageRecord["docker"] {
  const username = changes.username ?? docker.username;
  return { image: docker.image, username, password: username !== null ? "***" : null };
}

export interface NewPackage {
  guid: string;
  appGuid: string;
  type: PackageRecord["type"];
  docker: PackageRecord["docker"];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A new package record in `state`, created and updated `at`, with the input's metadata. */
export function newRecord(input: NewPackage, state: PackageRecord["state"], at: number): PackageRecord {
  const record: PackageRecord = {
    guid: input.guid,
    appGuid: input.appGuid,
    type: input.type,
    state,
    createdAt: at,
    updatedAt: at,
    error: null,
    checksum: { type: "sha256", value: null },
    sha1: null,
    blobId: null,
    docker: input.docker,
    labels: {},
    annotations: {},
  };
  applyMetadata(record, input);
  return record;
}
