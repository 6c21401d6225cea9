// An embedded server speaking Toxiproxy 2.x's HTTP API, so toxiproxy clients (toxiproxy-node-client,
// the Go client, toxiproxy-cli) drive it unchanged where the real Go binary is not installed.
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { apiErrors, isRecord, Proxy, type ProxyJson, ToxiproxyApiError } from "./proxy.ts";

/** The Toxiproxy API version this server implements; the suffix tells it apart from the Go binary. */
export const TOXIPROXY_API_VERSION = "2.12.0-failover-drill";

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_LISTEN = "127.0.0.1:0";

type Method = "GET" | "POST" | "PATCH" | "DELETE";

interface Reply {
  status: number;
  body?: unknown;
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

function parseProxySpec(body: unknown, where = ""): ProxySpec {
  if (!isRecord(body)) throw apiErrors.badRequestBody("expected a JSON object");
  const field = (key: string): string | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw apiErrors.badRequestBody(`${key} must be a string`);
    return value;
  };
  const name = field("name") ?? "";
  const upstream = field("upstream") ?? "";
  const listen = field("listen") || DEFAULT_LISTEN;
  const enabled = body["enabled"] ?? true;
  if (typeof enabled !== "boolean") throw apiErrors.badRequestBody("enabled must be a boolean");
  if (name === "") throw apiErrors.missingField(`name${where}`);
  if (upstream === "") throw apiErrors.missingField(`upstream${where}`);
  return { name, listen, upstream, enabled };
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
    const httpServer = http.createServer();
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

  private async shutdown(): Promise<void> {
    const httpClosed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    this.httpServer.closeAllConnections();
    // Queued behind any mutation in flight, so no listener is opened after this has run.
    await this.mutations.run(async () => {
      await Promise.all([...this.proxies.values()].map((p) => p.stop()));
      this.proxies.clear();
    });
    await httpClosed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (err) {
      const error =
        err instanceof ToxiproxyApiError
          ? err
          : new ToxiproxyApiError((err as Error).message ?? String(err), 500);
      reply = { status: error.status, body: { error: error.message, status: error.status } };
    }
    if (res.headersSent || res.destroyed) return;
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
    const path = new URL(req.url ?? "/", "http://toxiproxy").pathname;
    let segments: string[];
    try {
      segments = path.split("/").slice(1).map(decodeURIComponent);
    } catch {
      throw new ToxiproxyApiError("malformed path", 400);
    }
    const [root, proxyName, sub, toxicName, ...rest] = segments;
    const allow = (...methods: Method[]): void => {
      if (!methods.includes(method)) throw new ToxiproxyApiError("method not allowed", 405);
    };
    const notFound = (): never => {
      throw new ToxiproxyApiError(`no route for ${method} ${path}`, 404);
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
      const body = await readJson(req);
      return this.mutate(() => this.populate(body));
    }
    if (root !== "proxies") return notFound();

    if (proxyName === undefined) {
      allow("GET", "POST");
      if (method === "GET") {
        const all: Record<string, ProxyJson> = {};
        for (const [name, proxy] of this.proxies) all[name] = proxy.toJSON();
        return { status: 200, body: all };
      }
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
          await proxy.stop();
        });
        return { status: 204 };
      }
      const body = await readJson(req);
      if (!isRecord(body)) throw apiErrors.badRequestBody("expected a JSON object");
      const patch = {
        listen: optionalField(body, "listen", "string"),
        upstream: optionalField(body, "upstream", "string"),
        enabled: optionalField(body, "enabled", "boolean"),
      };
      return this.mutate(async () => {
        const proxy = this.proxy(proxyName);
        await proxy.update(patch);
        return { status: 200, body: proxy.toJSON() };
      });
    }

    if (sub !== "toxics") return notFound();
    if (toxicName === undefined) {
      allow("GET", "POST");
      if (method === "GET") return { status: 200, body: this.proxy(proxyName).toxicsJson() };
      const body = await readJson(req);
      return this.mutate(async () => ({ status: 200, body: this.proxy(proxyName).addToxic(body) }));
    }
    allow("GET", "POST", "PATCH", "DELETE");
    if (method === "GET") return { status: 200, body: this.proxy(proxyName).toxicJson(toxicName) };
    if (method === "DELETE") {
      await this.mutate(async () => this.proxy(proxyName).removeToxic(toxicName));
      return { status: 204 };
    }
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

  private async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      proxy.removeAllToxics();
      await proxy.start();
    }
  }

  /** Creates or replaces a list of proxies; one with the same listen and upstream is kept as is. */
  private async populate(body: unknown): Promise<Reply> {
    if (!Array.isArray(body)) throw apiErrors.badRequestBody("expected a JSON array of proxies");
    const specs = body.map((entry, i) => parseProxySpec(entry, ` at proxy ${i + 1}`));
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name))
        throw apiErrors.badRequestBody(`duplicate proxy name ${JSON.stringify(spec.name)}`);
      names.add(spec.name);
    }
    const result: ProxyJson[] = [];
    try {
      for (const spec of specs) {
        const existing = this.proxies.get(spec.name);
        if (
          existing !== undefined &&
          existing.listen === spec.listen &&
          existing.upstream === spec.upstream
        ) {
          result.push(existing.toJSON());
          continue;
        }
        if (existing !== undefined) {
          this.proxies.delete(spec.name);
          await existing.stop();
        }
        result.push(await this.createProxy(spec));
      }
    } catch (err) {
      const error =
        err instanceof ToxiproxyApiError ? err : new ToxiproxyApiError((err as Error).message, 500);
      return { status: error.status, body: { error: error.message, status: error.status, proxies: result } };
    }
    return { status: 201, body: { proxies: result } };
  }
}

function optionalField<T extends "string" | "boolean">(
  body: Record<string, unknown>,
  key: string,
  type: T,
): (T extends "string" ? string : boolean) | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw apiErrors.badRequestBody(`${key} must be a ${type}`);
  return value as T extends "string" ? string : boolean;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Drain an oversized body before answering, so the client reads our 413 instead of a reset;
    // give up on the connection only when it keeps sending far beyond that.
    if (size > MAX_BODY_BYTES * 16) req.destroy();
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new ToxiproxyApiError("request body too large", 413);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw apiErrors.badRequestBody("EOF");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw apiErrors.badRequestBody((err as Error).message);
  }
}
