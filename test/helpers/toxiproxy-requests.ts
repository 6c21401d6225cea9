// Random requests against a Toxiproxy HTTP API (ours or the Go binary, for comparing by hand):
// known and unknown routes, any method, bodies from garbage bytes to almost-right toxics.
import http from "node:http";
import fc from "fast-check";

export interface ApiRequest {
  method: string;
  path: string;
  userAgent: string | undefined;
  body: string | undefined;
}

export interface ApiAnswer {
  status: number;
  body: string;
}

// As written in the path: already percent-encoded where they need it, some wrongly on purpose.
const NAMES = ["p", "q", "missing", "", "p%2Fq", "%ZZ", "..", "a%20b", "%C3%A9"];
const TOXIC_NAMES = ["t", "latency_downstream", "missing", "%00"];

const path = fc.oneof(
  fc.constantFrom("/version", "/reset", "/populate", "/proxies", "/", "", "//", "/proxies/", "/metrics"),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.constantFrom("", "/toxics", "/toxics/", "/x"))
    .map(([name, rest]) => `/proxies/${name}${rest}`),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.constantFrom(...TOXIC_NAMES), fc.constantFrom("", "/extra"))
    .map(([name, toxic, rest]) => `/proxies/${name}/toxics/${toxic}${rest}`),
  fc.string({ maxLength: 40 }).map((s) => `/${encodeURI(s)}`),
);

const number = fc.oneof(
  fc.integer({ min: -1000, max: 100_000 }),
  fc.constantFrom(-1, 0, 1.5, 1e20, -1e20, 2 ** 63, 2 ** 53 + 1, 3.5e38, Number.MAX_SAFE_INTEGER),
);
const anyValue = fc.oneof(
  number,
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);
// Listen only on loopback: a fuzzed listen address must never open a port beyond it.
const listen = fc.constantFrom(
  "",
  "127.0.0.1:0",
  "localhost:0",
  "127.0.0.1:99999",
  "127.0.0.1:-1",
  "garbage",
  "[::1]:0",
);
const upstream = fc.constantFrom("127.0.0.1:1", "", "nohost", "127.0.0.1:99999", ":::");

const proxyBody = fc.record(
  {
    name: fc.oneof(fc.constantFrom(...NAMES), anyValue),
    listen: fc.oneof(listen, anyValue),
    upstream: fc.oneof(upstream, anyValue),
    enabled: fc.oneof(fc.boolean(), anyValue),
  },
  { requiredKeys: [] },
);

const TOXIC_TYPES = [
  "latency",
  "bandwidth",
  "slow_close",
  "timeout",
  "reset_peer",
  "slicer",
  "limit_data",
  "noop",
];
const ATTRIBUTES = [
  "latency",
  "jitter",
  "rate",
  "delay",
  "timeout",
  "average_size",
  "size_variation",
  "bytes",
];
const toxicBody = fc.record(
  {
    name: fc.oneof(fc.constantFrom(...TOXIC_NAMES), anyValue),
    type: fc.oneof(fc.constantFrom(...TOXIC_TYPES, "unknown", "LATENCY", ""), anyValue),
    stream: fc.oneof(fc.constantFrom("upstream", "downstream", "sideways", ""), anyValue),
    toxicity: fc.oneof(number, anyValue),
    attributes: fc.oneof(fc.dictionary(fc.constantFrom(...ATTRIBUTES), fc.oneof(number, anyValue)), anyValue),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 30 }),
  fc.constantFrom("{", "[", "nul", '{"name":', "\u0000", "{}", "[]", "null", "1e999", '"x"'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  proxyBody.map((v) => JSON.stringify(v)),
  fc.array(proxyBody, { maxLength: 3 }).map((v) => JSON.stringify(v)),
  toxicBody.map((v) => JSON.stringify(v)),
);

export const apiRequest: fc.Arbitrary<ApiRequest> = fc.record({
  method: fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "BREW"),
  path,
  userAgent: fc.constantFrom(undefined, "toxiproxy-cli", "Mozilla/5.0", ""),
  body,
});

/** Sends one request (no retries, no keep-alive) and reads the whole answer. */
export function send(base: string, request: ApiRequest, timeoutMs = 10_000): Promise<ApiAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path === "" ? "/" : request.path,
        agent: false,
        headers: {
          ...(request.userAgent !== undefined && { "User-Agent": request.userAgent }),
          // A length on every body: without it Node sends a GET's body raw, which reads as a second request.
          ...(request.body !== undefined && {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(request.body),
          }),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    // A server may send more after its answer (Go's 400 has a body after Connection: close).
    req.on("socket", (socket) => socket.on("error", () => {}));
    req.end(request.body);
  });
}
