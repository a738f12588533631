// SPEC §13 "User text is inert": what Firebreak repeats from users renders as plain text.
import { describe, expect, it } from "vitest";
import { inert, inline, person } from "../../src/core/text/inert.js";

const WJ = "\u2060";

describe("inert user text (issue 11 item 10)", () => {
  it("copied markup cannot render a link, an image or an autolink on the card", () => {
    const out = inline("see [the fix](https://evil.example/phish) ![x](https://evil.example/p.png) <https://evil.example> www.evil.example mailto:a@b.c");
    expect(out).not.toMatch(/(?<!\\)\[/);
    expect(out).not.toMatch(/https?:\/\//);
    expect(out).not.toMatch(/www\./);
    expect(out).not.toContain("<");
    expect(out).toContain("&lt;");
  });

  it("a #12 or owner/repo#12 in a reply creates no cross-reference backlink", () => {
    const out = inline("same as #12 and acme/other#7 and GH-3");
    expect(out).not.toMatch(/#\d/);
    expect(out).not.toMatch(/GH-\d/i);
    expect(out).toContain(`#${WJ}12`);
  });

  it("zero-width and bidi characters cannot hide or reorder text", () => {
    const out = inline("pay\u200Bpal \u202Egnp.exe\u202C \u2066x\u2069 \uFEFFy \u200Dz");
    expect(out).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/);
  });

  it("HTML is escaped and mentions notify nobody", () => {
    const out = inline("<img src=x onerror=alert(1)> <!-- firebreak:reply x --> @alice @acme/everyone");
    expect(out).not.toMatch(/<|>/);
    expect(out).not.toMatch(/@[A-Za-z]/);
  });

  it("multi-line text and logins get the same treatment", () => {
    const out = inert("line [a](http://x.y)\n@bob #5");
    expect(out).not.toMatch(/http:\/\/|@b|#5/);
    expect(person("@alice @bob @acme/everyone")).toBe("`@alice@bob@acme/everyone`");
    expect(person("a`b\u202Ec")).toBe("`abc`");
  });
});
