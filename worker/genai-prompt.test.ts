// A prompt as the GenAI conventions record it on a span, checked against their own JSON schemas
// (test/fixtures/otel-genai, semantic-conventions v1.41.0): the observe5 review's finding #5.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { genAiPrompt } from "./genai-prompt.ts";
import type { LogLine } from "./log.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/otel-genai/${name}`, import.meta.url), "utf8")) as object;
// The schemas' "format": "binary" is a note for readers, not a format a validator knows.
const ajv = new Ajv({ strict: false, validateFormats: false });
const inputSchema = ajv.compile(fixture("gen-ai-input-messages.json"));
const systemSchema = ajv.compile(fixture("gen-ai-system-instructions.json"));

const base: LogLine = { time: "", request_id: "req_1", method: "POST", path: "", status: 200, ms: 1 };
const chat = (messages: unknown) => genAiPrompt({ ...base, path: "/v1/chat/completions", messages });
const completions = (prompt: unknown) => genAiPrompt({ ...base, path: "/v1/completions", prompt });
const responses = (instructions: unknown, input: unknown) =>
  genAiPrompt({ ...base, path: "/v1/responses", messages: { instructions, input } });

/** The prompt, after checking each attribute against its schema. */
function valid(prompt: ReturnType<typeof genAiPrompt>) {
  if (prompt.input !== undefined) expect(inputSchema(prompt.input), JSON.stringify(inputSchema.errors)).toBe(true);
  if (prompt.system !== undefined) expect(systemSchema(prompt.system), JSON.stringify(systemSchema.errors)).toBe(true);
  return prompt;
}

describe("gen_ai.input.messages", () => {
  it("is checked against a schema that refuses what spans used to carry: the request's own shapes", () => {
    expect(inputSchema([{ role: "user", content: "hello" }])).toBe(false);
    expect(inputSchema({ instructions: "Be brief", input: "hello" })).toBe(false);
    expect(systemSchema("Be brief")).toBe(false);
  });

  it("chat: each message's content as parts, tool calls and their results, reasoning, images", () => {
    const prompt = valid(
      chat([
        { role: "system", content: "Be brief" },
        {
          role: "user",
          name: "ann",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          reasoning_content: "The user wants the weather.",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "function", function: { name: "get_time", arguments: "not json" } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "rainy, 57°F" },
        {
          role: "tool",
          tool_call_id: "call_2",
          content: [
            { type: "text", text: "10:" },
            { type: "text", text: "00" },
          ],
        },
      ]),
    );
    expect(prompt).toEqual({
      input: [
        { role: "system", parts: [{ type: "text", content: "Be brief" }] },
        {
          role: "user",
          name: "ann",
          parts: [
            { type: "text", content: "What is this?" },
            { type: "uri", modality: "image", uri: "https://example.com/cat.png" },
            // Never the bytes (multimodal7 #2): content cut to nothing, and their size.
            { type: "blob", modality: "image", mime_type: "image/png", content: "", size: 8 },
            { type: "blob", modality: "audio", mime_type: "audio/wav", content: "", size: 4 },
          ],
        },
        {
          role: "assistant",
          parts: [
            { type: "reasoning", content: "The user wants the weather." },
            { type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
            { type: "tool_call", id: "call_2", name: "get_time", arguments: "not json" },
          ],
        },
        { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: "rainy, 57°F" }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "call_2", response: "10:00" }] },
      ],
    });
  });

  it("records media by type and size, from the line's omitted bytes as from bytes themselves (multimodal7 #2)", () => {
    const line = [
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,[300000 bytes omitted]" } },
          { type: "image_url", image_url: { url: "data:image/png;name=a.png;base64,iVBO\nRw0K\r\nGgo=" } },
          { type: "input_audio", input_audio: { data: "[48000 bytes omitted]", format: "mp3" } },
          { type: "image_url", image_url: { url: "data:image/svg+xml,[300011 bytes omitted]" } },
          { type: "image_url", image_url: { url: "data:image/svg+xml,%3Csvg%3E" } },
        ],
      },
    ];
    expect(valid(chat(line)).input?.[0]?.parts).toEqual([
      { type: "blob", modality: "image", mime_type: "image/jpeg", content: "", size: 300_000 },
      { type: "blob", modality: "image", mime_type: "image/png", content: "", size: 8 },
      { type: "blob", modality: "audio", mime_type: "audio/mp3", content: "", size: 48_000 },
      // Not base64 (codereview17 #3): an inline blob too, by its bytes.
      { type: "blob", modality: "image", mime_type: "image/svg+xml", content: "", size: 300_011 },
      { type: "blob", modality: "image", mime_type: "image/svg+xml", content: "", size: 5 },
    ]);
  });

  it("records a document sent inline as a blob by type and size, one by file id as a file part (docs38 #7)", () => {
    const line = [
      {
        role: "user",
        content: [
          { type: "file", file: { file_data: "data:application/pdf;base64,[9000 bytes omitted]", filename: "Q3.pdf" } },
          { type: "file", file: { file_id: "file-abc" } },
        ],
      },
    ];
    expect(valid(chat(line)).input?.[0]?.parts).toEqual([
      { type: "blob", modality: "document", mime_type: "application/pdf", content: "", size: 9000 },
      { type: "file", modality: "document", file_id: "file-abc" },
    ]);
    const input = [
      { role: "user", content: [{ type: "input_file", file_data: "data:text/csv;base64,[30 bytes omitted]" }] },
    ];
    expect(valid(responses(undefined, input)).input?.[0]?.parts).toEqual([
      { type: "blob", modality: "document", mime_type: "text/csv", content: "", size: 30 },
    ]);
  });

  it("legacy completions: each prompt a user message, token ids as they were sent", () => {
    expect(valid(completions("Once upon a time"))).toEqual({
      input: [{ role: "user", parts: [{ type: "text", content: "Once upon a time" }] }],
    });
    expect(valid(completions(["Once", "Twice"])).input).toEqual([
      { role: "user", parts: [{ type: "text", content: "Once" }] },
      { role: "user", parts: [{ type: "text", content: "Twice" }] },
    ]);
    expect(valid(completions([1, 2, 3])).input).toEqual([
      { role: "user", parts: [{ type: "token_ids", content: [1, 2, 3] }] },
    ]);
    expect(valid(completions([[1], [2]])).input).toHaveLength(2);
  });

  it("images: the prompt a user message", () => {
    const prompt = genAiPrompt({ ...base, path: "/v1/images/generations", prompt: "A lighthouse at dawn" });
    expect(valid(prompt)).toEqual({
      input: [{ role: "user", parts: [{ type: "text", content: "A lighthouse at dawn" }] }],
    });
  });

  it("responses: an array of messages, the instructions apart as gen_ai.system_instructions", () => {
    expect(valid(responses("Be brief", "Hello"))).toEqual({
      system: [{ type: "text", content: "Be brief" }],
      input: [{ role: "user", parts: [{ type: "text", content: "Hello" }] }],
    });
    const prompt = valid(
      responses(undefined, [
        { role: "developer", content: "Answer in French" },
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Weather?" },
            { type: "input_image", image_url: "data:image/jpeg;base64,/9j/" },
            { type: "input_image", file_id: "file_1" },
          ],
        },
        { type: "reasoning", summary: [{ type: "summary_text", text: "Look it up." }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "rainy" },
        { role: "assistant", content: [{ type: "output_text", text: "Il pleut." }] },
        { type: "item_reference", id: "rs_1" },
      ]),
    );
    expect(prompt.system).toBeUndefined();
    expect(prompt.input).toEqual([
      { role: "developer", parts: [{ type: "text", content: "Answer in French" }] },
      {
        role: "user",
        parts: [
          { type: "text", content: "Weather?" },
          { type: "blob", modality: "image", mime_type: "image/jpeg", content: "", size: 3 },
          { type: "file", modality: "image", file_id: "file_1" },
        ],
      },
      { role: "assistant", parts: [{ type: "reasoning", content: "Look it up." }] },
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }],
      },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: "rainy" }] },
      { role: "assistant", parts: [{ type: "text", content: "Il pleut." }] },
    ]);
  });

  it("keeps tool-call arguments as text when they are deeper or bigger than real ones: the span is written whatever a key sends (codereview13 #1)", () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const wide = `[${Array(20_000).fill("[]").join(",")}]`;
    // Within the elements limit, but one object of 5,000 members (cpucost8 #2).
    const members = `{${Array.from({ length: 5000 }, (_, i) => `"k${i}":1`).join(",")}}`;
    for (const args of [deep, wide, members]) {
      const prompt = chat([{ role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: args } }] }]);
      expect(prompt.input?.[0]?.parts[0]).toMatchObject({ type: "tool_call", arguments: args });
      expect(JSON.stringify(prompt).length).toBeGreaterThan(args.length);
    }
    // Ordinary arguments are still their value.
    const prompt = chat([
      { role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: '{"a":[1]}' } }] },
    ]);
    expect(prompt.input?.[0]?.parts[0]).toMatchObject({ arguments: { a: [1] } });
  });

  it("is absent without LOG_PROMPTS' prompt, and schema-valid whatever a refused request sent", () => {
    expect(genAiPrompt({ ...base, path: "/v1/chat/completions" })).toEqual({});
    expect(genAiPrompt({ ...base, path: "/v1/completions" })).toEqual({});
    for (const messages of [
      "hello",
      null,
      [null, 3, "x", { role: 7, content: { text: "?" } }, { content: [1, { type: 2 }, { type: "odd", x: 1 }] }],
      [{ role: "assistant", tool_calls: [null, { function: "x" }, { id: 1, function: { name: 2, arguments: 3 } }] }],
      [{ role: "tool", content: [{ type: "image_url" }] }],
      [{ role: "user", content: [{ type: "image_url", image_url: { url: 5 } }, { type: "input_audio" }] }],
    ]) {
      valid(chat(messages));
    }
    for (const prompt of [null, 5, {}, [null, {}], [[1], "a"]]) valid(completions(prompt));
    for (const input of [null, 5, {}, [null, { type: "message" }, { type: "reasoning", summary: "x" }, { type: 3 }]]) {
      valid(responses(["not", "text"], input));
      valid(genAiPrompt({ ...base, path: "/v1/responses", messages: input }));
    }
  });
});
