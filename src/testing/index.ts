/**
 * Assertions for consumer tests, over a simulator's journal. Plain functions
 * that throw with a message saying what was expected and what the journal
 * holds; they work with any test runner (vitest, jest, node:test).
 *
 * @example
 * import { expectUpload, expectNoContractViolations } from "mock-packages/testing";
 * await myClient.push(app);
 * expectUpload(sim, { packageGuid, zipPaths: ["index.js"], resources: ["lib/big.bin"] });
 * expectNoContractViolations(sim);
 */
import type { JournalEntry } from "../core/journal/journal.js";
import type { Simulator } from "../core/simulator.js";
import { MockPackagesAssertionError } from "./assertion-error.js";
import { assertVerdicts } from "./contract-verdicts.js";

export { MockPackagesAssertionError };
export { connectToServer, expectNoContractViolationsAt } from "./server.js";
export type { ServerConnection, ServerConnectionOptions, ServerJournalQuery, ServerTokenOptions } from "./server.js";

export interface UploadExpectation {
  /** The package the upload went to. */
  packageGuid?: string;
  /** The answer's status (e.g. 200). */
  status?: number;
  /** Paths that the `bits` zip must hold (others may be there too). */
  zipPaths?: string[];
  /** Paths (V3 `path` or V2 `fn`) that the `resources` field must list. */
  resources?: string[];
  /** The multipart fields, in order (e.g. `["resources", "bits"]` as the cf CLI sends them). */
  fieldOrder?: string[];
}

function describeUpload(e: JournalEntry): string {
  const bits = e.multipart?.bits;
  const res = e.multipart?.resources;
  return (
    `  #${e.id} ${e.method} ${e.path} → ${e.status}` +
    (e.multipart ? ` fields [${e.multipart.parts.map((p) => p.name).join(", ")}]` : "") +
    (bits ? ` zip [${(bits.entries ?? ["(not a zip)"]).join(", ")}]` : "") +
    (res
      ? ` resources ${"entries" in res ? res.entries.length : "invalid" in res ? "(invalid JSON)" : `(not read, ${res.length} characters)`}`
      : "")
  );
}

function resourcePaths(entry: JournalEntry): string[] {
  const res = entry.multipart?.resources;
  if (!res || !("entries" in res)) return [];
  return res.entries.map((r) => {
    const o = (r ?? {}) as Record<string, unknown>;
    return String(o.path ?? o.fn ?? "");
  });
}

/** Why an upload does not meet the expectation, or null when it does. */
function mismatch(entry: JournalEntry, x: UploadExpectation): string | null {
  if (x.packageGuid && !entry.path.includes(`/v3/packages/${x.packageGuid}/upload`)) return "another package";
  if (x.status !== undefined && entry.status !== x.status) return `status ${entry.status}, not ${x.status}`;
  if (x.fieldOrder) {
    const order = (entry.multipart?.parts ?? []).map((p) => p.name ?? "");
    if (order.join(",") !== x.fieldOrder.join(","))
      return `fields [${order.join(", ")}], not [${x.fieldOrder.join(", ")}]`;
  }
  if (x.zipPaths) {
    const entries = entry.multipart?.bits?.entries ?? [];
    const missing = x.zipPaths.filter((p) => !entries.includes(p));
    if (missing.length) return `the zip lacks ${missing.join(", ")}`;
  }
  if (x.resources) {
    const listed = resourcePaths(entry);
    const missing = x.resources.filter((p) => !listed.includes(p));
    if (missing.length) return `the resources lack ${missing.join(", ")}`;
  }
  return null;
}

/** Asserts that the simulator received an upload matching `expected`; returns the newest match. */
export function expectUpload(sim: Simulator, expected: UploadExpectation = {}): JournalEntry {
  const uploads = sim.journal.uploads();
  const matches = uploads.filter((e) => mismatch(e, expected) === null);
  if (matches.length) return matches[matches.length - 1]!;
  const seen = uploads.length
    ? uploads.map((e) => `${describeUpload(e)}: ${mismatch(e, expected)}`).join("\n")
    : "  (no upload at all)";
  throw new MockPackagesAssertionError(
    `expected an upload ${JSON.stringify(expected)}, but none matched. Uploads received:\n${seen}`,
  );
}

/** Asserts that no upload was received (optionally to one package). */
export function expectNoUpload(sim: Simulator, packageGuid?: string): void {
  const uploads = sim.journal
    .uploads()
    .filter((e) => !packageGuid || e.path.includes(`/v3/packages/${packageGuid}/upload`));
  if (uploads.length) {
    throw new MockPackagesAssertionError(
      `expected no upload, but received:\n${uploads.map(describeUpload).join("\n")}`,
    );
  }
}

/**
 * Asserts that every request in the journal honoured spec/openapi.yaml. Needs a
 * simulator created with a contract checker (`createContractChecker()` from
 * `mock-packages/contract`) and at least one checked request in the journal: without
 * either there is nothing to assert, and it fails saying so rather than pass by accident.
 */
export function expectNoContractViolations(sim: Simulator): void {
  if (!sim.journal.verdicts) {
    throw new MockPackagesAssertionError(
      "the simulator has no contract checker, so there is nothing to assert: create it with " +
        "{ contract: await createContractChecker() } from mock-packages/contract",
    );
  }
  assertVerdicts(sim.journal.entries());
}
