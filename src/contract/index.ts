/**
 * Contract checks against spec/openapi.yaml (Node only). They run on Prism,
 * `@stoplight/prism-http`, an optional peer dependency: install it beside
 * mock-packages to use this entry point (`npm install -D @stoplight/prism-http@5.12.0`).
 * It is loaded on the first call, so importing this module costs nothing until then.
 *
 * @example
 * import { createSimulator } from "mock-packages";
 * import { createContractChecker } from "mock-packages/contract";
 * const sim = createSimulator({ contract: await createContractChecker() });
 * // … run the client …
 * expect(sim.journal.find({ violations: true })).toEqual([]);
 */
import type { RequestChecker } from "../core/journal/journal.js";
import type { Contract } from "./contract.js";
import { withPrism as load } from "./with-prism.js";
import { SPEC_PATH } from "./spec-path.js";

export { SPEC_PATH };
export type { Contract, Verdict, Violation } from "./contract.js";

/** Loads spec/openapi.yaml (or another document) once per process, for checking answers and requests. */
export async function loadContract(specPath: string = SPEC_PATH): Promise<Contract> {
  return (await load(() => import("./contract.js"))).loadContract(specPath);
}

/** A request checker for the journal's verdicts (`createSimulator({ contract })`, `--contract-verdicts`). */
export async function createContractChecker(
  specPath: string = SPEC_PATH,
): Promise<RequestChecker & { contract: Contract }> {
  return (await load(() => import("./request-checker.js"))).createContractChecker(specPath);
}
