// `/owner @user`: one owner at a time; the owner becomes the assignee.
import { z } from "zod";
import { defineCommand, isIncident, loginArg, notAnIncident, parseWith } from "./types.js";
import type { IncidentState } from "../model/incident.js";

/** Sets the owner; shared by `/owner` and `/update owner:`. */
export function setOwner(state: IncidentState, owner: string, at: string, by: string): IncidentState {
  if (state.roles.owner === owner) return state;
  const next: IncidentState = {
    ...state,
    roles: { ...state.roles, owner, ownerNote: undefined },
    status: state.status === "triage" ? "investigating" : state.status,
    times: { ...state.times, owner: state.times.owner ?? at },
  };
  return { ...next, timeline: [...next.timeline, { at, by, text: `Owner: ${owner}` }] };
}

export const owner = defineCommand({
  name: "owner",
  usage: "/owner @user",
  summary: "sets the incident owner (the assignee) — one owner at a time",
  parse: (line) => parseWith(z.object({ login: loginArg }), { login: line.args.split(/\s+/)[0] ?? "" }),
  apply(state, { login }, ctx) {
    if (!isIncident(state)) return notAnIncident("owner");
    return { state: setOwner(state, login, ctx.at, ctx.by) };
  },
});

