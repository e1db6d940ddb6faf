/**
 * Step 3 of the job: the rules each `resources` entry must meet before its
 * cached file is appended (`lib/cloud_controller/blobstore/fingerprints_collection.rb`,
 * `lib/cloud_controller/file_path_checker.rb`). Entries are not validated when the
 * upload is accepted, so these failures end the package FAILED, not the request.
 */
import { cfMessage } from "../errors.js";
import type { V2Resource } from "../upload/resources-field.js";
import { JobFailure } from "./failures.js";

/** The job's work directory; resource paths must resolve inside it (`file_path_checker.rb`). */
export function workDirectory(packageGuid: string): string {
  return `/tmp/local_bits_packer-${packageGuid}`;
}

/** POSIX path normalisation, as Ruby's File.expand_path does it (without `~`). */
function expandPath(path: string, root: string): string {
  const full = path.startsWith("/") ? path : `${root}/${path}`;
  const out: string[] = [];
  for (const part of full.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** Ruby's `String#to_i(8)`: the leading octal digits, 0 when there are none. */
function rubyOctal(s: string): number {
  const m = /^\s*([+-]?)([0-7](?:_?[0-7])*)/.exec(s);
  if (!m) return 0;
  const value = parseInt(m[2]!.replace(/_/g, ""), 8);
  return m[1] === "-" ? -value : value;
}

function rubyInspectClass(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return "Array";
  return "Hash";
}

export interface CheckedResource {
  sha1: string;
  name: string;
  mode: number;
}

/**
 * Step 3's rules for each entry, in order (`fingerprints_collection.rb`): a path
 * that stays inside the work directory, and a mode that includes 0600.
 * Entries too malformed for those rules fail with the Ruby error the real job raises.
 */
export function checkResources(resources: V2Resource[], root: string): CheckedResource[] {
  const out: CheckedResource[] = [];
  for (const r of resources) {
    if (typeof r.fn !== "string") {
      throw new JobFailure(`no implicit conversion of ${rubyInspectClass(r.fn)} into String`);
    }
    const resolved = expandPath(r.fn, root);
    // A string-prefix check, as the real one: `../../..<root>/legit/path` passes.
    if (!resolved.startsWith(root) || resolved === root) {
      throw new JobFailure(cfMessage("AppResourcesFilePathInvalid", `File path '${r.fn}' is not safe.`));
    }
    let mode: number;
    if (r.mode === undefined || r.mode === null) mode = 0o744;
    else if (typeof r.mode === "string") mode = rubyOctal(r.mode);
    else if (typeof r.mode === "number") throw new JobFailure("wrong number of arguments (given 1, expected 0)");
    else throw new JobFailure(`undefined method 'to_i' for ${rubyInspectClass(r.mode)}`);
    if ((mode & 0o600) !== 0o600) {
      throw new JobFailure(
        cfMessage(
          "AppResourcesFileModeInvalid",
          `File mode '${String(r.mode)}' with path '${r.fn}' is invalid. Minimum file mode is '0600'`,
        ),
      );
    }
    if (typeof r.sha1 !== "string")
      throw new JobFailure(`Could not find object '${r.sha1 === undefined || r.sha1 === null ? "" : String(r.sha1)}'`);
    out.push({ sha1: r.sha1, name: resolved.slice(root.length).replace(/^\/+/, ""), mode: mode & 0o7777 });
  }
  return out;
}
