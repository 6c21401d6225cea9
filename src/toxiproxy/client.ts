// The project's one door to a Toxiproxy-compatible server: picks the server (an external URL, the
// real toxiproxy-server binary, or our embedded one) and drives proxies through toxiproxy-node-client.
// ProxyControl tracks *why* each proxy is disabled, so overlapping reasons (a fault and a controller
// fence) compose: the proxy comes back only when every reason has been released.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import path from "node:path";
import { Toxiproxy } from "toxiproxy-node-client";
import { freePort } from "../platform/ports.ts";
import { markedEnv } from "../lifeline/marker.ts";
import { waitUntil } from "../util/wait.ts";
import { ToxiproxyServer } from "./server.ts";

/** A toxic as Toxiproxy's API takes it (attribute names and units are Toxiproxy's). */
export interface ToxicSpec {
  toxic: string;
  type: string;
  stream: "upstream" | "downstream";
  /** Probability (0..1) that the toxic applies to a given connection. */
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyTarget {
  url: string;
  kind: "embedded" | "binary" | "external";
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class ToxiproxyUnavailableError extends Error {
  override name = "ToxiproxyUnavailableError";
}

export class ProxyControlError extends Error {
  override name = "ProxyControlError";
  constructor(
    message: string,
    /** HTTP status the server answered with, when it answered. */
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const BINARY_NAME = "toxiproxy-server";
const BINARY_START_TIMEOUT_MS = 15_000;
const EXTERNAL_CHECK_TIMEOUT_MS = 5_000;

/**
 * TOXIPROXY_URL env or opts.url -> use that server ("external"); else `toxiproxy-server` on PATH ->
 * spawn it on a free loopback port and wait for /version ("binary"); else the embedded server.
 */
export async function startToxiproxy(opts: { url?: string } = {}): Promise<ProxyTarget> {
  const external = opts.url ?? process.env["TOXIPROXY_URL"];
  if (external !== undefined && external !== "") {
    const url = external.replace(/\/+$/, "");
    await waitForVersion(url, EXTERNAL_CHECK_TIMEOUT_MS, () => undefined);
    return target(url, "external", async () => {});
  }
  const binary = findOnPath(BINARY_NAME);
  if (binary !== undefined) return startBinary(binary);
  const server = await ToxiproxyServer.start({ host: "127.0.0.1", port: 0 });
  return target(server.url, "embedded", () => server.close());
}

function target(url: string, kind: ProxyTarget["kind"], close: () => Promise<void>): ProxyTarget {
  let closing: Promise<void> | undefined;
  const once = (): Promise<void> => (closing ??= close());
  return { url, kind, close: once, [Symbol.asyncDispose]: once };
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function startBinary(binary: string): Promise<ProxyTarget> {
  // The port is free when probed but could be taken before the binary binds it: retry a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort("127.0.0.1");
    const child = spawn(binary, ["-host", "127.0.0.1", "-port", String(port)], {
      env: markedEnv(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderrTail = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      stderrTail = (stderrTail + text).slice(-2000);
    });
    let exitReason: string | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once("error", (err) => {
        exitReason = err.message;
        resolve();
      });
      child.once("exit", (code, signal) => {
        exitReason = `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForVersion(url, BINARY_START_TIMEOUT_MS, () => exitReason);
      return target(url, "binary", () => stopChild(child, exited));
    } catch (err) {
      await stopChild(child, exited);
      if (exitReason === undefined || attempt >= 3) {
        throw new ToxiproxyUnavailableError(
          `${binary} did not start on ${url}: ${(err as Error).message}${stderrTail ? `\n${stderrTail.trim()}` : ""}`,
          { cause: err },
        );
      }
    }
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  child.stderr?.destroy();
}

/** Polls GET /version until it answers 2xx; `gaveUp` returns a reason to stop early (process died). */
async function waitForVersion(
  url: string,
  timeoutMs: number,
  gaveUp: () => string | undefined,
): Promise<void> {
  let lastError = "no answer";
  await waitUntil(
    async () => {
      const reason = gaveUp();
      if (reason !== undefined) throw new ToxiproxyUnavailableError(reason);
      try {
        const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.ok) return true;
        lastError = `GET /version answered ${res.status}`;
      } catch (err) {
        lastError = (err as Error).message;
      }
      return false;
    },
    {
      timeoutMs,
      intervalMs: 100,
      retryErrors: false,
      describe: () => `no Toxiproxy API at ${url} after ${timeoutMs} ms (${lastError})`,
      error: (message) => new ToxiproxyUnavailableError(message),
    },
  );
}

interface ProxyListing {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics?: Array<{ name: string }>;
}

/** toxiproxy-node-client reports HTTP errors only as "Request failed with status code N". */
function statusOf(err: unknown): number | undefined {
  const match = /status code (\d{3})/.exec((err as Error)?.message ?? "");
  return match === null ? undefined : Number(match[1]);
}

export class ProxyControl {
  private readonly client: Toxiproxy;
  private readonly base: string;
  private readonly reasons = new Map<string, Set<string>>();
  private readonly created = new Set<string>();
  // Calls on one proxy run in order, so a fault's heal and a fence cannot interleave their requests.
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(url: string) {
    this.base = url.replace(/\/+$/, "");
    this.client = new Toxiproxy(this.base);
  }

  /** The server's API URL. */
  get url(): string {
    return this.base;
  }

  async createProxy(spec: {
    name: string;
    listen: string;
    upstream: string;
  }): Promise<{ name: string; listen: string }> {
    const proxy = await this.request(`create proxy ${spec.name}`, () =>
      this.client.createProxy({ ...spec, enabled: true }),
    );
    this.created.add(proxy.name);
    return { name: proxy.name, listen: proxy.listen };
  }

  /** A proxy is enabled iff no reason holds it disabled (a fault and a controller fence can overlap). */
  disable(name: string, reason: string): Promise<void> {
    return this.serial(name, async () => {
      const held = this.heldBy(name);
      const added = !held.has(reason);
      held.add(reason);
      if (held.size > 1) return;
      try {
        await this.setEnabled(name, false);
      } catch (err) {
        if (added) held.delete(reason);
        throw err;
      }
    });
  }

  /** Releases that reason; the proxy is enabled again once no reason is left. */
  enable(name: string, reason: string): Promise<void> {
    return this.serial(name, async () => {
      const held = this.heldBy(name);
      const removed = held.delete(reason);
      if (held.size > 0) return;
      try {
        await this.setEnabled(name, true);
      } catch (err) {
        if (removed) held.add(reason);
        throw err;
      }
    });
  }

  /** Enabled again whatever reasons held it (a teardown giving someone back their proxy). */
  release(name: string): Promise<void> {
    return this.serial(name, async () => {
      this.reasons.delete(name);
      await this.setEnabled(name, true);
    });
  }

  isEnabled(name: string): boolean {
    return (this.reasons.get(name)?.size ?? 0) === 0;
  }

  /** Adds the latency toxic, or updates it when a toxic of that name is already there. */
  addLatency(
    name: string,
    spec: { toxic: string; latencyMs: number; jitterMs: number; stream: "upstream" | "downstream" },
  ): Promise<void> {
    // Toxiproxy's attributes are integer milliseconds.
    return this.addToxic(name, {
      toxic: spec.toxic,
      type: "latency",
      stream: spec.stream,
      toxicity: 1,
      attributes: { latency: Math.round(spec.latencyMs), jitter: Math.round(spec.jitterMs) },
    });
  }

  /** Adds any Toxiproxy toxic, or updates it when a toxic of that name is already there. */
  addToxic(name: string, spec: ToxicSpec): Promise<void> {
    return this.serial(name, async () => {
      const api = this.client.getApi();
      const toxics = `${this.proxyUrl(name)}/toxics`;
      try {
        await api.post(toxics, {
          name: spec.toxic,
          type: spec.type,
          stream: spec.stream,
          toxicity: spec.toxicity,
          attributes: spec.attributes,
        });
      } catch (err) {
        if (statusOf(err) !== 409) throw this.wrap(`add ${spec.type} ${spec.toxic} to ${name}`, err);
        await this.request(`update ${spec.type} ${spec.toxic} on ${name}`, () =>
          api.post(`${toxics}/${encodeURIComponent(spec.toxic)}`, {
            toxicity: spec.toxicity,
            attributes: spec.attributes,
          }),
        );
      }
    });
  }

  /** Removes a toxic; one that is already gone counts as removed (heals must be repeatable). */
  removeToxic(name: string, toxic: string): Promise<void> {
    return this.serial(name, () =>
      this.deleteIgnoringMissing(
        `remove toxic ${toxic} from ${name}`,
        `${this.proxyUrl(name)}/toxics/${encodeURIComponent(toxic)}`,
      ),
    );
  }

  async list(): Promise<
    Array<{ name: string; listen: string; upstream: string; enabled: boolean; toxics: string[] }>
  > {
    const { data } = await this.request("list proxies", () =>
      this.client.getApi().get<Record<string, ProxyListing>>(`${this.base}/proxies`),
    );
    return Object.values(data)
      .map((p) => ({
        name: p.name,
        listen: p.listen,
        upstream: p.upstream,
        enabled: p.enabled,
        toxics: (p.toxics ?? []).map((t) => t.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Delete every proxy this control created (teardown). */
  async deleteAll(): Promise<void> {
    const names = [...this.created];
    const results = await Promise.allSettled(
      names.map((name) =>
        this.serial(name, async () => {
          await this.deleteIgnoringMissing(`delete proxy ${name}`, this.proxyUrl(name));
          this.created.delete(name);
          this.reasons.delete(name);
        }),
      ),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length > 0) {
      throw new ProxyControlError(failures.map((f) => (f.reason as Error).message).join("; "), undefined, {
        cause: failures.map((f) => f.reason as unknown),
      });
    }
  }

  private proxyUrl(name: string): string {
    return `${this.base}/proxies/${encodeURIComponent(name)}`;
  }

  private heldBy(name: string): Set<string> {
    let held = this.reasons.get(name);
    if (held === undefined) {
      held = new Set();
      this.reasons.set(name, held);
    }
    return held;
  }

  private async setEnabled(name: string, enabled: boolean): Promise<void> {
    // A partial update: sending listen/upstream too could race with a concurrent change of them.
    await this.request(`${enabled ? "enable" : "disable"} proxy ${name}`, () =>
      this.client.getApi().post(this.proxyUrl(name), { enabled }),
    );
  }

  private async deleteIgnoringMissing(what: string, url: string): Promise<void> {
    try {
      await this.client.getApi().delete(url);
    } catch (err) {
      if (statusOf(err) !== 404) throw this.wrap(what, err);
    }
  }

  private async request<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.wrap(what, err);
    }
  }

  private wrap(what: string, err: unknown): ProxyControlError {
    return new ProxyControlError(`${what} (${this.base}): ${(err as Error).message}`, statusOf(err), {
      cause: err,
    });
  }

  private serial<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const result = previous.then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return result;
  }
}
