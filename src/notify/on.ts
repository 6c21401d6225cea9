// When to notify; its own module so the command-line options can name the choices without loading
// the HTTP client.
export const NOTIFY_ON = ["failure", "regression", "always"] as const;
/**
 * failure: the run did not pass (fail, inconclusive, or it could not run); regression: that, or the
 * trend store flags a regression of this run; always: every run.
 */
export type NotifyOn = (typeof NOTIFY_ON)[number];
