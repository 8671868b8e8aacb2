// The exchanges test/every-parameter.test.ts and test/parameter-matrix.test.ts observe: a request
// through the library to the emulator, on every route and wire format, seen as what reached Bedrock
// and what came back, and what became of a field against the same request without it.
import { isDeepStrictEqual } from "node:util";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { BedrockEdgeError, type ModelEntry, type RouteName } from "../../src/index.ts";
import { CONVERSE_MODEL, emulated, ROUTE_FORMATS } from "./emulated.ts";

export const TEMPLATE_ROUTES = ["deepseek_r1", "llama", "qwen3", "qwen2"] as const;

export interface Target {
  name: string;
  route: RouteName;
  modelId: string;
  wire?: "openai_completion";
}

export const TARGETS: readonly Target[] = [
  ...TEMPLATE_ROUTES.flatMap((route): Target[] => {
    const modelId = emulatorModelId(ROUTE_FORMATS[route]);
    return [
      { name: route, route, modelId },
      { name: `${route} (openai_completion)`, route, modelId, wire: "openai_completion" },
    ];
  }),
  { name: "openai", route: "openai", modelId: emulatorModelId("openai") },
  { name: "converse", route: "converse", modelId: CONVERSE_MODEL },
];

/** A client whose model "m" is the target, with the model's own drop_params when given. */
export function client(target: Target, dropParams?: boolean) {
  const entry: ModelEntry = {
    model: `bedrock/${target.route}/${target.modelId}`,
    ...(target.wire ? { wire_format: target.wire } : {}),
    ...(dropParams === undefined ? {} : { drop_params: dropParams }),
  };
  const { bedrock, emulator } = emulated({ models: { m: entry } });
  return { bedrock, emulator, target };
}
export type Client = ReturnType<typeof client>;

// What an exchange shows: the calls made (streamed or not), the last body Bedrock got, and the
// answer without what differs on every call (ids, timestamps).
export interface Observation {
  streamed: boolean[];
  body: unknown;
  answer: unknown;
}

const VOLATILE = new Set(["id", "created", "created_at", "completed_at", "call_id", "system_fingerprint"]);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !VOLATILE.has(key))
      .map(([key, item]) => [key, stable(item)]),
  );
}

async function answerOf(result: unknown): Promise<unknown> {
  if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
    const chunks: unknown[] = [];
    for await (const chunk of result as AsyncIterable<unknown>) chunks.push(chunk);
    return stable(chunks);
  }
  return stable(result);
}

export type Exchange = { ok: true; observation: Observation } | { ok: false; error: unknown; sent: number };

export async function exchange({ emulator, target }: Client, call: () => Promise<unknown>): Promise<Exchange> {
  emulator.stats.reset();
  try {
    const answer = await answerOf(await call());
    const streamed = emulator.stats.requests.map((request) => request.stream);
    return { ok: true, observation: { streamed, body: emulator.stats.lastBody(target.modelId), answer } };
  } catch (error) {
    return { ok: false, error, sent: emulator.stats.requests.length };
  }
}

/** What the failed among `exchanges` failed with. */
export function failures(...exchanges: Exchange[]): string {
  return exchanges.flatMap((done) => (done.ok ? [] : [String(done.error)])).join("; ");
}

export type Verdict =
  | { kind: "honoured" }
  | { kind: "unchanged" }
  | { kind: "refused"; param: string | null; code: string; offersDrop: boolean };

/**
 * What became of `field` in `asked`, against the same request without it (`without`), seen through
 * `seen` (all of the exchange, or only what reached Bedrock where the answer echoes the request).
 */
export function verdictOf(
  field: string,
  asked: Exchange,
  without: Exchange,
  problems: string[],
  seen: (observation: Observation) => unknown = (observation) => observation,
): Verdict | undefined {
  if (!asked.ok) {
    const { error } = asked;
    if (!(error instanceof BedrockEdgeError) || error.status !== 400) {
      problems.push(`${field}: failed with ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (!namesField(error.param, field)) problems.push(`${field}: refused naming ${error.param}: ${error.message}`);
    if (asked.sent) problems.push(`${field}: refused after ${asked.sent} call(s) reached Bedrock`);
    return {
      kind: "refused",
      param: error.param,
      code: error.code ?? "",
      offersDrop: /drop_params/.test(error.message),
    };
  }
  if (!without.ok) {
    problems.push(`${field}: the request without it failed: ${String(without.error)}`);
    return undefined;
  }
  const same = isDeepStrictEqual(seen(asked.observation), seen(without.observation));
  return same ? { kind: "unchanged" } : { kind: "honoured" };
}

function namesField(param: string | null, field: string): boolean {
  return param === field || param?.startsWith(`${field}.`) === true || param?.startsWith(`${field}[`) === true;
}

export const SCHEMA = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
export const WEATHER = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
export const HELLO = [{ role: "user", content: "Hello there!" }];

/** A chat request to the client's model "m", of `fields` beside a greeting. */
export const chat = (c: Client) => (fields: Record<string, unknown>) => () =>
  c.bedrock.chat.completions.create({ model: "m", messages: HELLO, ...fields } as never);
