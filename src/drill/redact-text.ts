// Secrets in free text (a hook's output, an error, a string in a drill): URL and conninfo passwords
// by their shape, and the literal secrets a drill names. No drill types here, so the hook recorder can
// use it without importing the drill format.
export const REDACTED = "[redacted]";

/** scheme://user:password@host -> scheme://user:[redacted]@host; password=... in a conninfo. */
export function redactSecretsInText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):([^@\s]*)@/gi, (_m, head: string) => `${head}:${REDACTED}@`)
    .replace(/\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/gi, `password=${REDACTED}`);
}

/** Values shorter than this are not searched for in free text (`on`, `1` would redact everything). */
export const MIN_SECRET_LENGTH = 4;

/** The passwords of the connection URLs and conninfo strings in a text. */
export function passwordsIn(text: string): string[] {
  const urls = [...text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^@\s]*)@/gi)].map((m) => m[1]!);
  const conninfo = [...text.matchAll(/\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/gi)].map((m) =>
    m[1]!.replace(/^'|'$/g, ""),
  );
  return [...urls, ...conninfo].filter((s) => s !== "" && s !== REDACTED);
}

/** Text from outside (a hook's output, an error): known secrets and any URL password replaced. */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return redactSecretsInText(out);
}
