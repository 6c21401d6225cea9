// A hook's command as a drill file writes it: shell text. Apart from controller.hooks so the hook fault
// kind can use it without loading the mapping reader (and YAML) wherever faults are described.
import { pattern } from "../schema/scalars.ts";

/** Shell text: at least one non-blank character. */
export const hookCommand = pattern(/\S/, "a shell command, e.g. sh hooks/status.sh");
