// Calls into the proxy's Durable Objects: a JSON body to a named method, a JSON answer. A plain
// fetch handler rather than RPC, so worker/ imports nothing from `cloudflare:workers` and bundles
// and type-checks like any other module (and createApp() runs on Node, Deno and Bun unchanged).
import type { DurableObjectNamespace } from "../cloudflare.ts";

const ORIGIN = "https://durable-object";

/** Calls `method` of the object named `name`; rejects when it answers an error. */
export async function callDurable<T>(
  namespace: DurableObjectNamespace,
  name: string,
  method: string,
  args: unknown,
): Promise<T> {
  const stub = namespace.get(namespace.idFromName(name));
  const response = await stub.fetch(`${ORIGIN}/${method}`, { method: "POST", body: JSON.stringify(args) });
  if (!response.ok) throw new Error(`${method} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

/** An object's methods: each takes the parsed body and returns what is answered as JSON. */
export type DurableMethods = Record<string, (args: unknown) => Promise<unknown>>;

/** The object's side of callDurable. */
export async function serveMethods(request: Request, methods: DurableMethods): Promise<Response> {
  const method = new URL(request.url).pathname.slice(1);
  const run = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!run || request.method !== "POST") return new Response(`no method ${method.slice(0, 60)}`, { status: 404 });
  let args: unknown;
  try {
    args = await request.json();
  } catch {
    return new Response("the body is not JSON", { status: 400 });
  }
  try {
    return Response.json((await run(args)) ?? null);
  } catch (error) {
    return new Response(error instanceof Error ? error.message : "failed", { status: 400 });
  }
}

// The methods' arguments come from the proxy's own code; checked anyway, so that a mistake is an
// error answer rather than a bad value stored.
function field(args: unknown, name: string): unknown {
  return args !== null && typeof args === "object" ? Reflect.get(args, name) : undefined;
}

export function stringArg(args: unknown, name: string): string {
  const value = field(args, name);
  if (typeof value !== "string" || value === "") throw new Error(`${name} must be a string`);
  return value;
}

export function numberArg(args: unknown, name: string): number {
  const value = field(args, name);
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
}

/** A number, or undefined when the argument is absent. */
export function optionalNumberArg(args: unknown, name: string): number | undefined {
  return field(args, name) === undefined ? undefined : numberArg(args, name);
}

/** A string, or undefined when the argument is absent. */
export function optionalStringArg(args: unknown, name: string): string | undefined {
  return field(args, name) === undefined ? undefined : stringArg(args, name);
}

export function stringsArg(args: unknown, name: string): string[] {
  const value = field(args, name);
  // A model has at most 16 deployments: anything longer is not a caller of ours.
  if (!Array.isArray(value) || value.length > 64 || !value.every((item) => typeof item === "string")) {
    throw new Error(`${name} must be a list of strings`);
  }
  return value;
}
