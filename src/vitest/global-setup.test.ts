import type { TestProject } from "vitest/node";
import { describe, expect, it } from "vitest";
import { mockPackagesSetup } from "./global-setup.js";
import type { MockPackagesRun } from "./options.js";

/** The parts of vitest's TestProject the setup reads, for a run of `workers` workers. */
function fakeProject(workers: number) {
  const provided: { mockPackages?: MockPackagesRun } = {};
  const project = {
    config: { root: process.cwd(), maxWorkers: workers },
    vitest: { config: {} },
    provide: (key: "mockPackages", value: MockPackagesRun) => (provided[key] = value),
    getProvidedContext: () => ({}),
  } as unknown as TestProject;
  return { project, provided };
}

describe("mockPackagesSetup", () => {
  it("starts one server whose sandboxes suffice for every worker and never expire during the run", async () => {
    const { project, provided } = fakeProject(80);
    const teardown = await mockPackagesSetup({ quiet: true, processingDelay: 0 })(project);
    try {
      const run = provided.mockPackages!;
      expect(run).toMatchObject({ sandbox: "worker", workers: 80, contractVerdicts: false });
      const list = await (await fetch(`${run.url}/__mock/sandboxes`)).json();
      expect(list).toMatchObject({ max_sandboxes: 80, idle_timeout: 0 });
    } finally {
      await teardown();
    }
    await expect(fetch(`${provided.mockPackages!.url}/v3/info`)).rejects.toThrow();
  });

  it("keeps a higher limit it is given, and the file mode", async () => {
    const { project, provided } = fakeProject(2);
    const teardown = await mockPackagesSetup({ quiet: true, maxSandboxes: 100, sandbox: "file" })(project);
    try {
      expect(provided.mockPackages!.sandbox).toBe("file");
      const list = await (await fetch(`${provided.mockPackages!.url}/__mock/sandboxes`)).json();
      expect(list.max_sandboxes).toBe(100);
    } finally {
      await teardown();
    }
  });

  it("refuses a limit below the workers, or an unknown mode, before starting anything", async () => {
    const { project, provided } = fakeProject(4);
    await expect(mockPackagesSetup({ quiet: true, maxSandboxes: 3 })(project)).rejects.toThrow(
      /maxSandboxes is 3, but vitest runs up to 4 workers, each in a sandbox of its own/,
    );
    await expect(mockPackagesSetup({ quiet: true, sandbox: "one" as "file" })(project)).rejects.toThrow(
      /sandbox is "worker" \(one per worker\) or "file" \(one per test file\), not "one"/,
    );
    expect(provided.mockPackages).toBeUndefined();
  });
});
