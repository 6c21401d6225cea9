// How node starts the reference app. Compiled (this module is dist/src/platform/reference-app.js, as
// in the installed CLI): dist/fixtures/app/server.js, plain JavaScript. From the sources (tests run
// them through tsx): fixtures/app/server.ts through the tsx loader, as before there was a build.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface ReferenceAppLaunch {
  /** node's arguments: loader flags, if any, then the server file. */
  args: string[];
  /** The root of the tree the app is in (the project, or dist/). */
  cwd: string;
}

/** `moduleUrl` is this module's URL; a parameter so a test can ask about the other layout. */
export function referenceAppLaunch(moduleUrl: string = import.meta.url): ReferenceAppLaunch {
  const cwd = fileURLToPath(new URL("../../", moduleUrl));
  if (moduleUrl.endsWith(".js")) {
    return { args: [fileURLToPath(new URL("../../fixtures/app/server.js", moduleUrl))], cwd };
  }
  // Resolved only here: the installed package has no tsx. A file URL, because import.meta.resolve is
  // not available when tsx compiles us to CJS.
  const tsx = pathToFileURL(createRequire(moduleUrl).resolve("tsx")).href;
  return { args: ["--import", tsx, fileURLToPath(new URL("../../fixtures/app/server.ts", moduleUrl))], cwd };
}
