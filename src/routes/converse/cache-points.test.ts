import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { MAX_CACHE_POINTS } from "./cache-points.ts";
import { buildConverseBody } from "./request.ts";

const SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const SONNET_4_5 = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_3_5 = "anthropic.claude-3-5-haiku-20241022-v1:0";
const SONNET_3_5 = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const NOVA = "amazon.nova-pro-v1:0";
const LLAMA = "meta.llama3-1-70b-instruct-v1:0";
const OPAQUE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";

const EPHEMERAL = { type: "ephemeral" } as const;
const POINT = { cachePoint: { type: "default" } };

/** A request as Cline and Claude Code send one through an OpenAI-compatible gateway: marks on the system prompt, a tool and the last user turns. */
function marked(ttl?: string): ChatCompletionRequest {
  const control = ttl ? { type: "ephemeral", ttl } : EPHEMERAL;
  return {
    model: "m",
    messages: [
      { role: "system", content: [{ type: "text", text: "You are a coding agent.", cache_control: control }] },
      { role: "user", content: [{ type: "text", text: "Read the file." }] },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "read", arguments: '{"path":"a.ts"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "export {}", cache_control: control }] },
      { role: "user", content: "Now fix it.", cache_control: control },
    ],
    tools: [
      { type: "function", function: { name: "read", parameters: { type: "object" } } },
      { type: "function", function: { name: "write", parameters: { type: "object" } }, cache_control: control },
    ],
  } as unknown as ChatCompletionRequest;
}

function unmarked(request: ChatCompletionRequest): ChatCompletionRequest {
  return JSON.parse(JSON.stringify(request), (key, value) => (key === "cache_control" ? undefined : value));
}

describe("cache_control -> Converse cachePoint blocks (Bedrock's prompt caching)", () => {
  it("a cachePoint after each marked part, message and tool, on a Claude that caches", () => {
    const body = buildConverseBody(marked(), SONNET_4, {});
    expect(body.system).toEqual([{ text: "You are a coding agent." }, POINT]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ text: "Read the file." }] },
      {
        role: "assistant",
        content: [{ toolUse: { toolUseId: "call_1", name: "read", input: { path: "a.ts" } } }],
      },
      {
        role: "user",
        // The result's marked part: its point follows the result (a result holds no cachePoint).
        content: [
          { toolResult: { toolUseId: "call_1", content: [{ text: "export {}" }] } },
          POINT,
          { text: "Now fix it." },
          POINT,
        ],
      },
    ]);
    expect(body.toolConfig?.tools).toEqual([
      { toolSpec: { name: "read", inputSchema: { json: { type: "object" } } } },
      { toolSpec: { name: "write", inputSchema: { json: { type: "object" } } } },
      POINT,
    ]);
  });

  it("Claude 3.5 Haiku and Nova cache too; Nova no tools", () => {
    expect(buildConverseBody(marked(), HAIKU_3_5, {}).toolConfig?.tools).toContainEqual(POINT);
    const nova = buildConverseBody(marked(), NOVA, {});
    expect(nova.system).toEqual([{ text: "You are a coding agent." }, POINT]);
    expect(nova.messages[2]!.content).toContainEqual(POINT);
    expect(nova.toolConfig?.tools).not.toContainEqual(POINT);
  });

  it("dropped where the model takes no cache points: the body is the unmarked request's", () => {
    for (const model of [LLAMA, SONNET_3_5, OPAQUE]) {
      expect(buildConverseBody(marked(), model, {}), model).toEqual(buildConverseBody(unmarked(marked()), model, {}));
      expect(JSON.stringify(buildConverseBody(marked(), model, {})), model).not.toContain("cachePoint");
    }
  });

  it('ttl "1h" where the model keeps an hour (Claude 4.5 and later); lowered to the default five minutes elsewhere', () => {
    expect(buildConverseBody(marked("1h"), SONNET_4_5, {}).system).toEqual([
      { text: "You are a coding agent." },
      { cachePoint: { type: "default", ttl: "1h" } },
    ]);
    for (const model of [SONNET_4, NOVA]) expect(buildConverseBody(marked("1h"), model, {}).system?.[1]).toEqual(POINT);
    // "5m" is the default: not sent.
    expect(buildConverseBody(marked("5m"), SONNET_4_5, {}).system?.[1]).toEqual(POINT);
  });

  it("a point only after a block, and one in a row", () => {
    const request = {
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "   ", cache_control: EPHEMERAL },
            { type: "text", text: "Hello", cache_control: EPHEMERAL },
          ],
          cache_control: EPHEMERAL,
        },
      ],
    } as unknown as ChatCompletionRequest;
    expect(buildConverseBody(request, SONNET_4, {}).messages).toEqual([
      { role: "user", content: [{ text: "Hello" }, POINT] },
    ]);
  });

  it("an assistant prefill marked at its end is still trimmed", () => {
    const request = {
      model: "m",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "text", text: "Sure:  ", cache_control: EPHEMERAL }] },
      ],
    } as unknown as ChatCompletionRequest;
    expect(buildConverseBody(request, SONNET_4, {}).messages[1]).toEqual({
      role: "assistant",
      content: [{ text: "Sure:" }, POINT],
    });
  });

  it("keeps the last four points, in the order the model reads the prompt (tools, system, turns), as Claude takes four", () => {
    const request = marked();
    request.messages.push(
      { role: "assistant", content: [{ type: "text", text: "Fixed.", cache_control: EPHEMERAL }] },
      { role: "user", content: [{ type: "text", text: "Thanks.", cache_control: EPHEMERAL }] },
    );
    const body = buildConverseBody(request, SONNET_4, {});
    // Six marks: the tool's and the system prompt's, the earliest, are left out.
    expect(body.toolConfig?.tools).not.toContainEqual(POINT);
    expect(body.system).toEqual([{ text: "You are a coding agent." }]);
    const points = body.messages.flatMap((message) => message.content).filter((block) => "cachePoint" in block);
    expect(points).toHaveLength(MAX_CACHE_POINTS);
    expect(body.messages.at(-1)!.content).toEqual([{ text: "Thanks." }, POINT]);
  });

  it("no point right after signed reasoning (Claude takes no cache mark on a thinking block)", () => {
    const request = {
      model: "m",
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [{ type: "text", text: " ", cache_control: EPHEMERAL }],
          thinking_blocks: [{ type: "thinking", thinking: "hmm", signature: "c2ln" }],
          cache_control: EPHEMERAL,
        },
        { role: "user", content: "Go on." },
      ],
    } as unknown as ChatCompletionRequest;
    expect(JSON.stringify(buildConverseBody(request, SONNET_4, {}))).not.toContain("cachePoint");
  });
});

describe("a cache point and a document other than a PDF (Claude on Bedrock refuses a point right after one)", () => {
  const ask = { type: "text", text: "Summarise these notes." } as const;
  const file = (format: string, mediaType: string, marked = false) => ({
    type: "file",
    file: { file_data: `data:${mediaType};base64,UTMgbm90ZXMK`, filename: `notes.${format}` },
    ...(marked ? { cache_control: EPHEMERAL } : {}),
  });
  const TEXT_FORMATS = [
    ["txt", "text/plain"],
    ["csv", "text/csv"],
    ["docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  ] as const;
  // Its format is what places the point; its name is documents.ts's concern.
  const doc = (format: string) => ({
    document: expect.objectContaining({ format, source: { bytes: "UTMgbm90ZXMK" } }),
  });
  const build = (messages: unknown[], model = SONNET_4, extra: object = {}) =>
    buildConverseBody({ model: "m", messages, ...extra } as unknown as ChatCompletionRequest, model, {});

  it("a marked file part's point goes before the document: the text before it is what is cached", () => {
    for (const [format, type] of TEXT_FORMATS) {
      const body = build([{ role: "user", content: [ask, file(format, type, true)] }]);
      expect(body.messages[0]!.content, format).toEqual([{ text: ask.text }, POINT, doc(format)]);
    }
  });

  it("a marked message that ends with one: the same place", () => {
    for (const [format, type] of TEXT_FORMATS) {
      const body = build([{ role: "user", content: [ask, file(format, type)], cache_control: EPHEMERAL }]);
      expect(body.messages[0]!.content, format).toEqual([{ text: ask.text }, POINT, doc(format)]);
    }
    // A message of the document alone, merged into the turn of the text before it.
    const merged = build([
      { role: "user", content: ask.text },
      { role: "user", content: [file("csv", "text/csv")], cache_control: EPHEMERAL },
    ]);
    expect(merged.messages[0]!.content).toEqual([{ text: ask.text }, POINT, doc("csv")]);
  });

  it("a PDF keeps its point after it, from a part's mark or a message's", () => {
    const pdf = file("pdf", "application/pdf", true);
    expect(build([{ role: "user", content: [ask, pdf] }]).messages[0]!.content).toEqual([
      { text: ask.text },
      doc("pdf"),
      POINT,
    ]);
    const marked = { role: "user", content: [ask, file("pdf", "application/pdf")], cache_control: EPHEMERAL };
    expect(build([marked]).messages[0]!.content).toEqual([{ text: ask.text }, doc("pdf"), POINT]);
  });

  it("before the whole run of such documents at the end, after a PDF or an image before it", () => {
    const run = build([
      { role: "user", content: [ask, file("csv", "text/csv"), file("md", "text/markdown")], cache_control: EPHEMERAL },
    ]);
    expect(run.messages[0]!.content).toEqual([{ text: ask.text }, POINT, doc("csv"), doc("md")]);
    const afterPdf = build([
      { role: "user", content: [ask, file("pdf", "application/pdf"), file("txt", "text/plain", true)] },
    ]);
    expect(afterPdf.messages[0]!.content).toEqual([{ text: ask.text }, doc("pdf"), POINT, doc("txt")]);
    const image = { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } };
    const afterImage = build([{ role: "user", content: [ask, image, file("txt", "text/plain", true)] }]);
    expect(afterImage.messages[0]!.content.slice(1)).toEqual([
      { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } },
      POINT,
      doc("txt"),
    ]);
  });

  it("one point in a row: a mark on the text before and one on the document are one point", () => {
    const body = build([
      {
        role: "user",
        content: [{ ...ask, cache_control: EPHEMERAL }, file("txt", "text/plain", true)],
        cache_control: EPHEMERAL,
      },
    ]);
    expect(body.messages[0]!.content).toEqual([{ text: ask.text }, POINT, doc("txt")]);
  });

  it("a run that opens its turn: the point ends what the model reads before the turn, where that takes one", () => {
    const leading = { role: "user", content: [file("csv", "text/csv", true), ask] };
    // The previous turn.
    const later = build([{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello." }, leading]);
    expect(later.messages[1]!.content).toEqual([{ text: "Hello." }, POINT]);
    expect(later.messages[2]!.content).toEqual([doc("csv"), { text: ask.text }]);
    // The first turn: the system prompt, else the tools on a Claude (Nova caches no tools).
    const system = build([{ role: "system", content: "Be brief." }, leading]);
    expect(system.system).toEqual([{ text: "Be brief." }, POINT]);
    expect(system.messages[0]!.content).toEqual([doc("csv"), { text: ask.text }]);
    const tools = { tools: [{ type: "function", function: { name: "read", parameters: { type: "object" } } }] };
    expect(build([leading], SONNET_4, tools).toolConfig?.tools).toEqual([
      { toolSpec: { name: "read", inputSchema: { json: { type: "object" } } } },
      POINT,
    ]);
    // Nothing before it, a point already there, or signed reasoning: dropped.
    for (const [messages, model, extra] of [
      [[leading], SONNET_4, {}],
      [[leading], NOVA, tools],
      [
        [{ role: "system", content: [{ type: "text", text: "Be brief.", cache_control: EPHEMERAL }] }, leading],
        SONNET_4,
        {},
      ],
      [
        [
          { role: "user", content: "Hi" },
          {
            role: "assistant",
            content: null,
            thinking_blocks: [{ type: "thinking", thinking: "hmm", signature: "c2ln" }],
          },
          leading,
        ],
        SONNET_4,
        {},
      ],
    ] as const) {
      const body = build([...messages], model, extra);
      const points = JSON.stringify(body).match(/"cachePoint"/g) ?? [];
      expect(points.length).toBe(messages[0]!.role === "system" ? 1 : 0);
      expect(body.messages.at(-1)!.content).toEqual([doc("csv"), { text: ask.text }]);
    }
  });

  it("moved before the last four are kept: a point merged away leaves room for an earlier one", () => {
    const body = build(
      [
        { role: "system", content: [{ type: "text", text: "Be brief.", cache_control: EPHEMERAL }] },
        { role: "user", content: [{ type: "text", text: "Hi", cache_control: EPHEMERAL }] },
        { role: "assistant", content: [{ type: "text", text: "Hello.", cache_control: EPHEMERAL }] },
        { role: "user", content: [{ ...ask, cache_control: EPHEMERAL }, file("csv", "text/csv", true)] },
      ],
      SONNET_4,
      {
        tools: [
          { type: "function", function: { name: "read", parameters: { type: "object" } }, cache_control: EPHEMERAL },
        ],
      },
    );
    // Six marks, five places: the tool's, the earliest, is left out; the system prompt's is kept.
    expect(body.toolConfig?.tools).not.toContainEqual(POINT);
    expect(body.system).toEqual([{ text: "Be brief." }, POINT]);
    expect(body.messages.at(-1)!.content).toEqual([{ text: ask.text }, POINT, doc("csv")]);
    expect(JSON.stringify(body).match(/"cachePoint"/g)).toHaveLength(MAX_CACHE_POINTS);
  });
});
