import { describe, expect, it } from "vitest";
import type { CfErrorName } from "../errors.js";
import { DEFAULT_LATENCY, SCENARIO_NAMES, behaviourOf, type ScenarioName, type UploadBehaviour } from "./catalog.js";

const DEFAULT_FAILURE = "The app upload is invalid: Invalid zip archive.";

type Fields = Pick<UploadBehaviour, "error" | "before" | "accepted" | "outcome">;

/** The real controller's way: no error, answered at once with the package, the bits processed. */
const REAL: Fields = { error: null, before: "none", accepted: "package", outcome: "process" };
const answersError = (name: CfErrorName, ...args: string[]): Fields => ({ ...REAL, error: { name, args } });

/** A test title: the error answered, or the before / accepted / outcome fields. */
const summary = (f: Fields) =>
  f.error ? `answers CF-${f.error.name}` : `before ${f.before}, answers the ${f.accepted}, outcome ${f.outcome}`;

/** What each scenario of the catalog does to an upload, written out from its description. */
const EXPECTED: Record<ScenarioName, Fields> = {
  "cloud-controller": REAL,
  "async-upload": { ...REAL, accepted: "job" },
  "processing-fails": { ...REAL, outcome: "fail" },
  "stuck-processing": { ...REAL, outcome: "hang" },
  expires: { ...REAL, outcome: "expire" },
  unauthenticated: answersError("NotAuthenticated"),
  "invalid-token": answersError("InvalidAuthToken"),
  "not-authorized": answersError("NotAuthorized"),
  "feature-disabled": answersError("FeatureDisabled", "app_bits_upload"),
  "org-suspended": answersError("OrgSuspended"),
  "not-found": answersError("ResourceNotFound", "Package not found"),
  unprocessable: answersError("UnprocessableEntity", "Upload must include either resources or bits"),
  "already-uploaded": answersError("PackageBitsAlreadyUploaded"),
  "rate-limited": answersError("RateLimitExceeded"),
  unavailable: answersError("ServiceUnavailable", "Database connection failure"),
  "server-error": answersError("UnknownError"),
  slow: { ...REAL, before: "delay" },
  timeout: { ...REAL, before: "never-answer" },
  "connection-reset": { ...REAL, before: "drop-connection" },
};

describe("behaviourOf", () => {
  it("covers every scenario of the catalog, in the catalog's order", () => {
    expect(SCENARIO_NAMES).toEqual(Object.keys(EXPECTED));
  });

  for (const [name, fields] of Object.entries(EXPECTED) as Array<[ScenarioName, Fields]>) {
    it(`${name}: ${summary(fields)}`, () => {
      expect(behaviourOf({ name })).toEqual({
        name,
        ...fields,
        latency: DEFAULT_LATENCY,
        failure: DEFAULT_FAILURE,
      });
    });
  }

  describe("latency", () => {
    it("defaults to DEFAULT_LATENCY, 2000 ms", () => {
      expect(DEFAULT_LATENCY).toBe(2000);
      expect(behaviourOf({ name: "slow" }).latency).toBe(2000);
    });

    it("takes the argument when the setting has none", () => {
      expect(behaviourOf({ name: "slow" }, 300).latency).toBe(300);
      expect(behaviourOf({ name: "slow" }, [100, 200]).latency).toEqual([100, 200]);
      expect(behaviourOf({ name: "slow" }, 0).latency).toBe(0);
    });

    it("takes the setting's before the argument, even 0", () => {
      expect(behaviourOf({ name: "slow", latency: 50 }, 300).latency).toBe(50);
      expect(behaviourOf({ name: "slow", latency: [1, 9] }, 300).latency).toEqual([1, 9]);
      expect(behaviourOf({ name: "slow", latency: 0 }, 300).latency).toBe(0);
    });
  });

  describe("failure", () => {
    it("defaults to the controller's invalid-zip text", () => {
      expect(behaviourOf({ name: "processing-fails" }).failure).toBe(DEFAULT_FAILURE);
    });

    it("is the setting's error text when it has one, even an empty one", () => {
      expect(behaviourOf({ name: "processing-fails", error: "Too big" }).failure).toBe("Too big");
      expect(behaviourOf({ name: "processing-fails", error: "" }).failure).toBe("");
    });
  });
});
