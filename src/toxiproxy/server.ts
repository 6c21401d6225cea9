// An embedded server speaking Toxiproxy 2.12's HTTP API (api.go), so toxiproxy clients
// (toxiproxy-node-client, the Go client, toxiproxy-cli) drive it unchanged where the Go binary is
// not installed. Status codes, error bodies and validation order follow the Go server.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  apiErrors,
  boolField,
  decodeObject,
  isRecord,
  parseJsonBody,
  stringField,
  ToxiproxyApiError,
} from "./json.ts";
import { Proxy, type ProxyJson } from "./proxy.ts";
import { routePath } from "./route-path.ts";

/** The Toxiproxy API version this server implements; the suffix tells it apart from the Go binary. */
export const TOXIPROXY_API_VERSION = "2.12.0-failover-drill";

/**
 * Toxiproxy reads any body size; we stop at 4 MiB (thousands of proxies in one populate) and answer
 * 400 like any other unreadable body, rather than buffering without bound.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Listen address when none is given: loopback only (Go's empty address would bind every interface). */
const DEFAULT_LISTEN = "127.0.0.1:0";

type Method = "GET" | "POST" | "PATCH" | "DELETE";

interface Reply {
  status: number;
  body?: unknown;
  location?: string;
}

/** Runs async mutations one at a time, so e.g. two creates of one name cannot both pass the check. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

interface ProxySpec {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** Decodes one proxy as Go decodes toxiproxy.Proxy; `where` names the entry in populate errors. */
function parseProxySpec(body: unknown, where = ""): ProxySpec {
  const input = decodeObject(body, "toxiproxy.Proxy");
  const name = stringField(input, "name", "Proxy") ?? "";
  const upstream = stringField(input, "upstream", "Proxy") ?? "";
  const listen = stringField(input, "listen", "Proxy") || DEFAULT_LISTEN;
  const enabled = boolField(input, "enabled", "Proxy") ?? true;
  if (name === "") throw apiErrors.missingField(`name${where}`);
  if (upstream === "") throw apiErrors.missingField(`upstream${where}`);
  return { name, listen, upstream, enabled };
}

/** Populate failed part way: the error, and the proxies created or kept before it. */
export class PopulateError extends ToxiproxyApiError {
  override name = "PopulateError";
  constructor(
    cause: ToxiproxyApiError,
    readonly proxies: ProxyJson[] | null,
  ) {
    super(cause.message, cause.status);
  }
}

function asApiError(err: unknown): ToxiproxyApiError {
  if (err instanceof ToxiproxyApiError) return err;
  return new ToxiproxyApiError((err as Error)?.message ?? String(err), 500);
}

export class ToxiproxyServer implements AsyncDisposable {
  private readonly proxies = new Map<string, Proxy>();
  private readonly mutations = new SerialQueue();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly httpServer: http.Server,
    readonly url: string,
  ) {}

  static async start(opts: { host?: string; port?: number } = {}): Promise<ToxiproxyServer> {
    const httpServer = http.createServer({ requestTimeout: 15_000, headersTimeout: 15_000 });
    httpServer.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 }, () => {
        httpServer.off("error", reject);
        resolve();
      });
    });
    const address = httpServer.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const server = new ToxiproxyServer(httpServer, `http://${host}:${address.port}`);
    httpServer.on("request", (req, res) => void server.handle(req, res));
    // Unparseable HTTP gets a 400 and a closed socket instead of an exception.
    httpServer.on("clientError", (_err: Error, socket: Socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
    return server;
  }

  /** Closes the API, every proxy listener and every live proxied connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Creates or replaces a list of proxies (POST /populate, and `--config` of the standalone
   * server). Every entry is validated before anything changes; an entry whose resolved listen and
   * upstream equal an existing proxy's keeps that proxy, with its toxics and connections.
   */
  populate(body: unknown): Promise<ProxyJson[]> {
    return this.mutate(() => this.applyPopulate(body));
  }

  list(): Record<string, ProxyJson> {
    const all: Record<string, ProxyJson> = {};
    for (const [name, proxy] of this.proxies) all[name] = proxy.toJSON();
    return all;
  }

  /** Proxied connections currently open, over all proxies (for diagnostics and leak checks). */
  liveConnections(): number {
    let count = 0;
    for (const proxy of this.proxies.values()) count += proxy.connectionCount;
    return count;
  }

  private async shutdown(): Promise<void> {
    const httpClosed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    this.httpServer.closeAllConnections();
    // Queued behind any mutation in flight, so no listener is opened after this has run.
    await this.mutations.run(async () => {
      for (const proxy of this.proxies.values()) proxy.stop();
      await Promise.all([...this.proxies.values()].map((p) => p.closed));
      this.proxies.clear();
    });
    await httpClosed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (err) {
      const error = asApiError(err);
      const body: Record<string, unknown> = { error: error.message, status: error.status };
      if (error instanceof PopulateError) body["proxies"] = error.proxies;
      reply = { status: error.status, body };
    }
    try {
      this.reply(res, reply);
    } catch {
      // A reply that cannot be written must cost this request, never the process.
      res.destroy();
    }
  }

  private reply(res: ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    // As Toxiproxy (hlog.RequestIDHandler): every answer carries a request id.
    res.setHeader("X-Toxiproxy-Request-Id", randomBytes(10).toString("hex"));
    if (reply.location !== undefined) res.setHeader("Location", reply.location);
    if (reply.body === undefined) {
      res.writeHead(reply.status).end();
      return;
    }
    const payload = JSON.stringify(reply.body);
    res
      .writeHead(reply.status, {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(payload),
      })
      .end(payload);
  }

  private async route(req: IncomingMessage): Promise<Reply> {
    const method = (req.method ?? "GET") as Method;
    const route = routePath(req.url ?? "/");
    if (route.redirect !== undefined) return { status: 301, location: route.redirect };
    const path = route.path;
    const [root, proxyName, sub, toxicName, ...rest] = path.split("/").slice(1);
    const notFound = (): never => {
      throw new ToxiproxyApiError(`no route for ${method} ${path}`, 404);
    };
    // Go's routes have no empty segment ("/proxies/" is not "/proxies").
    if ([root, proxyName, sub, toxicName].includes("")) notFound();
    // Only known routes reach Toxiproxy's middleware: browsers are refused there (CSRF, DNS rebinding).
    const allow = (...methods: Method[]): void => {
      if (!methods.includes(method)) throw new ToxiproxyApiError("method not allowed", 405);
      if ((req.headers["user-agent"] ?? "").startsWith("Mozilla/")) {
        throw new ToxiproxyApiError("User agent not allowed", 403);
      }
    };
    if (rest.length > 0) notFound();

    if (root === "version" && proxyName === undefined) {
      allow("GET");
      return { status: 200, body: { version: TOXIPROXY_API_VERSION } };
    }
    if (root === "reset" && proxyName === undefined) {
      allow("POST");
      await this.mutate(() => this.reset());
      return { status: 204 };
    }
    if (root === "populate" && proxyName === undefined) {
      allow("POST");
      // Toxiproxy answers every populate failure with the proxies field (null when nothing was done).
      const body = await readJson(req).catch((err: unknown) => {
        throw new PopulateError(asApiError(err), null);
      });
      return { status: 201, body: { proxies: await this.populate(body) } };
    }
    if (root !== "proxies") return notFound();

    if (proxyName === undefined) {
      allow("GET", "POST");
      if (method === "GET") return { status: 200, body: this.list() };
      const spec = parseProxySpec(await readJson(req));
      return this.mutate(async () => ({ status: 201, body: await this.createProxy(spec) }));
    }

    if (sub === undefined) {
      allow("GET", "POST", "PATCH", "DELETE");
      if (method === "GET") return { status: 200, body: this.proxy(proxyName).toJSON() };
      if (method === "DELETE") {
        await this.mutate(async () => {
          const proxy = this.proxy(proxyName);
          this.proxies.delete(proxyName);
          proxy.stop();
        });
        return { status: 204 };
      }
      this.proxy(proxyName);
      const body = await readJson(req);
      return this.mutate(async () => {
        const proxy = this.proxy(proxyName);
        const input = decodeObject(body, "toxiproxy.Proxy");
        stringField(input, "name", "Proxy");
        const listen = stringField(input, "listen", "Proxy");
        const patch = {
          listen: listen === "" ? DEFAULT_LISTEN : listen,
          upstream: stringField(input, "upstream", "Proxy"),
          enabled: boolField(input, "enabled", "Proxy"),
        };
        await proxy.update(patch);
        return { status: 200, body: proxy.toJSON() };
      });
    }

    if (sub !== "toxics") return notFound();
    if (toxicName === undefined) {
      allow("GET", "POST");
      if (method === "GET") return { status: 200, body: this.proxy(proxyName).toxicsJson() };
      this.proxy(proxyName);
      const body = await readJson(req);
      return this.mutate(async () => ({ status: 200, body: this.proxy(proxyName).addToxic(body) }));
    }
    allow("GET", "POST", "PATCH", "DELETE");
    if (method === "GET") return { status: 200, body: this.proxy(proxyName).toxicJson(toxicName) };
    if (method === "DELETE") {
      await this.mutate(async () => this.proxy(proxyName).removeToxic(toxicName));
      return { status: 204 };
    }
    this.proxy(proxyName).toxicJson(toxicName);
    const body = await readJson(req);
    return this.mutate(async () => ({
      status: 200,
      body: this.proxy(proxyName).updateToxic(toxicName, body),
    }));
  }

  private mutate<T>(task: () => Promise<T>): Promise<T> {
    return this.mutations.run(async () => {
      if (this.closing !== undefined) throw new ToxiproxyApiError("server is shutting down", 503);
      return task();
    });
  }

  private proxy(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw apiErrors.proxyNotFound();
    return proxy;
  }

  private async createProxy(spec: ProxySpec): Promise<ProxyJson> {
    if (this.proxies.has(spec.name)) throw apiErrors.proxyExists();
    const proxy = new Proxy(spec.name, spec.listen, spec.upstream);
    // Only a proxy that could listen is added (a port in use fails the request with 500).
    if (spec.enabled) await proxy.start();
    this.proxies.set(spec.name, proxy);
    return proxy.toJSON();
  }

  /** As Toxiproxy's ResetState: start every proxy, then remove its toxics. */
  private async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  private async applyPopulate(body: unknown): Promise<ProxyJson[]> {
    if (body !== null && !Array.isArray(body)) {
      throw apiErrors.badRequestBody(
        `json: cannot unmarshal ${isRecord(body) ? "object" : typeof body} into Go value of type []struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }`,
      );
    }
    // Phase 1: every entry is checked before anything changes.
    let specs: ProxySpec[];
    try {
      specs = ((body ?? []) as unknown[]).map((entry, i) => parseProxySpec(entry, ` at proxy ${i + 1}`));
    } catch (err) {
      throw new PopulateError(asApiError(err), null);
    }
    // Phase 2: applied in order; a failure (a port in use) reports what was done before it.
    const result: ProxyJson[] = [];
    try {
      for (const spec of specs) {
        const existing = this.proxies.get(spec.name);
        if (existing !== undefined && !(await existing.differs(spec.listen, spec.upstream))) {
          result.push(existing.toJSON());
          continue;
        }
        if (existing !== undefined) {
          this.proxies.delete(spec.name);
          existing.stop();
        }
        result.push(await this.createProxy(spec));
      }
    } catch (err) {
      throw new PopulateError(asApiError(err), result);
    }
    return result;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Drain an oversized body before answering, so the client reads our 400 instead of a reset;
    // give up on the connection only when it keeps sending far beyond that.
    if (size > MAX_BODY_BYTES * 16) req.destroy();
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw apiErrors.badRequestBody("http: request body too large");
  return parseJsonBody(Buffer.concat(chunks).toString("utf8"));
}
