// The environment an app gets in every region, on either platform, and the {{NAME}} templating of
// its command and env values ("bring your own app": an app that reads ORDERS_DB instead of
// DATABASE_URL gets `ORDERS_DB: "{{DATABASE_URL}}"`). No container dependencies: the local platform
// uses it too.

export class AppTemplateError extends Error {
  override name = "AppTemplateError";
}

/** Where an app reaches its region's database (directly or through a proxy). */
export interface DatabaseEndpoint {
  host: string;
  port: number;
  /** The client URL for this address, as the drill's database engine spells it ({{DATABASE_URL}}). */
  url: string;
}

/** Replaces every {{NAME}}; a name that is not in `values` is an error, not an empty string. */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new AppTemplateError(
        `unknown template variable {{${name}}} in ${JSON.stringify(text)} (known: ${Object.keys(values).join(", ")})`,
      );
    }
    return value;
  });
}

/**
 * The app's environment for one region: REGION, HOST, PORT, DATABASE_URL, DATABASE_HOST and
 * DATABASE_PORT (also the template values), then `env` with its values templated.
 */
export function appEnvironment(
  region: string,
  listen: { host: string; port: number },
  database: DatabaseEndpoint,
  env: Record<string, string> = {},
): Record<string, string> {
  const values: Record<string, string> = {
    REGION: region,
    HOST: listen.host,
    PORT: String(listen.port),
    DATABASE_HOST: database.host,
    DATABASE_PORT: String(database.port),
    DATABASE_URL: database.url,
  };
  const result: Record<string, string> = { ...values };
  for (const [name, value] of Object.entries(env)) result[name] = renderTemplate(value, values);
  return result;
}
