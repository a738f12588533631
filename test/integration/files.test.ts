// Repository files are read single-flight: concurrent events on one repository share one
// request, also when a cached "missing" answer has just expired.
import { Octokit } from "@octokit/core";
import nock from "nock";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { FileCache } from "../../src/github/files.js";

const API = "https://api.github.com";
const ref = { owner: "acme", repo: "shop" };
const gh = new Octokit({ auth: "test-token", request: { retries: 0 } });

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

it("20 concurrent reads of a missing config make one request, and one more after the 404 expires", async () => {
  let now = 0;
  const files = new FileCache(() => now);
  let requests = 0;
  nock(API)
    .get("/repos/acme/shop/contents/.github%2Ffirebreak.yml")
    .times(5)
    .reply(() => (requests++, [404, { message: "Not Found" }]));
  const all = await Promise.all(Array.from({ length: 20 }, () => files.read(gh, ref, ".github/firebreak.yml")));
  expect(all.every((text) => text === undefined)).toBe(true);
  expect(requests).toBe(1);
  now += 61_000;
  await Promise.all(Array.from({ length: 20 }, () => files.read(gh, ref, ".github/firebreak.yml")));
  expect(requests).toBe(2);
});

it("tells only the read that fetched a changed file that it changed", async () => {
  const files = new FileCache(() => 0);
  nock(API)
    .get("/repos/acme/shop/contents/.github%2Ffirebreak.yml")
    .reply(200, { type: "file", encoding: "base64", content: Buffer.from("max_parallel_interventions: 3\n").toString("base64") }, { etag: '"v1"' });
  const reads = await Promise.all(Array.from({ length: 5 }, () => files.readTracked(gh, ref, ".github/firebreak.yml")));
  expect(reads.map((r) => r.changed)).toEqual([true, false, false, false, false]);
  expect(new Set(reads.map((r) => r.text))).toEqual(new Set(["max_parallel_interventions: 3\n"]));
});
