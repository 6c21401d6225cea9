// The docker tests need a Docker engine (scripts/start-dockerd.sh) and the local images
// (scripts/build-local-images.sh). `test/**/*.test.ts` also matches this folder, so on a machine
// without an engine they skip, loudly, unless FAILOVER_DRILL_DOCKER_TESTS=required (what CI sets
// once it starts dockerd), where a missing engine fails them.
import { spawnSync } from "node:child_process";

export function dockerEngineAnswers(): boolean {
  return spawnSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 }).status === 0;
}

export function skipWithoutDockerEngine(context: Mocha.Context): void {
  if (dockerEngineAnswers()) return;
  if (process.env.FAILOVER_DRILL_DOCKER_TESTS === "required") {
    throw new Error("no Docker engine answers `docker info` (run scripts/start-dockerd.sh)");
  }
  console.log("      skipped: no Docker engine (scripts/start-dockerd.sh starts one)");
  context.skip();
}
