/** Messages and a check shared by the scenario parser's unit tests (src/core/scenarios/*.test.ts). */
import { expect } from "vitest";
import { ScenarioError } from "../../src/core/scenarios/parse.js";

export const VALID_SCENARIOS =
  "cloud-controller, async-upload, processing-fails, stuck-processing, expires, unauthenticated, invalid-token, " +
  "not-authorized, feature-disabled, org-suspended, not-found, unprocessable, already-uploaded, rate-limited, " +
  "unavailable, server-error, slow, timeout, connection-reset";
export const VALID_CODES = "200, 202, 400, 401, 403, 404, 422, 429, 500, 503";
export const LATENCY_HELP = "latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got";
export const TEXT_HELP = "a scenario is written NAME or NAME; option=value (e.g. slow; latency=300), got";
export const UNKNOWN_FIELDS = "unknown field(s) 'foo': a scenario takes name, error and latency";

/** The error `fn` throws; fails the test when it throws none. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("test: expected a throw");
}

/** Expects a ScenarioError with exactly `message`, and `unknownName` (null unless given). */
export function expectScenarioError(fn: () => unknown, message: string, unknownName: string | null = null) {
  const error = errorOf(fn);
  expect(error).toBeInstanceOf(ScenarioError);
  expect(error.name).toBe("ScenarioError");
  expect(error.message).toBe(message);
  expect((error as ScenarioError).unknownName).toBe(unknownName);
}
