// What each route does with each Chat Completions parameter, as the library reference's table
// shows it: the table is rendered from this matrix (test/parameter-matrix.test.ts checks that
// docs/LIBRARY-REFERENCE.md holds it exactly, and sends every cell's request through the library to see that each mark is true).
import { SCHEMA, type TEMPLATE_ROUTES, WEATHER } from "./field-exchange.ts";

/** ✓ honoured (sent to Bedrock in the route's terms), ignored (accepted, nothing sent), 400 (refused unless drop_params). */
export type Mark = "✓" | "ignored" | "400";

type TemplateRoute = (typeof TEMPLATE_ROUTES)[number];

/** A column of the table: a template route on bedrock_completion, the four on openai_completion, openai, converse. */
export type Column = TemplateRoute | "openai_completion" | "openai" | "converse";

interface Marks extends Partial<Record<TemplateRoute, Mark>> {
  /** The four template routes on bedrock_completion, but for those named on their own. */
  template: Mark;
  /** The template routes on openai_completion: by default, each as on bedrock_completion. */
  openai_completion?: Mark;
  openai: Mark;
  converse: Mark;
}

export interface ParameterRow {
  param: string;
  /** The row's name in the table, where the marks are for some values only (`n` > 1). */
  label?: string;
  /** A value that asks for something, sent on every route: never the parameter's no-op value. */
  value: unknown;
  /** What it needs beside it on a column (tool_choice needs tools). */
  beside?: (column: Column) => Record<string, unknown>;
  /** Where honouring it shows when nothing of it is sent: in the answer (stream_options' usage chunk). */
  showsIn?: "answer";
  /** The value that asks for nothing, accepted wherever `value` is refused. */
  noop?: unknown;
  marks: Marks;
  /** A note under the table, for what the marks cannot say. */
  note?: string;
}

export interface ParameterGroup {
  name: string;
  /** Parameters OpenAI's spec does not have, which bedrock-edge takes from Bedrock or vLLM. */
  extensions?: true;
  rows: readonly ParameterRow[];
}

const withTools = () => ({ tools: [WEATHER] });
/** The columns whose format returns logprobs, where top_logprobs goes beside `logprobs: true` (as OpenAI takes it). */
const withLogprobs = (column: Column) =>
  column === "openai" || column === "openai_completion" ? { logprobs: true } : {};

const ALL: Pick<Marks, "template" | "openai" | "converse"> = { template: "✓", openai: "✓", converse: "✓" };
const IGNORED: Marks = { template: "ignored", openai: "ignored", converse: "ignored" };
const REFUSED: Marks = { template: "400", openai: "400", converse: "400" };
/** What only openai_completion and the openai route carry (Bedrock's completion format and Converse lack it). */
const OPENAI_FORMATS: Marks = { template: "400", openai_completion: "✓", openai: "✓", converse: "400" };

export const PARAMETER_GROUPS: readonly ParameterGroup[] = [
  {
    name: "Length and sampling",
    rows: [
      { param: "max_completion_tokens", value: 50, marks: ALL },
      { param: "max_tokens", value: 50, marks: ALL },
      { param: "temperature", value: 0.5, marks: ALL },
      { param: "top_p", value: 0.5, marks: ALL },
      { param: "stop", value: ["END"], marks: ALL },
      { param: "seed", value: 7, noop: null, marks: OPENAI_FORMATS },
      { param: "presence_penalty", label: "`presence_penalty` ≠ 0", value: 0.5, noop: 0, marks: OPENAI_FORMATS },
      { param: "frequency_penalty", label: "`frequency_penalty` ≠ 0", value: 0.5, noop: 0, marks: OPENAI_FORMATS },
      { param: "logit_bias", value: { "100": -100 }, noop: {}, marks: OPENAI_FORMATS },
      { param: "n", label: "`n` > 1", value: 2, noop: 1, marks: OPENAI_FORMATS },
    ],
  },
  {
    name: "Output",
    rows: [
      {
        param: "response_format",
        value: { type: "json_schema", json_schema: { name: "answer", schema: SCHEMA } },
        marks: ALL,
        note: "`response_format` types: `json_object` is a 400 on `converse`, which constrains output by a schema only; see the table of types below.",
      },
      { param: "stream", value: true, marks: ALL },
      {
        param: "stream_options",
        value: { include_usage: true },
        beside: () => ({ stream: true }),
        showsIn: "answer",
        marks: ALL,
        note: '`stream_options`: `{"include_usage": true}` shows in the answer (its usage chunk), not in what is sent to Bedrock.',
      },
      { param: "logprobs", label: "`logprobs: true`", value: true, noop: false, marks: OPENAI_FORMATS },
      {
        param: "top_logprobs",
        label: "`top_logprobs` > 0",
        value: 2,
        noop: 0,
        beside: withLogprobs,
        marks: OPENAI_FORMATS,
      },
      {
        param: "modalities",
        label: '`modalities` with `"audio"`',
        value: ["text", "audio"],
        noop: ["text"],
        marks: REFUSED,
      },
      { param: "audio", value: { voice: "alloy", format: "mp3" }, noop: null, marks: REFUSED },
      { param: "verbosity", label: '`verbosity` `"low"`, `"high"`', value: "low", noop: "medium", marks: REFUSED },
      { param: "prediction", value: { type: "content", content: "Hello there!" }, marks: IGNORED },
    ],
  },
  {
    name: "Tools",
    rows: [
      { param: "tools", value: [WEATHER], marks: ALL },
      { param: "tool_choice", value: "required", beside: withTools, marks: ALL },
      {
        param: "parallel_tool_calls",
        label: "`parallel_tool_calls: false`",
        value: false,
        noop: true,
        beside: withTools,
        marks: { template: "400", openai: "✓", converse: "400" },
      },
      { param: "functions", value: [WEATHER.function], marks: REFUSED },
      { param: "function_call", value: "auto", marks: REFUSED },
    ],
  },
  {
    name: "Reasoning",
    rows: [
      {
        param: "reasoning_effort",
        label: '`reasoning_effort` `"none"`, `"minimal"`',
        value: "none",
        marks: { template: "ignored", qwen3: "✓", openai: "✓", converse: "ignored" },
        note: '`reasoning_effort` on `qwen3`: `"none"` and `"minimal"` switch thinking off, as `chat_template_kwargs: {"enable_thinking": false}` does; the other efforts leave it on, as it is by default. Claude on `converse` does not think unless asked. Llama and Qwen2.5 do not reason, and an R1 distill always does.',
      },
      {
        param: "reasoning_effort",
        label: '`reasoning_effort` `"low"` … `"max"`',
        value: "low",
        marks: { template: "ignored", openai: "✓", converse: "✓" },
      },
    ],
  },
  {
    name: "Service and bookkeeping",
    rows: [
      {
        param: "service_tier",
        label: '`service_tier` `"flex"`',
        value: "flex",
        noop: "auto",
        marks: { template: "400", openai: "400", converse: "✓" },
        note: '`service_tier`: `"auto"` and `"default"` are accepted everywhere; an imported model has no other tier, and `converse` sends a tier the model has as Bedrock\'s `serviceTier` ([service tiers](#service-tiers)).',
      },
      { param: "store", label: "`store: true`", value: true, noop: false, marks: REFUSED },
      { param: "metadata", value: { team: "search" }, marks: IGNORED },
      { param: "user", value: "user-42", marks: IGNORED },
      { param: "safety_identifier", value: "user-42-hash", marks: IGNORED },
      { param: "prompt_cache_key", value: "greetings", marks: IGNORED },
      { param: "prompt_cache_retention", value: "24h", marks: IGNORED },
      { param: "prompt_cache_options", value: { mode: "explicit" }, marks: IGNORED },
      { param: "web_search_options", value: {}, marks: REFUSED },
      { param: "moderation", value: { model: "omni-moderation-latest" }, noop: null, marks: REFUSED },
    ],
  },
  {
    name: "Bedrock's and vLLM's own (not OpenAI's)",
    extensions: true,
    rows: [
      { param: "top_k", value: 20, marks: ALL },
      {
        param: "chat_template_kwargs",
        label: "`chat_template_kwargs` `enable_thinking`",
        value: { enable_thinking: false },
        marks: { template: "400", qwen3: "✓", openai: "✓", converse: "400" },
        note: "`chat_template_kwargs`: a variable the model's chat template reads is passed to it (`qwen3`'s `enable_thinking`, which the `openai` route passes too); another is a 400 ([template variables](SECURITY.md#template-variables)).",
      },
      { param: "structured_outputs", value: { choice: ["yes", "no"] }, noop: null, marks: OPENAI_FORMATS },
      {
        param: "prompt_logprobs",
        value: 1,
        noop: null,
        marks: { template: "400", openai: "✓", converse: "400" },
      },
    ],
  },
];

/** The mark `row` has on a route, on a template route's wire format when it is one. */
export function markOf(row: ParameterRow, route: string, wire?: "openai_completion"): Mark {
  const { marks } = row;
  if (route === "openai" || route === "converse") return marks[route];
  const onBedrockCompletion = marks[route as TemplateRoute] ?? marks.template;
  return wire === "openai_completion" ? (marks.openai_completion ?? onBedrockCompletion) : onBedrockCompletion;
}

/** The column a route and wire format fall in. */
export function columnOf(route: string, wire?: "openai_completion"): Column {
  return wire === "openai_completion" ? "openai_completion" : (route as Column);
}

const TEMPLATE_COLUMNS: readonly TemplateRoute[] = ["deepseek_r1", "llama", "qwen3", "qwen2"];
const SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹";

/** The library reference's table, then its notes. */
export function parameterTable(): string {
  const notes: string[] = [];
  const header = [
    "parameter",
    ...TEMPLATE_COLUMNS.map((route) => `\`${route}\``),
    '`wire_format: "openai_completion"`',
    "`openai`",
    "`converse`",
  ];
  const lines = [header, header.map(() => ":-:")];
  lines[1]![0] = "---";
  for (const group of PARAMETER_GROUPS) {
    lines.push([`**${group.name}**`, ...header.slice(1).map(() => "")]);
    for (const row of group.rows) {
      let label = row.label ?? `\`${row.param}\``;
      if (row.note) {
        notes.push(row.note);
        label += SUPERSCRIPTS[notes.length - 1];
      }
      const onTemplates = TEMPLATE_COLUMNS.map((route) => markOf(row, route));
      const onOpenAICompletion = TEMPLATE_COLUMNS.map((route) => markOf(row, route, "openai_completion"));
      const same = onOpenAICompletion.every((mark) => mark === onOpenAICompletion[0]);
      lines.push([
        label,
        ...onTemplates,
        same ? onOpenAICompletion[0]! : "as `bedrock_completion`",
        row.marks.openai,
        row.marks.converse,
      ]);
    }
  }
  const table = lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
  return `${table}\n\n${notes.map((note, i) => `${SUPERSCRIPTS[i]} ${note}`).join("\\\n")}`;
}

// `npx tsx test/helpers/parameter-matrix.ts` prints the table and its notes, for docs/LIBRARY-REFERENCE.md.
if (import.meta.url === `file://${process.argv[1]}`) console.log(parameterTable());
