// Starts the example "existing environment" that drills/hooks-external.yaml drills (two PostgreSQL
// nodes, two reference apps, a Toxiproxy with a proxy per link; fixtures/external/environment.ts) on
// that drill's fixed addresses and ports, and keeps it running until Ctrl-C:
//   node --import tsx scripts/external-environment.ts      (needs dist/: npm run build)
// then, in another terminal: npm run drill -- drills/hooks-external.yaml
import { startExternalEnvironment } from "../fixtures/external/environment.ts";

const env = await startExternalEnvironment({ fixed: true, log: (line) => console.log(line) });
console.log("environment up; Ctrl-C stops it");
const signal = await new Promise<NodeJS.Signals>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});
console.log(`${signal}: stopping the environment`);
await env.stop();
