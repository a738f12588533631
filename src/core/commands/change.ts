// `/change <intervention>` and `/change done <n>`: the interventions in flight. More than
// `max_parallel_interventions` at once blurs which one worked, so the reply says so.
import { activeInterventions } from "../card.js";
import { inline } from "../text/inert.js";
import { defineCommand, isIncident, notAnIncident, withTimeline } from "./types.js";

type ChangeArgs = { done: number } | { text: string };

export const change = defineCommand<ChangeArgs>({
  name: "change",
  usage: "/change <intervention>  ·  /change done <n>",
  summary: "logs an intervention (budget cut, creative swap, rollback) or marks intervention n finished",
  parse(line) {
    const done = /^done\s+#?(\d{1,4})\s*$/i.exec(line.args);
    if (done) return { ok: true, args: { done: Number(done[1]) } };
    if (/^done\b/i.test(line.args)) return { ok: false, error: "name the intervention's number, e.g. `/change done 2`." };
    const text = line.args.trim();
    if (text.length < 3) return { ok: false, error: "say what was changed." };
    return { ok: true, args: { text: text.slice(0, 1000) } };
  },
  apply(state, args, ctx) {
    if (!isIncident(state)) return notAnIncident("change");
    if ("done" in args) {
      const target = state.interventions.find((i) => i.n === args.done);
      if (!target) return { error: `there is no intervention #${args.done}.` };
      if (target.doneAt) return { state };
      const interventions = state.interventions.map((i) => (i.n === args.done ? { ...i, doneAt: ctx.at } : i));
      return { state: withTimeline({ ...state, interventions }, ctx, `Intervention #${args.done} finished`) };
    }
    const n = state.interventions.reduce((max, i) => Math.max(max, i.n), 0) + 1;
    const next = {
      ...state,
      interventions: [...state.interventions, { n, text: args.text, by: ctx.by, at: ctx.at }],
    };
    const active = activeInterventions(next);
    next.maxParallel = Math.max(state.maxParallel, active.length);
    const limit = ctx.config.max_parallel_interventions;
    const reply =
      active.length > limit
        ? [
            `⚠️ ${active.length} interventions are active at once (limit ${limit}). Stacked changes will blur which one worked — finish one with \`/change done <n>\` before starting another:`,
            ...active.map((i) => `- #${i.n} ${inline(i.text, 200)}`),
          ].join("\n")
        : undefined;
    return { state: withTimeline(next, ctx, `Intervention #${n}: ${args.text}`), ...(reply ? { reply } : {}) };
  },
});
