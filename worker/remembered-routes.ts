// hono's PatternRouter (hono/tiny) finds a request's handlers by testing the path against every
// route's pattern, in order: each middleware and handler of each endpoint is a route of its own,
// so a POST tests about 140 patterns, about 80,000 instructions a request in workerd. A path's
// match never changes once the routes are added, so the match of a path seen before is taken from
// here. Bounded: only short paths are kept (every endpoint's is), and at most MAX_REMEMBERED
// at once, all of them dropped when more come (paths a client made up); then they are
// matched again, as before.
import type { Result, Router } from "hono/router";

/** Far more than the endpoints' paths and methods (about 30 paths, GET, HEAD, POST, OPTIONS). */
const MAX_REMEMBERED = 256;
/** Longer than any endpoint's path: what is longer is a client's invention, not worth keeping. */
const LONGEST_REMEMBERED_PATH = 128;
/** Longer than any method an endpoint answers (OPTIONS is the longest). */
const LONGEST_REMEMBERED_METHOD = 16;

/**
 * `router`, its matches remembered by method and path. hono treats a match as read-only (it
 * shares one empty params object among all of them already), so one may serve many requests.
 */
export function rememberedRoutes<T>(router: Router<T>): Router<T> {
  const known = new Map<string, Result<T>>();
  return {
    name: router.name,
    add(method, path, handler) {
      known.clear();
      router.add(method, path, handler);
    },
    match(method, path) {
      // Both bounded: a runtime that passes extension methods through (Deno, Bun) hands over any token.
      if (path.length > LONGEST_REMEMBERED_PATH || method.length > LONGEST_REMEMBERED_METHOD) {
        return router.match(method, path);
      }
      // A method is an HTTP token, which has no space: the key tells method and path apart.
      const key = `${method} ${path}`;
      const remembered = known.get(key);
      if (remembered) return remembered;
      const result = router.match(method, path);
      if (known.size >= MAX_REMEMBERED) known.clear();
      known.set(key, result);
      return result;
    },
  };
}
