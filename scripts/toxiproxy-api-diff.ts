// By hand, not in CI: sends the same random requests (test/helpers/toxiproxy-requests.ts) to the
// embedded server and to a real toxiproxy-server, and prints every request whose status differs.
//   node --import tsx scripts/toxiproxy-api-diff.ts /path/to/toxiproxy-server [runs] [seed]
import { spawn } from "node:child_process";
import { once } from "node:events";
import fc from "fast-check";
import { ToxiproxyServer } from "../src/toxiproxy/server.ts";
import { apiRequest, send } from "../test/helpers/toxiproxy-requests.ts";

const [binary, runsArg = "500", seedArg = "1"] = process.argv.slice(2);
if (binary === undefined) {
  console.error("usage: toxiproxy-api-diff.ts TOXIPROXY_SERVER [runs] [seed]");
  process.exit(2);
}
// Go answers an unparseable request with a 400 and a body after Connection: close, which Node's
// client parser reports late, outside the request; that answer was already read.
process.on("uncaughtException", (err: NodeJS.ErrnoException) => {
  if (err.code !== "HPE_CLOSED_CONNECTION") throw err;
});
const port = 30_000 + Math.floor(Math.random() * 10_000);
const go = spawn(binary, ["-host", "127.0.0.1", "-port", String(port)], { stdio: "ignore" });
// Whatever ends this script (an error, an unsettled await) ends the server it started.
process.on("exit", () => go.kill("SIGTERM"));
const ours = await ToxiproxyServer.start();
try {
  const goUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (
      await send(goUrl, { method: "GET", path: "/version", userAgent: undefined, body: undefined }).catch(
        () => undefined,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const requests = fc.sample(apiRequest, { numRuns: Number(runsArg), seed: Number(seedArg) });
  const counts = new Map<string, number>();
  let differences = 0;
  for (const request of requests) {
    const noAnswer = { status: 0, body: "(no answer readable by Node's client)" };
    const within = (p: Promise<{ status: number; body: string }>) =>
      Promise.race([
        p.catch(() => noAnswer),
        new Promise<typeof noAnswer>((r) => setTimeout(() => r(noAnswer), 3000).unref()),
      ]);
    const [a, b] = await Promise.all([within(send(goUrl, request)), within(send(ours.url, request))]);
    const key = `${a.status}/${b.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (a.status !== b.status) {
      differences++;
      console.log(`${request.method} ${request.path} ua=${request.userAgent} body=${request.body}`);
      console.log(`  toxiproxy ${a.status} ${a.body.trim().slice(0, 200)}`);
      console.log(`  embedded  ${b.status} ${b.body.trim().slice(0, 200)}`);
    }
  }
  console.log(
    `${requests.length} requests, ${differences} with a different status; toxiproxy/embedded:`,
    Object.fromEntries(counts),
  );
} finally {
  go.kill("SIGTERM");
  await once(go, "exit");
  await ours.close();
}
