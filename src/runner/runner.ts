// The one orchestrator: the only module that touches both infrastructure and the history.
// drill -> topology -> steady-state gate -> workload + faults + failover manager + monitors -> heal ->
// recovery wait -> final reads -> checkers -> objectives -> reports.
import path from "node:path";
import { MonotonicClock } from "../clock.ts";
import { DnsMonitor } from "../dns/monitor.ts";
import { queryA } from "../dns/resolver.ts";
import type { Drill } from "../drill/types.ts";
import { historyFormatValue } from "../history/format.ts";
import { indexHistoryFile } from "../history/index-file.ts";
import { HistoryRecorder } from "../history/recorder.ts";
import { managerKind } from "../managers/registry.ts";
import type { FailoverManager } from "../managers/types.ts";
import { probeHealth } from "../platform/http-probe.ts";
import { Events, Processes, type FinalRead } from "../history/types.ts";
import type { Summary } from "../checkers/types.ts";
import { DockerTopology } from "../topology/docker.ts";
import { ExternalTopology } from "../topology/external.ts";
import { LocalTopology } from "../topology/local.ts";
import type { RunningTopology } from "../topology/topology.ts";
import { AbortedError, sleep, throwIfAborted } from "../util/abort.ts";
import { waitUntil } from "../util/wait.ts";
import { buildPopulation, type Population } from "../workload/population.ts";
import { newSeed } from "../workload/random.ts";
import { runWorkload } from "../workload/workload.ts";
import { DatabaseMonitor } from "./database-monitor.ts";
import { activeActiveSteadyProblems, keyedMonitor, readKeyedFinal } from "./active-active.ts";
import type { KeyedMonitor } from "./keyed-monitor.ts";
import { hasResidency, isActiveActive, opMix } from "../drill/active-active.ts";
import { OpPlan } from "../workload/ops.ts";
import { FaultSchedule } from "./faults.ts";
import { defaultTimeoutMs, PHASES, RunGuard, type Phase } from "./guard.ts";
import { GuardEvents, type TimeoutValue } from "./infra-events.ts";
import { InfraWatch } from "./infra-watch.ts";
import { assertInstalled } from "./requirements.ts";
import { withLifeline } from "../lifeline/lifeline.ts";
import { warnAboutLeftovers } from "../lifeline/warn.ts";
import {
  prepareRunDirectory,
  reportTimestamp,
  RUN_FILES,
  writeFinalState,
  writeReportFiles,
} from "./run-files.ts";
import { summariseIndexed } from "./summarise.ts";
import { recordRun, runIndexFile } from "../trend/store.ts";
import { onLoopStall } from "../util/loop-stalls.ts";

export { freshDirectory, OutputDirectoryError, reportTimestamp, ReportWriteError } from "./run-files.ts";
export { defaultTimeoutMs, TIMEOUT_FORMULA } from "./guard.ts";

export interface RunOptions {
  /** Parent directory for reports; the run writes to <out>/<drill>/<timestamp>/. */
  out: string;
  keep?: boolean;
  toxiproxyUrl?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** The trend store this run is appended to; default <out>/<drill>/index.jsonl (src/trend/store.ts). */
  indexFile?: string;
  /** Maximum wall time of the whole drill; default defaultTimeoutMs(drill) (src/runner/guard.ts). */
  timeoutMs?: number;
  /**
   * Called as the run enters each phase after the topology is up (PHASES in guard.ts) with the running
   * topology: how tests reach a run's infrastructure (e.g. to break its DNS server mid-workload).
   */
  onPhase?: (phase: Phase, topology: RunningTopology) => void;
  /** Where the warning about earlier drills' leftovers goes; default stderr. */
  warn?: (line: string) => void;
}

export interface RunResult {
  summary: Summary;
  reportDir: string;
  indexFile: string;
  /** Why the run is missing from the trend store, when appending failed (the run itself stands). */
  indexWarning?: string;
  /** Set when the wall-time limit stopped the drill: "timed out after 5m during 'waiting for recovery'". */
  timedOut?: string;
}

export class SteadyStateError extends Error {
  override name = "SteadyStateError";
}

export async function runDrill(drill: Drill, options: RunOptions): Promise<RunResult> {
  // Before the report directory or anything else exists: a missing program stops the drill at once.
  assertInstalled(drill);
  // Looked for beside the start-up rather than before it (docker takes a moment to answer).
  const warned = warnAboutLeftovers(options.warn ?? ((line) => process.stderr.write(line + "\n")));
  try {
    // A reaper takes the run's processes, containers and workspace with it if this process dies.
    return await withLifeline(options.keep ?? false, () => runMarked(drill, options));
  } finally {
    await warned;
  }
}

async function runMarked(drill: Drill, options: RunOptions): Promise<RunResult> {
  const log = options.log ?? (() => {});
  const clock = new MonotonicClock();
  // Before anything starts: a run that cannot keep its evidence does not start a drill.
  const reportDir = await prepareRunDirectory(
    path.join(options.out, drill.name, reportTimestamp(new Date(clock.startedAt))),
  );
  const historyFile = path.join(reportDir, RUN_FILES.history);
  const history = new HistoryRecorder(clock, historyFile);
  // Op 0 says which history format the file is (the format stays one op per line).
  history.event(Processes.runner, Events.historyFormat, historyFormatValue());
  // A stalled runner stretches every timing it takes: the report says how much (throughput notes).
  const stopStallEvents = onLoopStall(({ from, to }) => {
    if (to - from >= RECORDED_STALL_MS)
      history.event(Processes.runner, Events.runnerStall, { ms: Math.round(to - from) });
  });
  const since = (): string => `${(clock.now() / 1e9).toFixed(1)}s`;
  const say = (line: string): void => log(`[${since()}] ${line}`);
  // The run's signal: Ctrl-C (options.signal) or the wall-time limit, whichever comes first.
  const guard = new RunGuard(options.timeoutMs ?? defaultTimeoutMs(drill), options.signal);
  const signal = guard.signal;
  const enter = (phase: Phase): void => {
    guard.enter(phase);
    if (topology !== undefined) options.onPhase?.(phase, topology);
  };

  let topology: RunningTopology | undefined;
  let manager: FailoverManager | undefined;
  let monitor: DnsMonitor | undefined;
  let dbMonitor: DatabaseMonitor | undefined;
  let keyed: KeyedMonitor | undefined;
  let faults: FaultSchedule | undefined;
  let watch: InfraWatch | undefined;
  let workloadRunning = false;
  let healAllRecorded = false;
  try {
    try {
      topology = await startTopology(drill, options, history, say);
      const topo = topology;
      throwIfAborted(signal);

      enter(PHASES.steadyState);
      await checkSteadyState(drill, topo);
      history.event(Processes.runner, Events.steadyState, { ok: true });
      say(
        isActiveActive(drill)
          ? "steady state confirmed: every region healthy and receiving from every other, DNS answering"
          : "steady state confirmed: primary healthy, standbys streaming, DNS answering",
      );
      throwIfAborted(signal);

      monitor = new DnsMonitor(topo.dns.endpoint, drill.dns.name, history);
      monitor.start();
      dbMonitor = new DatabaseMonitor({ engine: topo.engine, nodes: topo.nodes.values(), history });
      dbMonitor.start();
      keyed = keyedMonitor(drill, topo, history);
      keyed?.start();
      const managing = managerKind(drill.controller.manager);
      manager = managing.create({ drill, topology: topo, history, log: say });
      manager.start();
      faults = new FaultSchedule(drill.faults, { topology: topo, history }, say);
      watch = new InfraWatch({
        topology: topo,
        dnsName: drill.dns.name,
        history,
        now: () => clock.now(),
        faults,
        duringWorkload: () => workloadRunning,
        log: say,
      });
      watch.start();

      enter(PHASES.workload);
      const population = drillPopulation(drill);
      history.event(Processes.runner, Events.workloadStart, {});
      workloadRunning = true;
      say(
        `workload: ${drill.workload.clients} clients, ${drill.workload.ratePerSecond}/s for ` +
          `${drill.workload.durationMs / 1000}s (resolver ${mixText(drill.workload.resolver)}, connections ` +
          `${mixText(drill.workload.connections)}, seed ${population.seed})`,
      );
      faults.start();
      const stats = await runWorkload({
        population,
        fixedCacheMs: drill.workload.fixedCacheMs,
        maxConnectionAgeMs: drill.workload.maxConnectionAgeMs,
        ratePerSecond: drill.workload.ratePerSecond,
        durationMs: drill.workload.durationMs,
        requestTimeoutMs: drill.workload.requestTimeoutMs,
        serviceName: drill.dns.name,
        servicePort: topo.layout.servicePort,
        dnsServer: topo.dns.endpoint,
        siteResolvers: topo.siteResolvers,
        // Where nothing re-points DNS (client mode, external manager), clients hold every regional endpoint.
        failover: managing.routing(drill),
        // Primary first: where every client starts (active-active: each at its own region, in drill order).
        endpoints: [...topo.layout.regions]
          .sort((a, b) =>
            isActiveActive(drill) ? 0 : a.role === "primary" ? -1 : b.role === "primary" ? 1 : 0,
          )
          .map((r) => ({ region: r.name, host: r.address, port: topo.layout.servicePort })),
        ops: new OpPlan({
          mix: opMix(drill),
          keys: drill.workload.keys,
          homed: hasResidency(drill),
          seed: population.seed,
        }),
        startAtSite: isActiveActive(drill),
        retry: drill.workload.retry,
        writePath: drill.app.writePath,
        history,
        clock,
        signal,
      });
      workloadRunning = false;
      history.event(Processes.runner, Events.workloadEnd, { ...stats });
      throwIfAborted(signal);

      enter(PHASES.heal);
      history.event(Processes.runner, Events.healAll, {});
      healAllRecorded = true;
      await faults.healAll();
      enter(PHASES.recovery);
      say(`faults healed; recovery wait ${drill.recovery.waitMs / 1000}s`);
      await sleep(drill.recovery.waitMs, signal);
    } catch (err) {
      // Only the wall-time limit goes on to write what evidence exists; Ctrl-C and failures end here.
      if (!(err instanceof AbortedError) || guard.timedOut === null || guard.interrupted) throw err;
      if (topology === undefined) throw err;
      const { reason, limitMs, phase } = guard.timedOut;
      history.event(Processes.runner, GuardEvents.timeout, { limitMs, phase, reason } satisfies TimeoutValue);
      say(`${reason}: workload stopped; healing every fault, then reading what can be read`);
      if (faults !== undefined && !healAllRecorded) history.event(Processes.runner, Events.healAll, {});
      await faults?.healAll();
    }
    const topo = topology;
    const timedOut = guard.timedOut !== null;

    enter(PHASES.stopping);
    await manager?.stop();
    await monitor?.stop();
    await dbMonitor?.stop();
    await watch?.stop();
    // From here every step has its own bound; a limit passing now would only cost the evidence.
    enter(PHASES.finalRead);
    guard.disarm();
    const finalReads = timedOut
      ? await withinMs(FINAL_READ_AFTER_TIMEOUT_MS, readFinalState(drill, topo, history), [])
      : await readFinalState(drill, topo, history);
    // Sampled up to the final read: time to converge after the heal is measured from these samples.
    await keyed?.stop();
    // The evidence first: a failure in the checkers must not cost the run its final state.
    await writeFinalState(reportDir, finalReads);
    // Fault errors are in the history too (nemesis `fail` ops): summariseRun notes them from there.
    // The checkers read the history back from its file: the recorder keeps none of it in memory.
    await history.close();
    const analysing = performance.now();
    const index = await indexHistoryFile(drill, historyFile);
    const summary = summariseIndexed({ drill, index, finalReads, startedAt: clock.startedAt });
    const writing = performance.now();
    say(`history analysed in ${Math.round(writing - analysing)} ms`);
    await writeReportFiles(reportDir, summary);
    say(`reports written in ${Math.round(performance.now() - writing)} ms`);
    const indexFile = options.indexFile ?? runIndexFile(reportDir);
    const indexWarning = await recordRun(indexFile, reportDir, summary);
    return {
      summary,
      reportDir,
      indexFile,
      ...(indexWarning === null ? {} : { indexWarning }),
      ...(guard.timedOut === null ? {} : { timedOut: guard.timedOut.reason }),
    };
  } finally {
    guard[Symbol.dispose]();
    // Every exit path: stop observers, heal faults, stop every process, remove the workspace.
    await watch?.stop().catch(() => {});
    await manager?.stop().catch(() => {});
    await monitor?.stop().catch(() => {});
    await dbMonitor?.stop().catch(() => {});
    await keyed?.stop().catch(() => {});
    await faults?.healAll().catch(() => {});
    await topology?.dispose();
    stopStallEvents();
    // A history that could not be written fails the run above; here it must not hide another error.
    await history.close().catch(() => {});
  }
}

/** Starts the drill's platform and records where everything is (the topology-up event). */
async function startTopology(
  drill: Drill,
  options: RunOptions,
  history: HistoryRecorder,
  say: (line: string) => void,
): Promise<RunningTopology> {
  say(
    `starting topology on ${drill.platform}: ${drill.regions.map((r) => `${r.name} (${r.role})`).join(", ")}`,
  );
  const t0 = performance.now();
  const topo =
    drill.platform === "docker"
      ? await DockerTopology.start(drill, { keep: options.keep ?? false, log: say })
      : drill.platform === "external"
        ? await ExternalTopology.start(drill, { keep: options.keep ?? false, log: say })
        : await LocalTopology.start(drill, {
            keep: options.keep ?? false,
            log: say,
            ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
          });
  const startupMs = Math.round(performance.now() - t0);
  history.event(Processes.runner, Events.topologyUp, {
    platform: drill.platform,
    regions: topo.layout.regions.map((r) => ({
      name: r.name,
      address: r.address,
      role: r.role,
      dbPort: r.dbPort,
    })),
    servicePort: topo.layout.servicePort,
    startupMs,
    workspace: topo.workspaceDir,
    dns: `${topo.dns.endpoint.host}:${topo.dns.endpoint.port}`,
    proxyApi: topo.proxies.url,
  });
  say(`topology up in ${startupMs} ms (workspace ${topo.workspaceDir})`);
  return topo;
}

/** How long the final read may take after a timeout: the database that stalled the drill may not answer. */
const FINAL_READ_AFTER_TIMEOUT_MS = 15_000;

/** `work`'s result, or `fallback` when it takes longer than `ms` (it is left to settle on its own). */
async function withinMs<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Shorter stalls are a loaded machine's normal jitter, below every timing the report gives. */
const RECORDED_STALL_MS = 100;

/** Apps may need a moment to open their first database connection: up to 10 s. */
async function checkSteadyState(drill: Drill, topo: RunningTopology): Promise<void> {
  let problems: string[] = [];
  await waitUntil(
    async () => {
      problems = await steadyStateProblems(drill, topo);
      return problems.length === 0;
    },
    {
      timeoutMs: 10_000,
      intervalMs: 100,
      retryErrors: false,
      describe: () => `steady state not reached: ${problems.join("; ")}`,
      error: (message) => new SteadyStateError(message),
    },
  );
}

/** What keeps the topology from its steady state: the primary healthy, standbys streaming, DNS right. */
async function steadyStateProblems(drill: Drill, topo: RunningTopology): Promise<string[]> {
  const { layout } = topo;
  if (isActiveActive(drill))
    return [...(await activeActiveSteadyProblems(drill, topo)), ...(await dnsProblems(drill, topo))];
  const problems: string[] = [];
  for (const r of layout.regions) {
    const probe = await probeHealth(r.address, layout.servicePort, 1000, drill.app.healthPath);
    if (r.role === "primary" && !probe.healthy) problems.push(`primary ${r.name} unhealthy: ${probe.error}`);
  }
  const primary = layout.regions.find((r) => r.role === "primary")!;
  const streaming = await topo.engine.streamingStandbys(topo.node(primary.name));
  for (const r of layout.regions.filter((x) => x.role === "standby")) {
    if (!streaming.includes(r.name)) problems.push(`standby ${r.name} not streaming`);
  }
  return [...problems, ...(await dnsProblems(drill, topo))];
}

/** The drill's name answers with the primary region's address. */
async function dnsProblems(drill: Drill, topo: RunningTopology): Promise<string[]> {
  const problems: string[] = [];
  const primary = topo.layout.regions.find((r) => r.role === "primary")!;
  try {
    const answer = await queryA(topo.dns.endpoint, drill.dns.name, { timeoutMs: 500 });
    if (answer.address !== primary.address)
      problems.push(`DNS answers ${answer.address}, not ${primary.address}`);
  } catch (err) {
    problems.push(`DNS: ${(err as Error).message}`);
  }
  return problems;
}

async function readFinalState(
  drill: Drill,
  topo: RunningTopology,
  history: HistoryRecorder,
): Promise<FinalRead[]> {
  const reads: FinalRead[] = [];
  for (const r of topo.layout.regions) {
    const node = topo.node(r.name);
    let read: FinalRead;
    try {
      if (!node.running) throw new Error("not running");
      const state = await topo.engine.readFinalState(node);
      const keyedState = await readKeyedFinal(drill, topo, r.name);
      read = {
        node: r.name,
        reachable: true,
        role: state.role,
        ids: state.ids,
        walLsn: state.position,
        ...(keyedState === undefined ? {} : { keyed: keyedState }),
      };
    } catch (err) {
      read = { node: r.name, reachable: false, role: "unknown", ids: [], error: (err as Error).message };
    }
    history.event(Processes.runner, Events.finalRead, {
      node: read.node,
      reachable: read.reachable,
      role: read.role,
      count: read.ids.length,
      ...(read.walLsn === undefined ? {} : { walLsn: read.walLsn }),
    });
    reads.push(read);
  }
  return reads;
}

/** The drill's clients: its mix of profiles over its regions as sites, seeded (a fresh seed if none). */
export function drillPopulation(drill: Drill): Population {
  const w = drill.workload;
  return buildPopulation({
    clients: w.clients,
    sites: drill.regions.map((r) => r.name),
    resolver: w.resolver,
    connections: w.connections,
    seed: w.seed ?? newSeed(),
    ttlMs: drill.dns.ttlMs,
    fixedCacheMs: w.fixedCacheMs,
    maxConnectionAgeMs: w.maxConnectionAgeMs,
  });
}

/** "shared 60%, fixed 30%, none 10%", or just "ttl". */
function mixText(mix: Partial<Record<string, number>>): string {
  const entries = Object.entries(mix);
  if (entries.length === 1) return entries[0]![0];
  return entries.map(([p, share]) => `${p} ${Math.round((share ?? 0) * 1000) / 10}%`).join(", ");
}
