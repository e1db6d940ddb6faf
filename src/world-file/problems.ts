/**
 * What the world-file modules say about a file: places inside the document (a
 * path of keys and indexes) and the problems found there. Shared by the parser,
 * the schema messages and the builder, so that each reports in the same shape
 * and the loader can put line and column on all of them at once.
 */

/** A key of a mapping or an index of a list. */
export type Segment = string | number;

/** A problem at a place in the document, before line and column are known. */
export interface PathProblem {
  /** The place: `["orgs", 0, "name"]`. It may not exist in the file (a missing property). */
  at: Segment[];
  /** What is wrong, without the place. */
  problem: string;
  /** The problem is the key itself (an unknown property), not its value. */
  onKey?: boolean;
}

/** A problem as reported: the place as text, its line and column where known, and what is wrong. */
export interface WorldProblem {
  /** `orgs[0].spaces[1].name`, `line 3, column 7` for a syntax error, or null for the file as a whole. */
  location: string | null;
  /** 1-based, or null when the problem has no place in the text. */
  line: number | null;
  /** 1-based, or null when the problem has no place in the text. */
  column: number | null;
  problem: string;
}

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Finds a place in the document: the value at `at`, or its key when `onKey`.
 * A place the file does not have (a missing property) is answered with its
 * nearest ancestor that it does have; null only when the text has no document.
 */
export type Locator = (at: readonly Segment[], onKey?: boolean) => Position | null;

/** `orgs[0].spaces[1].name`; keys that are not plain words are quoted: `labels["example.com/x"]`. */
export function formatLocation(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === "" ? "(top level)" : out;
}

/**
 * Gives each problem its line and column and orders them as the file does.
 * Checks run in the schema's or the builder's order, not the file's; people
 * read a list of mistakes top to bottom.
 */
export function placeProblems(problems: readonly PathProblem[], locate: Locator): WorldProblem[] {
  const placed = problems.map((p) => {
    const pos = locate(p.at, p.onKey);
    return { location: formatLocation(p.at), line: pos?.line ?? null, column: pos?.column ?? null, problem: p.problem };
  });
  // Array.prototype.sort is stable, so problems at one place keep the order they were found in.
  return placed.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}
