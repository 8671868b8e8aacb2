// The client matrix: which demo model (scripts/dev-env.ts, what `npm start` serves) can serve
// which client call, and why the other pairs are left out. Every suite in this folder runs its
// client against every model this table allows.
// The compatibility table of docs/PROXY-REFERENCE.md is rendered from this file (readme.test.ts checks it).

/** What a client call needs from the model behind it. */
export type Need =
  /** Text in, text out (plain and streamed): every model. */
  | "text"
  /** Calls a tool it is offered, and answers from the tool's result. */
  | "tools"
  /** Calls a tool when the request forces one (tool_choice "required" or a named function). */
  | "forced-tools"
  /** Answers JSON that fits a response_format json_schema. */
  | "structured"
  /**
   * Answers response_format json_object: the JSON object its prompt asks for (a client's JSON
   * mode parses it into the caller's schema). The suites run these calls on the model's echo twin
   * (demo-proxy.ts), which answers a prompt that is itself a JSON object with that object.
   */
  | "json-object";

interface DemoModel {
  /** The emulator format behind the name, as its answers spell it. */
  format: string;
  can: readonly Need[];
  /** The calls its route refuses by design, each with what its 400 says: the suites check it. */
  refuses?: Partial<Record<Need, RegExp>>;
}

const ALL: readonly Need[] = ["text", "tools", "forced-tools", "structured", "json-object"];

/**
 * Every demo model calls the tools it is offered (the emulator's `tool` option,
 * scripts/dev-env.ts), and a forced call works on each: the template routes prefill the family's
 * tool-call opening and the emulator continues it, as a model does. Every model answers to a JSON
 * schema (the emulator decodes as guided decoding would, from the prompt's end); on the thinking
 * families the template routes first close an empty think block, so that answer is content.
 */
export const DEMO_MODELS: Readonly<Record<string, DemoModel>> = {
  "demo-deepseek-r1": { format: "r1", can: ALL },
  "demo-llama": { format: "llama", can: ALL },
  "demo-qwen3": { format: "qwen3", can: ALL },
  "demo-qwen2": { format: "qwen2", can: ALL },
  "demo-openai": { format: "openai", can: ALL },
  // Converse has no JSON mode: the route takes json_schema only and says so.
  "demo-converse": {
    format: "us.anthropic.claude-sonnet-4-20250514-v1:0",
    can: ["text", "tools", "forced-tools", "structured"],
    // (Chat Completions' `response_format`, the Responses API's `text.format`.)
    refuses: {
      "json-object": /(?:response_format|text\.format) cannot be "json_object" on Converse.*send "json_schema"/,
    },
  },
  // The demos of per-model settings: demo-qwen3 in Bedrock's OpenAICompletion format, and a Qwen3
  // import on the openai route whose tool calls (text in its content) tool_parser "qwen" reads.
  "demo-qwen3-openai-completion": { format: "qwen3", can: ALL },
  "demo-openai-qwen-tools": { format: "qwen3", can: ALL },
};

/** The demo models that can serve a call with this need. */
export function modelsFor(need: Need): string[] {
  return Object.entries(DEMO_MODELS)
    .filter(([, model]) => model.can.includes(need))
    .map(([name]) => name);
}

/** The demo models whose route refuses a call with this need by design, with the 400's message. */
export function modelsRefusing(need: Need): Array<[string, RegExp]> {
  return Object.entries(DEMO_MODELS).flatMap(([name, model]) => {
    const refusal = model.refuses?.[need];
    return refusal ? [[name, refusal] as [string, RegExp]] : [];
  });
}

/** The emulator's answer to a plain prompt, on this demo model. */
export function greetingOf(name: string): RegExp {
  const format = (DEMO_MODELS[name]?.format ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`Hello from the Bedrock emulator \\(${format}\\)`);
}

/** What the emulated model answers once it has a tool's result. */
export const AFTER_TOOL = /the tool answered/;

/**
 * What a model answers after a forced call's result: a model emulated with tool calling reads the
 * result; one without it (which only calls a tool when forced) greets as always.
 */
export function answerAfterTool(name: string): RegExp {
  return DEMO_MODELS[name]?.can.includes("tools") ? AFTER_TOOL : greetingOf(name);
}

/** Each client call the suites make, and what it needs: one row of the compatibility table. */
const CLIENT_CALLS: ReadonlyArray<{ client: string; call: string; need: Need }> = [
  { client: "`openai`", call: "`chat.completions.create`, plain and streamed", need: "text" },
  { client: "`openai`", call: "`responses.create`, plain and streamed; `responses.stream()`", need: "text" },
  { client: "`openai`", call: "function tools (responses and chat), plain and streamed", need: "tools" },
  { client: "`ai` + `@ai-sdk/openai` (Responses)", call: "`generateText`, `streamText`", need: "text" },
  { client: "`ai` + `@ai-sdk/openai` (Responses)", call: "a conversation (`store: false`)", need: "text" },
  { client: "`ai` + `@ai-sdk/openai` (Responses)", call: "`streamText` with a tool", need: "tools" },
  {
    client: "`ai` + `@ai-sdk/openai` (Responses)",
    call: 'a tool loop, `toolChoice: "required"`',
    need: "forced-tools",
  },
  { client: "`ai` + `@ai-sdk/openai` (Responses)", call: "`generateObject`", need: "structured" },
  { client: "`ai` + `@ai-sdk/openai` `.chat()`", call: "`generateText`, `streamText`", need: "text" },
  { client: "`ai` + `@ai-sdk/openai` `.chat()`", call: "`streamText` with a tool", need: "tools" },
  { client: "`ai` + `@ai-sdk/openai` `.chat()`", call: 'a tool loop, `toolChoice: "required"`', need: "forced-tools" },
  { client: "`ai` + `@ai-sdk/openai` `.chat()`", call: "`generateObject`", need: "structured" },
  { client: "`ai` + `@ai-sdk/openai-compatible`", call: "`generateText`, `streamText`", need: "text" },
  { client: "`ai` + `@ai-sdk/openai-compatible`", call: "`streamText` with a tool", need: "tools" },
  { client: "`ai` + `@ai-sdk/openai-compatible`", call: 'a tool loop, `toolChoice: "required"`', need: "forced-tools" },
  { client: "`ai` + `@ai-sdk/openai-compatible`", call: "`generateObject`", need: "structured" },
  {
    client: "`ai` + `@ai-sdk/openai-compatible`",
    call: "`generateObject` in JSON mode (without `supportsStructuredOutputs`)",
    need: "json-object",
  },
  { client: "`@langchain/openai` `ChatOpenAI`", call: "`invoke`, `stream`", need: "text" },
  { client: "`@langchain/openai` `ChatOpenAI`", call: "`bindTools`", need: "tools" },
  {
    client: "`@langchain/openai` `ChatOpenAI`",
    call: '`withStructuredOutput`, `method: "functionCalling"`',
    need: "forced-tools",
  },
  {
    client: "`@langchain/openai` `ChatOpenAI`",
    call: '`withStructuredOutput`, its default and `method: "jsonSchema"`',
    need: "structured",
  },
  {
    client: "`@langchain/openai` `ChatOpenAI`",
    call: '`withStructuredOutput`, `method: "jsonMode"`',
    need: "json-object",
  },
  {
    client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)",
    // The caveats of "What to know per client": reasoning needs an option, a failed stream resolves.
    call: "`invoke`, `stream` (reasoning and failed streams: see below)",
    need: "text",
  },
  { client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)", call: "`bindTools`", need: "tools" },
  {
    client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)",
    call: '`withStructuredOutput`, its default and `method: "jsonSchema"`',
    need: "structured",
  },
  {
    client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)",
    call: '`withStructuredOutput`, `method: "jsonMode"`',
    need: "json-object",
  },
];

/** The compatibility table (docs/PROXY-REFERENCE.md): a row per client call, a column per demo model. */
export function compatibilityTable(): string {
  const names = Object.keys(DEMO_MODELS);
  const rows = [
    ["client", "call", ...names.map((name) => `\`${name}\``)],
    ["---", "---", ...names.map(() => ":-:")],
    ...CLIENT_CALLS.map(({ client, call, need }) => [
      client,
      call,
      ...names.map((name) => (DEMO_MODELS[name]?.can.includes(need) ? "✓" : "–")),
    ]),
  ];
  return rows.map((row) => `| ${row.join(" | ")} |`).join("\n");
}

// `npx tsx test/workerd/clients/matrix.ts` prints the table, for docs/PROXY-REFERENCE.md.
if (import.meta.url === `file://${process.argv[1]}`) console.log(compatibilityTable());
