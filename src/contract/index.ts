/**
 * Contract checks against spec/openapi.yaml (Node only: it loads Prism).
 *
 * @example
 * import { createSimulator } from "mock-packages";
 * import { createContractChecker } from "mock-packages/contract";
 * const sim = createSimulator({ contract: await createContractChecker() });
 * // … run the client …
 * expect(sim.journal.find({ violations: true })).toEqual([]);
 */
export { SPEC_PATH, loadContract } from "./contract.js";
export { createContractChecker } from "./request-checker.js";
export type { Contract, Verdict, Violation } from "./contract.js";
