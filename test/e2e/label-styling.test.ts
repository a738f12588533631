// A burst of commands on many incidents meets a label GitHub has just created (grey, no
// description): Firebreak styles it once per repository, not once per incident.
import { expect, it } from "vitest";
import { firebreakApp } from "../../src/app/index.js";
import { parseBody } from "../../src/core/card.js";
import { startAppWorld } from "../../src/dev/harness.js";
import { FULL_FORM } from "../support/payloads.js";

const REPO = "acme/shop";

it("styles a label created on first use once, however many incidents use it at once", async () => {
  const app = firebreakApp({ appSlug: "firebreak" });
  const world = await startAppWorld({ appFn: app, idle: () => app.idle(), throttle: false });
  try {
    const { gh } = world;
    gh.addRepo(REPO);
    gh.addCollaborator(REPO, "devon", "write");
    // Only the incident label exists, as on a repository where `firebreak labels` never ran.
    gh.createLabel(REPO, "incident", "b60205", "A marketing incident");
    for (let i = 0; i < 10; i++) gh.openIssue(REPO, "devon", { title: `Incident ${i + 1}`, body: FULL_FORM, labels: ["incident"] });
    await world.settle();
    gh.resetRequests();
    for (let i = 1; i <= 10; i++) gh.comment(REPO, i, "devon", "/owner @devon");
    await world.settle();
    for (let i = 1; i <= 10; i++) expect(parseBody(gh.issue(REPO, i)?.body).state?.status).toBe("investigating");
    const styled = gh.requests.filter((r) => r.method === "PATCH" && r.path.startsWith(`/repos/${REPO}/labels/`));
    expect(styled.map((r) => decodeURIComponent(r.path.split("/").pop()!))).toEqual(["status:investigating"]);
  } finally {
    await world.stop();
  }
}, 60_000);
