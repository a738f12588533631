// `/postmortem`: opens the postmortem now, any time after declaration.
import { defineCommand, isIncident, notAnIncident } from "./types.js";

export const postmortem = defineCommand({
  name: "postmortem",
  usage: "/postmortem",
  summary: "opens the postmortem issue now",
  parse: () => ({ ok: true, args: {} }),
  apply(state) {
    if (!isIncident(state)) return notAnIncident("postmortem");
    return { state, openPostmortem: true };
  },
});
