// The infrastructure watch's app rule on real processes: an app that exits while no fault explains it
// is recorded once as an infra-failure; one killed by the drill's own region outage is not.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MonotonicClock } from "../../src/clock.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import { ProcessSupervisor, type ManagedProcess } from "../../src/platform/processes.ts";
import { GuardEvents, type InfraFailureValue } from "../../src/runner/infra-events.ts";
import { InfraWatch } from "../../src/runner/infra-watch.ts";

describe("the infrastructure watch (app processes)", () => {
  let tmp: string;
  const supervisor = new ProcessSupervisor();
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "infra-watch-"));
  });
  after(async () => {
    await supervisor.stopAll(1000);
    await rm(tmp, { recursive: true, force: true });
  });

  it("records an app exit no fault explains, and not one the drill's region outage caused", async () => {
    const app = (name: string): ManagedProcess =>
      supervisor.spawn(name, "sleep", ["30"], { logFile: path.join(tmp, `${name}.log`) });
    const apps = new Map([
      ["us-east", app("us-east")],
      ["eu-west", app("eu-west")],
    ]);
    const clock = new MonotonicClock();
    const history = new HistoryRecorder(clock);
    const watch = new InfraWatch({
      // Probes run a second after start; this test is over before then, so the addresses are never asked.
      topology: {
        dns: { name: "embedded", endpoint: { host: "127.0.0.1", port: 9 } },
        proxies: { url: "http://127.0.0.1:9" },
        appProcesses: () => apps,
      } as never,
      dnsName: "api.drill.test",
      history,
      now: () => clock.now(),
      faults: { explainsRegionDown: (r) => r === "us-east", explainsInfrastructure: () => false },
      duringWorkload: () => true,
    });
    watch.start();
    await apps.get("us-east")!.kill("SIGKILL");
    const westPid = apps.get("eu-west")!.pid;
    await apps.get("eu-west")!.kill("SIGKILL");
    // The watch's own handlers on these exits were registered first, so they have run after these.
    await Promise.all([...apps.values()].map((a) => a.exited));
    await watch.stop();
    const failures = history.ops.filter((op) => op.f === GuardEvents.infraFailure);
    assert.equal(failures.length, 1);
    const v = failures[0]!.value as InfraFailureValue;
    assert.deepEqual(
      { component: v.component, what: v.what, detail: v.detail, duringWorkload: v.duringWorkload },
      {
        component: "app",
        what: `the app of eu-west (pid ${westPid})`,
        detail: "exited (signal SIGKILL)",
        duringWorkload: true,
      },
    );
  });
});
