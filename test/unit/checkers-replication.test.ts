// Replication lag, WAL distance at failover, and failover observed from database roles (external
// mode), against literal histories: every figure follows by hand from the times and values here.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { OBSERVED_PROMOTION_NOTE } from "../../src/checkers/failover.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Drill } from "../../src/drill/types.ts";
import {
  Events,
  Processes,
  type FinalRead,
  type Op,
  type ReplicationSampleValue,
  type RoleChangeValue,
  type SampledStandby,
} from "../../src/history/types.ts";
import { renderConsole, renderMarkdown } from "../../src/report/index.ts";

const EAST = "127.0.1.1";
const WEST = "127.0.2.1";

function standby(
  name: string,
  replayLagBytes: number | null,
  extra: Partial<SampledStandby> = {},
): SampledStandby {
  return {
    name,
    state: "streaming",
    syncState: "async",
    writeLagMs: null,
    flushLagMs: null,
    replayLagMs: null,
    sentLagBytes: replayLagBytes,
    flushLagBytes: replayLagBytes,
    replayLagBytes,
    ...extra,
  };
}

function sample(
  h: HistoryBuilder,
  ms: number,
  primary: string | null,
  standbys: SampledStandby[],
): HistoryBuilder {
  const value: ReplicationSampleValue = { primary, standbys, nodes: [], sampleMs: 200 };
  return h.event(ms, Processes.dbMonitor, Events.replicationSample, value);
}

function roleChange(
  h: HistoryBuilder,
  ms: number,
  region: string,
  from: RoleChangeValue["from"],
  to: RoleChangeValue["to"],
) {
  const value: RoleChangeValue = { region, from, to, sampleMs: 200 };
  return h.event(ms, Processes.dbMonitor, Events.roleChange, value);
}

const topologyUp = (h: HistoryBuilder): HistoryBuilder =>
  h.runner(0, Events.topologyUp, {
    regions: [
      { name: "east", address: EAST, role: "primary" },
      { name: "west", address: WEST, role: "standby" },
    ],
  });

function summarise(history: Op[], drill: Drill = sampleDrill(), reads?: FinalRead[]) {
  return analyze({
    drill,
    history,
    finalReads: reads ?? [
      { node: "east", reachable: true, role: "primary", ids: [1, 2] },
      { node: "west", reachable: true, role: "primary", ids: [1] },
    ],
    startedAt: "2026-01-01T00:00:00.000Z",
  });
}

/**
 * east is killed at 5000 (in effect 5004); the controller declares it down at 7500 and west is writable
 * at 7900. west's replay distance: 0, 100, 1000, 4096 bytes in samples before the fault, 999 999 after.
 */
function controllerFailover(samples: (h: HistoryBuilder) => HistoryBuilder): Op[] {
  const h = topologyUp(new HistoryBuilder())
    .runner(100, Events.workloadStart)
    .write(0, 1, 100, "ok", 110, "east");
  samples(h);
  return h
    .write(1, 2, 4950, "ok", 4990, "east")
    .faultStart(0, 5000, 5004, { type: "region-outage", region: "east" })
    .controller(7500, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
    .controller(7900, Events.writable, { region: "west" })
    .runner(12_100, Events.workloadEnd)
    .build();
}

const steadySamples = (h: HistoryBuilder): HistoryBuilder => {
  sample(h, 1000, "east", [standby("west", 0, { replayLagMs: 1 })]);
  sample(h, 2000, "east", [standby("west", 100, { replayLagMs: 2 })]);
  sample(h, 4600, "east", [standby("west", 1000)]);
  sample(h, 4800, "east", [standby("west", 4096, { replayLagMs: 12 })]);
  return sample(h, 5100, "east", [standby("west", 999_999, { replayLagMs: 300, state: "catchup" })]);
};

describe("replication checker", () => {
  it("summarises each standby's replay lag over the drill", () => {
    const r = summarise(controllerFailover(steadySamples)).measurements.replication;
    assert.equal(r.samples, 5);
    assert.equal(r.sampleMs, 200);
    assert.deepEqual(r.perStandby, [
      {
        primary: "east",
        standby: "west",
        samples: 5,
        streamingSamples: 4,
        syncStates: ["async"],
        // ms without the sample that had no figure: 1, 2, 12, 300.
        replayLagMsP50: 2,
        replayLagMsMax: 300,
        // bytes 0, 100, 1000, 4096, 999999.
        replayLagBytesP50: 1000,
        replayLagBytesMax: 999_999,
      },
    ]);
    assert.equal(r.maxReplayLagMs, 300);
    assert.equal(r.maxReplayLagBytes, 999_999);
  });

  it("takes the WAL distance at failover from the last sample before the fault", () => {
    const r = summarise(controllerFailover(steadySamples)).measurements.replication;
    assert.deepEqual(r.atFailover, {
      standby: "west",
      primary: "east",
      promoted: true,
      lagBytes: 4096,
      basis: "replay",
      lagMs: 12,
      state: "streaming",
      sampledMsBeforeFault: 200,
    });
  });

  it("goes back to the newest sample that lists the promoted standby, and says when it is stale", () => {
    const history = controllerFailover((h) => {
      sample(h, 4000, "east", [standby("west", 2048, { replayLagMs: 8 })]);
      // The standby missed the next samples (unreachable): they do not list it.
      sample(h, 4600, "east", []);
      return sample(h, 4800, null, []);
    });
    const s = summarise(history);
    assert.equal(s.measurements.replication.atFailover?.lagBytes, 2048);
    assert.equal(s.measurements.replication.atFailover?.sampledMsBeforeFault, 1000);
    assert.ok(
      s.notes.some((n) => /last replication sample of west before the fault is 1000 ms old/.test(n)),
      s.notes.join("\n"),
    );
  });

  it("falls back to the flush distance for a standby cut off from the primary", () => {
    const history = controllerFailover((h) =>
      sample(h, 4900, "east", [
        standby("west", null, {
          state: "disconnected",
          syncState: null,
          sentLagBytes: null,
          flushLagBytes: 5000,
        }),
      ]),
    );
    const wal = summarise(history).measurements.replication.atFailover;
    assert.deepEqual([wal?.lagBytes, wal?.basis, wal?.state], [5000, "flush", "disconnected"]);
  });

  it("names the closest standby when nothing was promoted", () => {
    const drill = sampleDrill({
      regions: [
        { name: "east", role: "primary" },
        { name: "west", role: "standby" },
        { name: "south", role: "standby" },
      ],
    });
    const history = topologyUp(new HistoryBuilder())
      .runner(100, Events.workloadStart)
      .event(4900, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [standby("west", 9000), standby("south", 300)],
        nodes: [],
        sampleMs: 200,
      })
      .faultStart(0, 5000, 5004, { type: "region-outage", region: "east" })
      .runner(12_100, Events.workloadEnd)
      .build();
    const wal = summarise(history, drill).measurements.replication.atFailover;
    assert.deepEqual([wal?.standby, wal?.promoted, wal?.lagBytes], ["south", false, 300]);
  });

  it("says why there is nothing to report without samples", () => {
    const r = summarise(controllerFailover((h) => h)).measurements.replication;
    assert.deepEqual(r.perStandby, []);
    assert.equal(r.atFailover, null);
    assert.match(r.reason ?? "", /no replication samples/);
  });
});

interface ExternalStory {
  /** The old primary acknowledges a write after west was seen as primary. */
  staleAck?: boolean;
  /** The DNS server (moved by something outside the drill) answers west's address. */
  dnsMoves?: boolean;
}

/**
 * External mode: nothing in the drill promotes. east is killed at 5000 (in effect 5004); the monitor
 * (200 ms samples) sees west leave recovery at 6200. Client 0 writes to east before and west after.
 */
function externalFailover(story: ExternalStory = {}): Op[] {
  const h = topologyUp(new HistoryBuilder()).event(50, Processes.dnsMonitor, Events.authoritativeAnswer, {
    address: EAST,
    ttlMs: 2000,
    pollMs: 20,
  });
  roleChange(h, 60, "east", null, "primary");
  roleChange(h, 60, "west", null, "standby");
  sample(h, 4900, "east", [standby("west", 512, { replayLagMs: 3 })]);
  h.runner(100, Events.workloadStart)
    .write(0, 1, 100, "ok", 110, "east")
    .write(0, 2, 4800, "ok", 4810, "east")
    .faultStart(0, 5000, 5004, {
      type: "region-outage",
      region: "east",
      description: "region-outage of east (kill)",
    });
  roleChange(h, 6200, "west", "standby", "primary");
  if (story.dnsMoves) {
    h.event(6500, Processes.dnsMonitor, Events.authoritativeAnswer, {
      address: WEST,
      ttlMs: 2000,
      pollMs: 20,
    });
    h.resolve(0, 6600, WEST).resolve(1, 6700, WEST);
  }
  h.write(0, 3, 6600, "ok", 6620, "west").write(1, 4, 6700, "ok", 6710, "west");
  if (story.staleAck) h.write(1, 5, 6800, "ok", 6810, "east");
  return h.faultHeal(0, 11_000, 11_500, { type: "region-outage" }).runner(12_100, Events.workloadEnd).build();
}

const externalDrill = (): Drill => {
  const drill = sampleDrill();
  return { ...drill, controller: { ...drill.controller, mode: "external" } };
};

const externalReads: FinalRead[] = [
  { node: "east", reachable: true, role: "primary", ids: [1, 2] },
  { node: "west", reachable: true, role: "primary", ids: [1, 3, 4] },
];

describe("failover observed from database roles (external mode)", () => {
  it("measures promotion from the fault to the first standby seen as primary", () => {
    const s = summarise(externalFailover(), externalDrill(), externalReads);
    const { promotion, detection } = s.measurements;
    assert.equal(promotion.ms, 1200);
    // One sample interval plus the 4 ms the injection took.
    assert.equal(promotion.uncertaintyMs, 204);
    assert.equal(promotion.basis, "database-roles");
    assert.ok(promotion.note?.startsWith(OBSERVED_PROMOTION_NOTE), promotion.note);
    assert.equal(detection.ms, null);
    assert.match(detection.reason ?? "", /detection not observable in external mode/);
    assert.ok(
      s.notes.some((n) => n.startsWith(`promotion: ${OBSERVED_PROMOTION_NOTE}`)),
      s.notes.join("\n"),
    );
    assert.ok(s.timeline.some((e) => e.tMs === 6200 && e.event === "west observed as primary (was standby)"));
    assert.equal(s.measurements.writeLatency.duringEndsAt, "writable");
    assert.equal(s.measurements.writeLatency.phases[1]?.toMs, 6200);
  });

  it("judges data loss on the region observed as promoted", () => {
    const rpo = summarise(externalFailover(), externalDrill(), externalReads).measurements.rpo;
    assert.equal(rpo.survivingPrimary, "west");
    assert.equal(rpo.lostWrites, 1);
    assert.deepEqual(rpo.lostIds, [2]);
  });

  it("shows the WAL distance at failover beside the lost writes", () => {
    const m = summarise(externalFailover(), externalDrill(), externalReads).measurements;
    assert.deepEqual(
      [
        m.replication.atFailover?.standby,
        m.replication.atFailover?.lagBytes,
        m.replication.atFailover?.promoted,
      ],
      ["west", 512, true],
    );
  });

  it("measures the DNS switch against the promoted region's address when something moved DNS", () => {
    const dns = summarise(externalFailover({ dnsMoves: true }), externalDrill(), externalReads).measurements
      .dnsSwitch;
    assert.equal(dns.newAddress, WEST);
    assert.equal(dns.authoritativeMs, 300);
    assert.equal(dns.clientFirstMs, 400);
    assert.equal(dns.clientLastMs, 500);
    assert.equal(dns.reason, undefined);
  });

  it("says DNS never moved when nothing switched it", () => {
    const s = summarise(externalFailover(), externalDrill(), externalReads);
    const dns = s.measurements.dnsSwitch;
    assert.equal(dns.authoritativeMs, null);
    assert.equal(dns.newAddress, null);
    // Clients cannot have missed a switch that never happened.
    assert.ok(!s.notes.some((n) => /never resolved the new address/.test(n)), s.notes.join("\n"));
    assert.match(dns.reason ?? "", /DNS never moved to the promoted region's address 127\.0\.2\.1/);
  });

  it("detects split brain from an ack by the old primary after the observed promotion", () => {
    const sb = summarise(externalFailover({ staleAck: true }), externalDrill(), externalReads).measurements
      .splitBrain;
    assert.equal(sb.detected, true);
    assert.deepEqual(sb.ids, [5]);
    assert.deepEqual(sb.regions, ["east", "west"]);
  });

  it("does not count a node's first observation as a promotion", () => {
    const h = topologyUp(new HistoryBuilder()).runner(100, Events.workloadStart);
    h.faultStart(0, 5000, 5004, { type: "region-outage", region: "east" });
    roleChange(h, 6000, "west", null, "primary");
    const s = summarise(h.runner(12_100, Events.workloadEnd).build(), externalDrill(), externalReads);
    assert.equal(s.measurements.promotion.ms, null);
    assert.match(s.measurements.promotion.reason ?? "", /no standby was observed becoming primary/);
    assert.equal(s.measurements.rpo.survivingPrimary, "east");
  });

  it("prefers the controller's writable event over a role change", () => {
    const history = controllerFailover((h) => roleChange(h, 7700, "west", "standby", "primary"));
    const { promotion } = summarise(history).measurements;
    assert.equal(promotion.ms, 400);
    assert.equal(promotion.basis, undefined);
  });
});

describe("replication in the reports", () => {
  it("puts the WAL distance at failover next to the lost writes and tables the lag per standby", () => {
    const s = summarise(externalFailover(), externalDrill(), externalReads);
    const md = renderMarkdown(s);
    const wal =
      "west was 512 B (replay) behind east, replay lag 3 ms, streaming, sampled 100 ms before the fault";
    assert.ok(
      md.includes(`## Replication\n\n- WAL distance at failover: ${wal}\n- Lost acknowledged writes: 1\n`),
      md,
    );
    assert.ok(md.includes(`- Lost window: 4.7 s\n- WAL distance at failover: ${wal}\n`), md);
    assert.match(md, /^\| east \| west \| 1 \| 1 \| async \| 3 ms \| 3 ms \| 512 B \| 512 B \|$/m);
    assert.match(md, /^\| promotion \(observed from database roles\) \| 1\.2 s \| 204 ms \| n\/a \|$/m);
    const text = renderConsole(s);
    assert.match(text, /promotion {4}1\.2 s \(observed from database roles\)/);
    assert.match(
      text,
      /replication {2}max replay lag 3 ms \/ 512 B; at the fault west was 512 B behind \(sampled 100 ms before\)/,
    );
  });

  it("says replication was not sampled when the history has no samples", () => {
    const md = renderMarkdown(summarise(controllerFailover((h) => h)));
    assert.match(md, /## Replication\n\nNot sampled: no replication samples in the history/);
    assert.doesNotMatch(renderConsole(summarise(controllerFailover((h) => h))), /replication/);
  });
});
