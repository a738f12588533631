// .github/firebreak.yml (SPEC §2): the defaults users rely on, and a lenient reading that keeps
// every valid key, falls back per invalid key and says what was wrong (file, key, reason).
import { describe, expect, it } from "vitest";
import type { ConfigError } from "../../src/core/config.js";
import { allLabels, configErrorFingerprint, configSchema, DEFAULT_CONFIG, extendsTarget, mergeConfig, parseConfigYaml, resolveConfig, resolveInherited } from "../../src/core/config.js";

const keys = (errors: readonly ConfigError[]) => errors.map((e) => e.key);
const reasonFor = (errors: readonly ConfigError[], key: string) => errors.find((e) => e.key === key)?.reason ?? "";

describe("defaults (the names in SPEC §2)", () => {
  it("names the labels Firebreak owns", () => {
    expect(DEFAULT_CONFIG.labels).toEqual({
      incident: "incident",
      postmortem: "postmortem",
      routine_variance: "routine-variance",
      repeat: "repeat",
      config_error: "firebreak-config",
      dashboard: "firebreak-dashboard",
      severity: { 1: "sev:1", 2: "sev:2", 3: "sev:3" },
      layer: {
        economics: "layer:economics",
        measurement: "layer:measurement",
        conversion: "layer:conversion",
        delivery: "layer:delivery",
        operations: "layer:operations",
      },
      status: {
        triage: "status:triage",
        investigating: "status:investigating",
        contained: "status:contained",
        resolved: "status:resolved",
        closed: "status:closed",
      },
    });
    expect(allLabels(DEFAULT_CONFIG)).toHaveLength(19);
  });

  it("calls the severities critical, major and minor with updates every 60m, 4h and 24h", () => {
    expect(DEFAULT_CONFIG.severities).toEqual({
      1: { name: "critical", update_every: "60m", owner_within: "15m" },
      2: { name: "major", update_every: "4h", owner_within: "1h" },
      3: { name: "minor", update_every: "24h", owner_within: "1d" },
    });
  });

  it("has the numbers and switches of SPEC §2", () => {
    expect(DEFAULT_CONFIG.max_parallel_interventions).toBe(2);
    expect(DEFAULT_CONFIG.gate_incident_close).toBe(true);
    expect(DEFAULT_CONFIG.postmortem.due_days).toBe(5);
    expect(DEFAULT_CONFIG.repeat_window_days).toBe(180);
    expect(DEFAULT_CONFIG.lookback_hours).toBe(24);
    expect(DEFAULT_CONFIG.responders).toEqual([]);
    expect(DEFAULT_CONFIG.notify).toEqual({ 1: [], 2: [], 3: [] });
  });

  it("is what an empty file, a missing file and `{}` resolve to, without errors", () => {
    for (const raw of [undefined, null, {}, parseConfigYaml("").value, parseConfigYaml("# only a comment\n").value]) {
      expect(resolveConfig(raw)).toEqual({ config: DEFAULT_CONFIG, errors: [] });
    }
  });
});

describe("resolveConfig: per-key fallback", () => {
  it("keeps every valid key of a fully valid file", () => {
    const { config, errors } = resolveConfig({
      labels: { incident: "fire", severity: { 1: "P1" }, layer: { measurement: "tracking" }, status: { triage: "needs-triage" } },
      severities: { 1: { name: "blocker", update_every: "30m" } },
      max_parallel_interventions: 3,
      responders: ["@alice", "acme/marketing-oncall"],
      allow_bots: ["dependabot[bot]"],
      gate_incident_close: false,
      postmortem: { due_days: 10, template: "docs/pm.md" },
      repeat_window_days: 90,
      lookback_hours: 48,
      notify: { 1: ["@acme/leadership"] },
    });
    expect(errors).toEqual([]);
    expect(config.labels.incident).toBe("fire");
    expect(config.labels.severity).toEqual({ 1: "P1", 2: "sev:2", 3: "sev:3" });
    expect(config.labels.layer.measurement).toBe("tracking");
    expect(config.labels.layer.delivery).toBe("layer:delivery");
    expect(config.labels.status.triage).toBe("needs-triage");
    expect(config.severities[1]).toEqual({ name: "blocker", update_every: "30m", owner_within: "15m" });
    expect(config.severities[2]).toEqual({ name: "major", update_every: "4h", owner_within: "1h" });
    expect(config.max_parallel_interventions).toBe(3);
    expect(config.responders).toEqual(["alice", "acme/marketing-oncall"]);
    expect(config.allow_bots).toEqual(["dependabot[bot]"]);
    expect(config.gate_incident_close).toBe(false);
    expect(config.postmortem).toEqual({ due_days: 10, template: "docs/pm.md" });
    expect(config.repeat_window_days).toBe(90);
    expect(config.lookback_hours).toBe(48);
    expect(config.notify).toEqual({ 1: ["acme/leadership"], 2: [], 3: [] });
  });

  it("falls back only for the key with the wrong type and keeps its neighbours", () => {
    const { config, errors } = resolveConfig({ max_parallel_interventions: "two", gate_incident_close: false, lookback_hours: 12 });
    expect(config.max_parallel_interventions).toBe(2);
    expect(config.gate_incident_close).toBe(false);
    expect(config.lookback_hours).toBe(12);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({ key: "max_parallel_interventions", reason: expect.stringMatching(/expected number, received string/) });
    expect(errors[0]?.reason).toContain("the default is used");
  });

  const outOfRange: [string, Record<string, unknown>, string, unknown][] = [
    ["a zero limit", { max_parallel_interventions: 0 }, "max_parallel_interventions", 2],
    ["a fractional limit", { max_parallel_interventions: 2.5 }, "max_parallel_interventions", 2],
    ["a huge limit", { max_parallel_interventions: 999 }, "max_parallel_interventions", 2],
    ["negative lookback", { lookback_hours: -1 }, "lookback_hours", 24],
    ["a decade-plus window", { repeat_window_days: 4000 }, "repeat_window_days", 180],
    ["a postmortem due in 500 days", { postmortem: { due_days: 500, template: "x.md" } }, "postmortem.due_days", 5],
    ["an empty label name", { labels: { incident: "   " } }, "labels.incident", "incident"],
    ["a label name longer than GitHub allows", { labels: { repeat: "r".repeat(51) } }, "labels.repeat", "repeat"],
  ];
  for (const [name, raw, key, fallback] of outOfRange) {
    it(`reports ${name} as ${key} and uses the default`, () => {
      const { config, errors } = resolveConfig(raw);
      expect(keys(errors)).toEqual([key]);
      const value = key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
      expect(value).toEqual(fallback);
    });
  }

  it("keeps the valid siblings inside a nested object with one bad key", () => {
    const { config, errors } = resolveConfig({ postmortem: { due_days: "soon", template: "docs/pm.md" } });
    expect(config.postmortem).toEqual({ due_days: 5, template: "docs/pm.md" });
    expect(keys(errors)).toEqual(["postmortem.due_days"]);
  });

  it("keeps a severity's valid name when its cadence is invalid (the level's default supplies the cadence)", () => {
    const { config, errors } = resolveConfig({ severities: { 1: { name: "blocker", update_every: "soon" } } });
    expect(config.severities[1]).toEqual({ name: "blocker", update_every: "60m", owner_within: "15m" });
    expect(keys(errors)).toEqual(["severities.1.update_every"]);
    expect(reasonFor(errors, "severities.1.update_every")).toContain("a duration such as 60m, 4h or 1d");
  });

  it("fills a severity's missing field from that level's default without complaining", () => {
    const { config, errors } = resolveConfig({ severities: { 2: { update_every: "2h" } } });
    expect(errors).toEqual([]);
    expect(config.severities[2]).toEqual({ name: "major", update_every: "2h", owner_within: "1h" });
  });

  it("falls back for a section given as the wrong type", () => {
    const { config, errors } = resolveConfig({ postmortem: "tomorrow", severities: [1, 2], labels: { incident: "fire" } });
    expect(config.postmortem).toEqual(DEFAULT_CONFIG.postmortem);
    expect(config.severities).toEqual(DEFAULT_CONFIG.severities);
    expect(config.labels.incident).toBe("fire");
    expect(keys(errors).sort()).toEqual(["postmortem", "severities"]);
  });

  it("reports an invalid login in a list by its index", () => {
    const { config, errors } = resolveConfig({ responders: ["alice", "not a login!"], allow_bots: ["renovate[bot]"] });
    expect(keys(errors)).toEqual(["responders.1"]);
    expect(reasonFor(errors, "responders.1")).toContain("a GitHub login or org/team");
    expect(config.allow_bots).toEqual(["renovate[bot]"]);
  });

  it("reports unknown keys at the top and nested, and ignores them", () => {
    const { config, errors } = resolveConfig({
      max_paralel_interventions: 5,
      labels: { incident: "fire", colour: "red", severity: { 4: "sev:4" } },
      severities: { 1: { name: "blocker", update_every: "30m", page: true } },
      postmortem: { due_days: 7, reviewers: ["x"] },
      notify: { 4: ["someone"] },
    });
    expect(keys(errors).sort()).toEqual(
      ["labels.colour", "labels.severity.4", "max_paralel_interventions", "notify.4", "postmortem.reviewers", "severities.1.page"].sort(),
    );
    for (const e of errors) expect(e.reason).toBe("unknown key (ignored)");
    expect(config.labels.incident).toBe("fire");
    expect(config.severities[1]).toEqual({ name: "blocker", update_every: "30m", owner_within: "15m" });
    expect(config.postmortem.due_days).toBe(7);
    expect(config.max_parallel_interventions).toBe(2);
    expect(config).not.toHaveProperty("max_paralel_interventions");
  });

  it("does not report `_extends` as an unknown key", () => {
    expect(resolveConfig({ _extends: ".github", lookback_hours: 6 })).toEqual({ config: { ...DEFAULT_CONFIG, lookback_hours: 6 }, errors: [] });
  });

  it("reports checks across keys (tracking QA refinements) and falls back for that key only", () => {
    const { config, errors } = resolveConfig({
      tracking_qa: {
        base_url: "https://shop.example.com",
        custom: { ga4: "gtag(" },
        steps: [{ path: "/", expect: ["meta_pixel", "nonsense"] }],
        concurrency: 2,
      },
    });
    expect(keys(errors).sort()).toEqual(["tracking_qa.custom.ga4", "tracking_qa.steps.0.expect.1"]);
    expect(config.tracking_qa.base_url).toBe("https://shop.example.com");
    expect(config.tracking_qa.concurrency).toBe(2);
    expect(config.tracking_qa.custom).toEqual({});
    expect(config.tracking_qa.steps).toEqual([]);
  });

  for (const [name, raw] of [
    ["a list", [1, 2, 3]],
    ["a string", "max_parallel_interventions = 3"],
    ["a number", 42],
    ["a boolean", true],
  ] as const) {
    it(`treats a file that is ${name} rather than a mapping as one error with all defaults`, () => {
      const { config, errors } = resolveConfig(raw);
      expect(config).toEqual(DEFAULT_CONFIG);
      expect(errors).toEqual([{ key: "(file)", reason: expect.stringContaining("must be a YAML mapping") }]);
    });
  }

  it("never throws on hostile values and always returns a config the schema accepts", () => {
    const hostile: unknown[] = [
      { labels: null, severities: { 1: null, 2: "x", 3: { name: 5 } }, notify: { 1: "alice" } },
      { tracking_qa: [], postmortem: { due_days: Number.NaN }, responders: "alice" },
      { lookback_hours: Infinity, repeat_window_days: { days: 1 }, allow_bots: [null] },
      { __proto__: { polluted: true }, constructor: 1, labels: { status: { closed: ["x"] } } },
    ];
    for (const raw of hostile) {
      const { config, errors } = resolveConfig(raw);
      expect(errors.length).toBeGreaterThan(0);
      expect(configSchema.safeParse(config).success).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("fingerprints an error by key and reason, so the same problem is reported once", () => {
    const a = resolveConfig({ max_parallel_interventions: "two" }).errors[0]!;
    const b = resolveConfig({ max_parallel_interventions: "three" }).errors[0]!;
    expect(configErrorFingerprint(a)).toBe(configErrorFingerprint(b));
    expect(configErrorFingerprint(a)).not.toBe(configErrorFingerprint(resolveConfig({ max_parallel_interventions: 0 }).errors[0]!));
  });
});

describe("parseConfigYaml", () => {
  it("parses a mapping", () => {
    expect(parseConfigYaml("max_parallel_interventions: 3\nlabels:\n  incident: fire\n")).toEqual({
      value: { max_parallel_interventions: 3, labels: { incident: "fire" } },
      errors: [],
    });
  });

  for (const [name, text] of [
    ["an unclosed flow sequence", "responders: [alice, bob\nlookback_hours: 3\n"],
    ["a tab-indented mapping", "labels:\n\tincident: fire\n"],
    ["a duplicate key", "lookback_hours: 3\nlookback_hours: 4\n"],
    ["an unterminated quote", 'labels:\n  incident: "fire\n'],
    ["a billion-laughs alias bomb", `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${"b".repeat(i + 1)}: &${"b".repeat(i + 1)} [${Array(12).fill(i === 0 ? "*a" : `*${"b".repeat(i)}`).join(", ")}]`).join("\n")}\n`],
  ] as const) {
    it(`reports ${name} as a (file) error instead of throwing`, () => {
      const parsed = parseConfigYaml(text);
      expect(parsed.value).toBeUndefined();
      expect(parsed.errors).toHaveLength(1);
      expect(parsed.errors[0]?.key).toBe("(file)");
      expect(parsed.errors[0]?.reason).toMatch(/^not valid YAML: .+ — defaults are used$/);
      expect(parsed.errors[0]?.reason).not.toContain("\n");
    });
  }

  it("says where a syntax error is: its line and column", () => {
    expect(parseConfigYaml("lookback_hours: 2\nlabels: [incident, sev:1\nnudges: false\n").errors[0]?.reason).toMatch(/ at line 3, column 1 — defaults are used$/);
  });
});

describe("mergeConfig (`_extends`)", () => {
  const org = {
    max_parallel_interventions: 3,
    labels: { incident: "org-incident", severity: { 1: "P1", 2: "P2" } },
    responders: ["org-oncall", "acme/marketing"],
    notify: { 1: ["acme/leadership"] },
  };

  it("lets the repository's keys override the inherited ones", () => {
    const merged = mergeConfig(org, { max_parallel_interventions: 1 }) as Record<string, unknown>;
    expect(merged.max_parallel_interventions).toBe(1);
  });

  it("merges objects key by key, at every depth", () => {
    const merged = mergeConfig(org, { labels: { severity: { 2: "repo-P2" }, repeat: "again" } });
    expect(merged).toMatchObject({ labels: { incident: "org-incident", repeat: "again", severity: { 1: "P1", 2: "repo-P2" } } });
  });

  it("replaces arrays instead of concatenating them", () => {
    const merged = mergeConfig(org, { responders: ["repo-lead"], notify: { 1: [] } }) as Record<string, unknown>;
    expect(merged.responders).toEqual(["repo-lead"]);
    expect(merged.notify).toEqual({ 1: [] });
  });

  it("keeps inherited keys the repository does not set, and takes a repository scalar over an inherited object", () => {
    expect(mergeConfig(org, { gate_incident_close: false })).toMatchObject({ gate_incident_close: false, max_parallel_interventions: 3, responders: ["org-oncall", "acme/marketing"] });
    expect(mergeConfig({ postmortem: { due_days: 3 } }, { postmortem: "none" })).toEqual({ postmortem: "none" });
  });

  it("uses the repository's file alone when nothing is inherited, and the inherited one when the repository's is empty", () => {
    expect(mergeConfig(undefined, { lookback_hours: 3 })).toEqual({ lookback_hours: 3 });
    expect(mergeConfig(org, undefined)).toEqual(org);
  });

  it("does not modify either input", () => {
    const base = structuredClone(org);
    const override = { labels: { severity: { 3: "P3" } } };
    mergeConfig(base, override);
    expect(base).toEqual(org);
    expect(override).toEqual({ labels: { severity: { 3: "P3" } } });
  });

  it("feeds resolveConfig, which validates the merged result", () => {
    const { config, errors } = resolveConfig(mergeConfig(org, { _extends: ".github", labels: { severity: { 3: "" } } }));
    expect(config.labels.incident).toBe("org-incident");
    expect(config.labels.severity).toEqual({ 1: "P1", 2: "P2", 3: "sev:3" });
    expect(config.responders).toEqual(["org-oncall", "acme/marketing"]);
    expect(keys(errors)).toEqual(["labels.severity.3"]);
  });
});

describe("extendsTarget", () => {
  const refusedOwner = { refused: expect.stringContaining("only name a repository of this repository's owner") as string };
  const refusedShape = { refused: expect.stringContaining("must name a repository") as string };
  const cases: [string, unknown, unknown][] = [
    ["`.github`: the owner's .github repository", { _extends: ".github" }, { owner: "acme", repo: ".github" }],
    ["`acme/.github`: the same owner spelled out (any case)", { _extends: "ACME/.github" }, { owner: "acme", repo: ".github" }],
    ["`repo:path.yml`: a named file in the owner's repository", { _extends: "configs:base.yml" }, { owner: "acme", repo: "configs", path: "base.yml" }],
    ["surrounding spaces", { _extends: "  .github  " }, { owner: "acme", repo: ".github" }],
    ["no `_extends`", { lookback_hours: 3 }, undefined],
    ["a file that is not a mapping", "_extends: .github", undefined],
    ["`org/.github`: another owner's repository, refused", { _extends: "other-org/.github" }, refusedOwner],
    ["`org/repo:path.yml`: another owner's file, refused", { _extends: "other-org/configs:firebreak/base.yml" }, refusedOwner],
    ["`_extends` that is not a string, refused", { _extends: ["a", "b"] }, refusedShape],
    ["`_extends` with spaces inside, refused", { _extends: "not a repo" }, refusedShape],
    ["`_extends` with too many slashes, refused", { _extends: "a/b/c" }, refusedShape],
  ];
  for (const [name, raw, expected] of cases) {
    it(`reads ${name}`, () => expect(extendsTarget(raw, "acme")).toEqual(expected));
  }
});

describe("_extends cannot read other owners' repositories or leak an inherited file (SPEC §13)", () => {
  const SECRET = "hunter2-private-value";

  it("_extends cross-owner read: another owner's repository is refused without quoting the value", () => {
    const target = extendsTarget({ _extends: "victim-corp/private-configs:secrets.yml" }, "acme");
    expect(target).toHaveProperty("refused");
    expect(JSON.stringify(target)).not.toContain("victim-corp");
    expect(JSON.stringify(target)).not.toContain("secrets.yml");
  });

  it("_extends value echo: errors from an inherited file quote no value and no unknown key name", () => {
    const inherited = [
      `${SECRET}_key: 1`,
      `max_parallel_interventions: "${SECRET}"`,
      `labels: { incident: 7, ${SECRET}_label: x }`,
      `responders: ["${SECRET} !"]`,
      "lookback_hours: 6",
    ].join("\n");
    const { config, errors } = resolveInherited({ _extends: ".github", gate_incident_close: "nope" }, parseConfigYaml(inherited));
    expect(config.lookback_hours).toBe(6);
    const text = JSON.stringify(errors);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("hunter2");
    const schemaKeys = new Set(Object.keys(configSchema.shape));
    for (const e of errors) {
      if (e.key === "_extends") {
        for (const quoted of e.reason.match(/`[^`]*`/g) ?? []) expect(schemaKeys.has(quoted.slice(1, -1)), quoted).toBe(true);
      }
    }
    // The repository's own mistake is still reported by its own key.
    expect(errors.map((e) => e.key)).toContain("gate_incident_close");
  });

  it("_extends parser-message echo: an inherited file that is not YAML is reported without its text", () => {
    const { errors } = resolveInherited({ _extends: ".github" }, parseConfigYaml(`key: [${SECRET}\n  : : :`));
    expect(errors).toEqual([{ key: "_extends", reason: "the inherited file is not a valid YAML mapping — nothing inherited" }]);
  });
});

describe("lists keep their valid items", () => {
  it("drops only the mistyped responder and names it", () => {
    const { config, errors } = resolveConfig({ responders: ["alice", "bad login!", "@acme/marketing-ops"] });
    expect(config.responders).toEqual(["alice", "acme/marketing-ops"]);
    expect(errors).toEqual([{ key: "responders.1", reason: "a GitHub login or org/team — this item is left out" }]);
  });

  it("drops only the tracking QA step that is malformed", () => {
    const { config, errors } = resolveConfig({
      tracking_qa: { base_url: "https://shop.example.com", steps: [{ path: "/", expect: ["gtm"] }, { expect: ["gtm"] }] },
    });
    expect(config.tracking_qa.steps).toEqual([{ path: "/", expect: ["gtm"] }]);
    expect(errors.map((e) => e.key)).toEqual(["tracking_qa.steps.1"]);
  });
});
