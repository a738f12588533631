// The comment grammar (SPEC §4, §12): which lines are commands, which `key: value` lines belong
// to them, which `/words` are near misses and which are plain text.
import { describe, expect, it } from "vitest";
import type { CommandLine, NearMiss } from "../../src/core/commands/grammar.js";
import { COMMAND_NAMES, editDistance, MAX_COMMANDS_PER_COMMENT, mentionsCommand, parseComment } from "../../src/core/commands/grammar.js";

type Expected = { commands?: Partial<CommandLine>[]; nearMisses?: NearMiss[] };

const table: [string, string, Expected][] = [
  // One command per line, several per comment.
  ["a single command", "/owner @octocat", { commands: [{ name: "owner", args: "@octocat", fields: {} }] }],
  ["a command with no arguments", "/escalate", { commands: [{ name: "escalate", args: "" }] }],
  [
    "several commands, one per line, in order",
    "/owner @octocat\n/severity 1\n/layer delivery high\n/contain paused prospecting",
    {
      commands: [
        { name: "owner", args: "@octocat" },
        { name: "severity", args: "1" },
        { name: "layer", args: "delivery high" },
        { name: "contain", args: "paused prospecting" },
      ],
    },
  ],
  [
    "commands among discussion",
    "Thanks all — taking this.\n\n/owner @octocat\n\nWill report back in an hour.\n/check compare orders with purchases in 1h",
    { commands: [{ name: "owner" }, { name: "check", args: "compare orders with purchases in 1h" }] },
  ],
  ["a hyphenated command", "/not-incident seasonal dip, same as last year", { commands: [{ name: "not-incident", args: "seasonal dip, same as last year" }] }],
  ["extra spaces inside the arguments are kept, the ends trimmed", "/change   cut budget  on B   ", { commands: [{ name: "change", args: "cut budget  on B" }] }],

  // key: value lines under /update and /resolve.
  [
    "`key: value` lines under /update",
    "/update\nsymptom: purchases under-reported\nscope: Meta, Google\nlayer: measurement\nconfidence: medium\nowner: @octocat\nnext: compare with store orders",
    {
      commands: [
        {
          name: "update",
          args: "",
          fields: {
            symptom: "purchases under-reported",
            scope: "Meta, Google",
            layer: "measurement",
            confidence: "medium",
            owner: "@octocat",
            next: "compare with store orders",
          },
        },
      ],
    },
  ],
  [
    "`key: value` lines under /resolve, with a colon inside a value",
    "/resolve\ncause: theme v4.2 removed the pixel\nlayer: measurement\nevidence: tag assistant at 10:42: no fbq call\nfix: restored the snippet",
    {
      commands: [
        {
          name: "resolve",
          fields: { cause: "theme v4.2 removed the pixel", layer: "measurement", evidence: "tag assistant at 10:42: no fbq call", fix: "restored the snippet" },
        },
      ],
    },
  ],
  ["field keys are lower-cased and values trimmed", "/resolve\n  Cause :   pixel gone  \nEVIDENCE: no hits", { commands: [{ name: "resolve", fields: { cause: "pixel gone", evidence: "no hits" } }] }],
  ["a repeated key is joined", "/update\nnext: check orders\nnext: then check GA4", { commands: [{ name: "update", fields: { next: "check orders then check GA4" } }] }],
  [
    "a blank line ends a command's fields",
    "/resolve\ncause: pixel removed\n\nevidence: this line is discussion",
    { commands: [{ name: "resolve", fields: { cause: "pixel removed" } }] },
  ],
  [
    "a plain line ends a command's fields",
    "/update\nsymptom: down 40%\nI'll add more later\nnext: ignored",
    { commands: [{ name: "update", fields: { symptom: "down 40%" } }] },
  ],
  [
    "fields belong to the nearest command above",
    "/resolve\ncause: pixel removed\nevidence: no hits\n/update\nnext: watch orders",
    { commands: [{ name: "resolve", fields: { cause: "pixel removed", evidence: "no hits" } }, { name: "update", fields: { next: "watch orders" } }] },
  ],
  ["`key: value` lines with no command above are discussion", "cause: pixel removed\nevidence: no hits", {}],

  // Near misses (edit distance ≤ 2) and plain text.
  ["a transposed name is a near miss", "/onwer @octocat", { nearMisses: [{ word: "onwer", suggestion: "owner" }] }],
  ["a missing letter is a near miss", "/severty 1", { nearMisses: [{ word: "severty", suggestion: "severity" }] }],
  ["a past tense is a near miss", "/resolved\ncause: x", { nearMisses: [{ word: "resolved", suggestion: "resolve" }] }],
  ["a plural is a near miss", "/updates", { nearMisses: [{ word: "updates", suggestion: "update" }] }],
  ["the same near miss twice is listed once", "/contian a\n/contian b", { nearMisses: [{ word: "contian", suggestion: "contain" }] }],
  ["a near miss beside a real command", "/owner @octocat\n/sevrity 1", { commands: [{ name: "owner" }], nearMisses: [{ word: "sevrity", suggestion: "severity" }] }],
  ["`/checkout is down` is plain text", "/checkout is down", {}],
  ["other /words are plain text", "/deploy now\n/shrug\n/cc @team", {}],
  ["a two-letter word is too short to be a near miss", "/ow", {}],
  ["a slash in the middle of a line is plain text", "I think we should /owner someone", {}],
  ["a path is plain text", "/checkout/thank-you is blank", {}],
  ["a command glued to punctuation is plain text", "/owner@octocat", {}],
  ["a URL is plain text", "https://example.com/owner", {}],

  // Case, leading spaces, line endings.
  ["command names are case-insensitive", "/OWNER @octocat\n/Severity 1", { commands: [{ name: "owner" }, { name: "severity", args: "1" }] }],
  ["up to three leading spaces are allowed", "   /owner @octocat", { commands: [{ name: "owner", args: "@octocat" }] }],
  ["four leading spaces make an indented code block", "    /owner @octocat", {}],
  ["a leading tab makes an indented code block", "\t/owner @octocat", {}],
  [
    "CRLF line endings",
    "/resolve\r\ncause: pixel removed\r\nevidence: no hits\r\n/severity 3\r\n",
    { commands: [{ name: "resolve", fields: { cause: "pixel removed", evidence: "no hits" } }, { name: "severity", args: "3" }] },
  ],
  ["lone CR line endings", "/owner @octocat\r/severity 1", { commands: [{ name: "owner", args: "@octocat" }, { name: "severity", args: "1" }] }],

  // Quotes and code blocks are ignored.
  ["a quoted command is ignored", "> /severity 1\n/owner @octocat", { commands: [{ name: "owner" }] }],
  ["a nested quote is ignored", ">> /severity 1", {}],
  ["a quote ends the fields above it", "/resolve\ncause: x\n> evidence: quoted", { commands: [{ name: "resolve", fields: { cause: "x" } }] }],
  ["a fenced code block is ignored", "```\n/severity 1\n```\n/owner @octocat", { commands: [{ name: "owner" }] }],
  ["a tilde fence is ignored", "~~~sh\n/severity 1\n~~~", {}],
  ["a longer fence closes only with a fence of its kind", "````\n/severity 1\n~~~\n/layer delivery\n````\n/contain paused", { commands: [{ name: "contain" }] }],
  ["an unclosed fence swallows the rest", "```\n/severity 1\n/owner @octocat", {}],
  ["a command after a closed fence counts", "```js\nconsole.log(1)\n```\n/help", { commands: [{ name: "help" }] }],
  ["a near miss inside a fence is not reported", "```\n/onwer @x\n```", {}],

  ["an empty comment", "", {}],
  ["only whitespace", " \n\t\r\n ", {}],
];

describe("parseComment", () => {
  for (const [name, body, expected] of table) {
    it(name, () => {
      const parsed = parseComment(body);
      const commands = expected.commands ?? [];
      expect(parsed.commands).toHaveLength(commands.length);
      commands.forEach((c, i) => expect(parsed.commands[i]).toMatchObject(c));
      expect(parsed.nearMisses).toEqual(expected.nearMisses ?? []);
      expect(mentionsCommand(body)).toBe(commands.length > 0 || (expected.nearMisses ?? []).length > 0);
    });
  }

  it("reads every command name in the grammar", () => {
    for (const name of COMMAND_NAMES) {
      expect(parseComment(`/${name} x`).commands.map((c) => c.name)).toEqual([name]);
    }
  });

  it(`reads at most ${MAX_COMMANDS_PER_COMMENT} commands from one comment`, () => {
    const body = Array.from({ length: 50 }, (_, i) => `/change step ${i}`).join("\n");
    const { commands } = parseComment(body);
    expect(commands).toHaveLength(MAX_COMMANDS_PER_COMMENT);
    expect(commands.at(-1)?.args).toBe(`step ${MAX_COMMANDS_PER_COMMENT - 1}`);
  });
});

describe("editDistance", () => {
  const cases: [string, string, number][] = [
    ["", "", 0],
    ["owner", "owner", 0],
    ["", "help", 4],
    ["help", "", 4],
    ["owner", "owne", 1],
    ["owner", "owners", 1],
    ["owner", "ownar", 1],
    ["owner", "onwer", 2],
    ["kitten", "sitting", 3],
    ["checkout", "check", 3],
    ["severity", "sevrity", 1],
    ["escalate", "escalation", 3],
    ["flaw", "lawn", 2],
  ];
  for (const [a, b, d] of cases) {
    it(`"${a}" → "${b}" is ${d}`, () => {
      expect(editDistance(a, b)).toBe(d);
      expect(editDistance(b, a)).toBe(d);
    });
  }
});
