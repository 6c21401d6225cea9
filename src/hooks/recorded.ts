// A hook run and recorded: every call, whatever its outcome, becomes one `hook` event in the history
// (when it ended, how long it took, its exit, its output's tail), so the report shows what the team's
// commands did and the checkers can tell a measurement that rests on a failed hook.
import type { HistoryRecorder } from "../history/recorder.ts";
import { Events } from "../history/types.ts";
import { redactKnownSecrets } from "../drill/redact-text.ts";
import { hookEnvironment, type HookCall, type HookTopology } from "./environment.ts";
import { runHook, type HookName, type HookResult } from "./run.ts";

export interface RecordedHookCall extends HookCall {
  hook: HookName;
  command: string;
  timeoutMs: number;
}

/** The history's `hook` event value (src/history/types.ts). */
export function hookEventValue(call: RecordedHookCall, r: HookResult): Record<string, unknown> {
  return {
    hook: call.hook,
    command: call.command,
    ok: r.ok,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    ...(r.aborted ? { aborted: true } : {}),
    durationMs: r.durationMs,
    timeoutMs: call.timeoutMs,
    ...(call.failedRegion === undefined ? {} : { failedRegion: call.failedRegion }),
    ...(call.candidate === undefined ? {} : { candidate: call.candidate }),
    ...(call.fault === undefined ? {} : { fault: call.fault }),
    ...(call.faultRegion === undefined ? {} : { faultRegion: call.faultRegion }),
    stdout: r.stdout,
    stderr: r.stderr,
    ...(r.truncated ? { truncated: true } : {}),
    ...(r.error === undefined ? {} : { error: r.error }),
  };
}

/** One line on a hook that did not succeed, for errors and notes: "promote hook exit 1: <stderr tail>". */
export function hookFailure(call: Pick<RecordedHookCall, "hook">, r: HookResult): string {
  const said = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-3).join(" | ");
  return `${call.hook} hook ${r.error ?? "failed"}${said === "" ? "" : `: ${said.slice(-300)}`}`;
}

export async function runRecordedHook(o: {
  history: HistoryRecorder;
  /** The history process the event is recorded under (controller or nemesis). */
  process: string;
  topology: HookTopology;
  call: RecordedHookCall;
  signal?: AbortSignal;
  /** Whether a run that exited 0 said something usable: an error message turns it into a failure. */
  judge?: (result: HookResult) => string | undefined;
}): Promise<HookResult> {
  const ran = await runHook({
    hook: o.call.hook,
    command: o.call.command,
    timeoutMs: o.call.timeoutMs,
    env: hookEnvironment(o.topology, o.call),
    cwd: o.topology.cwd,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  const wrong = ran.ok ? o.judge?.(ran) : undefined;
  const judged = wrong === undefined ? ran : { ...ran, ok: false, error: wrong };
  // The history, the reports and their notes repeat what a hook printed: never a secret it echoed.
  const secrets = o.topology.secrets ?? [];
  const result = redactResult(judged, secrets);
  const call = { ...o.call, command: redactKnownSecrets(o.call.command, secrets) };
  o.history.event(o.process, Events.hook, hookEventValue(call, result));
  return result;
}

/** A hook's result with its output, and any error quoting it, redacted. */
export function redactResult(r: HookResult, secrets: readonly string[]): HookResult {
  return {
    ...r,
    stdout: redactKnownSecrets(r.stdout, secrets),
    stderr: redactKnownSecrets(r.stderr, secrets),
    ...(r.error === undefined ? {} : { error: redactKnownSecrets(r.error, secrets) }),
  };
}
