// Where a thinking family's answer starts is read from the prompt it continues (reasoningStart in
// answer-splitter.ts), through the library, plain and streamed, with Bedrock answering what each
// test scripts (reasoning32 #1 and #2): R1 after a tool result, whose template opens no `<think>`,
// and a Qwen3 chat_template whose generation prompt opens it (Qwen3.5, Qwen3-*-Thinking-2507).
import { describe, expect, it } from "vitest";
import { chunkFrame } from "../emulator/frames.ts";
import { type ChatCompletionCreateParams, createBedrock } from "../src/index.ts";
import { streamOf } from "./helpers/bytes.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

/**
 * A Qwen3.5-style chat_template: its generation prompt opens the think block the model continues.
 * It reads tools (writing nothing), as a template must for a request to offer them.
 */
const THINK_IN_PROMPT =
  "{%- if tools %}{%- endif %}{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}" +
  "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n<think>\\n' }}{%- endif %}";

/** The library with a Bedrock that answers `text` (streamed in 3-character chunks), and the prompts it was sent. */
function answering(text: string, route: "qwen3" | "qwen2" | "llama" = "qwen3", chatTemplate = THINK_IN_PROMPT) {
  const prompts: string[] = [];
  const bedrock = createBedrock({
    credentials: CREDENTIALS,
    maxRetries: 0,
    models: { thinker: { model: `bedrock/${route}/${ARN}`, chat_template: chatTemplate } },
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      prompts.push(String(((await request.json()) as { prompt: unknown }).prompt));
      if (!request.url.includes("invoke-with-response-stream")) {
        return Response.json({ generation: text, stop_reason: "stop" });
      }
      const pieces = text.match(/[\s\S]{1,3}/gu) ?? [];
      const frames = pieces.map((generation, i) =>
        chunkFrame({ generation, stop_reason: i === pieces.length - 1 ? "stop" : null }, i),
      );
      return new Response(streamOf(frames), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    },
  });
  return { bedrock, prompts };
}

interface Read {
  reasoning: string | undefined;
  content: string | null;
}

/** The plain answer's message and the streamed one's, each as reasoning and content. */
async function bothWays(
  text: string,
  request: ChatCompletionCreateParams,
  route?: "qwen3" | "qwen2" | "llama",
  chatTemplate?: string,
): Promise<[Read, Read, string]> {
  const { bedrock, prompts } = answering(text, route, chatTemplate);
  const plain = (await bedrock.chat.completions.create({ ...request, stream: false })).choices[0]!.message;
  let reasoning: string | undefined;
  let content = "";
  for await (const chunk of await bedrock.chat.completions.create({ ...request, stream: true })) {
    const delta = chunk.choices[0]?.delta;
    if (delta?.reasoning_content) reasoning = (reasoning ?? "") + delta.reasoning_content;
    content += delta?.content ?? "";
  }
  return [{ reasoning: plain.reasoning_content, content: plain.content }, { reasoning, content }, prompts[0]!];
}

const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
const afterToolResult: ChatCompletionCreateParams = {
  model: `bedrock/deepseek_r1/${ARN}`,
  tools,
  messages: [
    { role: "user", content: "Weather in Paris?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city": "Paris"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "18°C" },
  ],
};

describe("deepseek_r1 after a tool result: the template opens no <think>", () => {
  it("a direct answer is content, not reasoning, plain and streamed", async () => {
    const [plain, streamed, prompt] = await bothWays("It is 18°C in Paris.", afterToolResult);
    expect(prompt.endsWith("<｜tool▁outputs▁end｜>")).toBe(true);
    expect(plain).toEqual({ reasoning: undefined, content: "It is 18°C in Paris." });
    expect(streamed).toEqual(plain);
  });

  it("an answer that opens its own <think> is still split, plain and streamed", async () => {
    const [plain, streamed] = await bothWays("<think>\nThe tool said 18°C.\n</think>\n\nIt is 18°C.", afterToolResult);
    expect(plain).toEqual({ reasoning: "The tool said 18°C.", content: "It is 18°C." });
    expect(streamed).toEqual(plain);
  });

  it("the first turn's prompt opens <think>, so its answer starts as reasoning, as before", async () => {
    const first = { ...afterToolResult, messages: [{ role: "user" as const, content: "Hi" }] };
    const [plain, streamed, prompt] = await bothWays("The user greets me.\n</think>\n\nHello!", first);
    expect(prompt.endsWith("<｜Assistant｜><think>\n")).toBe(true);
    expect(plain).toEqual({ reasoning: "The user greets me.", content: "Hello!" });
    expect(streamed).toEqual(plain);
  });
});

describe("qwen3 with a chat_template whose generation prompt opens <think>", () => {
  const greeting: ChatCompletionCreateParams = { model: "thinker", messages: [{ role: "user", content: "Hi" }] };

  it("reasoning and content are split, no </think> in the content, plain and streamed", async () => {
    const [plain, streamed, prompt] = await bothWays("The user greets me.\n</think>\n\nHello!", greeting);
    expect(prompt).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n");
    expect(plain).toEqual({ reasoning: "The user greets me.", content: "Hello!" });
    expect(streamed).toEqual(plain);
  });

  it("a forced call's empty think block closes the prompt's: the call is read, no reasoning", async () => {
    const call = 'get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
    const { bedrock, prompts } = answering(call);
    const answer = await bedrock.chat.completions.create({
      ...greeting,
      tools,
      tool_choice: "required",
      stream: false,
    });
    expect(prompts[0]).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "',
    );
    const message = answer.choices[0]!.message;
    expect(message.reasoning_content).toBeUndefined();
    expect(message.tool_calls?.map((made) => made.function)).toEqual([
      { name: "get_weather", arguments: '{"city": "Paris"}' },
    ]);
  });
});

describe("a thinking chat_template on a route that does not think (templates32 #3)", () => {
  const greeting: ChatCompletionCreateParams = { model: "thinker", messages: [{ role: "user", content: "Hi" }] };
  /** R1-Distill's generation prompt, on llama (reading tools, which R1-Distill's own does not). */
  const R1_LIKE =
    "{%- if tools %}{%- endif %}{{ bos_token }}{%- for message in messages %}{{- '<｜User｜>' + message.content }}{%- endfor %}" +
    "{%- if add_generation_prompt %}{{- '<｜Assistant｜><think>\\n' }}{%- endif %}";

  it("QwQ-32B's prompt on qwen2 (it opens <think>): reasoning and content are split, plain and streamed", async () => {
    const [plain, streamed, prompt] = await bothWays("I should greet.\n</think>\n\nHello!", greeting, "qwen2");
    expect(prompt.endsWith("<|im_start|>assistant\n<think>\n")).toBe(true);
    expect(plain).toEqual({ reasoning: "I should greet.", content: "Hello!" });
    expect(streamed).toEqual(plain);
  });

  it("an answer held to a format on qwen2 closes the prompt's think block first: the answer is content", async () => {
    const [plain, streamed, prompt] = await bothWays(
      '{"greeting": "Hello"}',
      { ...greeting, response_format: { type: "json_object" } },
      "qwen2",
    );
    expect(prompt.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n")).toBe(true);
    expect(plain).toEqual({ reasoning: undefined, content: '{"greeting": "Hello"}' });
    expect(streamed).toEqual(plain);
  });

  it("a prompt that opens no <think> on qwen2 keeps the answer as content, tags and all", async () => {
    const plainTemplate = THINK_IN_PROMPT.replace("<think>\\n", "");
    const [plain, streamed] = await bothWays("<think>x</think>Hello!", greeting, "qwen2", plainTemplate);
    expect(plain).toEqual({ reasoning: undefined, content: "<think>x</think>Hello!" });
    expect(streamed).toEqual({ reasoning: undefined, content: "<think>x</think>Hello!" });
  });

  it.each([
    [
      "qwen2",
      THINK_IN_PROMPT,
      '<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{"name": "',
      'get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    ],
    [
      "llama",
      R1_LIKE,
      '<｜Assistant｜><think>\n\n</think>\n\n{"name": "',
      'get_weather", "parameters": {"city": "Paris"}}',
    ],
  ] as const)(
    "%s: a forced call closes the prompt's think block first, as thinking routes do: the call is read, no reasoning",
    async (route, template, tail, call) => {
      const { bedrock, prompts } = answering(call, route, template);
      const answer = await bedrock.chat.completions.create({
        ...greeting,
        tools,
        tool_choice: "required",
        stream: false,
      });
      expect(prompts[0]!.endsWith(tail)).toBe(true);
      const message = answer.choices[0]!.message;
      expect(message.reasoning_content).toBeUndefined();
      expect(message.tool_calls?.map((made) => made.function)).toEqual([
        { name: "get_weather", arguments: '{"city": "Paris"}' },
      ]);
    },
  );
});
