// A setupFiles entry of the projects whose files run one after another in the same process and
// module graph (`isolate: false` in vitest.config.mts: node, workerd, newest-clients): whatever a
// file leaves changed in the process's globals, the files after it would run with, passing or
// failing by the order vitest picks. So after each file: timers, stubbed globals and environment
// are put back, and a web global a file replaced (as @hono/node-server's `serve` replaces Request
// and Response unless told not to) is put back too and fails that file, where the change was made.
import { afterAll, expect, vi } from "vitest";

/** The globals the library and the proxy are built on. */
const WEB_GLOBALS = [
  "fetch",
  "Request",
  "Response",
  "Headers",
  "FormData",
  "Blob",
  "File",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
  "TextEncoder",
  "TextDecoder",
  "AbortController",
  "AbortSignal",
  "URL",
  "crypto",
  "structuredClone",
] as const;

// Kept on globalThis, since this module runs again before every file: the process's first values.
const KEY = Symbol.for("bedrock-edge.test.original-globals");
const original: Map<string, unknown> =
  Reflect.get(globalThis, KEY) ?? new Map(WEB_GLOBALS.map((name) => [name, Reflect.get(globalThis, name)]));
Reflect.set(globalThis, KEY, original);

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  const replaced = WEB_GLOBALS.filter((name) => Reflect.get(globalThis, name) !== original.get(name));
  for (const name of replaced) {
    Object.defineProperty(globalThis, name, {
      value: original.get(name),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  expect(replaced, "globals this file replaced and left so, for the files after it in this process").toEqual([]);
});
