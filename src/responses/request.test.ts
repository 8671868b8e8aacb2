import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../errors.ts";
import { checkResponsesStreamFlag, parseResponsesRequest } from "./request.ts";

function refusal(input: unknown): BedrockEdgeError {
  try {
    parseResponsesRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect((error as BedrockEdgeError).status).toBe(400);
    return error as BedrockEdgeError;
  }
  throw new Error("expected a 400");
}

const ok = { model: "m", input: "hi" };
const weather = { type: "function", name: "get_weather", parameters: { type: "object" }, strict: true };

describe("a stateless server refuses state, saying so", () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ previous_response_id: "resp_1" }, "previous_response_id", /stateless: send the whole conversation as input/],
    [{ conversation: "conv_1" }, "conversation", /stateless: send the whole conversation as input/],
    [{ conversation: { id: "conv_1" } }, "conversation", /stateless/],
    [{ store: true }, "store", /stateless: send the whole conversation as input, and leave store out/],
    [{ background: true }, "background", /stateless; use stream: true/],
    [{ prompt: { id: "pmpt_1" } }, "prompt", /stored on OpenAI's servers/],
    [{ context_management: [{ type: "compaction" }] }, "context_management", /stateless/],
    [{ truncation: "auto" }, "truncation", /context window/],
    [{ max_tool_calls: 3 }, "max_tool_calls", /cannot be enforced/],
    [{ top_logprobs: 2 }, "top_logprobs", /Responses API here returns no log probabilities; Chat Completions returns/],
    [{ access_programs: { cyber: "daybreak_blue" } }, "access_programs", /Daybreak programs are its own/],
    [{ access_programs: "standard" }, "access_programs", /send \{"cyber": "standard"\}/],
    [{ background_options: { completion_window: "2h" } }, "background_options.completion_window", /stateless/],
    [{ image: { context_compression: "enabled" } }, "image.context_compression", /images go to the model as sent/],
    [{ include: ["web_search_call.results"] }, "include[0]", /not available here/],
    [
      { include: ["reasoning.encrypted_content", "message.output_text.logprobs"] },
      "include[1]",
      /not available: the Responses API here returns no log probabilities; Chat Completions returns them/,
    ],
  ];
  for (const [fields, param, message] of cases) {
    it(`${param}: ${JSON.stringify(fields)}`, () => {
      const error = refusal({ ...ok, ...fields });
      expect(error.param).toBe(param);
      expect(error.code).toBe("unsupported_parameter");
      expect(error.message).toMatch(message);
    });
  }

  // Chat Completions fields go on to the chat request; these would make more than a Response holds.
  const chatOnly: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ n: 4 }, "n", /^n cannot be honoured: a response holds one answer/],
    [{ best_of: 3 }, "best_of", /^best_of cannot be honoured: a response holds one answer/],
    [
      { logprobs: true },
      "logprobs",
      /^logprobs cannot be honoured: the Responses API here returns no log probabilities/,
    ],
    [{ prompt_logprobs: 0 }, "prompt_logprobs", /^prompt_logprobs cannot be honoured/],
    [{ n: 2, logprobs: true }, "n", /^n cannot be honoured/],
  ];
  for (const [fields, param, message] of chatOnly) {
    it(`chat-only ${param}: ${JSON.stringify(fields)}`, () => {
      const error = refusal({ ...ok, ...fields });
      expect(error.param).toBe(param);
      expect(error.code).toBe("unsupported_parameter");
      expect(error.message).toMatch(message);
    });
  }

  // Passed on, Chat's name won over the Responses field the Response echoed (the third review).
  const chatNames: Array<[string, string]> = [
    ["max_tokens", "max_output_tokens"],
    ["max_completion_tokens", "max_output_tokens"],
    ["response_format", "text.format"],
    ["reasoning_effort", "reasoning.effort"],
    // Passed on, messages was silently ignored (input won), and verbosity named text.verbosity in
    // a refusal the caller never sent it as (the fourth review).
    ["messages", "input"],
    ["verbosity", "text.verbosity"],
  ];
  const chatValues: Record<string, unknown> = {
    response_format: { type: "json_object" },
    reasoning_effort: "high",
    messages: [{ role: "user", content: "Hi" }],
    verbosity: "low",
  };
  for (const [field, name] of chatNames) {
    it(`Chat's ${field}: named with the Responses API's ${name}`, () => {
      const value = chatValues[field] ?? 150;
      const error = refusal({ ...ok, max_output_tokens: 10, [field]: value });
      expect(error).toMatchObject({ param: field, code: "unknown_parameter" });
      expect(error.message).toBe(`${field} is Chat Completions' name; the Responses API's is ${name}.`);
      expect(parseResponsesRequest({ ...ok, [field]: null }).model).toBe("m");
    });
  }

  it("openai 7's background_options and image must be objects (the tenth review)", () => {
    for (const [fields, param] of [
      [{ background_options: "2h" }, "background_options"],
      [{ image: "enabled" }, "image"],
      [{ image: [] }, "image"],
    ] as const) {
      const error = refusal({ ...ok, ...fields });
      expect(error.param).toBe(param);
      expect(error.message).toMatch(new RegExp(`^${param} must be an object \\(got `));
    }
  });

  it("metadata must be an object of strings, not an array (the third review)", () => {
    for (const metadata of [[], ["a", "b"]]) {
      expect(refusal({ ...ok, metadata })).toMatchObject({
        param: "metadata",
        message: "metadata must be a JSON object (got an array).",
      });
    }
    expect(parseResponsesRequest({ ...ok, metadata: { team: "a" } }).metadata).toEqual({ team: "a" });
  });

  it("checks the values under the keys valibot's record skips, __proto__, constructor and prototype (inputcost34 #3)", () => {
    const metadata = (json: string) => ({ ...ok, metadata: JSON.parse(json) as unknown });
    expect(refusal(metadata('{"__proto__":{"a":["b",1]}}'))).toMatchObject({
      param: "metadata.__proto__",
      message: "metadata.__proto__ must be a string (got an object).",
    });
    expect(refusal(metadata('{"constructor":{"a":1}}'))).toMatchObject({
      param: "metadata.constructor",
      message: "metadata.constructor must be a string (got an object).",
    });
    expect(refusal(metadata('{"k":"v","prototype":5}'))).toMatchObject({
      param: "metadata.prototype",
      message: "metadata.prototype must be a string (got 5).",
    });
    const strings = metadata('{"__proto__":"a","constructor":"b","prototype":"c"}');
    expect(parseResponsesRequest(strings).metadata).toBe(strings.metadata);
  });

  it("accepts chat-only fields that ask for nothing more: n 1, logprobs false, nulls", () => {
    expect(parseResponsesRequest({ ...ok, n: 1, best_of: 1, logprobs: false, prompt_logprobs: null }).model).toBe("m");
  });

  it("refuses reasoning and text that are arrays, and top_logprobs that is no whole number, as type errors (specfuzz46 F2)", () => {
    for (const field of ["reasoning", "text"]) {
      expect(refusal({ ...ok, [field]: [] })).toMatchObject({
        param: field,
        message: `${field} must be an object (got an array).`,
      });
    }
    for (const [value, shown] of [
      ["0", '"0"'],
      ["5", '"5"'],
      [1.5, "1.5"],
      [-1, "-1"],
    ] as const) {
      expect(refusal({ ...ok, top_logprobs: value })).toMatchObject({
        param: "top_logprobs",
        message: `top_logprobs must be a whole number between 0 and 20 (got ${shown}).`,
      });
    }
    // A whole number above 0 keeps its refusal, which points to Chat Completions.
    expect(refusal({ ...ok, top_logprobs: 5 })).toMatchObject({ param: "top_logprobs", code: "unsupported_parameter" });
  });

  it("accepts top_logprobs 0, the default clients send, refusing only a request for alternatives", () => {
    expect(parseResponsesRequest({ ...ok, top_logprobs: 0 }).model).toBe("m");
    expect(refusal({ ...ok, top_logprobs: 1 }).param).toBe("top_logprobs");
  });

  it("accepts what asks for no state: store false, background false, null ids, the one harmless include", () => {
    const request = parseResponsesRequest({
      ...ok,
      store: false,
      background: false,
      previous_response_id: null,
      conversation: null,
      truncation: "disabled",
      include: ["reasoning.encrypted_content"],
      metadata: { team: "a" },
      user: "u-1",
      parallel_tool_calls: true,
      stream_options: { include_obfuscation: false },
      access_programs: { cyber: "standard" },
    });
    expect(request.model).toBe("m");
    expect(parseResponsesRequest({ ...ok, access_programs: {} }).model).toBe("m");
    // openai 7's options that ask for nothing this server cannot do.
    const harmless = {
      background_options: { completion_window: "soonest", continuation_id: "c-1" },
      image: { context_compression: "auto" },
    };
    expect(parseResponsesRequest({ ...ok, ...harmless }).model).toBe("m");
    expect(parseResponsesRequest({ ...ok, image: { context_compression: "disabled" } }).model).toBe("m");
  });
});

describe("built-in tools are refused by name: only function tools", () => {
  for (const type of [
    "web_search",
    "web_search_preview",
    "file_search",
    "code_interpreter",
    "computer_use_preview",
    "image_generation",
    "mcp",
    "local_shell",
  ]) {
    it(type, () => {
      const error = refusal({ ...ok, tools: [weather, { type }] });
      expect(error.param).toBe("tools[1]");
      expect(error.message).toBe(
        `this server has no ${type} tool; only function tools ({"type": "function", "name", "parameters"}).`,
      );
    });
  }

  it("in tool_choice too", () => {
    expect(refusal({ ...ok, tools: [weather], tool_choice: { type: "web_search_preview" } }).message).toMatch(
      /no web_search_preview tool/,
    );
    expect(
      refusal({ ...ok, tools: [weather], tool_choice: { type: "allowed_tools", mode: "auto", tools: [] } }).message,
    ).toMatch(/allowed_tools/);
  });
});

describe("input items this server cannot use are refused by position", () => {
  it("an item reference needs stored items, unless it is to reasoning (optional context)", () => {
    const error = refusal({
      ...ok,
      input: [
        { role: "user", content: "hi" },
        { type: "item_reference", id: "msg_1" },
      ],
    });
    expect(error.param).toBe("input[1]");
    expect(error.message).toMatch(/"msg_1" points at an item stored on the server, and this server is stateless/);
    expect(error.message).toMatch(/store: false/);
    expect(refusal({ ...ok, input: [{ id: "fc_1" }] }).param).toBe("input[0]");
    expect(refusal({ ...ok, input: [{ type: "item_reference", id: "rsx" }] }).param).toBe("input[0]");
    const request = parseResponsesRequest({
      ...ok,
      input: [
        { role: "user", content: "hi" },
        { type: "item_reference", id: "rs_abc" },
      ],
    });
    expect(request.input).toHaveLength(2);
  });

  it("an item reference whose id is not a string is a 400 naming the id, whatever its toString (fuzz2 #1)", () => {
    // JSON.parse makes `toString` an own property that is not a function: String() throws on it.
    for (const id of [JSON.parse('{"toString":1}'), JSON.parse('[{"toString":1}]'), 5]) {
      const error = refusal({ ...ok, input: [{ type: "item_reference", id }] });
      expect(error.param).toBe("input[0].id");
      expect(error.message).toMatch(/^input\[0\]\.id must be a string \(got (an object|an array|5)\)\.$/);
    }
    expect(refusal({ ...ok, input: [{ type: "item_reference" }] }).message).toBe("input[0].id is required.");
  });

  it("a built-in tool's call", () => {
    const error = refusal({ ...ok, input: [{ type: "web_search_call", id: "ws_1", status: "completed" }] });
    expect(error.param).toBe("input[0]");
    expect(error.message).toMatch(/"web_search_call" are not supported: this server has only function tools/);
  });

  it("files by id or URL, and images by file id", () => {
    const withFile = (part: object) => ({
      ...ok,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "x" },
            { type: "input_file", ...part },
          ],
        },
      ],
    });
    const file = refusal(withFile({ file_id: "f" }));
    expect(file).toMatchObject({ param: "input[0].content[1].file_id", code: "unsupported_parameter" });
    expect(file.message).toBe(
      "input[0].content[1].file_id names a file uploaded to OpenAI's Files API, which this server does not have: send the file's bytes in file_data, as a base64 data URL (data:application/pdf;base64,…).",
    );
    const url = refusal(withFile({ file_url: "https://example.com/a.pdf" }));
    expect(url).toMatchObject({ param: "input[0].content[1].file_url", code: "unsupported_parameter" });
    expect(url.message).toBe(
      "input[0].content[1].file_url cannot be used: Bedrock does not fetch files. Send the file's bytes in file_data, as a base64 data URL (data:application/pdf;base64,…).",
    );
    expect(refusal(withFile({ filename: "a.pdf" }))).toMatchObject({
      param: "input[0].content[1].file_data",
      message:
        "input[0].content[1].file_data is required: give the file's bytes as a base64 data URL (data:application/pdf;base64,…).",
    });
    // file_data is a user message's: other roles take text.
    expect(
      refusal({
        ...ok,
        input: [{ role: "system", content: [{ type: "input_file", file_data: "data:application/pdf;base64,AA==" }] }],
      }).param,
    ).toBe("input[0].content[0].type");
    const taken = withFile({ file_data: "data:application/pdf;base64,JVBERi0xLjQK", filename: "a.pdf" });
    expect(parseResponsesRequest(taken)).toBe(taken);
    const image = refusal({
      ...ok,
      input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1", detail: "auto" }] }],
    });
    expect(image.param).toBe("input[0].content[0].file_id");
    expect(image.message).toMatch(/data URL/);
    const output = refusal({
      ...ok,
      input: [{ type: "function_call_output", call_id: "c", output: [{ type: "input_file", file_data: "x" }] }],
    });
    expect(output.param).toBe("input[0].output[0]");
  });
});

describe("the shape is checked, refused in a sentence naming the field", () => {
  const cases: Array<[unknown, string | null, string]> = [
    [null, null, "The request body must be a JSON object."],
    ["hi", null, "The request body must be a JSON object."],
    [
      { input: "hi" },
      "model",
      "model is required: name the model, as bedrock/<route>/<model-arn> or a configured name.",
    ],
    [{ model: "", input: "hi" }, "model", "model must not be empty."],
    [{ model: "m" }, "input", "input is required: give the conversation, as a string or an array of input items."],
    [{ model: "m", input: [] }, "input", "input must not be empty."],
    [{ model: "m", input: 5 }, "input", "input must be a string or an array of input items (got 5)."],
    [
      { ...ok, input: [{ role: "wizard", content: "x" }] },
      "input[0].role",
      'input[0].role must be "user", "system", "developer" or "assistant" (got "wizard").',
    ],
    [
      { ...ok, input: [{ type: 5, role: "user", content: "x" }] },
      "input[0].type",
      'input[0].type must be "message", "function_call", "function_call_output", "reasoning" or "item_reference" (got 5).',
    ],
    [
      { ...ok, input: [{ role: "user", content: 5 }] },
      "input[0].content",
      'input[0].content must be a string or an array of "input_text", "input_image" or "input_file" parts (got 5).',
    ],
    [
      { ...ok, input: [{ role: "system", content: [{ type: "input_image", image_url: "data:," }] }] },
      "input[0].content[0].type",
      'input[0].content[0].type must be "input_text": system and developer messages are text (got "input_image").',
    ],
    [
      { ...ok, input: [{ role: "user", content: [{ type: "input_image", detail: "auto" }] }] },
      "input[0].content[0].image_url",
      "input[0].content[0].image_url is required: give the image as a data URL (data:image/png;base64,…).",
    ],
    [
      { ...ok, input: [{ type: "function_call", call_id: "c", name: "f" }] },
      "input[0].arguments",
      "input[0].arguments is required.",
    ],
    [
      { ...ok, input: [{ type: "function_call_output", call_id: "", output: "x" }] },
      "input[0].call_id",
      "input[0].call_id must not be empty.",
    ],
    [
      { ...ok, input: [{ type: "function_call_output", call_id: "c", output: 3 }] },
      "input[0].output",
      'input[0].output must be a string or an array of "input_text" parts: a function\'s output is text here (got 3).',
    ],
    [
      { ...ok, input: [{ type: "reasoning", summary: "x" }] },
      "input[0].summary",
      "input[0].summary must be an array (got a string).",
    ],
    [
      { ...ok, tools: [{ type: "function", name: "bad name" }] },
      "tools[0].name",
      'tools[0].name must be 1-128 letters, digits, _ . : or - (got "bad name").',
    ],
    [
      { ...ok, tools: [{ type: "function", name: "f", parameters: [] }] },
      "tools[0].parameters",
      "tools[0].parameters must be a JSON object (got an array).",
    ],
    [
      { ...ok, tool_choice: "sometimes" },
      "tool_choice",
      'tool_choice must be "none", "auto", "required" or {"type": "function", "name": …} (got "sometimes").',
    ],
    [
      { ...ok, text: { format: { type: "yaml" } } },
      "text.format.type",
      'text.format.type must be "text", "json_object" or "json_schema" (got "yaml").',
    ],
    [
      { ...ok, text: { format: { type: "json_schema", schema: {} } } },
      "text.format.name",
      "text.format.name is required.",
    ],
    [
      { ...ok, reasoning: { effort: "extreme" } },
      "reasoning.effort",
      'reasoning.effort must be one of "none", "minimal", "low", "medium", "high", "xhigh" or "max" (got "extreme").',
    ],
    [
      { ...ok, reasoning: { summary: "long" } },
      "reasoning.summary",
      'reasoning.summary must be one of "auto", "concise" or "detailed" (got "long").',
    ],
    [{ ...ok, max_output_tokens: 0 }, "max_output_tokens", "max_output_tokens must be at least 1 (got 0)."],
    [{ ...ok, metadata: { n: 1 } }, "metadata.n", "metadata.n must be a string (got 1)."],
    [{ ...ok, stream: "yes" }, "stream", 'stream must be true or false (got "yes").'],
    [{ ...ok, instructions: 5 }, "instructions", "instructions must be a string (got 5)."],
    // A string in OpenAI's spec, never null: refused as Chat Completions refuses it.
    [{ ...ok, user: null }, "user", "user must be a string (got null)."],
    [{ ...ok, user: 7 }, "user", "user must be a string (got 7)."],
  ];
  for (const [input, param, message] of cases) {
    it(message, () => {
      const error = refusal(input);
      expect(error.param).toBe(param);
      expect(error.message).toBe(message);
    });
  }

  it("refuses absurd nesting before anything recursive", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(refusal({ ...ok, metadata: deep }).message).toBe("metadata is nested more than 64 levels deep.");
  });

  it("accepts every item kind a client sends back, extra fields and all", () => {
    const request = parseResponsesRequest({
      ...ok,
      instructions: "Be brief.",
      input: [
        { role: "developer", content: "Use tools." },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Weather?" }] },
        {
          type: "reasoning",
          id: "rs_1",
          summary: [],
          content: [{ type: "reasoning_text", text: "Call the tool." }],
          encrypted_content: null,
        },
        {
          type: "message",
          id: "msg_1",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Checking.", annotations: [], logprobs: [] }],
        },
        {
          type: "function_call",
          id: "fc_1",
          call_id: "call_1",
          name: "get_weather",
          arguments: "{}",
          status: "completed",
        },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
      ],
      tools: [weather],
      tool_choice: { type: "function", name: "get_weather" },
      text: { format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true }, verbosity: null },
      reasoning: { effort: "low", summary: "auto" },
    });
    expect(request.input).toHaveLength(6);
  });

  it("takes an assistant turn's input_text part, as clients echo it, and a function named with up to 128 characters", () => {
    const input = [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "input_text", text: "Hello" }] },
      { role: "user", content: "again" },
    ];
    expect(parseResponsesRequest({ ...ok, input }).input).toHaveLength(3);
    const named = (name: string) => ({ ...ok, tools: [{ ...weather, name }] });
    expect(parseResponsesRequest(named("f".repeat(128))).tools).toHaveLength(1);
    expect(refusal(named("f".repeat(129))).param).toBe("tools[0].name");
  });

  it("up to 128 tools, OpenAI's cap; one more is refused naming tools and the cap (cpucost8 #4)", () => {
    const tools = (count: number) => Array.from({ length: count }, (_, i) => ({ ...weather, name: `f${i}` }));
    expect(parseResponsesRequest({ ...ok, tools: tools(128) }).tools).toHaveLength(128);
    const error = refusal({ ...ok, tools: tools(129) });
    expect(error.param).toBe("tools");
    expect(error.message).toBe("tools must have at most 128 items (it has 129).");
  });
});

describe("checkResponsesStreamFlag", () => {
  it("checks only stream", () => {
    expect(() => checkResponsesStreamFlag({ stream: true, input: 5 })).not.toThrow();
    expect(() => checkResponsesStreamFlag({ stream: 1 })).toThrow("stream must be true or false (got 1).");
  });
});
