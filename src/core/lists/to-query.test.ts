import { describe, expect, it } from "vitest";
import { cgiEscape, rubyUnescape, toQuery } from "./to-query.js";

describe("cgiEscape (Ruby's CGI.escape)", () => {
  it("keeps letters, digits and _.-~, writes a space as +, escapes the rest in upper-case hex", () => {
    expect(cgiEscape("aZ09_.-~")).toBe("aZ09_.-~");
    expect(cgiEscape("a b")).toBe("a+b");
    expect(cgiEscape("+created_at")).toBe("%2Bcreated_at");
    expect(cgiEscape("created_ats[gt]")).toBe("created_ats%5Bgt%5D");
    expect(cgiEscape("2020-01-01T00:00:00Z")).toBe("2020-01-01T00%3A00%3A00Z");
    expect(cgiEscape("a,b*!'()")).toBe("a%2Cb%2A%21%27%28%29");
    expect(cgiEscape("é")).toBe("%C3%A9");
  });
});

describe("toQuery (ActiveSupport's Hash#to_query)", () => {
  it("sorts the escaped name=value pairs", () => {
    expect(
      toQuery([
        ["states", "READY"],
        ["guids", "a,b"],
        ["order_by", "-created_at"],
        ["page", "2"],
        ["per_page", "10"],
        ["created_ats[lt]", "2020-01-01T00:00:00Z"],
        ["created_ats", "x"],
      ]),
    ).toBe(
      "created_ats%5Blt%5D=2020-01-01T00%3A00%3A00Z&created_ats=x&guids=a%2Cb&order_by=-created_at&page=2&per_page=10&states=READY",
    );
  });
});

describe("rubyUnescape (Addressable::URI.unescape)", () => {
  it("decodes %XX runs as UTF-8 and keeps anything else", () => {
    expect(rubyUnescape("a%2Cb")).toBe("a,b");
    expect(rubyUnescape("%C3%A9t%C3%A9")).toBe("été");
    expect(rubyUnescape("100%")).toBe("100%");
    expect(rubyUnescape("%zz+")).toBe("%zz+");
  });
});
