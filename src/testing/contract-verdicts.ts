/**
 * The one judgement behind `expectNoContractViolations(sim)` and its over-HTTP twin
 * `expectNoContractViolationsAt(url)`: both refuse to pass on a journal with nothing
 * checked, so that a missing checker or an empty run can never read as "no violations".
 */
import type { JournalEntry } from "../core/journal/journal.js";
import { MockPackagesAssertionError } from "./assertion-error.js";

/** Throws unless at least one entry was checked and none broke the contract. */
export function assertVerdicts(entries: readonly JournalEntry[]): void {
  if (!entries.some((e) => e.contract !== null)) {
    throw new MockPackagesAssertionError(
      "no request in the journal was checked against the contract (it is empty, or was cleared or reset " +
        "since): run the client against the simulator before asserting",
    );
  }
  const bad = entries.filter((e) => e.contract && !e.contract.valid);
  if (bad.length) {
    const lines = bad.map(
      (e) =>
        `  #${e.id} ${e.method} ${e.path}${e.query}:\n` +
        e.contract!.violations.map((v) => `    - ${v.location}: ${v.message}`).join("\n"),
    );
    throw new MockPackagesAssertionError(`${bad.length} request(s) broke the contract:\n${lines.join("\n")}`);
  }
}
