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
  | "structured";

interface DemoModel {
  /** The emulator format behind the name, as its answers spell it. */
  format: string;
  can: readonly Need[];
}

/**
 * Every demo model calls the tools it is offered (the emulator's `tool` option,
 * scripts/dev-env.ts), and a forced call works on each: the template routes prefill the family's
 * tool-call opening and the emulator continues it, as a model does. Every model answers to a JSON
 * schema (the emulator decodes as guided decoding would, from the prompt's end); on the thinking
 * families the template routes first close an empty think block, so that answer is content.
 */
export const DEMO_MODELS: Readonly<Record<string, DemoModel>> = {
  "demo-deepseek-r1": { format: "r1", can: ["text", "tools", "forced-tools", "structured"] },
  "demo-llama": { format: "llama", can: ["text", "tools", "forced-tools", "structured"] },
  "demo-qwen3": { format: "qwen3", can: ["text", "tools", "forced-tools", "structured"] },
  "demo-qwen2": { format: "qwen2", can: ["text", "tools", "forced-tools", "structured"] },
  "demo-openai": { format: "openai", can: ["text", "tools", "forced-tools", "structured"] },
  "demo-converse": {
    format: "us.anthropic.claude-sonnet-4-20250514-v1:0",
    can: ["text", "tools", "forced-tools", "structured"],
  },
  // The demos of per-model settings: demo-qwen3 in Bedrock's OpenAICompletion format, and a Qwen3
  // import on the openai route whose tool calls (text in its content) tool_parser "qwen" reads.
  "demo-qwen3-openai-completion": { format: "qwen3", can: ["text", "tools", "forced-tools", "structured"] },
  "demo-openai-qwen-tools": { format: "qwen3", can: ["text", "tools", "forced-tools", "structured"] },
};

/** The demo models that can serve a call with this need. */
export function modelsFor(need: Need): string[] {
  return Object.entries(DEMO_MODELS)
    .filter(([, model]) => model.can.includes(need))
    .map(([name]) => name);
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
  { client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)", call: "`invoke`, `stream`", need: "text" },
  { client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)", call: "`bindTools`", need: "tools" },
  {
    client: "`@langchain/openai` `ChatOpenAI` (`useResponsesApi`)",
    call: '`withStructuredOutput`, its default and `method: "jsonSchema"`',
    need: "structured",
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
