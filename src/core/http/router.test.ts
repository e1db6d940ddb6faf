import { describe, expect, it } from "vitest";
import { createRouter } from "./router.js";

/** A router whose handlers are their names, so that a match shows which route won. */
function routes(...table: Array<[method: string, template: string, name: string]>) {
  const router = createRouter<string>();
  for (const [method, template, name] of table) router.add(method, template, name);
  return router;
}

describe("createRouter().add", () => {
  it("returns the router, so that calls chain", () => {
    const router = createRouter<string>();
    expect(router.add("GET", "/a", "a")).toBe(router);
  });
});

describe("createRouter().match", () => {
  it("finds a template without parameters, with empty params", () => {
    const router = routes(["GET", "/v3/info", "info"]);
    expect(router.match("GET", "/v3/info")).toEqual({ handler: "info", params: {} });
  });

  it("names each {param} segment by its key", () => {
    const router = routes(["POST", "/v3/packages/{guid}/upload", "upload"]);
    expect(router.match("POST", "/v3/packages/abc-123/upload")).toEqual({
      handler: "upload",
      params: { guid: "abc-123" },
    });
  });

  it("takes several parameters in one template", () => {
    const router = routes(["GET", "/v3/{kind}/{guid}/{what}", "nested"]);
    expect(router.match("GET", "/v3/packages/p1/droplets")?.params).toEqual({
      kind: "packages",
      guid: "p1",
      what: "droplets",
    });
  });

  it("decodes percent-encoded parameters", () => {
    const router = routes(["GET", "/v3/packages/{guid}", "show"]);
    expect(router.match("GET", "/v3/packages/a%20b%2Fc%C3%A9")?.params).toEqual({ guid: "a b/cé" });
  });

  it("keeps a parameter that is not valid percent-encoding as it was sent", () => {
    const router = routes(["GET", "/v3/packages/{guid}", "show"]);
    expect(router.match("GET", "/v3/packages/100%")?.params).toEqual({ guid: "100%" });
    expect(router.match("GET", "/v3/packages/%E0%A4%A")?.params).toEqual({ guid: "%E0%A4%A" });
  });

  it("allows one trailing slash", () => {
    const router = routes(["GET", "/v3/packages/{guid}", "show"], ["GET", "/v3", "root"]);
    expect(router.match("GET", "/v3/packages/p1/")).toEqual({ handler: "show", params: { guid: "p1" } });
    expect(router.match("GET", "/v3/")?.handler).toBe("root");
    expect(router.match("GET", "/v3//")).toBeNull();
  });

  it("matches the method case-insensitively, however the route was added", () => {
    const router = routes(["post", "/v3/packages", "create"]);
    expect(router.match("POST", "/v3/packages")?.handler).toBe("create");
    expect(router.match("Post", "/v3/packages")?.handler).toBe("create");
    expect(router.match("post", "/v3/packages")?.handler).toBe("create");
  });

  it("does not match a route of another method", () => {
    const router = routes(["GET", "/v3/packages", "list"]);
    expect(router.match("DELETE", "/v3/packages")).toBeNull();
  });

  it("answers with the route added first when several match", () => {
    const router = routes(
      ["GET", "/v3/packages/{guid}", "by-guid"],
      ["GET", "/v3/packages/special", "special"],
      ["GET", "/v3/packages/{other}", "other"],
    );
    expect(router.match("GET", "/v3/packages/special")).toEqual({ handler: "by-guid", params: { guid: "special" } });
  });

  it("skips routes of other methods before the first that matches", () => {
    const router = routes(["GET", "/v3/packages/{guid}", "show"], ["PATCH", "/v3/packages/{guid}", "update"]);
    expect(router.match("PATCH", "/v3/packages/p1")?.handler).toBe("update");
  });

  it("answers null when no route matches", () => {
    const router = routes(["GET", "/v3/packages/{guid}", "show"]);
    expect(router.match("GET", "/v3/apps/a1")).toBeNull();
    expect(router.match("GET", "/v3/packages")).toBeNull();
    expect(router.match("GET", "/v3/packages/")).toBeNull();
    expect(router.match("GET", "/prefix/v3/packages/p1")).toBeNull();
    expect(router.match("GET", "/v3/packages/p1/upload")).toBeNull();
  });

  it("answers null from an empty router", () => {
    expect(createRouter<string>().match("GET", "/")).toBeNull();
  });

  it("never lets a parameter span a slash", () => {
    const router = routes(["GET", "/v3/packages/{guid}", "show"], ["GET", "/files/{name}/raw", "raw"]);
    expect(router.match("GET", "/v3/packages/a/b")).toBeNull();
    expect(router.match("GET", "/files/a/b/raw")).toBeNull();
    expect(router.match("GET", "/files/a/raw")?.params).toEqual({ name: "a" });
  });

  it("keeps an encoded slash inside one parameter, decoded", () => {
    const router = routes(["GET", "/files/{name}/raw", "raw"]);
    expect(router.match("GET", "/files/a%2Fb/raw")?.params).toEqual({ name: "a/b" });
  });
});

describe("createRouter().match, literal text of a template", () => {
  // The text outside {param} matches only itself: `.`, `+`, `(`, `?` are not RegExp syntax here.
  it("matches a '.' in a template only as a '.'", () => {
    const router = routes(["GET", "/v2/info.json", "info"]);
    expect(router.match("GET", "/v2/infoXjson")).toBeNull();
  });
});

describe("createRouter().match, HEAD", () => {
  // Rails routes a HEAD to the GET route of the same path.
  it("gives a HEAD the GET route's handler and parameters, and nothing else's", () => {
    const router = routes(["POST", "/v3/packages", "create"], ["GET", "/v3/packages/{guid}", "show"]);
    expect(router.match("HEAD", "/v3/packages/p1")).toEqual({ handler: "show", params: { guid: "p1" } });
    expect(router.match("head", "/v3/packages/p1")?.handler).toBe("show");
    expect(router.match("HEAD", "/v3/packages")).toBeNull();
  });

  it("prefers a HEAD route of its own", () => {
    const router = routes(["GET", "/x", "get"], ["HEAD", "/x", "head"]);
    expect(router.match("HEAD", "/x")?.handler).toBe("head");
  });
});
