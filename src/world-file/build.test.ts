/**
 * The world builder (src/world-file/build.ts) on its own: no file system, bits
 * through the callback, and every semantic problem collected.
 */
import { describe, expect, it } from "vitest";
import { readZipDirectory } from "../core/zip/reader.js";
import { stableGuid } from "../core/world/stable-guid.js";
import type { BitsSource } from "./bits.js";
import { buildWorld } from "./build.js";
import type { DocPackage, WorldDocument } from "./document.js";

const oneApp = (packages: DocPackage[]): WorldDocument => ({
  orgs: [{ name: "o", spaces: [{ name: "s", apps: [{ name: "a", packages }] }] }],
});

describe("buildWorld", () => {
  it("reads bits only through the callback, and zips a folder it answers", async () => {
    const asked: string[] = [];
    const readBits = async (ref: string): Promise<BitsSource> => {
      asked.push(ref);
      return { kind: "folder", files: [{ name: "a.txt", mode: 0o644, bytes: new TextEncoder().encode("a\n") }] };
    };
    const built = await buildWorld(oneApp([{ state: "READY", bits: "src" }, { state: "READY" }]), readBits);
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    expect(asked).toEqual(["src"]);
    const bits = built.world.packages[0]!.bits!;
    const dir = await readZipDirectory(async (s, e) => bits.slice(s, e), bits.length);
    expect(dir.entries.map((e) => e.name)).toEqual(["a.txt"]);
    expect(built.world.packages.map((p) => p.guid)).toEqual([
      stableGuid("package", "o/s/a#0"),
      stableGuid("package", "o/s/a#1"),
    ]);
  });

  it("collects every problem, the callback's too, without repeating guids derived below a duplicate name", async () => {
    const readBits = async (ref: string): Promise<BitsSource> => ({ kind: "problem", problem: `no ${ref}` });
    const doc: WorldDocument = {
      orgs: [
        { name: "o", spaces: [{ name: "s", apps: [{ name: "a", packages: [{ state: "READY", bits: "x.zip" }] }] }] },
        { name: "o", spaces: [{ name: "s" }] },
      ],
      users: [{ name: "u", roles: ["org_user@p", "space_auditor@o/t"] }],
    };
    const built = await buildWorld(doc, readBits);
    expect(built.ok ? [] : built.problems).toEqual([
      { at: ["orgs", 0, "spaces", 0, "apps", 0, "packages", 0, "bits"], problem: "no x.zip" },
      { at: ["orgs", 1, "name"], problem: 'duplicate org name "o" (first at orgs[0])' },
      { at: ["users", 0, "roles", 0], problem: 'unknown org "p" in "org_user@p" (orgs in this file: o)' },
      { at: ["users", 0, "roles", 1], problem: 'unknown space "t" of org o in "space_auditor@o/t" (its spaces: s)' },
    ]);
  });

  it("a bits file that is not a zip, and a folder without files", async () => {
    const sources: Record<string, BitsSource> = {
      "text.zip": { kind: "file", bytes: new TextEncoder().encode("not a zip") },
      empty: { kind: "folder", files: [] },
    };
    const built = await buildWorld(
      oneApp([
        { state: "READY", bits: "text.zip" },
        { state: "READY", bits: "empty" },
      ]),
      async (ref) => sources[ref]!,
    );
    expect(built.ok ? [] : built.problems.map((p) => p.problem)).toEqual([
      "text.zip is not a zip archive (too short to be a zip archive)",
      "the folder empty holds no files",
    ]);
  });

  it("keeps users' passwords and the clients, and refuses duplicate client ids and the cf client", async () => {
    const readBits = async (): Promise<BitsSource> => ({ kind: "problem", problem: "unused" });
    const good = await buildWorld(
      {
        users: [{ name: "u", password: "hunter2" }, { name: "v" }],
        clients: [
          { id: "bot", secret: "s", scopes: ["cloud_controller.read"] },
          { id: "ops", secret: "", admin: true },
        ],
      },
      readBits,
    );
    if (!good.ok) throw new Error(JSON.stringify(good.problems));
    expect(good.world.users.map((u) => u.password)).toEqual(["hunter2", undefined]);
    expect(good.world.clients).toEqual([
      { id: "bot", secret: "s", scopes: ["cloud_controller.read"] },
      { id: "ops", secret: "", admin: true },
    ]);
    const bad = await buildWorld(
      {
        clients: [
          { id: "bot", secret: "a" },
          { id: "bot", secret: "b" },
          { id: "cf", secret: "" },
        ],
      },
      readBits,
    );
    expect(bad.ok ? [] : bad.problems).toEqual([
      { at: ["clients", 1, "id"], problem: 'duplicate client id "bot" (first at clients[0].id)' },
      {
        at: ["clients", 2, "id"],
        problem: `the client "cf" is the cf CLI's own (password and refresh grants); give this client another id`,
      },
    ]);
  });
});
