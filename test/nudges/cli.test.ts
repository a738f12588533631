// `firebreak nudge` against the built-in local GitHub: GitHub's clock runs three hours behind the
// terminal's, so an incident declared "now" on GitHub is three hours old to the pass.
import { afterEach, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/common.js";
import { main } from "../../src/cli/program.js";
import { runReconcile } from "../../src/cli/reconcile.js";
import { nudgeKeysIn } from "../../src/core/model/markers.js";
import { LocalGitHub } from "../../src/dev/local-github/index.js";

const HOURS = 3_600_000;
let gh: LocalGitHub | undefined;
afterEach(async () => {
  await gh?.stop();
  gh = undefined;
});

it("reminds the detector of an incident nobody owns, once per window however often it runs", async () => {
  gh = new LocalGitHub({ clock: () => new Date(Date.now() - 3 * HOURS) });
  const { url } = await gh.start();
  gh.addRepo("acme/shop");
  gh.addCollaborator("acme/shop", "devon", "write");
  gh.createLabel("acme/shop", "incident");
  const env = { GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: url };
  gh.openIssue("acme/shop", "devon", { title: "Checkout broken on iOS", body: "Orders from iOS stopped at 10:00.", labels: ["incident"] });
  // The scheduled pass declares it; an owner within 4h is not overdue yet.
  gh.putFile("acme/shop", ".github/firebreak.yml", "severities:\n  2: { owner_within: 4h }\n");
  expect(await runReconcile({ repo: "acme/shop" }, memoryIo(env), { throttle: false })).toBe(0);
  expect(gh.comments("acme/shop", 1)).toEqual([]);
  gh.putFile("acme/shop", ".github/firebreak.yml", "severities:\n  2: { owner_within: 1h }\n");

  const nudge = async () => {
    const io = memoryIo(env);
    const code = await main(["nudge", "--repo", "acme/shop"], io);
    return { code, out: io.stdout.join("\n") };
  };
  const first = await nudge();
  expect(first.code).toBe(0);
  // An owner within 1h of the declaration, three hours ago: overdue, in its third window.
  expect(first.out).toMatch(/^acme\/shop: 1 issue with something overdue\n {2}#1 {2}owner: reminded devon \(window from /);
  const second = await nudge();
  expect(second.out).toMatch(/#1 {2}owner: already reminded for the window from /);
  const reminders = gh.comments("acme/shop", 1).filter((c) => nudgeKeysIn(c.body).length > 0);
  expect(reminders).toHaveLength(1);
  expect(reminders[0]?.author).toBe("acme");
  expect(reminders[0]?.body).toContain("@devon");
}, 60_000);

it("says so when nudges are off", async () => {
  gh = new LocalGitHub();
  const { url } = await gh.start();
  gh.addRepo("acme/shop");
  gh.putFile("acme/shop", ".github/firebreak.yml", "nudges: false\n");
  const io = memoryIo({ GITHUB_TOKEN: gh.tokenFor("acme"), GITHUB_API_URL: url });
  expect(await main(["nudge", "--repo", "acme/shop"], io)).toBe(0);
  expect(io.stdout.join("\n")).toBe("acme/shop: nudges are off (nudges: false in .github/firebreak.yml).");
}, 30_000);
