// The Action's inputs, parsed by zod and keyed by action.yml's names so none is silently skipped.
import { z } from "zod";

export const actionInputsSchema = z.object({
  "github-token": z.string().min(1, "github-token is empty: pass ${{ github.token }} or an App/personal token"),
  "config-path": z.string().min(1).default(".github/firebreak.yml"),
  "bot-login": z.string().min(1).default("github-actions[bot]"),
});

export type ActionInputs = z.output<typeof actionInputsSchema>;
export type ActionInputName = keyof z.input<typeof actionInputsSchema>;
export const ACTION_INPUTS = Object.keys(actionInputsSchema.shape) as ActionInputName[];
export const ACTION_OUTPUTS = ["incident-number", "action-taken"] as const;
