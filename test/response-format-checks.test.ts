// response_format is checked before anything is sent, through the library against the emulator,
// on every route and wire format, chat (plain and streamed) and legacy Completions alike: what
// Bedrock's model server would refuse in its own words and with no field (a json_schema format
// without its definition, a schema that is neither an object nor a boolean) is a 400 naming the
// field. A type outside text, json_object and json_schema (vLLM's structural_tag) goes on to the
// model server on the openai route, as sent; a route that builds its constraint from the type
// (template routes, converse) refuses it as a wrong value, never an unsupported parameter that
// drop_params would silently drop.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import type { NonStreamingCompletionParams } from "../src/completions/types.ts";
import {
  BedrockEdgeError,
  createBedrock,
  type ModelConfig,
  type NonStreamingRequest,
  type StreamingRequest,
} from "../src/index.ts";
import { emulated, model, type RouteName } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const ROUTES: RouteName[] = ["deepseek_r1", "llama", "qwen3", "qwen2", "openai", "converse"];
const hello = [{ role: "user" as const, content: "Hello there!" }];

/** Malformed formats (as a client sends them, untyped) and the field each refusal names. */
const MALFORMED: Array<[string, unknown, string]> = [
  ["json_schema without its definition", { type: "json_schema" }, "response_format.json_schema"],
  [
    "json_schema whose schema is neither an object nor a boolean",
    { type: "json_schema", json_schema: { name: "a", schema: "x" } },
    "response_format.json_schema.schema",
  ],
  ["a type that is not a string", { type: 5 }, "response_format.type"],
];

/** vLLM's structural tags: a type outside OpenAI's three that vLLM (and the emulator) takes. */
const STRUCTURAL_TAG = {
  type: "structural_tag",
  structures: [{ begin: "<f>", schema: { type: "object" }, end: "</f>" }],
  triggers: ["<f>"],
};
/** A boolean JSON Schema: `true` takes any value. */
const SCHEMA_TRUE = { type: "json_schema", json_schema: { name: "x", schema: true } };

/** Every way a chat request reaches a model: each route, the template routes in both wire formats. */
function chatModels(): Array<[string, ModelConfig]> {
  return ROUTES.flatMap(
    (route): Array<[string, ModelConfig]> =>
      route === "openai" || route === "converse"
        ? [[route, { model: model(route) }]]
        : [
            [route, { model: model(route) }],
            [`${route} (openai_completion)`, { model: model(route), wire_format: "openai_completion" }],
          ],
  );
}

describe("a malformed response_format is refused before anything is sent", () => {
  for (const [label, config] of chatModels()) {
    it(`chat, ${label}: plain and streamed, with drop_params too`, async () => {
      const { bedrock, emulator } = emulated({ models: { m: config } });
      for (const [what, response_format, param] of MALFORMED) {
        for (const extra of [{}, { stream: true }, { drop_params: true }]) {
          const request = { model: "m", messages: hello, response_format, ...extra };
          // Untyped on purpose: a client without types sends what the types would not let through.
          const error = await errorOf(
            () => bedrock.chat.completions.create(request as Parameters<typeof bedrock.chat.completions.create>[0]),
            BedrockEdgeError,
          );
          expect(error, `${what} ${JSON.stringify(extra)}`).toMatchObject({ status: 400, param, code: null });
        }
      }
      expect(emulator.stats.requests).toHaveLength(0);
    });
  }

  it.each(["llama", "openai"] as const)("legacy Completions, %s: plain and streamed", async (route) => {
    const { bedrock, emulator } = emulated();
    for (const [what, response_format, param] of MALFORMED) {
      for (const extra of [{}, { stream: true }, { drop_params: true }]) {
        const request = { model: model(route), prompt: "Once", response_format, ...extra };
        const error = await errorOf(
          () => bedrock.completions.create(request as Parameters<typeof bedrock.completions.create>[0]),
          BedrockEdgeError,
        );
        expect(error, `${what} ${JSON.stringify(extra)}`).toMatchObject({ status: 400, param, code: null });
      }
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("the refusal says what the type may be, not to drop it", async () => {
    const { bedrock } = emulated();
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({
          model: model("llama"),
          messages: hello,
          response_format: { type: "xml" },
        } as unknown as Parameters<typeof bedrock.chat.completions.create>[0]),
      BedrockEdgeError,
    );
    expect(error.message).toBe(
      'response_format.type must be "text", "json_object" or "json_schema" on route llama (got "xml"); ' +
        "only the openai route passes other types on to the model server.",
    );
    expect(error.message).not.toContain("drop_params");
  });

  it("a well-formed one still goes through, a json_schema without a schema included", async () => {
    const { bedrock, emulator } = emulated();
    const response_format = { type: "json_schema" as const, json_schema: { name: "answer" } };
    const completion = await bedrock.chat.completions.create({
      model: model("qwen2"),
      messages: hello,
      response_format,
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual(expect.any(Object));
    expect(emulator.stats.requests).toHaveLength(1);
  });
});

/** A library client against the emulator that keeps each body it sends. */
function recorded() {
  const emulator = createEmulator();
  const bodies: Array<Record<string, unknown>> = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      bodies.push(await request.clone().json());
      return emulator.fetch(request);
    },
  });
  return { bedrock, bodies };
}

describe("a type outside OpenAI's three", () => {
  it("goes on to the model server on the openai route, chat plain and streamed, as sent", async () => {
    const { bedrock, bodies } = recorded();
    for (const response_format of [STRUCTURAL_TAG, SCHEMA_TRUE]) {
      const request = { model: model("openai"), messages: hello, max_tokens: 20, response_format };
      const create = bedrock.chat.completions.create;
      const plain = await create(request as unknown as NonStreamingRequest);
      expect(plain.choices[0]?.message.content, response_format.type).toEqual(expect.any(String));
      expect(bodies.at(-1)?.response_format).toEqual(response_format);
      const stream = await create({ ...request, stream: true } as unknown as StreamingRequest);
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text, `${response_format.type} streamed`).not.toBe("");
      expect(bodies.at(-1)?.response_format).toEqual(response_format);
    }
  });

  it("goes on to the model server in legacy Completions on the openai route", async () => {
    const { bedrock, bodies } = recorded();
    for (const response_format of [STRUCTURAL_TAG, SCHEMA_TRUE]) {
      const create = bedrock.completions.create;
      const request = { model: model("openai"), prompt: "Once", max_tokens: 20, response_format };
      const completion = await create(request as unknown as NonStreamingCompletionParams);
      expect(completion.choices[0]?.text, response_format.type).toEqual(expect.any(String));
      expect(bodies.at(-1)?.response_format).toEqual(response_format);
    }
  });

  it("is a 400 naming response_format.type on the routes that build their constraint from it, with drop_params too", async () => {
    for (const [label, config] of chatModels().filter(([label]) => label !== "openai")) {
      const { bedrock, emulator } = emulated({ models: { m: config } });
      for (const extra of [{}, { stream: true }, { drop_params: true }]) {
        const request = { model: "m", messages: hello, response_format: STRUCTURAL_TAG, ...extra };
        const create = bedrock.chat.completions.create;
        const error = await errorOf(() => create(request as unknown as Parameters<typeof create>[0]), BedrockEdgeError);
        expect(error, `${label} ${JSON.stringify(extra)}`).toMatchObject({
          status: 400,
          param: "response_format.type",
          code: null,
        });
        expect(error.message).toContain(`on route ${config.model.split("/")[1]} (got "structural_tag")`);
      }
      expect(emulator.stats.requests, label).toHaveLength(0);
    }
    const { bedrock } = emulated();
    const create = bedrock.completions.create;
    const request = { model: model("llama"), prompt: "Once", response_format: STRUCTURAL_TAG, drop_params: true };
    const error = await errorOf(() => create(request as unknown as Parameters<typeof create>[0]), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "response_format.type", code: null });
  });

  it("a boolean schema is answered on a template route too, and is Converse's 400 (it needs a schema object)", async () => {
    const { bedrock } = emulated();
    const create = bedrock.chat.completions.create;
    const answer = await create({
      model: model("qwen2"),
      messages: hello,
      response_format: SCHEMA_TRUE,
    } as unknown as NonStreamingRequest);
    expect(answer.choices[0]?.message.content).toEqual(expect.any(String));
    const error = await errorOf(
      () =>
        create({
          model: model("converse"),
          messages: hello,
          response_format: SCHEMA_TRUE,
        } as unknown as NonStreamingRequest),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "response_format.json_schema.schema" });
  });
});
