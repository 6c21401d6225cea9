// The app under test in every region ("bring your own app"); left out, it is the reference app
// (fixtures/app/server.ts). Text in `command` and `env` values may use the template variables below.
import { closest } from "../suggest.ts";
import { optional, withDefault } from "../schema/fields.ts";
import { list } from "../schema/list.ts";
import { mapping, record } from "../schema/mapping.ts";
import { integer, pattern } from "../schema/scalars.ts";
import { named, type ValueSpec } from "../schema/spec.ts";
import { imageRef } from "./common.ts";
import { drillContext } from "./context.ts";

/** Where the reference app (fixtures/app/server.ts) listens and answers: the `app` defaults. */
export const REFERENCE_APP_ENDPOINTS = {
  port: 8080,
  healthPath: "/health",
  writePath: "/writes/{{id}}",
} as const;

/** What an app's command arguments and env values may contain as {{NAME}}, filled in per region. */
export const APP_TEMPLATE_VARIABLES = [
  "REGION",
  "HOST",
  "PORT",
  "DATABASE_URL",
  "DATABASE_HOST",
  "DATABASE_PORT",
] as const;
/** `{{NAME}}`, with the spaces inside the braces the platforms tolerate. */
const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Text that may use APP_TEMPLATE_VARIABLES; `what` names the kind of text for a number that needs quoting. */
function templated(what: string): ValueSpec<string> {
  return named("templatedText", {
    read(field, { reader }) {
      const text = reader.string(field, `a quoted string (${what} are text)`);
      if (text === undefined) return undefined;
      let known = true;
      for (const [, name = ""] of text.matchAll(TEMPLATE)) {
        if ((APP_TEMPLATE_VARIABLES as readonly string[]).includes(name)) continue;
        const guess = closest(name, APP_TEMPLATE_VARIABLES);
        const hint = guess === undefined ? "" : `did you mean {{${guess}}}? `;
        const names = APP_TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(", ");
        reader.report(field, `unknown template variable {{${name}}}; ${hint}expected one of: ${names}`);
        known = false;
      }
      return known ? text : undefined;
    },
    schema: () => ({
      type: "string",
      pattern: `^(?![\\s\\S]*\\{\\{(?!\\s*(?:${APP_TEMPLATE_VARIABLES.join("|")})\\s*\\}\\})[^{}]*\\}\\})`,
      description: `Text where each {{NAME}} is one of ${APP_TEMPLATE_VARIABLES.join(", ")}.`,
    }),
  });
}

/** The workload fills in exactly `{{id}}` (no spaces, no other variables). */
const writePath: ValueSpec<string> = {
  read(field, { reader }) {
    const path = reader.pattern(field, /^\//, 'a path starting with "/", e.g. "/writes/{{id}}"');
    if (path === undefined) return undefined;
    for (const [written, name = ""] of path.matchAll(TEMPLATE)) {
      if (written === "{{id}}") continue;
      const fix =
        name === "id" ? "write it without spaces: {{id}}" : "only {{id}} (the write's id) is filled in";
      reader.report(field, `unexpected template ${written}; ${fix}`);
      return undefined;
    }
    if (!path.includes("{{id}}")) {
      reader.report(
        field,
        `must contain {{id}} where the write's id goes, e.g. "/writes/{{id}}", got ${JSON.stringify(path)}`,
      );
      return undefined;
    }
    return path;
  },
  schema: () => ({
    type: "string",
    pattern: "^/(?=[\\s\\S]*\\{\\{id\\}\\})(?![\\s\\S]*\\{\\{(?!id\\}\\})[^{}]*\\}\\})",
  }),
};

const templates = APP_TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(", ");

export const APP = mapping(
  {
    image: optional(imageRef, {
      description: "docker only: the app's image; default the reference app's (failover-drill/app:bookworm).",
      check(image, { field, scope }) {
        const { platform, overrides } = drillContext(scope);
        if (field === undefined || image === undefined || platform !== "local") return image;
        // On local the app is a process: an image would silently be ignored.
        const via = overrides.platform !== undefined ? " (--platform local)" : "";
        scope.reader.report(field, `needs platform: docker${via}; on local use app.command`);
        return undefined;
      },
    }),
    command: optional(
      // A single string is refused rather than split, since splitting cannot know about quoting.
      list(templated("arguments"), {
        expected: "a list of arguments like [node, server.js] (a single string is not split into arguments)",
        empty: "expected at least one argument: the program to run (omit command for the default)",
      }),
      {
        description:
          "A list of arguments, never one string. local: the app's argv, run from the drill file's " +
          "directory; it must listen on {{HOST}}:{{PORT}}. docker: overrides the image's CMD.",
      },
    ),
    port: withDefault(integer(1, 65_535), REFERENCE_APP_ENDPOINTS.port, {
      description:
        "docker: the port the app listens on inside its container. local: ignored; the app is given {{PORT}}.",
    }),
    healthPath: withDefault(
      pattern(/^\/\S*$/, 'a path starting with "/", e.g. "/health"'),
      REFERENCE_APP_ENDPOINTS.healthPath,
      { description: "Answers 200 when the app can take writes; anything else (or nothing) is unhealthy." },
    ),
    writePath: withDefault(writePath, REFERENCE_APP_ENDPOINTS.writePath, {
      description:
        "Where a client POSTs a write; {{id}} is its id (the only template here). A 2xx answer " +
        "acknowledges the write.",
    }),
    env: withDefault(
      record({
        expected: "a mapping of environment variable names to values",
        key: {
          pattern: ENV_NAME,
          message: "expected an environment variable name (letters, digits and _, not starting with a digit)",
        },
        value: templated("env values"),
        valueExpected: 'a quoted string (env values are text), e.g. ""',
      }),
      {},
      { description: "Extra environment for the app, templated per region; values must be quoted strings." },
    ),
  },
  {
    description:
      "The app under test in every region (bring your own app); omitted fields are the reference " +
      `app's. Command arguments and env values may use ${templates}.`,
    notFields: {
      workingDir: "the app's command runs from the drill file's directory (give paths relative to it)",
    },
    build: ({ image, command, port, healthPath, writePath, env }, scope) => ({
      ...(image === undefined ? {} : { image }),
      ...(command === undefined ? {} : { command }),
      /** local: directory `command` runs in: the drill file's directory. */
      workingDir: drillContext(scope).workingDir,
      port,
      healthPath,
      writePath,
      env,
    }),
  },
);
