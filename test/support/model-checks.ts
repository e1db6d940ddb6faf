/**
 * What the commands of test/model.test.ts share: the simulator they drive, the package a
 * command aims at, and the checks of answers against the reference model (support/model.ts).
 */
import { expect } from "vitest";
import type { Simulator } from "../../src/index.js";
import { DEV } from "./api.js";
import type { Answer, Client } from "./client.js";
import { sha256 } from "./hash.js";
import { pickGuid, type Expected, type Model, type ModelPackage } from "./model.js";

export interface Real {
  sim: Simulator;
  api: Client;
}

/**
 * Which package a command aims at: one of the last two guids seen (so that sequences such
 * as copy, delete the source, download the copy are likely), one that exists, or any guid
 * seen since the run began (deleted ones too, and those of a world before a reset).
 */
export interface Target {
  from: "recent" | "live" | "any";
  pick: number;
}

export function resolve(model: Model, target: Target): string {
  const live = [...model.packages.values()].sort((a, b) => a.created - b.created);
  if (target.from === "recent") return model.known[Math.max(0, model.known.length - 1 - (target.pick % 2))]!;
  if (target.from === "live" && live.length) return live[target.pick % live.length]!.guid;
  return pickGuid(model, target.pick);
}

/** Fails unless the answer is one of `expected`; answers the one it is. */
export function expectAnswer(answer: Answer, ...expected: Array<Expected & { context?: string }>): Expected {
  const match = expected.find(
    (e) =>
      e.status === answer.status &&
      (e.title === undefined || answer.json?.errors?.[0]?.title === e.title) &&
      (e.detail === undefined || answer.json?.errors?.[0]?.detail === e.detail),
  );
  const context = expected[0]?.context ? `${expected[0].context}: ` : "";
  const wanted = expected.map(({ context: _, ...e }) => e);
  expect(
    match,
    `${context}expected ${JSON.stringify(wanted)}, got ${answer.status} ${answer.text.slice(0, 300)}`,
  ).toBeDefined();
  return match!;
}

/** What the package JSON must show for a model package. */
export function expectShown(json: any, pkg: ModelPackage): void {
  expect({ guid: json.guid, type: json.type, state: json.state, app: json.relationships?.app?.data?.guid }).toEqual({
    guid: pkg.guid,
    type: pkg.type,
    state: pkg.state,
    app: pkg.appGuid,
  });
  if (pkg.type !== "bits") return;
  expect(json.data.error, `data.error of ${pkg.guid}`).toBe(pkg.error);
  expectChecksum(pkg, json.data.checksum.value);
}

/** A READY package's checksum is its bits' sha256 (learnt from the first answer that shows it); null otherwise. */
export function expectChecksum(pkg: ModelPackage, value: string | null): void {
  if (pkg.state !== "READY" || !pkg.bits) return void expect(value, `checksum of ${pkg.guid}`).toBeNull();
  expect(value, `checksum of ${pkg.guid}`).toMatch(/^[0-9a-f]{64}$/);
  pkg.bits.sha256 ??= value!;
  expect(value, `checksum of ${pkg.guid}`).toBe(pkg.bits.sha256);
}

export const settle = (real: Real) => real.sim.idle();

/** `GET /v3/packages/{guid}/download`, following a blobstore redirect; answers the final answer. */
export async function download(real: Real, guid: string): Promise<Answer> {
  const r = await real.api.call(`/v3/packages/${guid}/download`, { user: DEV });
  if (r.status !== 302) return r;
  // A remote blobstore's answer (i11's download redirects): the signed URL needs no token.
  const location = new URL(r.headers.get("location")!);
  return real.api.call(location.pathname + location.search);
}

/**
 * After a delete or an expiry: every package that the model says is READY still downloads its
 * own bits (losing a package's bits must never take another's).
 */
export async function expectDownloads(model: Model, real: Real): Promise<void> {
  for (const pkg of model.packages.values()) {
    if (pkg.type !== "bits" || pkg.state !== "READY") continue;
    const r = await download(real, pkg.guid);
    expectAnswer(r, { status: 200, context: `download of READY ${pkg.guid}` });
    expectChecksum(pkg, sha256(r.bytes));
  }
}
