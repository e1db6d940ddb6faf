/**
 * Finding fixture things by name in a simulator's state.
 */
import type { Simulator } from "../../src/index.js";
import type { PackageState, PackageType } from "../../src/core/world/model.js";

export function appGuid(sim: Simulator, name: string): string {
  for (const app of sim.state.apps.values()) if (app.name === name) return app.guid;
  throw new Error(`no app named ${name}`);
}

export function packageGuid(sim: Simulator, app: string, state: PackageState, type: PackageType = "bits"): string {
  const guid = appGuid(sim, app);
  for (const p of sim.state.packages.values()) {
    if (p.appGuid === guid && p.state === state && p.type === type) return p.guid;
  }
  throw new Error(`no ${type} package of ${app} in ${state}`);
}

export function orgByName(sim: Simulator, name: string) {
  for (const org of sim.state.orgs.values()) if (org.name === name) return org;
  throw new Error(`no org named ${name}`);
}

export function spaceByName(sim: Simulator, name: string) {
  for (const space of sim.state.spaces.values()) if (space.name === name) return space;
  throw new Error(`no space named ${name}`);
}

/** Waits until the simulator's background jobs are done. */
export async function settle(sim: Simulator): Promise<void> {
  await sim.idle();
}

/** The keys of the package JSON, in the order the Cloud Controller emits them (`package_presenter.rb`). */
export const PACKAGE_KEYS = [
  "guid",
  "created_at",
  "updated_at",
  "type",
  "data",
  "state",
  "relationships",
  "metadata",
  "links",
] as const;
