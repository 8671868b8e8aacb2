// response_format is checked before anything is sent, through the library against the emulator,
// on every route and wire format, chat (plain and streamed) and legacy Completions alike: what
// Bedrock's model server would refuse in its own words and with no field (a json_schema format
// without its definition, a schema that is not an object) is a 400 naming the field, and a type
// outside text, json_object and json_schema is a wrong value, never an unsupported parameter that
// drop_params would silently drop.
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ModelConfig, type RouteName } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const ROUTES: RouteName[] = ["deepseek_r1", "llama", "qwen3", "qwen2", "openai", "converse"];
const hello = [{ role: "user" as const, content: "Hello there!" }];

/** Malformed formats (as a client sends them, untyped) and the field each refusal names. */
const MALFORMED: Array<[string, unknown, string]> = [
  ["json_schema without its definition", { type: "json_schema" }, "response_format.json_schema"],
  [
    "json_schema whose schema is not an object",
    { type: "json_schema", json_schema: { name: "a", schema: "x" } },
    "response_format.json_schema.schema",
  ],
  ["an unknown type", { type: "xml" }, "response_format.type"],
];

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
    expect(error.message).toBe('response_format.type must be "text", "json_object" or "json_schema" (got "xml").');
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
