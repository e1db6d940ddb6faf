/**
 * The fixture world keeps to what the controller could have made: a docker package belongs
 * to a docker app (`packages_controller.rb#create_fresh` refuses one for a buildpack app).
 */
import { describe, expect, it } from "vitest";
import { buildFixtureWorld } from "./fixture-world.js";

describe("the fixture world", () => {
  it("gives every docker package to a docker app, and every bits package to a buildpack app", async () => {
    for (const seed of [4010, 1, 99]) {
      const world = await buildFixtureWorld(seed);
      const apps = new Map(world.apps.map((a) => [a.guid, a]));
      expect(world.packages.filter((p) => p.type === "docker")).toHaveLength(1);
      for (const p of world.packages) {
        const app = apps.get(p.appGuid);
        expect(app, `package ${p.guid}`).toBeDefined();
        expect(app!.lifecycle ?? "buildpack").toBe(p.type === "docker" ? "docker" : "buildpack");
      }
      const docker = world.apps.find((a) => a.name === "docker-app");
      expect(docker).toMatchObject({ lifecycle: "docker" });
      expect(world.spaces.find((s) => s.guid === docker!.spaceGuid)!.name).toBe("mock-space");
    }
  });

  it("is the same world for the same seed", async () => {
    expect(await buildFixtureWorld(7)).toEqual(await buildFixtureWorld(7));
  });
});
