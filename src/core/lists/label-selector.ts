/**
 * `label_selector` as the Cloud Controller reads it
 * (`lib/cloud_controller/label_selector/label_selector_parser.rb`): requirements
 * joined by commas, each `key`, `!key`, `key=value`, `key==value`, `key!=value`,
 * `key in (a,b)` or `key notin (a,b)`.
 */
import { CfError } from "../errors.js";

type Requirement = (labels: Record<string, string>) => boolean;

/** Only a set's own labels count: `constructor` or `toString` are not labels of every set. */
const has = (labels: Record<string, string>, key: string) => Object.hasOwn(labels, key);

export function parseLabelSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      if (current !== "") parts.push(current);
      current = "";
    } else current += ch;
  }
  if (current !== "") parts.push(current);
  // As the controller's splitter (`/(?:\(.*?\)|[^,])+/`) does, empty requirements are skipped;
  // the messages are the controller's, without the selector (label_selector_requirement_validator.rb).
  if (parts.length === 0) throw new CfError("BadQueryParameter", "Missing label_selector value");
  const invalid = () => new CfError("BadQueryParameter", "Invalid label_selector value");
  return parts.map((raw): Requirement => {
    const part = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const [, key, op, list] = m;
      const values = list!.split(",").map((v) => v.trim());
      return op === "in"
        ? (l) => has(l, key!) && values.includes(l[key!]!)
        : (l) => !has(l, key!) || !values.includes(l[key!]!);
    }
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part))) {
      const [, key, op, value] = m;
      return op === "!=" ? (l) => !has(l, key!) || l[key!] !== value : (l) => has(l, key!) && l[key!] === value;
    }
    if ((m = /^!([\w./-]+)$/.exec(part))) {
      const key = m[1]!;
      return (l) => !has(l, key);
    }
    if ((m = /^([\w./-]+)$/.exec(part))) {
      const key = m[1]!;
      return (l) => has(l, key);
    }
    throw invalid();
  });
}

export function matchesLabels(requirements: Requirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => r(labels));
}
