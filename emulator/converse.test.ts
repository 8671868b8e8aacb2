// Converse and ConverseStream in-process: the model id forms and their options, Bedrock's
// request checks, every stop reason, usage, and the stream's typed events. The official SDK
// against the served emulator is in sdk.test.ts.

import { describe, expect, it } from "vitest";
import { REASONING_TEXT, TOOL_RESULT_TEXT } from "./answers.ts";
import { converseModelId, parseConverseModelId } from "./converse-model-id.ts";
import { UNCACHED_MODEL } from "./converse-model-features.ts";
import { GUARDRAIL_MESSAGE } from "./converse.ts";
import { createEmulator } from "./handler.ts";
import { emulatorModelId } from "./model-id.ts";
import { errorAnswer, events, type Json, json, send, validates } from "./test-helpers.ts";
import type { StreamEvent } from "./testing.ts";

const NOVA = "amazon.nova-pro-v1:0";
const HELLO = { messages: [{ role: "user", content: [{ text: "Hello" }] }] };
const WEATHER = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const TRIP = {
  type: "object",
  properties: { to: { type: "string" }, days: { type: "integer", minimum: 2, maximum: 9 } },
  required: ["to", "days"],
};
const TOOL_CONFIG = {
  tools: [
    { toolSpec: { name: "get_weather", description: "Weather", inputSchema: { json: WEATHER } } },
    { toolSpec: { name: "plan_trip", inputSchema: { json: TRIP } } },
  ],
};

const converse = (modelId: string, body: unknown = HELLO, region?: string) =>
  send(modelId, body, "converse", createEmulator(), region);
const converseStream = (modelId: string, body: unknown = HELLO) => send(modelId, body, "converse-stream");
type Block = Record<string, Json>;
const contentOf = (answer: Json) => ((answer.output as Json).message as { content: Block[] }).content;

function eventsOf(list: StreamEvent[]): { type: string; payload: Json }[] {
  return list.flatMap((event) => (event.kind === "event" ? [{ type: event.eventType, payload: event.payload }] : []));
}

describe("Converse model ids", () => {
  it.each([
    ["a foundation model", "anthropic.claude-3-5-haiku-20241022-v1:0"],
    ["a foundation model without a minor version", "amazon.titan-text-express-v1"],
    ["a provisioned-context variant", "anthropic.claude-3-sonnet-20240229-v1:0:28k"],
    ["a US inference profile", "us.anthropic.claude-3-5-haiku-20241022-v1:0"],
    ["an EU inference profile", "eu.amazon.nova-pro-v1:0"],
    ["an APAC inference profile", "apac.meta.llama3-1-8b-instruct-v1:0"],
    ["a global inference profile", "global.anthropic.claude-sonnet-4-20250514-v1:0"],
    ["a foundation-model ARN", `arn:aws:bedrock:us-east-1::foundation-model/${NOVA}`],
    ["an inference-profile ARN", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"],
    [
      "an application inference profile ARN",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
    ],
    ["a provisioned model ARN", "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6"],
    ["an imported model ARN", emulatorModelId("llama")],
    ["a foundation model with options", converseModelId("meta.llama3-1-8b-instruct-v1:0", ["think", "tool"])],
  ])("answers %s", async (_, modelId) => {
    expect((await converse(modelId)).status).toBe(200);
  });

  it("answers the ARNs of every partition, signed for their own region (codereview14 #3)", async () => {
    for (const [modelId, region] of [
      [`arn:aws-eusc:bedrock:eusc-de-east-1::foundation-model/${NOVA}`, "eusc-de-east-1"],
      ["arn:aws-iso:bedrock:us-iso-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0", "us-iso-east-1"],
      ["arn:aws-iso-b:bedrock:us-isob-east-1:123456789012:provisioned-model/a1b2c3d4e5f6", "us-isob-east-1"],
    ] as const) {
      expect((await converse(modelId, HELLO, region)).status, modelId).toBe(200);
    }
  });

  it.each([
    ["an unknown provider", "acme.model-v1:0"],
    ["no provider", "claude-3-5-haiku"],
    ["an unknown geography", "mars.amazon.nova-pro-v1:0"],
    ["an unknown option", `${NOVA}+fast`],
    ["a repeated option", `${NOVA}+think+think`],
    ["a short resource id", "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc"],
    ["an unknown imported format", "arn:aws:bedrock:us-east-1:123456789012:imported-model/mistral"],
  ])("refuses %s with ResourceNotFoundException", async (_, modelId) => {
    expect(await errorAnswer(await converse(modelId))).toMatchObject({
      status: 404,
      type: "ResourceNotFoundException",
      message: expect.stringMatching(/^Could not resolve the foundation model from the provided model identifier\./),
    });
  });

  it("reads the options after + signs and the ARN's region", () => {
    expect(parseConverseModelId(`${NOVA}+think+notready2+slow5`)).toMatchObject({
      kind: "foundation-model",
      name: NOVA,
      think: true,
      callFaults: [{ kind: "notready", calls: 2 }],
      slowMs: 5,
    });
    expect(parseConverseModelId(`${NOVA}`)?.region).toBeUndefined();
    expect(parseConverseModelId(`arn:aws:bedrock:eu-west-1::foundation-model/${NOVA}+tool`)).toMatchObject({
      kind: "foundation-model",
      region: "eu-west-1",
      tool: true,
    });
    expect(parseConverseModelId(emulatorModelId("r1", ["think"], "eu-west-1"))).toMatchObject({
      kind: "imported-model",
      format: "r1",
      name: "r1",
      region: "eu-west-1",
      think: true,
    });
  });

  it("runs a bare id in any region, an ARN only in its own", async () => {
    expect((await converse(NOVA, HELLO, "eu-west-1")).status).toBe(200);
    expect(
      await errorAnswer(await converse(`arn:aws:bedrock:us-east-1::foundation-model/${NOVA}`, HELLO, "eu-west-1")),
    ).toMatchObject({
      status: 400,
      type: "ValidationException",
    });
  });

  it.each(["qwen2", "openai"] as const)("refuses a %s import, as Converse does not support them", async (format) => {
    for (const operation of ["converse", "converse-stream"] as const) {
      expect(await errorAnswer(await send(emulatorModelId(format), HELLO, operation))).toEqual({
        status: 400,
        type: "ValidationException",
        message:
          "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
      });
    }
  });
});

describe("Converse request checks", () => {
  const user = (content: unknown[]) => ({ role: "user", content });
  const assistant = (content: unknown[]) => ({ role: "assistant", content });
  const toolUse = { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } };
  const toolResult = (id: string) => ({ toolResult: { toolUseId: id, content: [{ text: "sunny" }] } });

  it.each([
    [
      "no messages",
      {},
      "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null",
    ],
    [
      "an assistant first",
      { messages: [assistant([{ text: "Hi" }])] },
      "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
    ],
    [
      "two user turns in a row",
      { messages: [user([{ text: "Hi" }]), user([{ text: "Hi again" }])] },
      "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
    ],
    [
      "an unknown role",
      { messages: [{ role: "system", content: [{ text: "Hi" }] }] },
      "1 validation error detected: Value 'system' at 'messages.1.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]",
    ],
    [
      "empty content",
      { messages: [user([])] },
      "The content field in the Message object at messages.0 is empty. Add a ContentBlock object to the content field and try again.",
    ],
    [
      "tool blocks without a toolConfig",
      { messages: [user([{ text: "Hi" }]), assistant([toolUse]), user([toolResult("tooluse_1")])] },
      "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
    ],
    [
      "a toolResult that answers no toolUse",
      {
        toolConfig: TOOL_CONFIG,
        messages: [user([{ text: "Hi" }]), assistant([toolUse]), user([toolResult("tooluse_2")])],
      },
      "The toolResult block with toolUseId 'tooluse_2' at messages.2 does not answer any toolUse block of the previous assistant message (messages.1).",
    ],
    [
      "maxTokens 0",
      { ...HELLO, inferenceConfig: { maxTokens: 0 } },
      "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
    [
      "temperature 1.5",
      { ...HELLO, inferenceConfig: { temperature: 1.5 } },
      "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1",
    ],
    [
      "an image format Converse does not take",
      { messages: [user([{ image: { format: "bmp", source: { bytes: "AAAA" } } }])] },
      "1 validation error detected: Value 'bmp' at 'messages.1.member.content.1.member.image.format' failed to satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]",
    ],
    [
      "a toolChoice naming no tool",
      { ...HELLO, toolConfig: { ...TOOL_CONFIG, toolChoice: { tool: { name: "nope" } } } },
      "The tool named in toolChoice ('nope') is not one of toolConfig.tools.",
    ],
    [
      "a tool schema whose top-level type is not object",
      {
        ...HELLO,
        toolConfig: { tools: [TOOL_CONFIG.tools[0], { toolSpec: { name: "now", inputSchema: { json: {} } } }] },
      },
      "The value at toolConfig.tools.1.toolSpec.inputSchema.json.type must be one of the following: object.",
    ],
    [
      "a bad JSON pointer",
      { ...HELLO, additionalModelResponseFieldPaths: ["stop_sequence"] },
      'The additionalModelResponseFieldPaths value "stop_sequence" is not a valid JSON Pointer (RFC 6901).',
    ],
    [
      "a guardrail without a version",
      { ...HELLO, guardrailConfig: { guardrailIdentifier: "abc123" } },
      "1 validation error detected: Value null at 'guardrailConfig.guardrailVersion' failed to satisfy constraint: Member must not be null",
    ],
    [
      "a guardrail identifier off AWS's pattern (awsfidelity46 #6)",
      { ...HELLO, guardrailConfig: { guardrailIdentifier: "My Guardrail", guardrailVersion: "1" } },
      "1 validation error detected: Value 'My Guardrail' at 'guardrailConfig.guardrailIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))",
    ],
    [
      "a guardrail version off AWS's pattern (awsfidelity46 #6)",
      { ...HELLO, guardrailConfig: { guardrailIdentifier: "abc123", guardrailVersion: "draft" } },
      "1 validation error detected: Value 'draft' at 'guardrailConfig.guardrailVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (([1-9][0-9]{0,7})|(DRAFT))",
    ],
    [
      "an unknown latency",
      { ...HELLO, performanceConfig: { latency: "fast" } },
      "1 validation error detected: Value 'fast' at 'performanceConfig.latency' failed to satisfy constraint: Member must satisfy enum value set: [standard, optimized]",
    ],
    [
      "an unknown service tier",
      { ...HELLO, serviceTier: { type: "scale" } },
      "1 validation error detected: Value 'scale' at 'serviceTier.type' failed to satisfy constraint: Member must satisfy enum value set: [priority, default, flex, reserved]",
    ],
    [
      "a service tier without a type",
      { ...HELLO, serviceTier: {} },
      "1 validation error detected: Value null at 'serviceTier.type' failed to satisfy constraint: Member must not be null",
    ],
  ])("refuses %s", async (_, body, message) => {
    expect(await errorAnswer(await converse(NOVA, body))).toEqual({
      status: 400,
      type: "ValidationException",
      message,
    });
  });

  describe("with Claude's thinking on", () => {
    const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
    const thinking = { additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } } };
    const signed = { reasoningContent: { reasoningText: { text: "Let me look.", signature: "c2ln" } } };
    const toolLoop = (turn: unknown[]) => ({
      ...thinking,
      toolConfig: TOOL_CONFIG,
      messages: [user([{ text: "Weather?" }]), assistant(turn), user([toolResult("tooluse_1")])],
    });
    const claudeSays = (found: string) =>
      `The model returned the following errors: messages.1.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`;

    it.each([
      ["a tool turn without its reasoning", toolLoop([toolUse]), claudeSays("tool_use")],
      ["a tool turn that opens with text", toolLoop([{ text: "Looking." }, toolUse]), claudeSays("text")],
      [
        "temperature",
        { ...thinking, ...HELLO, inferenceConfig: { temperature: 0.2 } },
        "The model returned the following errors: `temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking",
      ],
      [
        "topP",
        { ...thinking, ...HELLO, inferenceConfig: { topP: 0.9 } },
        "The model returned the following errors: top_p must be unset when thinking is enabled.",
      ],
      [
        "top_k",
        { ...HELLO, additionalModelRequestFields: { ...thinking.additionalModelRequestFields, top_k: 40 } },
        "The model returned the following errors: `top_k` must be unset when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking",
      ],
      ...[{ any: {} }, { tool: { name: "get_weather" } }].map((toolChoice) => [
        `toolChoice ${Object.keys(toolChoice)[0]}`,
        { ...thinking, ...HELLO, toolConfig: { ...TOOL_CONFIG, toolChoice } },
        "The model returned the following errors: Thinking may not be enabled when tool_choice forces tool use.",
      ]),
      [
        "a prefill",
        { ...thinking, messages: [user([{ text: "Hi" }]), assistant([{ text: "Well," }])] },
        "The model returned the following errors: messages.1: the final message cannot be an assistant prefill when thinking is enabled.",
      ],
      [
        "maxTokens above 21,333 on plain Converse",
        { ...thinking, ...HELLO, inferenceConfig: { maxTokens: 21_334 } },
        "With thinking enabled, maxTokens above 21333 needs streaming: use ConverseStream (got 21334).",
      ],
    ] as Array<[string, unknown, string]>)("refuses %s", async (_, body, message) => {
      expect(await errorAnswer(await converse(CLAUDE, body))).toEqual({
        status: 400,
        type: "ValidationException",
        message,
      });
    });

    it("accepts a tool turn that opens with its signed or redacted reasoning, and earlier turns without", async () => {
      expect((await converse(CLAUDE, toolLoop([signed, toolUse]))).status).toBe(200);
      expect(
        (await converse(CLAUDE, toolLoop([{ reasoningContent: { redactedContent: "AAAA" } }, toolUse]))).status,
      ).toBe(200);
      const closedLoop = {
        ...toolLoop([toolUse]),
        messages: [...toolLoop([toolUse]).messages, assistant([{ text: "Sunny." }]), user([{ text: "Thanks" }])],
      };
      expect((await converse(CLAUDE, closedLoop)).status).toBe(200);
      // What is refused above, within its limits.
      const within = { ...thinking, ...HELLO, inferenceConfig: { temperature: 1, maxTokens: 21_333 } };
      expect((await converse(CLAUDE, within)).status).toBe(200);
      const streamed = { ...thinking, ...HELLO, inferenceConfig: { maxTokens: 36_864 } };
      expect((await converseStream(CLAUDE, streamed)).status).toBe(200);
      const auto = { ...thinking, ...HELLO, toolConfig: { ...TOOL_CONFIG, toolChoice: { auto: {} } } };
      expect((await converse(CLAUDE, auto)).status).toBe(200);
      // Without thinking the reasoning is optional.
      expect((await converse(CLAUDE, { ...toolLoop([toolUse]), additionalModelRequestFields: {} })).status).toBe(200);
    });
  });

  describe("tool use by model", () => {
    const tooled = { ...HELLO, toolConfig: TOOL_CONFIG };
    const named = { ...HELLO, toolConfig: { ...TOOL_CONFIG, toolChoice: { tool: { name: "get_weather" } } } };
    const refusal = (message: string) => ({ status: 400, type: "ValidationException", message });

    it.each([
      "us.meta.llama4-maverick-17b-instruct-v1:0",
      "meta.llama3-3-70b-instruct-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/mistral.mistral-large-2407-v1:0",
    ])("%s takes tools on Converse only", async (id) => {
      expect((await converse(id, tooled)).status).toBe(200);
      expect((await converseStream(id, HELLO)).status).toBe(200);
      expect(await errorAnswer(await converseStream(id, tooled))).toEqual(
        refusal("This model doesn't support tool use in streaming mode."),
      );
    });

    it.each(["us.deepseek.r1-v1:0", "anthropic.claude-v2:1"])("%s takes no tools", async (id) => {
      expect(await errorAnswer(await converse(id, tooled))).toEqual(refusal("This model doesn't support tool use."));
      expect((await converse(id, HELLO)).status).toBe(200);
    });

    it.each(["meta.llama3-3-70b-instruct-v1:0", "mistral.mistral-large-2407-v1:0", "openai.gpt-oss-120b-1:0"])(
      "%s refuses a named toolChoice",
      async (id) => {
        expect(await errorAnswer(await converse(id, named))).toEqual(
          refusal(
            "This model doesn't support the toolConfig.toolChoice.tool field. Remove toolConfig.toolChoice.tool and try again.",
          ),
        );
      },
    );

    it("images on a text-only model are refused, on a model with vision taken", async () => {
      const look = {
        messages: [user([{ text: "Look" }, { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }])],
      };
      for (const id of [
        "openai.gpt-oss-120b-1:0",
        "us.deepseek.r1-v1:0",
        "amazon.nova-micro-v1:0",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
      ]) {
        expect(await errorAnswer(await converse(id, look))).toEqual(
          refusal("messages.0: this model doesn't support image content; send text only."),
        );
      }
      expect((await converse(NOVA, look)).status).toBe(200);
    });

    it("Claude refuses a stop sequence of only whitespace, plain and streamed; other models and opaque ids take it", async () => {
      const blank = refusal(
        "The model returned the following errors: stop_sequences: each stop sequence must contain non-whitespace",
      );
      for (const id of [
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0",
      ]) {
        for (const stopSequences of [["\n"], ["END", "\n\n"], [" \t"]]) {
          const body = { ...HELLO, inferenceConfig: { stopSequences } };
          expect(await errorAnswer(await converse(id, body))).toEqual(blank);
          expect(await errorAnswer(await converseStream(id, body))).toEqual(blank);
        }
        // Whitespace around other characters is a stop sequence like any other.
        const spaced = { ...HELLO, inferenceConfig: { stopSequences: ["\n\nHuman:", " x "] } };
        expect((await converse(id, spaced)).status).toBe(200);
      }
      const newline = { ...HELLO, inferenceConfig: { stopSequences: ["\n"] } };
      expect((await converse(NOVA, newline)).status).toBe(200);
      const profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
      expect((await converse(profile, newline)).status).toBe(200);
    });

    it("Claude 3+ and Nova take a named toolChoice, streamed too; opaque ids are not checked", async () => {
      for (const id of [
        NOVA,
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
      ]) {
        expect((await converse(id, named)).status).toBe(200);
        expect((await converseStream(id, named)).status).toBe(200);
      }
      const profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
      expect((await converseStream(profile, named)).status).toBe(200);
    });
  });

  describe("prompt cache points by model", () => {
    const POINT = { cachePoint: { type: "default" } };
    const cached = (point: unknown = POINT, tools = false) => ({
      system: [{ text: "Be brief." }, point],
      messages: [user([{ text: "Hello" }, point])],
      ...(tools ? { toolConfig: { tools: [...TOOL_CONFIG.tools, point] } } : {}),
    });
    const refusal = (message: string) => ({ status: 400, type: "ValidationException", message });

    it("Claude 3.5 Haiku, 3.7 and 4+ take them anywhere, Nova outside tools; a one-hour ttl on Claude 4.5+", async () => {
      for (const id of [
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
      ]) {
        expect((await converse(id, cached(POINT, true))).status, id).toBe(200);
        expect((await converseStream(id, cached())).status, id).toBe(200);
      }
      expect((await converse(NOVA, cached())).status).toBe(200);
      const hour = { cachePoint: { type: "default", ttl: "1h" } };
      expect((await converse("global.anthropic.claude-sonnet-4-5-20250929-v1:0", cached(hour, true))).status).toBe(200);
      expect((await converse("anthropic.claude-haiku-4-5-20251001-v1:0", cached(hour))).status).toBe(200);
    });

    it("refuses them on models without prompt caching, tools on Nova, an hour where the model keeps five minutes", async () => {
      for (const [id, body] of [
        ["meta.llama3-1-70b-instruct-v1:0", cached()],
        ["anthropic.claude-3-5-sonnet-20241022-v2:0", cached()],
        ["openai.gpt-oss-120b-1:0", cached()],
        [NOVA, cached(POINT, true)],
        ["us.anthropic.claude-sonnet-4-20250514-v1:0", cached({ cachePoint: { type: "default", ttl: "1h" } })],
      ] as const) {
        expect(await errorAnswer(await converse(id, body)), id).toEqual(refusal(UNCACHED_MODEL));
      }
      // Ids that name no foundation model are Bedrock's to judge.
      const profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
      expect((await converse(profile, cached())).status).toBe(200);
    });

    it("refuses more than four on Claude, in Anthropic's words", async () => {
      const five = {
        system: [{ text: "a" }, POINT, { text: "b" }, POINT],
        messages: [user([{ text: "c" }, POINT, { text: "d" }, POINT, { text: "e" }, POINT])],
      };
      expect(await errorAnswer(await converse("us.anthropic.claude-sonnet-4-20250514-v1:0", five))).toEqual(
        refusal(
          "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found 5.",
        ),
      );
    });

    it("refuses one right after a document other than a PDF on Claude, in Anthropic's words", async () => {
      const SONNET = "us.anthropic.claude-sonnet-4-20250514-v1:0";
      const document = (format: string) => ({ document: { format, name: "notes", source: { bytes: "UTMgbm90ZXMK" } } });
      for (const format of ["txt", "md", "csv", "html", "doc", "docx", "xls", "xlsx"]) {
        const after = { messages: [user([{ text: "Summarise these notes." }, document(format), POINT])] };
        expect(await errorAnswer(await converse(SONNET, after)), format).toEqual(
          refusal("The model returned the following errors: messages.0.content.2.type: Field required"),
        );
        expect((await converseStream(SONNET, after)).status, format).toBe(400);
        // Before the document, or after the text that follows it: served.
        const before = { messages: [user([{ text: "Summarise these notes." }, POINT, document(format)])] };
        expect((await converse(SONNET, before)).status, format).toBe(200);
        const textAfter = { messages: [user([document(format), { text: "Summarise these notes." }, POINT])] };
        expect((await converse(SONNET, textAfter)).status, format).toBe(200);
      }
      // The index is the block's in Anthropic's message, where an earlier point is no block.
      const later = {
        messages: [
          user([{ text: "a" }]),
          { role: "assistant", content: [{ text: "b" }] },
          user([{ text: "c" }, POINT, document("csv"), POINT]),
        ],
      };
      expect(await errorAnswer(await converse(SONNET, later))).toEqual(
        refusal("The model returned the following errors: messages.2.content.2.type: Field required"),
      );
      const pdf = { messages: [user([{ text: "Summarise this report." }, document("pdf"), POINT])] };
      expect((await converse(SONNET, pdf)).status).toBe(200);
      // Reported of Claude only.
      expect(
        (await converse(NOVA, { messages: [user([{ text: "Summarise." }, document("txt"), POINT])] })).status,
      ).toBe(200);
    });

    it("checks a cache point's shape on every model", async () => {
      expect(await errorAnswer(await converse(NOVA, cached({ cachePoint: { type: "ephemeral" } })))).toEqual(
        refusal(
          "1 validation error detected: Value 'ephemeral' at 'system.2.member.cachePoint.type' failed to satisfy constraint: Member must satisfy enum value set: [default]",
        ),
      );
      expect(await errorAnswer(await converse(NOVA, cached({ cachePoint: { type: "default", ttl: "2h" } })))).toEqual(
        refusal(
          "1 validation error detected: Value '2h' at 'system.2.member.cachePoint.ttl' failed to satisfy constraint: Member must satisfy enum value set: [5m, 1h]",
        ),
      );
    });
  });

  it("accepts every documented field", async () => {
    const body = {
      messages: [
        user([
          { text: "Look" },
          { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } },
          { cachePoint: { type: "default" } },
        ]),
      ],
      system: [{ text: "Be brief." }, { cachePoint: { type: "default" } }],
      inferenceConfig: { maxTokens: 200, temperature: 0.5, topP: 0.9, stopSequences: ["\n\nHuman:"] },
      toolConfig: { ...TOOL_CONFIG, toolChoice: { auto: {} } },
      guardrailConfig: { guardrailIdentifier: "abc123", guardrailVersion: "1", trace: "disabled" },
      additionalModelRequestFields: { top_k: 40 },
      additionalModelResponseFieldPaths: ["/stop_sequence"],
      promptVariables: { topic: { text: "weather" } },
      requestMetadata: { team: "search" },
      performanceConfig: { latency: "standard" },
      serviceTier: { type: "flex" },
    };
    expect(await json(await converse(NOVA, body))).toMatchObject({
      stopReason: "end_turn",
      additionalModelResponseFields: { stop_sequence: null },
      performanceConfig: { latency: "standard" },
      serviceTier: { type: "flex" },
    });
  });

  it("says which service tier served, in the answer and in ConverseStream's metadata, only when one was asked for", async () => {
    const tiered = { ...HELLO, serviceTier: { type: "priority" } };
    expect((await json(await converse(NOVA, tiered))).serviceTier).toEqual({ type: "priority" });
    const metadata = (list: StreamEvent[]) => eventsOf(list).find((event) => event.type === "metadata")?.payload;
    expect(metadata(await events(await converseStream(NOVA, tiered)))?.serviceTier).toEqual({ type: "priority" });
    expect((await json(await converse(NOVA))).serviceTier).toBeUndefined();
    expect(metadata(await events(await converseStream(NOVA)))).not.toHaveProperty("serviceTier");
  });
});

describe("an application profile or provisioned model that names the model it serves (+<foundation id>)", () => {
  const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
  const PROVISIONED = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6";
  const CLAUDE_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  const refusal = (message: string) => ({ status: 400, type: "ValidationException", message });
  const POINT = { cachePoint: { type: "default" } };

  it("reads the served id beside the other options, keeping the resource's name", () => {
    expect(parseConverseModelId(`${PROFILE}+us.${CLAUDE_45}+think`)).toMatchObject({
      kind: "application-inference-profile",
      name: PROFILE,
      serves: `us.${CLAUDE_45}`,
      think: true,
    });
    expect(parseConverseModelId(`${PROVISIONED}+${NOVA}`)).toMatchObject({ kind: "provisioned-model", serves: NOVA });
    expect(parseConverseModelId(PROFILE)?.serves).toBeUndefined();
  });

  it.each([
    ["a foundation id that names its own model", `${NOVA}+${NOVA}`],
    ["an inference profile", `us.${CLAUDE_45}+${CLAUDE_45}`],
    ["two served models", `${PROFILE}+${NOVA}+${CLAUDE_45}`],
    ["a served id Bedrock does not serve", `${PROFILE}+acme.model-v1:0`],
  ])("refuses %s with ResourceNotFoundException", async (_, modelId) => {
    expect(await errorAnswer(await converse(modelId))).toMatchObject({
      status: 404,
      type: "ResourceNotFoundException",
    });
  });

  it("checks the request as the served model's: Claude's whitespace stop, Nova's tool cache point, Llama's streamed tools", async () => {
    const newline = { ...HELLO, inferenceConfig: { stopSequences: ["\n"] } };
    expect(await errorAnswer(await converse(`${PROFILE}+us.${CLAUDE_45}`, newline))).toEqual(
      refusal(
        "The model returned the following errors: stop_sequences: each stop sequence must contain non-whitespace",
      ),
    );
    const toolPoint = { ...HELLO, toolConfig: { tools: [...TOOL_CONFIG.tools, POINT] } };
    expect(await errorAnswer(await converse(`${PROVISIONED}+${NOVA}`, toolPoint))).toEqual(refusal(UNCACHED_MODEL));
    expect((await converse(`${PROFILE}+${CLAUDE_45}`, toolPoint)).status).toBe(200);
    const tooled = { ...HELLO, toolConfig: TOOL_CONFIG };
    expect(await errorAnswer(await converseStream(`${PROFILE}+meta.llama3-3-70b-instruct-v1:0`, tooled))).toEqual(
      refusal("This model doesn't support tool use in streaming mode."),
    );
    // Without the served id, the same requests are Bedrock's to judge, as before.
    expect((await converse(PROFILE, newline)).status).toBe(200);
    expect((await converse(PROVISIONED, toolPoint)).status).toBe(200);
  });

  it("answers Claude's reasoning first when thinking is on, as the served Claude does", async () => {
    const thinking = { additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } } };
    const [first] = contentOf(await json(await converse(`${PROFILE}+${CLAUDE_45}`, { ...thinking, ...HELLO })));
    expect(first).toHaveProperty("reasoningContent");
  });
});

describe("Converse answers", () => {
  it("answers the model's text, usage and latency", async () => {
    const answer = await json(await converse(NOVA));
    expect(answer).toEqual({
      output: {
        message: {
          role: "assistant",
          content: [
            { text: "Hello from the Bedrock emulator (amazon.nova-pro-v1:0). Your last message had 5 characters." },
          ],
        },
      },
      stopReason: "end_turn",
      usage: { inputTokens: 3, outputTokens: expect.any(Number), totalTokens: expect.any(Number) },
      metrics: { latencyMs: expect.any(Number) },
    });
  });

  it("says what the chat format says for the same conversation on an imported model", async () => {
    const llama = emulatorModelId("llama", ["long40"]);
    const chat = await json(await send(llama, { model: "m", messages: [{ role: "user", content: "Hello" }] }));
    const message = (chat.choices as { message: { content: string } }[])[0]?.message;
    expect(contentOf(await json(await converse(llama)))).toEqual([{ text: message?.content }]);
  });

  it("reasons first with think, with a signature", async () => {
    const [reasoning, text] = contentOf(await json(await converse(`${NOVA}+think`)));
    expect(reasoning).toEqual({
      reasoningContent: {
        reasoningText: { text: REASONING_TEXT, signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) },
      },
    });
    expect(text).toHaveProperty("text");
  });

  it("reasons first, without think, when thinking is on for a Claude that thinks (3.7 Sonnet, every Claude 4)", async () => {
    const thinking = { additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } } };
    const reasoningOf = async (modelId: string, body: Record<string, unknown>) =>
      contentOf(await json(await converse(modelId, body)))[0];
    const reasoning = { reasoningContent: { reasoningText: { text: REASONING_TEXT, signature: expect.any(String) } } };
    for (const id of [
      "us.anthropic.claude-sonnet-4-20250514-v1:0",
      "anthropic.claude-3-7-sonnet-20250219-v1:0",
      "global.anthropic.claude-opus-4-1-20250805-v1:0",
      "anthropic.claude-haiku-4-5-20251001-v1:0",
    ]) {
      expect(await reasoningOf(id, { ...thinking, ...HELLO })).toEqual(reasoning);
      // Thinking off, or disabled: the answer alone, as before.
      expect(await reasoningOf(id, HELLO)).toHaveProperty("text");
      const disabled = { additionalModelRequestFields: { thinking: { type: "disabled" } } };
      expect(await reasoningOf(id, { ...disabled, ...HELLO })).toHaveProperty("text");
    }
    // A Claude without extended thinking, and a model the id does not name, reason only with think.
    expect(await reasoningOf("anthropic.claude-3-5-haiku-20241022-v1:0", { ...thinking, ...HELLO })).toHaveProperty(
      "text",
    );
    const profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    expect(await reasoningOf(profile, { ...thinking, ...HELLO })).toHaveProperty("text");
    expect(await reasoningOf(`${profile}+think`, { ...thinking, ...HELLO })).toEqual(reasoning);
  });

  it("reaches every stop reason", async () => {
    const tools = { ...HELLO, toolConfig: TOOL_CONFIG };
    const reasons = await Promise.all(
      [
        [NOVA, HELLO],
        [NOVA, { ...HELLO, inferenceConfig: { maxTokens: 3 } }],
        [`${NOVA}+length`, HELLO],
        [NOVA, { ...HELLO, inferenceConfig: { stopSequences: ["emulator"] } }],
        [`${NOVA}+stopseq`, HELLO],
        [`${NOVA}+tool`, tools],
        [`${NOVA}+guardrail`, HELLO],
        [`${NOVA}+filtered`, HELLO],
      ].map(async ([modelId, body]) => (await json(await converse(String(modelId), body))).stopReason),
    );
    expect(reasons).toEqual([
      "end_turn",
      "max_tokens",
      "max_tokens",
      "stop_sequence",
      "stop_sequence",
      "tool_use",
      "guardrail_intervened",
      "content_filtered",
    ]);
  });

  it("stops before a stop sequence and reports it when asked", async () => {
    const answer = await json(
      await converse(NOVA, {
        ...HELLO,
        inferenceConfig: { stopSequences: ["emulator"] },
        additionalModelResponseFieldPaths: ["/stop_sequence", "/missing"],
      }),
    );
    expect(contentOf(answer)).toEqual([{ text: "Hello from the Bedrock " }]);
    expect(answer.additionalModelResponseFields).toEqual({ stop_sequence: "emulator" });
  });

  it("Claude names its stop under delta (its closing message_delta's), plain and in messageStop", async () => {
    const claude = "us.anthropic.claude-sonnet-4-20250514-v1:0";
    const body = {
      ...HELLO,
      inferenceConfig: { stopSequences: ["emulator"] },
      additionalModelResponseFieldPaths: ["/delta/stop_sequence", "/stop_sequence"],
    };
    const answer = await json(await converse(claude, body));
    expect(contentOf(answer)).toEqual([{ text: "Hello from the Bedrock " }]);
    expect(answer.additionalModelResponseFields).toEqual({ delta: { stop_sequence: "emulator" } });
    const list = eventsOf(await events(await converseStream(claude, body)));
    expect(list.find((event) => event.type === "messageStop")?.payload).toMatchObject({
      stopReason: "stop_sequence",
      additionalModelResponseFields: { delta: { stop_sequence: "emulator" } },
    });
    const natural = await json(await converse(claude, { ...body, inferenceConfig: {} }));
    expect(natural.additionalModelResponseFields).toEqual({ delta: { stop_sequence: null } });
  });

  it("answers a tool use whose input validates against the tool's schema, and words after its result", async () => {
    const forced = await json(
      await converse(NOVA, { ...HELLO, toolConfig: { ...TOOL_CONFIG, toolChoice: { tool: { name: "plan_trip" } } } }),
    );
    const use = contentOf(forced)[0]?.toolUse as { toolUseId: string; name: string; input: unknown };
    expect(use).toMatchObject({ toolUseId: expect.stringMatching(/^tooluse_/), name: "plan_trip" });
    expect(validates(TRIP, use.input)).toBe(true);
    expect(forced.stopReason).toBe("tool_use");
    const any = await json(await converse(NOVA, { ...HELLO, toolConfig: { ...TOOL_CONFIG, toolChoice: { any: {} } } }));
    expect(contentOf(any)[0]?.toolUse).toMatchObject({ name: "get_weather", input: { city: "Paris" } });
    const after = await json(
      await converse(`${NOVA}+tool`, {
        toolConfig: TOOL_CONFIG,
        messages: [
          { role: "user", content: [{ text: "Weather?" }] },
          { role: "assistant", content: [{ toolUse: { toolUseId: use.toolUseId, name: "get_weather", input: {} } }] },
          {
            role: "user",
            content: [{ toolResult: { toolUseId: use.toolUseId, content: [{ json: { sky: "sunny" } }] } }],
          },
        ],
      }),
    );
    expect(after).toMatchObject({
      stopReason: "end_turn",
      output: { message: { content: [{ text: TOOL_RESULT_TEXT }] } },
    });
  });

  it("refuses a tool schema whose arguments would be past a million characters, as the request's fault (redos43 #3)", async () => {
    // 130 bytes of schema: 40 strings of a million characters each were written, 40 MB, in 7 s.
    const long = { type: "array", minItems: 40, items: { type: "string", minLength: 1_000_000 } };
    const schema = { type: "object", properties: { a: long }, required: ["a"] };
    const toolConfig = { tools: [{ toolSpec: { name: "f", inputSchema: { json: schema } } }] };
    expect(await errorAnswer(await converse(`${NOVA}+tool`, { ...HELLO, toolConfig }))).toEqual({
      status: 400,
      type: "ValidationException",
      message:
        "The JSON schema has no instance of fewer than 1000000 characters: its minLength, minItems, consts or names ask for more than a model writes in one answer.",
    });
  });

  it("answers a guardrail's message, and its trace when enabled", async () => {
    const answer = await json(
      await converse(`${NOVA}+guardrail`, {
        ...HELLO,
        guardrailConfig: { guardrailIdentifier: "abc123", guardrailVersion: "1", trace: "enabled" },
      }),
    );
    expect(contentOf(answer)).toEqual([{ text: GUARDRAIL_MESSAGE }]);
    expect(answer.trace).toEqual({ guardrail: { actionReason: "Guardrail blocked." } });
  });

  it("reports prompt-cache tokens with cache", async () => {
    const usage = (
      await json(await converse(`${NOVA}+cache`, { messages: [{ role: "user", content: [{ text: "x".repeat(80) }] }] }))
    ).usage;
    expect(usage).toEqual({
      inputTokens: 6,
      outputTokens: expect.any(Number),
      totalTokens: expect.any(Number),
      cacheReadInputTokens: 10,
      cacheWriteInputTokens: 5,
    });
    const counts = usage as Record<string, number>;
    // 21 prompt tokens (ceil(84 UTF-8 bytes / 4)): 10 read from the cache, 5 written to it, 6 not cached.
    expect(counts.totalTokens).toBe(21 + (counts.outputTokens ?? 0));
  });

  it("answers outputConfig's JSON schema with an instance of it", async () => {
    const closed = { ...TRIP, additionalProperties: false };
    const answer = await json(
      await converse(NOVA, {
        ...HELLO,
        outputConfig: {
          textFormat: {
            type: "json_schema",
            structure: { jsonSchema: { schema: JSON.stringify(closed), name: "trip" } },
          },
        },
      }),
    );
    expect(validates(closed, JSON.parse(String(contentOf(answer)[0]?.text)))).toBe(true);
  });

  it("refuses an outputConfig schema with an object that does not close additionalProperties, at any depth", async () => {
    const withSchema = (schema: unknown) => ({
      ...HELLO,
      outputConfig: {
        textFormat: { type: "json_schema", structure: { jsonSchema: { schema: JSON.stringify(schema) } } },
      },
    });
    const nested = {
      type: "object",
      additionalProperties: false,
      properties: { stops: { type: "array", items: { type: "object", properties: { at: { type: "string" } } } } },
    };
    // A property named "properties" is a name, not a keyword: this one is closed.
    const namedProperties = {
      type: "object",
      additionalProperties: false,
      properties: { properties: { type: "string" } },
    };
    for (const open of [TRIP, { ...TRIP, additionalProperties: true }, nested, { anyOf: [{ type: "object" }] }]) {
      expect(await errorAnswer(await converse(NOVA, withSchema(open)))).toEqual({
        status: 400,
        type: "ValidationException",
        message:
          "output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false",
      });
    }
    expect((await converse(NOVA, withSchema(namedProperties))).status).toBe(200);
  });

  it("refuses with the context-length message on ctx, after the call faults", async () => {
    expect(await errorAnswer(await converse(`${NOVA}+ctx`))).toEqual({
      status: 400,
      type: "ValidationException",
      message: "Input is too long for requested model.",
    });
    expect(await errorAnswer(await converse(`${NOVA}+throttle+ctx`))).toMatchObject({
      status: 429,
      type: "ThrottlingException",
    });
  });
});

describe("ConverseStream", () => {
  const tools = { ...HELLO, toolConfig: TOOL_CONFIG };

  it("streams typed events that add up to the Converse answer", async () => {
    const modelId = `${NOVA}+think+tool`;
    const plain = await json(await converse(modelId, tools));
    const response = await converseStream(modelId, tools);
    expect(response.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    const list = eventsOf(await events(response));
    expect(list.every((event) => typeof event.payload.p === "string")).toBe(true);
    const types = list.map((event) => event.type);
    expect(types[0]).toBe("messageStart");
    expect(list[0]?.payload.role).toBe("assistant");
    expect(types.slice(-2)).toEqual(["messageStop", "metadata"]);
    // Reasoning (block 0): deltas then its signature; the tool use (block 1) opens with contentBlockStart.
    const reasoning = list.filter(
      (event) => event.payload.contentBlockIndex === 0 && event.type === "contentBlockDelta",
    );
    const reasoningDeltas = reasoning.map(
      (event) => (event.payload.delta as { reasoningContent: Json }).reasoningContent,
    );
    expect(
      reasoningDeltas
        .slice(0, -1)
        .map((delta) => delta.text)
        .join(""),
    ).toBe(REASONING_TEXT);
    const [thought = {}, call = {}] = contentOf(plain);
    const use = call.toolUse as Json;
    expect(reasoningDeltas.at(-1)).toEqual({
      signature: ((thought.reasoningContent as Json).reasoningText as Json).signature,
    });
    const start = list.find((event) => event.type === "contentBlockStart");
    expect(start?.payload).toMatchObject({
      contentBlockIndex: 1,
      start: { toolUse: { toolUseId: use.toolUseId, name: "get_weather" } },
    });
    const fragments = list
      .filter((event) => event.type === "contentBlockDelta" && event.payload.contentBlockIndex === 1)
      .map((event) => (event.payload.delta as { toolUse: { input: string } }).toolUse.input);
    expect(fragments.length).toBeGreaterThan(1);
    expect(JSON.parse(fragments.join(""))).toEqual(use.input);
    expect(
      list.filter((event) => event.type === "contentBlockStop").map((event) => event.payload.contentBlockIndex),
    ).toEqual([0, 1]);
    expect(list.at(-2)?.payload).toMatchObject({ stopReason: "tool_use" });
    expect(list.at(-1)?.payload).toMatchObject({ usage: plain.usage, metrics: { latencyMs: expect.any(Number) } });
  });

  it("streams text as deltas of one block, without a contentBlockStart", async () => {
    const plain = await json(await converse(NOVA));
    const list = eventsOf(await events(await converseStream(NOVA)));
    expect(list.some((event) => event.type === "contentBlockStart")).toBe(false);
    const text = list
      .filter((event) => event.type === "contentBlockDelta")
      .map((event) => (event.payload.delta as { text: string }).text)
      .join("");
    expect([{ text }]).toEqual(contentOf(plain));
  });

  it.each([
    ["max_tokens", `${NOVA}+length`],
    ["stop_sequence", `${NOVA}+stopseq`],
    ["guardrail_intervened", `${NOVA}+guardrail`],
    ["content_filtered", `${NOVA}+filtered`],
  ])("ends with %s in messageStop", async (reason, modelId) => {
    const list = eventsOf(await events(await converseStream(modelId)));
    expect(list.at(-2)).toEqual({ type: "messageStop", payload: { stopReason: reason, p: expect.any(String) } });
  });

  it("applies the stream faults: an exception after K frames, a drop, a corrupt CRC", async () => {
    const interrupted = await events(await converseStream(`${NOVA}+midstream-modelStreamErrorException3`));
    expect(interrupted.slice(0, 3).every((event) => event.kind === "event")).toBe(true);
    expect(interrupted[3]).toMatchObject({ kind: "exception", exceptionType: "modelStreamErrorException" });
    expect(interrupted).toHaveLength(4);
    const dropped = await converseStream(`${NOVA}+drop2`);
    await expect(events(dropped)).rejects.toThrow(/dropped/);
    const corrupt = await converseStream(`${NOVA}+badcrc2`);
    await expect(events(corrupt)).rejects.toThrow(/checksum/i);
  });

  it("answers the call faults before any stream", async () => {
    const emulator = createEmulator();
    const modelId = `${NOVA}+notready1`;
    const first = await send(modelId, HELLO, "converse-stream", emulator);
    expect(await errorAnswer(first)).toMatchObject({ status: 429, type: "ModelNotReadyException" });
    expect((await send(modelId, HELLO, "converse-stream", emulator)).status).toBe(200);
    expect(emulator.stats.requests.map((entry) => entry.stream)).toEqual([false, true]);
  });
});
