// `npm run bench:dns`: when clients see a DNS change through a real Unbound, for each Unbound option
// that changes failover, next to the in-process model of a shared resolver and a TTL-honouring client
// cache behind Unbound. Printed, not asserted (docs/dns.md quotes a run).
//   npm run bench:dns                  the options, 10 s TTL, record changed right after the caches fill
//   npm run bench:dns -- compare       plain Unbound vs the model at several points of the TTL, both providers
//   npm run bench:dns -- update        what one signed RFC 2136 update costs: in process vs an nsupdate process
//   BENCH_TTL=5 BENCH_REPEAT=3         TTL in seconds, trials per row (default 10 and 3)
//   BENCH_ONLY=serveExpired            only the option rows whose label has this text
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bind9Dns } from "../src/dns/bind9/index.ts";
import { writeNsupdateScript } from "../src/dns/nsupdate.ts";
import { replaceA } from "../src/dns/update.ts";
import { sendUpdate } from "../src/dns/update-client.ts";
import { runCommand } from "../src/platform/processes.ts";
import { embeddedDns } from "../src/dns/embedded.ts";
import type { DnsProviderKind } from "../src/dns/provider.ts";
import { UNBOUND_DEFAULTS, type UnboundSettings } from "../src/dns/unbound/config.ts";
import { observeSwitch, type SwitchObservation } from "./dns-switch.ts";

const TTL = Number(process.env.BENCH_TTL ?? 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const ZONE = "drill.test";
const UPDATES = 50;

const ONLY = process.env.BENCH_ONLY;
const OPTIONS: [string, Partial<UnboundSettings>][] = (
  [
    ["plain (Unbound defaults)", {}],
    ["prefetch: true", { prefetch: true }],
    ["serveExpired: true (reply TTL 30 s)", { serveExpired: true }],
    ["serveExpired + clientTimeout 1.8 s", { serveExpired: true, serveExpiredClientTimeoutMs: 1800 }],
    ["cacheMinTtl: 30s", { cacheMinTtlMs: 30_000 }],
    ["cacheMaxTtl: 3s", { cacheMaxTtlMs: 3_000 }],
  ] as [string, Partial<UnboundSettings>][]
).filter(([label]) => ONLY === undefined || label.includes(ONLY));

const s = (ms: number | null): string => (ms === null ? "never" : `${(ms / 1000).toFixed(2)} s`);
const range = (values: (number | null)[]): string => {
  if (values.some((v) => v === null)) return values.map(s).join(" / ");
  const sorted = (values as number[]).sort((a, b) => a - b);
  // Trials that split into two kinds (a stale answer or not) are listed one by one.
  if (sorted.at(-1)! - sorted[0]! > 5000) return sorted.map(s).join(", ");
  return sorted.length === 1 ? s(sorted[0]!) : `${s(sorted[0]!)} – ${s(sorted.at(-1)!)}`;
};

function row(label: string, runs: SwitchObservation[]): string {
  const stale = runs.map(
    (r) => `${r.staleAnswers}${r.staleTtlSeconds.length > 0 ? ` (TTL ${r.staleTtlSeconds.join(",")})` : ""}`,
  );
  return (
    `| ${label} | ${range(runs.map((r) => r.unboundMs))} | ${range(runs.map((r) => r.modelMs))} | ` +
    `${range(runs.map((r) => r.ttlClientMs))} | ${stale.join(", ")} |`
  );
}

async function trials(
  kind: DnsProviderKind,
  settings: UnboundSettings,
  changeAfterMs: number,
  label: string,
): Promise<SwitchObservation[]> {
  const runs: SwitchObservation[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const provider = await kind.start({ host: "127.0.0.1", zone: ZONE });
    try {
      runs.push(
        await observeSwitch({
          provider,
          zone: ZONE,
          name: `bench-${i}.${ZONE}`,
          ttlSeconds: TTL,
          settings,
          changeAfterMs,
        }),
      );
    } finally {
      await provider.close();
    }
    process.stderr.write(`  ${label} #${i + 1} done\n`);
  }
  return runs;
}

const header =
  "| | Unbound switches after | in-process model | ttl client behind Unbound | stale answers (TTL s) |\n|---|---|---|---|---|";

if (process.argv.includes("update")) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-nsupdate-"));
  await chmod(dir, 0o755);
  console.log(
    `\nOne signed update (delete + add of an A record) until the server answered NOERROR, ${UPDATES} each:\n`,
  );
  console.log("| provider | in process (sendUpdate) | nsupdate process (script) |\n|---|---|---|");
  for (const kind of [embeddedDns, bind9Dns] as DnsProviderKind[]) {
    const provider = await kind.start({ host: "127.0.0.1", zone: ZONE });
    try {
      const inProcess: number[] = [];
      const viaNsupdate: number[] = [];
      for (let i = 0; i < UPDATES; i++) {
        let t0 = performance.now();
        const access = provider.update!;
        await sendUpdate(access.endpoint, {
          zone: ZONE,
          changes: replaceA(`update.${ZONE}`, `127.0.${1 + (i % 2)}.1`, 5),
          key: {
            name: access.keyName,
            algorithm: access.algorithm,
            secret: Buffer.from(access.secret, "base64"),
          },
        });
        inProcess.push(performance.now() - t0);
        const files = await writeNsupdateScript(dir, provider.update!, {
          name: `update.${ZONE}`,
          address: `127.0.${1 + (i % 2)}.1`,
          ttlSeconds: 5,
        });
        t0 = performance.now();
        await runCommand(files.script, []);
        viaNsupdate.push(performance.now() - t0);
      }
      const median = (v: number[]): string =>
        `${v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!.toFixed(1)} ms`;
      const span = (v: number[]): string =>
        `median ${median(v)} (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)} ms)`;
      console.log(`| ${kind.name} | ${span(inProcess)} | ${span(viaNsupdate)} |`);
    } finally {
      await provider.close();
    }
  }
  await rm(dir, { recursive: true, force: true });
} else if (process.argv.includes("compare")) {
  console.log(
    `\nPlain Unbound vs the in-process shared-resolver model, TTL ${TTL} s, ${REPEAT} trials each;`,
  );
  console.log("times from the accepted change; the change comes `at` after the caches filled.\n");
  console.log(header.replace("| |", "| authority, change at |"));
  for (const kind of [embeddedDns, bind9Dns] as DnsProviderKind[]) {
    for (const fraction of [0, 0.25, 0.5, 0.75]) {
      const at = Math.round(TTL * 1000 * fraction);
      const runs = await trials(kind, UNBOUND_DEFAULTS, at, `${kind.name} ${at} ms`);
      console.log(row(`${kind.name}, ${s(at)} (remaining ${s(runs[0]!.remainingMs)})`, runs));
    }
  }
} else {
  console.log(`\nUnbound options, TTL ${TTL} s, authority BIND 9, ${REPEAT} trials each; the record changes`);
  console.log(
    "right after the caches filled, so a resolver honouring the TTL exactly switches at the TTL.\n",
  );
  console.log(header);
  // Concurrently, one Unbound per option: the whole table takes as long as its slowest row.
  const rows = await Promise.all(
    OPTIONS.map(async ([label, options]) =>
      row(label, await trials(bind9Dns, { ...UNBOUND_DEFAULTS, ...options }, 0, label)),
    ),
  );
  for (const line of rows) console.log(line);
}
