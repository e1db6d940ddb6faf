/**
 * World files: a team describes its own world (orgs, spaces, apps, packages,
 * users and their roles, feature flags) by name in YAML or JSON, and the
 * simulator starts on it. The format is published as a JSON Schema in
 * `fixtures/world.schema.json`; `fixtures/world-file.example.yaml` is a
 * documented sample.
 *
 * This is the Node side only: reading the file, the schema and the bits it
 * names. Parsing (`src/world-file/parse.ts`), the schema's messages
 * (`schema-messages.ts`) and building the world (`build.ts`) run anywhere.
 *
 * @example
 * import { createSimulator } from "mock-packages";
 * import { loadWorldFile } from "mock-packages/node";
 * const sim = createSimulator({ world: await loadWorldFile("my-world.yaml") });
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { WorldData } from "../core/world/model.js";
import type { BitsFile, ReadBits } from "../world-file/bits.js";
import { buildWorld } from "../world-file/build.js";
import type { WorldDocument } from "../world-file/document.js";
import { parseWorldText } from "../world-file/parse.js";
import { placeProblems, type WorldProblem } from "../world-file/problems.js";
import { schemaProblems } from "../world-file/schema-messages.js";

export { formatLocation } from "../world-file/problems.js";
export type { WorldProblem } from "../world-file/problems.js";

/** Where the published schema lives. */
export const WORLD_SCHEMA_URL = new URL("../../fixtures/world.schema.json", import.meta.url);

/**
 * A world file that cannot be loaded, with every problem found in it. The
 * message names the file, the place in it (`orgs[0].spaces[1].apps[0].packages[2].state`,
 * or `line 3, column 7` for a syntax error) and what is wrong; with several
 * problems it counts them and gives each its own line, with line and column.
 */
export class WorldFileError extends Error {
  /** The file as it was given to {@link loadWorldFile}. */
  readonly file: string;
  /** The place of the first problem, or null when it is about the file as a whole. */
  readonly location: string | null;
  /** What is wrong at the first problem, without the file and place. */
  readonly problem: string;
  /** Every problem, in the order of the file. */
  readonly problems: readonly WorldProblem[];

  /** One problem at `location`, or (with a list) every problem found. */
  constructor(file: string, location: string | null, problem: string);
  constructor(file: string, problems: readonly WorldProblem[]);
  constructor(file: string, where: string | null | readonly WorldProblem[], problem?: string) {
    const problems: readonly WorldProblem[] =
      typeof where === "string" || where === null
        ? [{ location: where, line: null, column: null, problem: problem ?? "" }]
        : where;
    super(messageOf(file, problems));
    this.name = "WorldFileError";
    this.file = file;
    this.location = problems[0]?.location ?? null;
    this.problem = problems[0]?.problem ?? "";
    this.problems = problems;
  }
}

function messageOf(file: string, problems: readonly WorldProblem[]): string {
  if (problems.length === 1) {
    const { location, problem } = problems[0]!;
    return location === null ? `${file}: ${problem}` : `${file}: ${location}: ${problem}`;
  }
  const lines = problems.map((p) => {
    const where = p.location ?? "the file";
    // A syntax error's location is its line and column already.
    const pos = p.line === null || where.startsWith("line ") ? "" : ` (line ${p.line}, column ${p.column})`;
    return `  ${where}${pos}: ${p.problem}`;
  });
  return `${file}: ${problems.length} problems:\n${lines.join("\n")}`;
}

let schema: Promise<object> | undefined;

/** The published schema, read once. */
function worldSchema(): Promise<object> {
  schema ??= readFile(WORLD_SCHEMA_URL, "utf8").then((text) => JSON.parse(text) as object);
  return schema;
}

/**
 * Reads a world file (YAML, or JSON when it ends in `.json`), checks it against
 * `fixtures/world.schema.json` and its references, reads the bits it names
 * (relative to the file), and answers the world for `createSimulator({ world })`.
 * Throws {@link WorldFileError} with every problem: the syntax error, or else
 * every place that breaks the schema, or else every other mistake (duplicate
 * names and guids, roles naming unknown orgs or spaces, missing bits, …).
 */
export async function loadWorldFile(file: string): Promise<WorldData> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a file" : (error as Error).message;
    throw new WorldFileError(file, null, `cannot read the world file: ${why}`);
  }
  const parsed = parseWorldText(file, text);
  if (!parsed.ok) throw new WorldFileError(file, [parsed.problem]);
  const invalid = schemaProblems(await worldSchema(), parsed.value);
  if (invalid.length) throw new WorldFileError(file, placeProblems(invalid, parsed.locate));
  const built = await buildWorld(parsed.value as WorldDocument, bitsReader(dirname(resolve(file))));
  if (!built.ok) throw new WorldFileError(file, placeProblems(built.problems, parsed.locate));
  return built.world;
}

/** Reads bits from the file system, relative to the world file's folder. */
function bitsReader(baseDir: string): ReadBits {
  return async (ref) => {
    const full = resolve(baseDir, ref);
    try {
      const info = await stat(full);
      if (info.isDirectory()) return { kind: "folder", files: await folderFiles(full) };
      return { kind: "file", bytes: new Uint8Array(await readFile(full)) };
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      if (code === "ENOENT") return { kind: "problem", problem: `no such file or folder: ${ref} (looked for ${full})` };
      return { kind: "problem", problem: `cannot read ${ref}: ${message}` };
    }
  };
}

/** Orders names as bytes, so that folders zip the same on every machine and locale. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The files of a folder, recursively, sorted, with their modes; symlinks to files are followed, to folders skipped. */
async function folderFiles(root: string): Promise<BitsFile[]> {
  const out: BitsFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const name = prefix + entry.name;
      if (entry.isDirectory()) {
        await walk(full, `${name}/`);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) continue;
      out.push({ name, mode: info.mode & 0o7777, bytes: new Uint8Array(await readFile(full)) });
    }
  };
  await walk(root, "");
  return out;
}
