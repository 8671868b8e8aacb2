// Every field a request may hold, on every route, through the library against the emulator. Set to
// ask for something, a field is honoured (what reaches Bedrock, or the answer, differs from the same
// request without it) or refused with a 400 that names it, before anything is sent; a refusal that
// offers drop_params keeps its word (under it, the request is the same as without the field), and
// one of an unsupported parameter offers it, but for a refusal listed with why. Accepted and
// silently left out is a defect, but for the few fields listed below with why. Chat Completions on
// every route and wire format; the Responses API onto each of them (each chat field is its own,
// passed on under the same rules, or refused in its words); legacy Completions, which takes no
// field to converse.
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { COMPLETION_REQUEST_FIELDS } from "../src/completions/request.ts";
import { BedrockEdgeError } from "../src/index.ts";
import { REQUEST_FIELDS } from "../src/openai/schema.ts";
import { CONVERSE_MODEL } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import {
  type Client,
  chat,
  client,
  exchange,
  failures,
  HELLO,
  type Observation,
  SCHEMA,
  TARGETS,
  type Target,
  verdictOf,
  WEATHER,
} from "./helpers/field-exchange.ts";

/** A field set to ask for something, with the fields it needs beside it (tool_choice needs tools). */
interface Ask {
  value: unknown;
  with?: Record<string, unknown>;
}

/**
 * Every field of the chat request but `model` (which names the model the rest goes to), asking
 * for something: never its no-op value (`n: 1`, `logprobs: false`).
 */
function chatAsk(field: string, target: Target): Ask {
  const returnsLogprobs = target.route === "openai" || target.wire === "openai_completion";
  const asks: Record<string, Ask> = {
    messages: { value: [{ role: "user", content: "Bonjour !" }] },
    stream: { value: true },
    stream_options: { value: { include_usage: true }, with: { stream: true } },
    max_tokens: { value: 50 },
    max_completion_tokens: { value: 50 },
    temperature: { value: 0.5 },
    top_p: { value: 0.5 },
    top_k: { value: 20 },
    stop: { value: ["END"] },
    n: { value: 2 },
    seed: { value: 7 },
    presence_penalty: { value: 0.5 },
    frequency_penalty: { value: 0.5 },
    logit_bias: { value: { "100": -100 } },
    logprobs: { value: true },
    // Beside logprobs where a route returns them (without, it means nothing: OpenAI refuses it).
    top_logprobs: { value: 2, ...(returnsLogprobs ? { with: { logprobs: true } } : {}) },
    response_format: { value: { type: "json_schema", json_schema: { name: "answer", schema: SCHEMA } } },
    tools: { value: [WEATHER] },
    tool_choice: { value: "required", with: { tools: [WEATHER] } },
    parallel_tool_calls: { value: false, with: { tools: [WEATHER] } },
    user: { value: "user-42" },
    chat_template_kwargs: { value: { enable_thinking: false } },
    structured_outputs: { value: { choice: ["yes", "no"] } },
    prompt_logprobs: { value: 1 },
    drop_params: { value: true },
    // Thinking is off by default on converse (Claude), on by default on qwen3.
    reasoning_effort: { value: target.route === "converse" ? "low" : "none" },
    store: { value: true },
  };
  const ask = asks[field];
  if (!ask) throw new Error(`no ask for ${field}: say what asking for it means`);
  return ask;
}

/**
 * The fields a route accepts and leaves out, and why: none but these. The list is exact (a field
 * here that a route does honour fails too), so it is kept true.
 */
function acceptedUnsent(field: string, target: Target): string | undefined {
  if (field === "drop_params") return "bedrock-edge's own switch, never sent: every refusal below is dropped by it";
  if (field === "user") return "cannot change the answer (routes/parameters.ts): accepted, never sent";
  if (
    field === "reasoning_effort" &&
    target.route !== "converse" &&
    target.route !== "openai" &&
    target.route !== "qwen3"
  ) {
    return "docs/LIBRARY-REFERENCE.md: Llama and Qwen2.5 do not reason, and an R1 distill always does";
  }
  return undefined;
}

/**
 * The problems of `field` on the client's route, asked as `ask` says through `create`: a 400 that
 * does not name it, a call made before a refusal, a refusal that offers drop_params which does not
 * turn it into the request without it, one of an unsupported parameter that does not offer it unless
 * `undroppable` says why, or a field accepted and left out unless `leftOut` says why.
 */
async function fieldProblems(
  c: Client,
  field: string,
  ask: Ask,
  create: (fields: Record<string, unknown>) => () => Promise<unknown>,
  leftOut: string | undefined,
  undroppable?: string,
): Promise<string[]> {
  const problems: string[] = [];
  const asked = await exchange(c, create({ ...ask.with, [field]: ask.value }));
  const without = await exchange(c, create({ ...ask.with }));
  const verdict = verdictOf(field, asked, without, problems);
  if (verdict?.kind === "unchanged" && !leftOut) problems.push(`${field}: accepted, and nothing was sent for it`);
  if (verdict && verdict.kind !== "unchanged" && leftOut)
    problems.push(`${field}: listed as left out, but ${verdict.kind}`);
  if (verdict?.kind === "refused" && verdict.code === "unsupported_parameter" && !verdict.offersDrop && !undroppable) {
    problems.push(`${field}: refused as unsupported, without drop_params for it`);
  }
  // A refusal that offers drop_params keeps its word.
  if (verdict?.kind === "refused" && verdict.offersDrop) {
    const dropped = await exchange(c, create({ ...ask.with, [field]: ask.value, drop_params: true }));
    const plain = await exchange(c, create({ ...ask.with, drop_params: true }));
    if (!dropped.ok || !plain.ok) {
      problems.push(`${field}: under drop_params, ${failures(dropped, plain)}`);
    } else if (!isDeepStrictEqual(dropped.observation, plain.observation)) {
      problems.push(`${field}: under drop_params, not the request without it`);
    }
  }
  return problems;
}

describe("every Chat Completions field, on every route: honoured or refused by name, never dropped unsaid", () => {
  it("asks for each field of the request schema", () => {
    const target = TARGETS[0]!;
    for (const field of REQUEST_FIELDS) if (field !== "model") expect(chatAsk(field, target)).toBeDefined();
  });

  it.each(TARGETS.map((target) => [target.name, target] as const))("%s", async (_name, target) => {
    const c = client(target);
    // The answers compared are the emulator's, the same for the same request.
    expect(await exchange(c, chat(c)({}))).toEqual(await exchange(c, chat(c)({})));
    const problems: string[] = [];
    for (const field of REQUEST_FIELDS) {
      if (field === "model") continue;
      problems.push(...(await fieldProblems(c, field, chatAsk(field, target), chat(c), acceptedUnsent(field, target))));
    }
    expect(problems).toEqual([]);
  });

  it("converse refuses structured_outputs and prompt_logprobs by name, and drops them under drop_params", async () => {
    const { bedrock, emulator } = client(TARGETS.find((target) => target.route === "converse")!);
    for (const [field, value] of [
      ["structured_outputs", { choice: ["yes", "no"] }],
      ["prompt_logprobs", 1],
    ] as const) {
      const request = { model: "m", messages: HELLO, [field]: value } as never;
      const error = await errorOf(() => bedrock.chat.completions.create(request), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: field, code: "unsupported_parameter" });
      expect(error.message).toMatch(
        new RegExp(`^${field} is not (a parameter Bedrock's Converse API takes|returned by Converse)`),
      );
      expect(emulator.stats.requests).toHaveLength(0);
      await bedrock.chat.completions.create({ ...(request as object), drop_params: true } as never);
      expect(JSON.stringify(emulator.stats.lastBody(CONVERSE_MODEL))).not.toMatch(/choice|logprobs/);
      emulator.stats.reset();
    }
  });
});

describe("the fields no route sends, of the wrong type: a 400 naming them on every route, drop_params or not (specfuzz46 F2)", () => {
  const wrong: Record<string, unknown> = {
    metadata: 123,
    prompt_cache_key: 5,
    safety_identifier: 5,
    prompt_cache_retention: "forever",
    prediction: 5,
    modalities: "audio",
  };

  it.each(TARGETS.map((target) => [target.name, target] as const))("%s", async (_name, target) => {
    const c = client(target, true);
    const problems: string[] = [];
    for (const [field, value] of Object.entries(wrong)) {
      const asked = await exchange(c, chat(c)({ [field]: value }));
      if (asked.ok) {
        problems.push(`${field}: accepted`);
      } else if (
        !(asked.error instanceof BedrockEdgeError) ||
        asked.error.status !== 400 ||
        asked.error.param !== field
      ) {
        problems.push(`${field}: ${String(asked.error)}`);
      } else if (asked.sent) {
        problems.push(`${field}: refused after ${asked.sent} call(s) reached Bedrock`);
      }
    }
    // A well-typed ask beyond text keeps its refusal, which the model's drop_params drops.
    const audio = await exchange(c, chat(c)({ modalities: ["audio"] }));
    if (!audio.ok) problems.push(`modalities ["audio"] under drop_params: ${String(audio.error)}`);
    expect(problems).toEqual([]);
    const strict = client(target);
    const refused = await exchange(strict, chat(strict)({ modalities: ["audio"] }));
    expect(refused.ok ? undefined : refused.error).toMatchObject({ status: 400, param: "modalities" });
  });
});

// How the Responses API takes each chat field: its own field of that name (tested with the
// Responses API itself), passed on to the route under the same rules as chat, chat's name for one
// of its own, more than a Response holds, or not its parameter at all.
const RESPONSES_TAKES: Record<string, "own" | "passed" | "renamed" | "one answer" | "foreign"> = {
  model: "own",
  stream: "own",
  stream_options: "own",
  tools: "own",
  tool_choice: "own",
  store: "own",
  top_logprobs: "own",
  temperature: "passed",
  top_p: "passed",
  parallel_tool_calls: "passed",
  user: "passed",
  top_k: "passed",
  chat_template_kwargs: "passed",
  drop_params: "passed",
  messages: "renamed",
  max_tokens: "renamed",
  max_completion_tokens: "renamed",
  response_format: "renamed",
  reasoning_effort: "renamed",
  n: "one answer",
  logprobs: "one answer",
  prompt_logprobs: "one answer",
  stop: "foreign",
  seed: "foreign",
  presence_penalty: "foreign",
  frequency_penalty: "foreign",
  logit_bias: "foreign",
  structured_outputs: "foreign",
};

const RESPONSES_WEATHER = { type: "function", name: "get_weather", parameters: WEATHER.function.parameters };

describe("every Chat Completions field sent to the Responses API, on every route", () => {
  it("is classified", () => {
    expect(Object.keys(RESPONSES_TAKES).sort()).toEqual([...REQUEST_FIELDS].sort());
  });

  it.each(TARGETS.map((target) => [target.name, target] as const))("%s", async (_name, target) => {
    const c = client(target);
    const byModel = client(target, true);
    // A Response echoes the request's fields: what the route honoured is what reached Bedrock.
    const upstream = ({ streamed, body }: Observation) => ({ streamed, body });
    const respond = (on: Client, fields: Record<string, unknown>) => () =>
      on.bedrock.responses.create({ model: "m", input: "Hello there!", ...fields } as never);
    const problems: string[] = [];
    for (const [field, takes] of [...Object.entries(RESPONSES_TAKES), ["surprise_field", "foreign"] as const]) {
      if (takes === "own") continue;
      const ask = field === "surprise_field" ? { value: 1 } : chatAsk(field, target);
      const alongside = ask.with?.tools ? { tools: [RESPONSES_WEATHER] } : {};
      const asked = await exchange(c, respond(c, { ...alongside, [field]: ask.value }));
      if (takes === "passed") {
        // As chat takes it on this route: the same verdict, the same param refused.
        const without = await exchange(c, respond(c, alongside));
        const verdict = verdictOf(field, asked, without, problems, upstream);
        const asChat = verdictOf(
          field,
          await exchange(c, chat(c)({ ...ask.with, [field]: ask.value })),
          await exchange(c, chat(c)({ ...ask.with })),
          problems,
          upstream,
        );
        if (!isDeepStrictEqual(verdict, asChat)) {
          problems.push(`${field}: ${JSON.stringify(verdict)} on Responses, ${JSON.stringify(asChat)} on chat`);
        }
        continue;
      }
      const error = asked.ok ? undefined : asked.error;
      if (!(error instanceof BedrockEdgeError) || error.status !== 400 || error.param !== field) {
        problems.push(`${field}: not refused by name (${error instanceof Error ? error.message : "accepted"})`);
        continue;
      }
      if (/Chat Completions parameter/.test(error.message)) problems.push(`${field}: refused in chat's words`);
      if (takes === "renamed" && !/^\w+ is Chat Completions' name; the Responses API's is /.test(error.message)) {
        problems.push(`${field}: refused without the Responses API's name: ${error.message}`);
      }
      if (takes !== "foreign") continue;
      if (!error.message.startsWith(`${field} is not a Responses API parameter (route ${target.route}).`)) {
        problems.push(`${field}: ${error.message}`);
      }
      // Dropped under drop_params, the request's or the model's, as chat drops a field it does not know.
      const plain = await exchange(c, respond(c, {}));
      for (const [on, dropping] of [
        [c, { drop_params: true }],
        [byModel, {}],
      ] as const) {
        const dropped = await exchange(on, respond(on, { ...dropping, [field]: ask.value }));
        if (!dropped.ok || !plain.ok) {
          problems.push(`${field}: under drop_params, ${failures(dropped, plain)}`);
        } else if (!isDeepStrictEqual(dropped.observation.body, plain.observation.body)) {
          problems.push(`${field}: under drop_params, not the request without it`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

// Legacy Completions: the same, for each of its fields but `model`, on the routes that take raw
// prompts.
function completionAsk(field: string): Ask {
  const asks: Record<string, Ask> = {
    prompt: { value: "Bonjour !" },
    max_tokens: { value: 50 },
    temperature: { value: 0.5 },
    top_p: { value: 0.5 },
    top_k: { value: 20 },
    n: { value: 2 },
    stop: { value: ["END"] },
    stream: { value: true },
    stream_options: { value: { include_usage: true }, with: { stream: true } },
    seed: { value: 7 },
    presence_penalty: { value: 0.5 },
    frequency_penalty: { value: 0.5 },
    logit_bias: { value: { "100": -100 } },
    logprobs: { value: 2 },
    echo: { value: true },
    best_of: { value: 3 },
    suffix: { value: "The end." },
    user: { value: "user-42" },
    response_format: { value: { type: "json_object" } },
    structured_outputs: { value: { choice: ["yes", "no"] } },
    drop_params: { value: true },
  };
  const ask = asks[field];
  if (!ask) throw new Error(`no ask for ${field}: say what asking for it means`);
  return ask;
}

// Dropped, an insertion would come back as a continuation: refused whatever drop_params says
// (completions/request.ts).
const SUFFIX = "Bedrock's formats have no insertion mode";

function completionUnsent(field: string): string | undefined {
  if (field === "drop_params") return "bedrock-edge's own switch, never sent";
  if (field === "user") return "cannot change the answer: accepted, never sent";
  return undefined;
}

describe("every legacy Completions field, on every route that takes a raw prompt", () => {
  it("asks for each field of the request schema", () => {
    for (const field of COMPLETION_REQUEST_FIELDS) if (field !== "model") expect(completionAsk(field)).toBeDefined();
  });

  it("converse takes none: it has no raw prompt, and says so before anything is sent", async () => {
    const { bedrock, emulator } = client(TARGETS.find((target) => target.route === "converse")!);
    const error = await errorOf(
      () => bedrock.completions.create({ model: "m", prompt: "Hello", structured_outputs: { choice: ["a"] } } as never),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it.each(TARGETS.filter((target) => target.route !== "converse").map((target) => [target.name, target] as const))(
    "%s",
    async (_name, target) => {
      const c = client(target);
      const create = (fields: Record<string, unknown>) => () =>
        c.bedrock.completions.create({ model: "m", prompt: "Hello", ...fields } as never);
      const problems: string[] = [];
      for (const field of COMPLETION_REQUEST_FIELDS) {
        if (field === "model") continue;
        const undroppable = field === "suffix" ? SUFFIX : undefined;
        problems.push(
          ...(await fieldProblems(c, field, completionAsk(field), create, completionUnsent(field), undroppable)),
        );
      }
      expect(problems).toEqual([]);
    },
  );
});
