// Prompt caching through the proxy, as agent clients written for Claude ask for it: the official
// `openai` client sends Anthropic's `cache_control` marks (as Cline, Roo Code and Claude Code
// through a router do) to a converse Claude, which gets Bedrock's cachePoint blocks and answers
// the cache's counts; the same request to a converse Llama, which Bedrock refuses cache points
// for, is served without them.
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { converseModelId } from "../emulator/converse-model-id.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

const CLAUDE = converseModelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0", ["cache"]);
const LLAMA = converseModelId("meta.llama3-1-70b-instruct-v1:0", ["cache"]);
const EPHEMERAL = { type: "ephemeral" } as const;
const POINT = { cachePoint: { type: "default" } };

function proxy() {
  return inProcessProxy({ claude: `bedrock/converse/${CLAUDE}`, llama: `bedrock/converse/${LLAMA}` });
}

/** A turn as an agent sends one: the system prompt, the tools and the last user turn marked. */
const request = {
  messages: [
    { role: "system", content: [{ type: "text", text: "You are a careful coding agent.", cache_control: EPHEMERAL }] },
    { role: "user", content: [{ type: "text", text: "What does main.ts do?", cache_control: EPHEMERAL }] },
  ],
  tools: [
    {
      type: "function",
      function: { name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } } },
      cache_control: EPHEMERAL,
    },
  ],
} as unknown as Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, "model">;

describe("cache_control marks through the proxy (Bedrock's prompt caching on converse)", () => {
  it("a Claude that caches gets cachePoints after the marked system prompt, turn and tool, plain and streamed", async () => {
    const { emulator, client } = proxy();
    const completion = await client.chat.completions.create({ model: "claude", ...request });
    const sent = emulator.stats.lastBody(CLAUDE) as Record<string, { tools?: unknown }>;
    expect(sent.system).toEqual([{ text: "You are a careful coding agent." }, POINT]);
    expect(sent.messages).toEqual([{ role: "user", content: [{ text: "What does main.ts do?" }, POINT] }]);
    expect(sent.toolConfig?.tools).toEqual([expect.objectContaining({ toolSpec: expect.anything() }), POINT]);
    // The cache's counts come back as OpenAI's cached_tokens.
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({
      model: "claude",
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(JSON.stringify(emulator.stats.lastBody(CLAUDE))).toContain('"cachePoint"');
  });

  it("a client marking every turn is served: the last four marks are sent, as Claude takes four", async () => {
    const { emulator, client } = proxy();
    const turns = Array.from({ length: 6 }, (_, at) => ({
      role: at % 2 ? "assistant" : "user",
      content: [{ type: "text", text: `turn ${at}`, cache_control: EPHEMERAL }],
    }));
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [...turns, { role: "user", content: "and now?" }],
    } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const sent = JSON.stringify(emulator.stats.lastBody(CLAUDE));
    expect(sent.match(/"cachePoint"/g)).toHaveLength(4);
  });

  it("a marked document other than a PDF is served: its point goes before it, where Claude takes one", async () => {
    const { emulator, client } = proxy();
    const notes = `data:text/plain;base64,${btoa("Q3 notes\n")}`;
    const sheet = `data:text/csv;base64,${btoa("region,revenue\nnorth,100\n")}`;
    const ask = { type: "text", text: "Summarise these notes." };
    // A mark on the file part, and (as Cline-style clients mark the last turn) one on the message.
    for (const messages of [
      [
        {
          role: "user",
          content: [ask, { type: "file", file: { file_data: notes, filename: "notes.txt" }, cache_control: EPHEMERAL }],
        },
      ],
      [
        {
          role: "user",
          content: [ask, { type: "file", file: { file_data: sheet, filename: "sales.csv" } }],
          cache_control: EPHEMERAL,
        },
      ],
    ]) {
      const completion = await client.chat.completions.create({
        model: "claude",
        messages,
      } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      const sent = emulator.stats.lastBody(CLAUDE) as { messages: Array<{ content: object[] }> };
      expect(sent.messages[0]!.content).toEqual([
        { text: "Summarise these notes." },
        POINT,
        { document: expect.anything() },
      ]);
    }
  });

  it("a Llama on converse, which Bedrock refuses cache points for, is served the same request without them", async () => {
    const { emulator, client } = proxy();
    const completion = await client.chat.completions.create({ model: "llama", ...request });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    expect(JSON.stringify(emulator.stats.lastBody(LLAMA))).not.toContain("cachePoint");
  });
});
