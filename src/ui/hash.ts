/**
 * The page's address after `#`: the view, and the sandbox the page looks at, as
 * `#requests&sandbox=alice`, so that a reload (or a shared link) shows the same view of the same
 * sandbox. The fragment never reaches the server. `#token=…` (the start banner's link when the
 * admin API needs a token) is read once and then dropped from the address.
 */
export interface PageHash {
  /** The view's id, or "" when the address names none. */
  tab: string;
  /** The sandbox; null for the default one. */
  sandbox: string | null;
  token: string | null;
}

export function readHash(hash: string): PageHash {
  const out: PageHash = { tab: "", sandbox: null, token: null };
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq === -1) {
      if (part) out.tab = part;
      continue;
    }
    const key = part.slice(0, eq);
    const value = safeDecode(part.slice(eq + 1));
    if (key === "sandbox") out.sandbox = value === "" || value === "default" ? null : value;
    else if (key === "token" && value) out.token = value;
    else if (key === "view") out.tab = value;
  }
  return out;
}

export function writeHash(tab: string, sandbox: string | null): string {
  return `#${tab}${sandbox === null ? "" : `&sandbox=${encodeURIComponent(sandbox)}`}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
