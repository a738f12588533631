import { describe, expect, it } from "vitest";
import { lineKinds, linesOf, withoutComments } from "../../src/core/text/scanner.js";

const kinds = (body: string, unclosed: "rest" | "nothing") => lineKinds(linesOf(body), { unclosed });

describe("lineKinds", () => {
  it("marks fences, quotes, multi-line comments and Firebreak regions", () => {
    const body = ["a", "```js", "/resolve", "```", "> quoted", "<!--", "hidden", "-->", "<!-- firebreak:card:start -->", "card", "<!-- firebreak:card:end -->", "b"].join("\r\n");
    expect(kinds(body, "rest")).toEqual(["text", "code", "code", "code", "quote", "comment", "comment", "comment", "firebreak", "firebreak", "firebreak", "text"]);
  });

  it("lets an unclosed fence run to the end, or cover nothing", () => {
    expect(kinds("a\n```\nb\nc", "rest")).toEqual(["text", "code", "code", "code"]);
    expect(kinds("a\n```\nb\nc", "nothing")).toEqual(["text", "text", "text", "text"]);
    expect(kinds("<!--\nb", "rest")).toEqual(["comment", "comment"]);
    expect(kinds("<!--\nb", "nothing")).toEqual(["text", "text"]);
  });

  it("closes a fence only with the same character, at least as long", () => {
    expect(kinds("````\n```\n~~~~\n````\nx", "nothing")).toEqual(["code", "code", "code", "code", "text"]);
  });
});

describe("withoutComments", () => {
  it("blanks comments inside and across lines, keeping the line breaks", () => {
    expect(withoutComments("a <!-- b --> c\n<!--\nd\n-->e")).toBe("a  c\n\n\ne");
  });
});
