// Options and messages that several commands share.
// From the format module itself: drill/types.ts would load the whole format (and yaml) for --help.
import { PLATFORMS } from "../drill/format/context.ts";

/** `--platform`, shared by run, validate and matrix; yargs refuses other values (exit 2). */
export const PLATFORM_OPTION = {
  type: "string",
  choices: PLATFORMS,
  describe: "run on this platform instead of the drill's `platform` (validated with it applied)",
} as const;

/** Why `--toxiproxy-url` cannot go with the docker platform, where Toxiproxy is a container the drill starts. */
export const TOXIPROXY_URL_ON_DOCKER =
  "--toxiproxy-url is for the local platform; on docker use docker.images.toxiproxy in the drill";

/** Why `--toxiproxy-url` cannot go with the external platform, where the drill file names the user's server. */
export const TOXIPROXY_URL_ON_EXTERNAL =
  "--toxiproxy-url is for the local platform; on external the drill's external.toxiproxy names your server";
