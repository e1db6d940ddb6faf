/**
 * A small router behind a small interface (as hono keeps its routers): routes
 * are added as `METHOD /path/{param}` templates, and a request's method and
 * path find at most one handler, with its decoded parameters.
 */

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
}

export interface Router<H> {
  add(method: string, template: string, handler: H): this;
  /**
   * The handler for a method and a path, or null. A trailing slash is allowed. A HEAD without a
   * HEAD route of its own gets the GET route's handler.
   */
  match(method: string, path: string): Match<H> | null;
}

interface Route<H> {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: H;
}

/** A router that tries its routes in the order they were added. */
export function createRouter<H>(): Router<H> {
  const routes: Route<H>[] = [];
  return {
    add(method, template, handler) {
      const keys: string[] = [];
      // Literal text matches only itself; each {param} matches one segment.
      const source = template
        .split(/(\{\w+\})/)
        .map((part) => {
          const param = /^\{(\w+)\}$/.exec(part);
          if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          keys.push(param[1]!);
          return "([^/]+)";
        })
        .join("");
      routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), keys, handler });
      return this;
    },
    match(method, path) {
      const upper = method.toUpperCase();
      // Rails routes a HEAD to the GET route of its path (`Rack::Head` then drops the body).
      return find(upper, path) ?? (upper === "HEAD" ? find("GET", path) : null);
    },
  };

  function find(upper: string, path: string): Match<H> | null {
    for (const route of routes) {
      if (route.method !== upper) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = safeDecode(m[i + 1]!);
      });
      return { handler: route.handler, params };
    }
    return null;
  }
}

/** A path segment as a string; one that is not valid percent-encoding is kept as sent. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
