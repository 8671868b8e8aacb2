import { describe, expect, it } from "vitest";
import { BedrockEdgeError, invalidRequest } from "../errors.ts";
import { type CarriesForeignFields, FOREIGN_FIELDS } from "../openai/foreign-fields.ts";
import { parseChatRequest } from "../openai/schema.ts";
import { parseResponsesRequest } from "./request.ts";
import { inResponsesTerms, responsesParam, toChatRequest } from "./to-chat.ts";

const chatOf = (input: Record<string, unknown>) => toChatRequest(parseResponsesRequest({ model: "m", ...input }));

const weather = {
  type: "function",
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: true,
};

describe("the chat request a Responses request means", () => {
  it("a string input is one user message; instructions are the system message before it", () => {
    const { chat } = chatOf({ input: "Hello", instructions: "Be brief." });
    expect(chat).toEqual({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
    });
  });

  it("message items keep their roles; parts become chat parts", () => {
    const image = "data:image/png;base64,iVBORw0KGgo=";
    const { chat } = chatOf({
      input: [
        { role: "developer", content: "Use metric units." },
        { role: "system", content: [{ type: "input_text", text: "Be kind." }] },
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "What is this?" },
            { type: "input_image", image_url: image, detail: "low" },
            { type: "input_image", image_url: image, detail: "original" },
          ],
        },
        { role: "assistant", content: "A lamp." },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "developer", content: "Use metric units." },
      { role: "system", content: [{ type: "text", text: "Be kind." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: image, detail: "low" } },
          // "original" has no chat equivalent: the route's default applies.
          { type: "image_url", image_url: { url: image } },
        ],
      },
      { role: "assistant", content: "A lamp." },
    ]);
  });

  it("a previous answer's items are one assistant turn: reasoning, text and parallel calls, then tool results", () => {
    const { chat } = chatOf({
      input: [
        { role: "user", content: "Weather in Paris and Rome?" },
        { type: "reasoning", id: "rs_1", summary: [], content: [{ type: "reasoning_text", text: "Two cities." }] },
        {
          type: "message",
          id: "msg_1",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Checking both.", annotations: [] }],
        },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call", call_id: "call_2", name: "get_weather", arguments: '{"city":"Rome"}' },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
        { type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "rain" }] },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: [{ type: "text", text: "Checking both." }],
        reasoning_content: "Two cities.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "sunny" },
      { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "rain" }] },
    ]);
  });

  it("reasoning carried as a summary counts too; reasoning with nothing after it, or referenced, is dropped", () => {
    const { chat } = chatOf({
      input: [
        { role: "user", content: "Hi" },
        {
          type: "reasoning",
          summary: [
            { type: "summary_text", text: "Greet." },
            { type: "summary_text", text: "Short." },
          ],
        },
        { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "c", output: "ok" },
        { type: "reasoning", summary: [{ type: "summary_text", text: "Dangling." }] },
        // What the AI SDK sends for reasoning unless told store: false.
        { type: "item_reference", id: "rs_123" },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "user", content: "Hi" },
      {
        role: "assistant",
        content: null,
        reasoning_content: "Greet.\n\nShort.",
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "c", content: "ok" },
    ]);
  });

  it("two assistant messages in a row stay two turns; a refusal part is its text", () => {
    const { chat } = chatOf({
      input: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "One." },
        { role: "assistant", content: [{ type: "refusal", refusal: "I cannot." }] },
      ],
    });
    expect(chat.messages.slice(1)).toEqual([
      { role: "assistant", content: "One." },
      { role: "assistant", content: [{ type: "text", text: "I cannot." }] },
    ]);
  });

  it("function tools are nested the chat way; tool_choice follows", () => {
    const { chat } = chatOf({
      input: "Weather?",
      tools: [weather, { type: "function", name: "noop", parameters: null, strict: null }],
      tool_choice: { type: "function", name: "get_weather" },
    });
    expect(chat.tools).toEqual([
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather for a city",
          parameters: weather.parameters,
          strict: true,
        },
      },
      { type: "function", function: { name: "noop" } },
    ]);
    expect(chat.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    for (const choice of ["auto", "none", "required"]) {
      expect(chatOf({ input: "x", tools: [weather], tool_choice: choice }).chat.tool_choice).toBe(choice);
    }
  });

  it('tool_choice "auto" or "none" with no function offered asks for nothing: not passed on (specreq6 #3)', () => {
    // "auto" is the API's default, and what a Response echoes with tools: [] when none were offered.
    for (const tools of [undefined, []]) {
      for (const choice of ["auto", "none"]) {
        expect(chatOf({ input: "x", tools, tool_choice: choice }).chat).not.toHaveProperty("tool_choice");
      }
      // One that forces a call goes on, for the route to refuse by name.
      expect(chatOf({ input: "x", tools, tool_choice: "required" }).chat.tool_choice).toBe("required");
    }
  });

  it("text.format becomes response_format; text is the default and says nothing", () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    expect(
      chatOf({ input: "x", text: { format: { type: "json_schema", name: "thing", schema, strict: true } } }).chat
        .response_format,
    ).toEqual({ type: "json_schema", json_schema: { name: "thing", schema, strict: true } });
    expect(
      chatOf({ input: "x", text: { format: { type: "json_schema", name: "t", description: "d", schema } } }).chat
        .response_format,
    ).toEqual({ type: "json_schema", json_schema: { name: "t", schema, description: "d" } });
    expect(chatOf({ input: "x", text: { format: { type: "json_object" } } }).chat.response_format).toEqual({
      type: "json_object",
    });
    expect(chatOf({ input: "x", text: { format: { type: "text" } } }).chat).not.toHaveProperty("response_format");
  });

  it("sampling and limits keep their chat names; max_output_tokens is max_tokens", () => {
    const { chat } = chatOf({
      input: "x",
      max_output_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      parallel_tool_calls: false,
      user: "u-1",
      service_tier: "auto",
      reasoning: { effort: "low", summary: "auto" },
      text: { verbosity: "low" },
      // Not in the Responses API: passed on, for the routes that know them.
      top_k: 40,
      chat_template_kwargs: { enable_thinking: false },
    });
    expect(chat).toEqual({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      parallel_tool_calls: false,
      user: "u-1",
      service_tier: "auto",
      reasoning_effort: "low",
      verbosity: "low",
      top_k: 40,
      chat_template_kwargs: { enable_thinking: false },
    });
  });

  it("the Responses API's fields chat shares go on as they are, prompt caching's included (Codex CLI sends prompt_cache_key)", () => {
    const shared = {
      safety_identifier: "s-1",
      prompt_cache_key: "session-42",
      prompt_cache_retention: "24h",
      drop_params: true,
    };
    const mapping = chatOf({ input: "x", ...shared });
    expect(mapping.chat).toEqual({ model: "m", messages: [{ role: "user", content: "x" }], ...shared });
    expect((mapping.chat as CarriesForeignFields)[FOREIGN_FIELDS]).toBeUndefined();
  });

  it("fields the Responses API does not have stay out of the chat request: its route refuses them by name", () => {
    const mapping = chatOf({
      input: "x",
      temperature: 0.2,
      stop: ["END"],
      seed: 7,
      structured_outputs: { choice: ["a", "b"] },
      surprise: 1,
      logit_bias: null,
    });
    // Beside the JSON fields, under a symbol: no body can forge or remove it.
    expect(Object.fromEntries(Object.entries(mapping.chat))).toEqual({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      temperature: 0.2,
    });
    expect((mapping.chat as CarriesForeignFields)[FOREIGN_FIELDS]).toEqual({
      api: "Responses API",
      fields: ["stop", "seed", "structured_outputs", "surprise"],
    });
    expect(FOREIGN_FIELDS in chatOf({ input: "x", top_k: 5 }).chat).toBe(false);
  });

  it("what only the Responses API has stays here: metadata, store, include, nulls", () => {
    const { chat } = chatOf({
      input: "x",
      metadata: { a: "b" },
      store: false,
      include: ["reasoning.encrypted_content"],
      truncation: "disabled",
      background: false,
      previous_response_id: null,
      temperature: null,
      stream: true,
      stream_options: { include_obfuscation: true },
      // Chat-only, refused by request.ts unless they ask for nothing more than one answer.
      n: 1,
      best_of: 1,
      logprobs: false,
      prompt_logprobs: null,
      // openai 7's; request.ts refuses any program but the standard one.
      access_programs: { cyber: "standard" },
      background_options: { completion_window: "soonest" },
      image: { context_compression: "auto" },
    });
    expect(chat).toEqual({ model: "m", messages: [{ role: "user", content: "x" }] });
    expect(FOREIGN_FIELDS in chat).toBe(false);
  });
});

describe("input_file parts (OpenAI's InputFileContent)", () => {
  const pdf = "data:application/pdf;base64,JVBERi0xLjQK";

  it("with file_data are the chat file part, its filename kept", () => {
    const { chat } = chatOf({
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "Summarise this." },
            { type: "input_file", file_data: pdf, filename: "report.pdf" },
            { type: "input_file", file_data: pdf },
          ],
        },
      ],
    });
    expect(chat.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Summarise this." },
          { type: "file", file: { file_data: pdf, filename: "report.pdf" } },
          { type: "file", file: { file_data: pdf } },
        ],
      },
    ]);
  });

  it("a chat-layer refusal of its file_data names the input_file's own field", () => {
    const { chat, sources } = chatOf({
      input: [{ role: "user", content: [{ type: "input_file", file_data: "JVBERi0xLjQK", filename: "a.pdf" }] }],
    });
    let caught: unknown;
    try {
      parseChatRequest(chat);
    } catch (error) {
      caught = inResponsesTerms(error, sources);
    }
    expect(caught).toBeInstanceOf(BedrockEdgeError);
    expect(caught).toMatchObject({
      param: "input[0].content[0].file_data",
      message: expect.stringMatching(/^input\[0\]\.content\[0\]\.file_data must be a base64 data URL/),
    });
  });
});

describe("refusals from the chat layer name the Responses field", () => {
  const { sources } = chatOf({
    instructions: "Be brief.",
    input: [
      {
        role: "user",
        content: [
          { type: "input_text", text: "Hi" },
          { type: "input_image", image_url: "x" },
        ],
      },
      { type: "reasoning", summary: [{ type: "summary_text", text: "r" }] },
      { type: "function_call", call_id: "c1", name: "f", arguments: "{" },
      { type: "function_call", call_id: "c2", name: "g", arguments: "{}" },
      { type: "function_call_output", call_id: "c1", output: "ok" },
      { role: "assistant", content: "Done." },
    ],
  });

  it.each([
    ["messages[0].content", "instructions"],
    ["messages[1].content", "input[0].content"],
    // An input_image's URL is its image_url (a string), not image_url.url as in chat.
    ["messages[1].content[1].image_url.url", "input[0].content[1].image_url"],
    // An input_file's fields are its own, not under file as in chat.
    ["messages[1].content[1].file.file_data", "input[0].content[1].file_data"],
    ["messages[1].content[1].file.filename", "input[0].content[1].filename"],
    ["messages[2].tool_calls[1].function.arguments", "input[3].arguments"],
    ["messages[2].tool_calls[0]", "input[2]"],
    ["messages[2].reasoning_content", "input[1]"],
    ["messages[2]", "input[1]"],
    ["messages[3].content", "input[4].output"],
    ["messages[4].content", "input[5].content"],
    ["messages[9].content", "messages[9].content"],
    ["messages", "input"],
    ["max_tokens", "max_output_tokens"],
    ["max_completion_tokens", "max_output_tokens"],
    ["response_format", "text.format"],
    ["response_format.json_schema.schema", "text.format.schema"],
    ["tools[2].function.name", "tools[2].name"],
    ["tool_choice.function.name", "tool_choice.name"],
    ["reasoning_effort", "reasoning.effort"],
    ["verbosity", "text.verbosity"],
    ["temperature", "temperature"],
  ])("%s -> %s", (chat, responses) => {
    expect(responsesParam(chat, sources)).toBe(responses);
  });

  it("renames the param and the message's mention of it; keeps status and code", () => {
    const renamed = inResponsesTerms(
      invalidRequest("Invalid max_tokens: Expected <=1000000.", "max_tokens", "invalid_value"),
      sources,
    ) as BedrockEdgeError;
    expect(renamed).toBeInstanceOf(BedrockEdgeError);
    expect(renamed.param).toBe("max_output_tokens");
    expect(renamed.message).toBe("Invalid max_output_tokens: Expected <=1000000.");
    expect(renamed.status).toBe(400);
    expect(renamed.code).toBe("invalid_value");
  });

  it("renames a message's other chat paths too (a part named where the param is its URL)", () => {
    const renamed = inResponsesTerms(
      invalidRequest(
        "messages[1].content[1] has an image that is not a base64 data URL.",
        "messages[1].content[1].image_url.url",
      ),
      sources,
    ) as BedrockEdgeError;
    expect(renamed.param).toBe("input[0].content[1].image_url");
    expect(renamed.message).toBe("input[0].content[1] has an image that is not a base64 data URL.");
  });

  it("renames a message path in the text by its Responses index before the bare param (codereview34 #3)", () => {
    // A refused render names the first message refused so, param `messages`: messages[4] is input[5].
    const renamed = inResponsesTerms(
      invalidRequest(
        "The model's chat_template refused to render this request: refused (the messages up to messages[4] are refused so already, those before it are not)",
        "messages",
      ),
      sources,
    ) as BedrockEdgeError;
    expect(renamed.param).toBe("input");
    expect(renamed.message).toBe(
      "The model's chat_template refused to render this request: refused (the input up to input[5] are refused so already, those before it are not)",
    );
  });

  it("leaves other errors alone", () => {
    const other = new Error("boom");
    expect(inResponsesTerms(other, sources)).toBe(other);
    const unnamed = invalidRequest("bad");
    expect(inResponsesTerms(unnamed, sources)).toBe(unnamed);
  });
});
