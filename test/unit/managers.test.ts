// The failover-manager seam on literal data: which manager a drill file chooses, how clients are routed
// under it, and that a manager recording its steps through ManagerEvents is measured by the checkers.
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { analyze } from "../../src/checkers/index.ts";
import { sampleDrill } from "../../src/checkers/history-builder.ts";
import { DrillValidationError, parseDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import { Events, Processes } from "../../src/history/types.ts";
import { ManagerEvents } from "../../src/managers/events.ts";
import { MANAGER_NAMES } from "../../src/managers/names.ts";
import { managerKind } from "../../src/managers/registry.ts";

const MINIMAL = `name: m
regions:
  - { name: east, role: primary }
  - { name: west, role: standby }
`;

const controllerOf = (yaml: string): Drill["controller"] =>
  parseDrill(`${MINIMAL}${yaml}`, "m.yaml").controller;

function problemsOf(yaml: string): string[] {
  try {
    parseDrill(`${MINIMAL}${yaml}`, "m.yaml");
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("choosing a failover manager in the drill file", () => {
  it("uses the built-in manager in dns mode when the controller section is left out", () => {
    const controller = controllerOf("");
    assert.equal(controller.manager, "builtin");
    assert.equal(controller.mode, "dns");
  });

  it("reads mode external as the external manager, as drills written before managers existed say", () => {
    assert.deepEqual(
      { manager: controllerOf("controller: { mode: external }\n").manager },
      { manager: "external" },
    );
  });

  it("gives manager external the mode external, so everything that asks for the mode sees it", () => {
    const controller = controllerOf("controller: { manager: external }\n");
    assert.equal(controller.manager, "external");
    assert.equal(controller.mode, "external");
  });

  it("refuses a builtin manager asked to run in external mode", () => {
    assert.deepEqual(problemsOf("controller: { manager: builtin, mode: external }\n"), [
      "controller.manager: mode external means the external manager; set manager: external or remove it",
    ]);
  });

  it("refuses a builtin mode next to the external manager", () => {
    assert.deepEqual(problemsOf("controller: { manager: external, mode: client }\n"), [
      "controller.mode: only applies to the builtin manager (manager is external); remove it",
    ]);
  });

  it("suggests the closest manager name for a misspelt one", () => {
    assert.deepEqual(problemsOf("controller: { manager: builtn }\n"), [
      'controller.manager: expected one of: builtin, external, hooks, pg_auto_failover, patroni, regional, got "builtn"; did you mean "builtin"?',
    ]);
  });
});

describe("the manager registry", () => {
  it("has a manager for every name the drill format accepts", () => {
    for (const name of MANAGER_NAMES) assert.equal(managerKind(name).name, name);
  });

  it("routes clients through DNS under the built-in manager except in client mode", () => {
    const routing = (mode: Drill["controller"]["mode"]) =>
      managerKind("builtin").routing(sampleDrill({ controller: { ...sampleDrill().controller, mode } }));
    assert.deepEqual([routing("dns"), routing("manual"), routing("client")], ["dns", "dns", "client"]);
  });

  it("lets clients hold every regional endpoint under the external manager, since nobody re-points DNS", () => {
    assert.equal(managerKind("external").routing(sampleDrill()), "client");
    assert.equal(managerKind("external").reportsSteps, false);
  });
});

describe("ManagerEvents", () => {
  it("records the steps under the names and fields the checkers measure detection and promotion from", () => {
    const clock = new ManualClock();
    const history = new HistoryRecorder(clock);
    const events = new ManagerEvents(history);
    history.event(Processes.runner, Events.topologyUp, {
      regions: [
        { name: "east", address: "127.0.1.1", role: "primary" },
        { name: "west", address: "127.0.2.1", role: "standby" },
      ],
    });
    clock.advanceMs(5000);
    const fault = { fault: 0, type: "region-outage", region: "east", description: "region-outage of east" };
    history.append(Processes.nemesis, "invoke", Events.faultStart, fault);
    clock.advanceMs(4);
    history.append(Processes.nemesis, "ok", Events.faultStart, fault);
    clock.advanceMs(2496);
    events.detected({ region: "east", consecutiveFailures: 3 });
    events.fenced({ region: "east" });
    events.promoting({ region: "west" });
    clock.advanceMs(400);
    events.writable({ region: "west", pollMs: 10 });
    clock.advanceMs(5);
    events.routingChanged({ name: "db.drill.test", address: "127.0.2.1", region: "west" });

    const summary = analyze({
      drill: sampleDrill(),
      history: history.ops,
      finalReads: [],
      startedAt: clock.startedAt,
    });
    // Detection counts from the fault's invoke at 5000 ms (its 4 ms injection is the uncertainty).
    assert.deepEqual([summary.measurements.detection.ms, summary.measurements.promotion.ms], [2500, 400]);
    assert.deepEqual(
      history.ops.filter((op) => op.process === Processes.controller).map((op) => op.f),
      [Events.primaryDown, Events.fence, Events.promote, Events.writable, Events.dnsUpdate],
    );
  });
});
