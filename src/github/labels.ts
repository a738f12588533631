// The labels Firebreak owns: created and styled (colour, description) once, however many
// events use them at the same time.
import { z } from "zod";
import type { FirebreakConfig } from "../core/config.js";
import { labelStyles } from "../core/model/labels.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { statusOf } from "./client.js";

const PAGE = 100;
const MAX_PAGES = 10;

/** Creates or updates Firebreak's labels (find / compare / create / update); returns how many writes it made. */
export async function syncLabels(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, names?: readonly string[]): Promise<number> {
  const existing = new Map<string, { name: string; color: string; description: string | null }>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/labels", { ...ref, per_page: PAGE, page });
    const rows = z.array(z.object({ name: z.string(), color: z.string(), description: z.string().nullable() })).parse(data);
    for (const row of rows) existing.set(row.name.toLowerCase(), row);
    if (rows.length < PAGE) break;
  }
  let writes = 0;
  for (const style of labelStyles(config)) {
    if (names && !names.some((n) => n.toLowerCase() === style.name.toLowerCase())) continue;
    const found = existing.get(style.name.toLowerCase());
    if (!found) {
      try {
        await gh.request("POST /repos/{owner}/{repo}/labels", { ...ref, ...style });
        writes++;
      } catch (error) {
        if (statusOf(error) !== 422) throw error; // created meanwhile by someone else
      }
    } else if (names === undefined && (found.color.toLowerCase() !== style.color || (found.description ?? "") !== style.description)) {
      await gh.request("PATCH /repos/{owner}/{repo}/labels/{name}", { ...ref, name: found.name, color: style.color, description: style.description });
      writes++;
    }
  }
  return writes;
}

/** Gives labels GitHub just created on first use Firebreak's colour and description; returns the writes. */
async function styleLabels(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, names: readonly string[]): Promise<number> {
  let writes = 0;
  for (const style of labelStyles(config)) {
    const name = names.find((n) => n.toLowerCase() === style.name.toLowerCase());
    if (!name) continue;
    await gh.request("PATCH /repos/{owner}/{repo}/labels/{name}", { ...ref, name, color: style.color, description: style.description });
    writes++;
  }
  return writes;
}

/**
 * GitHub creates a missing label on first use, grey and without a description; Firebreak then
 * styles it. A burst of events on many incidents sees the same unstyled label in every answer:
 * each label is styled once per repository and process, the others wait for that write.
 */
export class LabelStyler {
  private readonly styled = new Map<string, Promise<number>>();

  async style(gh: GitHubClient, ref: RepoRef, config: FirebreakConfig, names: readonly string[]): Promise<number> {
    const writes = names.map((name) => {
      const key = `${ref.owner}/${ref.repo}:${name.toLowerCase()}`;
      let styling = this.styled.get(key);
      if (!styling) {
        styling = styleLabels(gh, ref, config, [name]);
        // A failed write may be tried again by a later event.
        styling.catch(() => this.styled.delete(key));
        this.styled.set(key, styling);
        return styling;
      }
      return Promise.resolve(0);
    });
    return (await Promise.all(writes)).reduce((a, b) => a + b, 0);
  }
}
