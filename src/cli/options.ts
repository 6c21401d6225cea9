// Options and messages that several commands share.
import { PLATFORMS } from "../drill/types.ts";

/** `--platform`, shared by run, validate and matrix; yargs refuses other values (exit 2). */
export const PLATFORM_OPTION = {
  type: "string",
  choices: PLATFORMS,
  describe: "run on this platform instead of the drill's `platform` (validated with it applied)",
} as const;

/** Why `--toxiproxy-url` cannot go with the docker platform, where Toxiproxy is a container the drill starts. */
export const TOXIPROXY_URL_ON_DOCKER =
  "--toxiproxy-url is for the local platform; on docker use docker.images.toxiproxy in the drill";
