// The path a request is routed by, as Toxiproxy's router (gorilla/mux over net/http) sees it: the
// percent-decoded path, and a 301 to its cleaned form when it has `//`, `.` or `..` segments. Found
// by fuzzing: `PUT //` made `new URL` throw and the server answer 500 where Toxiproxy answers 301.
import { posix } from "node:path";
import { ToxiproxyApiError } from "./json.ts";

export interface RoutePath {
  /** Decoded, e.g. `/proxies/p/q` for `/proxies/p%2Fq` (a name with `/` is not addressable in Go either). */
  path: string;
  /** Where Toxiproxy redirects (301) a path that is not clean; the query is kept. */
  redirect?: string;
}

export function routePath(url: string): RoutePath {
  const queryAt = url.search(/[?#]/);
  const raw = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 || url[queryAt] !== "?" ? "" : url.slice(queryAt).replace(/#.*$/, "");
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // net/http refuses an unparseable request target before any handler runs.
    throw new ToxiproxyApiError("malformed path", 400);
  }
  if (!path.startsWith("/")) path = `/${path}`;
  const clean = cleanPath(path);
  // Re-encoded, as Go's url.URL.String() does: a header cannot carry a raw newline or non-ASCII.
  return clean === path ? { path } : { path, redirect: encodeURI(clean) + encodeURI(query) };
}

/** gorilla/mux's cleanPath: path.Clean, keeping a trailing slash. */
function cleanPath(path: string): string {
  const clean = posix.normalize(path).replace(/\/+$/, "") || "/";
  return path.endsWith("/") && clean !== "/" ? `${clean}/` : clean;
}
