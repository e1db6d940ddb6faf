/**
 * World-file text to a value: YAML, or JSON when the file name ends in `.json`.
 * A syntax error is reported with its line and column; a parsed document comes
 * with a {@link Locator} that finds the line and column of any place in it, so
 * that later checks, which see only the value, can say where their problems are.
 */
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { Locator, WorldProblem } from "./problems.js";

/** A parsed world file, or the one problem that stopped the parsing. */
export type ParseResult = { ok: true; value: unknown; locate: Locator } | { ok: false; problem: WorldProblem };

/** Whether a world file is read as JSON (by its name) rather than YAML. */
const isJsonFile = (file: string): boolean => /\.json$/i.test(file);

const EMPTY = "the file is empty; a world file is a mapping with orgs, users and feature_flags";

/**
 * Parses the text of `file` (only its name is used, to choose YAML or JSON).
 * An empty document is a problem too: there is nothing to check a schema against.
 */
export function parseWorldText(file: string, text: string): ParseResult {
  const result = isJsonFile(file) ? parseJson(text) : parseYaml(text);
  if (result.ok && (result.value === null || result.value === undefined)) {
    return { ok: false, problem: { location: null, line: null, column: null, problem: EMPTY } };
  }
  return result;
}

function parseYaml(text: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const what = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    const pos = first.linePos?.[0];
    return {
      ok: false,
      problem: syntaxProblem(pos ? { line: pos.line, column: pos.col } : null, `invalid YAML: ${what}`),
    };
  }
  return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }), locate: locator(doc, lines) };
}

function parseJson(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse's wording is the one JSON users know; only its position is reworded.
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const what = message
      .replace(/\s*\(line \d+ column \d+\)/, "")
      .replace(/ in JSON at position \d+/, "")
      .replace(/^JSON\.parse: /, "");
    return { ok: false, problem: syntaxProblem(at ? lineColumn(text, Number(at[1])) : null, `invalid JSON: ${what}`) };
  }
  // JSON is YAML 1.2, so the YAML parser knows where everything is. Duplicate keys are
  // allowed in JSON (the last one wins, as the locator's search does).
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
  return { ok: true, value, locate: locator(doc, lines) };
}

function syntaxProblem(pos: { line: number; column: number } | null, problem: string): WorldProblem {
  return pos
    ? { location: `line ${pos.line}, column ${pos.column}`, line: pos.line, column: pos.column, problem }
    : { location: null, line: null, column: null, problem };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The {@link Locator} of a parsed document. */
function locator(doc: Document, lines: LineCounter): Locator {
  return (at, onKey = false) => {
    let found: Node | null = isNode(doc.contents) ? doc.contents : null;
    let node: unknown = found;
    for (const [i, segment] of at.entries()) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      if (isMap(node)) {
        // Keys are compared as text: the value's keys are strings, and a pointer turns "0" into 0.
        const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        if (onKey && i === at.length - 1 && isNode(pair.key)) {
          found = pair.key;
          break;
        }
        next = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      if (!isNode(next)) break;
      node = next;
      found = next;
    }
    const start = found?.range?.[0];
    if (start === undefined) return null;
    const { line, col } = lines.linePos(start);
    return { line, column: col };
  };
}
