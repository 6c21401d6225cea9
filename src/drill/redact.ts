// What a report may not repeat: the values of the app's environment (API keys, passwords handed to
// a bring-your-own app) and the password of any connection URL or libpq conninfo in the drill (an
// external environment's database URLs). report.json embeds the drill it ran, and reports, trend
// stores and CI artifacts travel further than the drill file: the keys stay, the secrets do not.
import type { Drill } from "./types.ts";

export const REDACTED = "[redacted]";

/** scheme://user:password@host -> scheme://user:[redacted]@host; password=... in a conninfo. */
export function redactSecretsInText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):([^@\s]*)@/gi, (_m, head: string) => `${head}:${REDACTED}@`)
    .replace(/\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/gi, `password=${REDACTED}`);
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactSecretsInText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}

/** The drill as reports show it: every app.env value and every password replaced. Idempotent. */
export function redactDrill(drill: Drill): Drill {
  const redacted = redactValue(drill) as Drill;
  const env = drill.app.env;
  return {
    ...redacted,
    app: {
      ...redacted.app,
      env: Object.fromEntries(Object.keys(env).map((key) => [key, REDACTED])) as typeof env,
    },
  };
}
