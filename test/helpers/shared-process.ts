// A setupFiles entry of the projects whose files run one after another in the same process and
// module graph (`isolate: false` in vitest.config.mts: node, workerd, newest-clients): whatever a
// file leaves changed in the process's globals, the files after it would run with, passing or
// failing by the order vitest picks. So timers, stubbed globals and environment are put back, and
// so is a web global a file replaced (as @hono/node-server's `serve` replaces Request and Response
// unless told not to), which also fails that file, where the change was made.
import { beforeAll, expect, vi } from "vitest";

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

// Kept on globalThis, since this module runs again before every file: the process's first values,
// with their property descriptors (`crypto` is a getter, `fetch` enumerable, `Request` not).
const KEY = Symbol.for("bedrock-edge.test.original-globals");
const original: Map<string, PropertyDescriptor | undefined> =
  Reflect.get(globalThis, KEY) ??
  new Map(WEB_GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]));
Reflect.set(globalThis, KEY, original);

const described = (descriptor: PropertyDescriptor | undefined) =>
  descriptor && "get" in descriptor ? descriptor.get?.call(globalThis) : descriptor?.value;

/** Puts everything back; the web globals a file replaced, it names. */
function putBack(): string[] {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  const replaced = WEB_GLOBALS.filter((name) => Reflect.get(globalThis, name) !== described(original.get(name)));
  for (const name of replaced) {
    const descriptor = original.get(name);
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else Reflect.deleteProperty(globalThis, name);
  }
  return replaced;
}

// Before this file: what an earlier one left when its own hooks threw or it failed to load (then
// none of its hooks ran, this file's check among them).
putBack();

// After this file, last: a cleanup returned by a beforeAll of a setup file runs after every
// afterAll hook of the file and every cleanup of its own, so a file that puts a global back there
// is not failed for it.
beforeAll(() => () => {
  const replaced = putBack();
  expect(replaced, "globals this file replaced and left so, for the files after it in this process").toEqual([]);
});
