// `npm run bench:docker`: set-up and teardown figures of the docker platform on this machine, printed,
// not asserted. Needs a Docker engine and the images (scripts/start-dockerd.sh,
// scripts/build-local-images.sh). Cold start and teardown of the region-outage topology (2 database
// containers, 2 app containers, 1 Toxiproxy container with 6 proxies, DNS), then how long each
// region-outage mode takes to inject and to heal.
import { loadDrill } from "../src/drill/load.ts";
import { OUTAGE_MODES } from "../src/drill/types.ts";
import { DockerTopology } from "../src/topology/docker.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const drill = { ...(await loadDrill("drills/region-outage.yaml")), platform: "docker" as const };

console.log("## docker topology cold start / teardown (region-outage.yaml: 5 containers, 6 proxies)");
for (let i = 1; i <= RUNS; i++) {
  let phases = "";
  const t0 = performance.now();
  const topology = await DockerTopology.start(drill, {
    log: (line) => {
      if (line.startsWith("containers up")) phases = line.replace("containers up: ", "");
    },
  });
  const up = performance.now() - t0;
  const t1 = performance.now();
  await topology.dispose();
  const down = performance.now() - t1;
  console.log(`run ${i}: up ${fmt(up)} (${phases}), down ${fmt(down)}`);
}

console.log("\n## region-outage modes on containers (database + app of the standby region)");
const topology = await DockerTopology.start(drill);
try {
  for (const mode of OUTAGE_MODES) {
    // The standby region, so that one topology serves every mode.
    const t0 = performance.now();
    const heal = await topology.injectRegionOutage("eu-west", mode);
    const injected = performance.now() - t0;
    const t1 = performance.now();
    await heal();
    console.log(
      `${mode}: inject ${fmt(injected)}, heal (until both answer again) ${fmt(performance.now() - t1)}`,
    );
  }
} finally {
  await topology.dispose();
}
