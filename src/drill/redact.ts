// What a report may not repeat: the values of the app's environment (API keys, passwords handed to
// a bring-your-own app) and the password of any connection URL or libpq conninfo in the drill (an
// external environment's database URLs). report.json embeds the drill it ran, and reports, trend
// stores and CI artifacts travel further than the drill file: the keys stay, the secrets do not.
import { MIN_SECRET_LENGTH, passwordsIn, REDACTED, redactKnownSecrets } from "./redact-text.ts";
import type { Drill } from "./types.ts";

export {
  MIN_SECRET_LENGTH,
  passwordsIn,
  REDACTED,
  redactKnownSecrets,
  redactSecretsInText,
} from "./redact-text.ts";

/** Every string inside `value` with URL passwords and the given literal secrets replaced. */
function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  if (typeof value === "string") return redactKnownSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets)]));
  }
  return value;
}

/** A matrix parameter or suite override path that sets the app's environment: `app.env`, `app.env.TOKEN`. */
export function isSecretPath(path: string): boolean {
  return /^app\.env(?:$|[.[])/.test(path);
}

/** One override's value as reports show it: the app's environment hidden, URL passwords redacted. */
export function redactOverride<T>(path: string, value: T): T {
  if (!isSecretPath(path)) return redactValue(value) as T;
  if (path === "app.env" && value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).map((key) => [key, REDACTED])) as T;
  }
  return REDACTED as T;
}

/** Overrides by drill field path (matrix cells, suite `set:`), each through redactOverride. */
export function redactOverrides<T>(values: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(values).map(([path, value]) => [path, redactOverride(path, value)]),
  );
}

/**
 * The drill as reports show it: every app.env value and every password replaced, also where a hook
 * command or an argument repeats one. Idempotent.
 */
export function redactDrill(drill: Drill): Drill {
  const redacted = redactValue(drill, drillSecrets(drill)) as Drill;
  const env = drill.app.env;
  return {
    ...redacted,
    app: {
      ...redacted.app,
      env: Object.fromEntries(Object.keys(env).map((key) => [key, REDACTED])) as typeof env,
    },
  };
}

/** The literal secrets of a drill, to find in text it did not write (a hook's output): app.env values and URL passwords. */
export function drillSecrets(drill: Drill): string[] {
  const found = new Set<string>(Object.values(drill.app.env));
  const walk = (value: unknown): void => {
    if (typeof value === "string") for (const secret of passwordsIn(value)) found.add(secret);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(drill);
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH);
}
