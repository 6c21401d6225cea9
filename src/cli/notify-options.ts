// `--notify` and `--notify-on`, shared by run and matrix.
import { NOTIFY_ON, type NotifyOn } from "../notify/on.ts";

export interface NotifyArgs {
  notify?: string;
  notifyOn: NotifyOn;
}

export const NOTIFY_OPTIONS = {
  notify: {
    type: "string",
    describe:
      "POST a JSON summary (with a Slack-compatible `text`) to this URL; a failed POST never changes the exit code",
  },
  "notify-on": {
    type: "string",
    choices: NOTIFY_ON,
    default: "failure",
    describe:
      "failure: the run did not pass; regression: that, or the trend store flags a regression; always",
  },
} as const;
