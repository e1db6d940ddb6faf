import { describe, expect, inject, it } from "vitest";
import { mockPackages, useMockPackages } from "./index.js";

// This repository's own run has no mock-packages globalSetup: what a user who forgot it sees.
describe("a test file in a run without the globalSetup", () => {
  it("gets an error naming the setting to add", () => {
    expect(inject("mockPackages")).toBeUndefined();
    expect(() => mockPackages()).toThrow(
      /no server for this run: add globalSetup: \["mock-packages\/vitest\/global-setup"\]/,
    );
    expect(() => useMockPackages()).toThrow(/no server for this run/);
  });
});
