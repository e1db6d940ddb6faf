/**
 * The dashboard's files (`/__mock/ui/`) as the package ships them: `dist/ui/`, built by
 * `scripts/build.mjs` from `src/ui/`. Read from disk on each request (a few small files; the
 * page asks for them once), so the core never holds the page and browser bundles of the core
 * never carry it.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { UiFiles } from "../core/routes/dashboard.js";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** Where the built page is: beside the compiled code (`dist/src/node` → `dist/ui`), or `dist/ui` from the sources. */
function uiFolder(): string | null {
  for (const relative of ["../../ui/", "../../dist/ui/"]) {
    const folder = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${folder}index.html`)) return folder;
  }
  return null;
}

/** The dashboard's files, or null when the package was built without them. */
export function packagedUiFiles(): UiFiles | null {
  const folder = uiFolder();
  if (folder === null) return null;
  return async (name) => {
    const type = TYPES[name.slice(name.lastIndexOf(".") + 1)];
    if (type === undefined) return null;
    try {
      return { body: await readFile(`${folder}${name}`, "utf8"), contentType: type };
    } catch {
      return null;
    }
  };
}
