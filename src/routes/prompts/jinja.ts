// A model's own `chat_template` (the Jinja string of its tokenizer_config.json), compiled with
// @huggingface/jinja. The engine is imported on first use, so bundles that never compile a custom
// template do not carry it.

import { invalidRequest } from "../../errors.ts";
import type { ChatMessage, ToolCall } from "../../openai/types.ts";
import type { PromptInput, PromptRenderer } from "../types.ts";
import { type ContentFormat, detectContentFormat, testsContentForNone } from "./content-format.ts";
import { STRIP_CALL, rewriteStripCalls, stripCall } from "./jinja-strip.ts";
import { type ImageHandling, imageRefused, joinContent, parseArgumentsObject } from "./messages.ts";

export interface SpecialTokens {
  bos_token?: string | undefined;
  eos_token?: string | undefined;
}

/**
 * Compiles `source` once; the returned renderer can be cached and called for every request.
 * The template sees what `apply_chat_template` passes: `messages`, `tools` (null when none),
 * `documents` (null), `add_generation_prompt: true`, the special tokens and the request's
 * `chat_template_kwargs` (only those the model lets a request set reach here: template-variables.ts).
 * Content given as parts reaches a template that loops over them as parts, and any other
 * template as one string (content-format.ts). A syntax error is a 400 on `chat_template`, a
 * render the template refuses a 400 on `messages`.
 */
export async function compileChatTemplate(source: string, specialTokens: SpecialTokens = {}): Promise<PromptRenderer> {
  const { Template } = await import("@huggingface/jinja");
  let template: InstanceType<typeof Template>;
  try {
    template = new Template(source);
  } catch (error) {
    throw invalidRequest(`chat_template is not a valid Jinja template: ${describe(error)}`, "chat_template");
  }
  const contentFormat = detectContentFormat(template.parsed);
  const noContent = testsContentForNone(template.parsed) ? null : "";
  // After the tree is read as written: `strip('\n')` strips newlines only, as in Python.
  rewriteStripCalls(template.parsed);

  const tokens = withoutUndefined({ bos_token: specialTokens.bos_token, eos_token: specialTokens.eos_token });
  return (input: PromptInput): string => {
    // A request may be rendered a dozen times (a parts list retried, a failing message searched
    // for, images checked): its messages are converted once for each content handling, their
    // tool-call arguments parsed once in all, and only the image-less copies of the messages
    // checked are made again (parsing the arguments on every render cost 4-5 times as much with
    // nine images: review perreq43 #3).
    const toolCalls = input.messages.map((message) =>
      message.role === "assistant" ? message.tool_calls?.map(toHuggingFaceToolCall) : undefined,
    );
    const convert = (message: ChatMessage, index: number, content: ContentHandling) =>
      toHuggingFaceMessage(message, index, contentFormat, { content, noContent }, toolCalls[index]);
    const converted = new Map<ContentHandling, Record<string, unknown>[]>();
    const messagesAs = (content: ContentHandling): Record<string, unknown>[] => {
      let messages = converted.get(content);
      if (!messages) {
        messages = input.messages.map((message, index) => convert(message, index, content));
        converted.set(content, messages);
      }
      return messages;
    };
    // The server's own variables come last: no kwarg can stand in for them.
    // `imageless`: the messages given without their images, to see whether the template wrote them.
    // `count`: the first messages only, to find the one a failing render fails at.
    const contextWith = (
      content: ContentHandling,
      imageless?: ReadonlySet<number>,
      count = input.messages.length,
    ): Record<string, unknown> => ({
      ...input.kwargs,
      ...tokens,
      messages: messagesAs(content)
        .slice(0, count)
        .map((message, index) =>
          imageless?.has(index) ? convert(withoutImages(input.messages[index]!), index, content) : message,
        ),
      tools: input.tools && input.tools.length > 0 ? input.tools : null,
      documents: null,
      add_generation_prompt: true,
      [STRIP_CALL]: stripCall,
    });
    const render = (context: Record<string, unknown>): Rendered => {
      try {
        const prompt = template.render(context);
        return partsWritten(prompt, input) ? { failure: PARTS_AS_TEXT } : { prompt, context };
      } catch (error) {
        return { failure: describe(error) };
      }
    };
    let handling: ContentHandling = "as-sent";
    let rendered = render(contextWith(handling));
    // A template that loops over parts may take only parts (Llama 3.2 Vision's loops over every
    // message's content): then it gets them as vLLM hands them over, every content a list. Not
    // first: a template that writes some roles' content as text (`'[INST]' + content`) would
    // write the list's JSON, which Python's Jinja refuses and @huggingface/jinja does not.
    if ("failure" in rendered && contentFormat === "openai") {
      const lists = render(contextWith("lists"));
      // Its own failure says more when the first one was only a string or null looped over.
      if ("prompt" in lists || CONTENT_SHAPE.test(rendered.failure)) {
        rendered = lists;
        handling = "lists";
      }
    }
    if ("failure" in rendered) {
      // Usually the template refusing the conversation (raise_exception): the request's messages.
      // Where a shorter run of them first fails the same way is told as that, not as the cause: a
      // template may refuse a run for how it ends (an assistant turn last), which a longer run
      // ending otherwise would not be refused for.
      const { failure } = rendered;
      const at = failingMessage(input, failure, (count) => render(contextWith(handling, undefined, count)));
      const where =
        at === undefined ? "" : ` (the messages up to messages[${at}] are refused so already, those before it are not)`;
      throw invalidRequest(`The model's chat_template refused to render this request: ${failure}${where}`, "messages");
    }
    const { prompt, context } = rendered;
    if (joinsMappingToText(prompt, context)) {
      throw invalidRequest(
        "chat_template failed to render: it joins a mapping (such as parsed tool-call arguments) to text with `+`, " +
          "which Python's Jinja refuses; for DeepSeek-R1-Distill models use the built-in deepseek_r1 template.",
        "chat_template",
      );
    }
    if (contentFormat === "openai") {
      refuseUnwrittenImages(prompt, input, (indexes) => render(contextWith(handling, indexes)));
    }
    return prompt;
  };
}

/**
 * The text a template writes as it is: its string literals and the raw text between its tags
 * (where its special tokens are spelled). Empty for a template that does not parse, which
 * compileChatTemplate reports.
 */
export async function chatTemplateLiterals(source: string): Promise<string[]> {
  const { tokenize } = await import("@huggingface/jinja");
  try {
    return tokenize(source)
      .filter((token) => token.type === "Text" || token.type === "StringLiteral")
      .map((token) => token.value);
  } catch {
    return [];
  }
}

/**
 * The names a template reads as variables: each identifier it writes, but an attribute's
 * (`message.content`). Its keywords and its own loop and `set` names are among them, harmlessly:
 * the list is only asked whether it holds a variable the server may set (template-variables.ts).
 * Empty for a template that does not parse, which compileChatTemplate reports.
 */
export async function chatTemplateVariables(source: string): Promise<string[]> {
  const { tokenize } = await import("@huggingface/jinja");
  try {
    return tokenize(source)
      .filter((token, index, tokens) => token.type === "Identifier" && tokens[index - 1]?.type !== "Dot")
      .map((token) => token.value);
  } catch {
    return [];
  }
}

/**
 * The message a failed render fails at: the last of the shortest leading run of messages whose
 * render fails as the whole did, found by halving and confirmed by the run one message shorter
 * rendering. Undefined when that cannot be told (the template fails with no messages, or
 * differently on a shorter run) or would cost too much: each try renders again with the whole
 * context but the messages left out (the engine converts all of it, the offered tools too, on
 * every render), so a request whose context's JSON over the tries is past LOCATED_MESSAGE_CHARS is
 * not searched. Counting only the messages let 128 large tools through 12 renders: 2 MB, 1.2 to
 * 1.8 s of workerd CPU before the 400 (review perreq43 #2).
 */
function failingMessage(
  input: PromptInput,
  failure: string,
  renderFirst: (count: number) => Rendered,
): number | undefined {
  const { messages } = input;
  const tries = Math.ceil(Math.log2(messages.length + 1)) + 1;
  const contextChars = JSON.stringify([messages, input.tools ?? null, input.kwargs]).length;
  if (contextChars * tries > LOCATED_MESSAGE_CHARS) return undefined;
  const fails = (count: number) => {
    const rendered = renderFirst(count);
    return "failure" in rendered && rendered.failure === failure;
  };
  // The shortest run that fails lies in (low, high]: the whole fails.
  let low = 0;
  let high = messages.length;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fails(middle)) high = middle;
    else low = middle;
  }
  return "prompt" in renderFirst(high - 1) ? high - 1 : undefined;
}

const LOCATED_MESSAGE_CHARS = 1_000_000;

/** Images given to a template that reads content as text: it has nowhere to put them. */
const TEXT_ONLY: ImageHandling = {
  refuseAs: "this model's chat_template (it reads content as text, never looping over a message's parts)",
};

/**
 * A template that loops over parts can still write nothing for an image (one that writes only
 * `p.type == 'text'` parts): the model would get bytes its prompt never mentions. The images are
 * taken out, as vLLM's placeholders would be missing: first all of them at once, then each
 * message's in turn, for a few messages that hold any (messagesToCheck); a prompt unchanged by it
 * never held them, and is the 400 a text-reading template gets. A render that fails without them
 * tells nothing, and is let be.
 */
function refuseUnwrittenImages(
  prompt: string,
  input: PromptInput,
  renderWithout: (indexes: ReadonlySet<number>) => Rendered,
): void {
  const { messages } = input;
  const holding = messages.flatMap((message, index) => (withoutImages(message) === message ? [] : [index]));
  if (holding.length === 0) return;
  const unwritten = (indexes: ReadonlySet<number>) => {
    const without = renderWithout(indexes);
    return "prompt" in without && without.prompt === prompt;
  };
  if (unwritten(new Set(holding))) throw imageRefused(holding[0]!, WRITES_NO_IMAGE);
  if (holding.length === 1) return;
  for (const index of messagesToCheck(holding, prompt.length + convertedChars(input))) {
    if (unwritten(new Set([index]))) throw imageRefused(index, WRITES_NO_IMAGE);
  }
}

/**
 * Each check renders the whole conversation again, so checking every message would cost the
 * square of a request's size (800 one-image messages took 17 s in cpucost8). A template that
 * writes some messages' images and not others' is rare (one that keeps only the last turn's):
 * at most eight messages are checked, spread from the first to the last, and only as many as
 * CHECKED_PROMPT_CHARS of what a render costs allows: its prompt, and what the engine converts
 * whether the template writes it or not (convertedChars). A 40,000-message conversation rendered
 * ten times took 4.5 s in codereview23; 25 calls' dense arguments, unwritten by Qwen2-VL's
 * template, 200-260 ms with nine images in perreq43. Others such a template leaves out go unnoticed.
 */
function messagesToCheck(holding: readonly number[], renderChars: number): number[] {
  const count = Math.min(MAX_MESSAGES_CHECKED, holding.length, Math.floor(CHECKED_PROMPT_CHARS / renderChars));
  if (count >= holding.length) return [...holding];
  if (count <= 1) return count === 1 ? [holding[0]!] : [];
  return Array.from({ length: count }, (_, k) => holding[Math.round((k * (holding.length - 1)) / (count - 1))]!);
}

/**
 * The request's tool-call arguments and tools, as text: on every render the engine converts them
 * into its own values whole, whether or not the template writes them.
 */
function convertedChars(input: PromptInput): number {
  let chars = input.tools && input.tools.length > 0 ? JSON.stringify(input.tools).length : 0;
  for (const message of input.messages) {
    if (message.role !== "assistant") continue;
    for (const call of message.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}

const MAX_MESSAGES_CHECKED = 8;
const CHECKED_PROMPT_CHARS = 1_000_000;

const WRITES_NO_IMAGE = "this model's chat_template (it loops over a message's parts but writes nothing for an image)";

/** The message without its image parts; the same object when it has none. */
function withoutImages(message: ChatMessage): ChatMessage {
  if (message.role !== "user" || !Array.isArray(message.content)) return message;
  const content = message.content.filter((part) => part.type !== "image_url");
  return content.length === message.content.length ? message : { ...message, content };
}

/** A template that loops over parts gets content as it was sent, or (when it takes only parts) always as a list. */
type ContentHandling = "as-sent" | "lists";

type Rendered = { prompt: string; context: Record<string, unknown> } | { failure: string };

const PARTS_AS_TEXT =
  "it joins a message's content parts to text with `+`, which Python's Jinja refuses. Send that message's content as a string.";
// What the engine says when a template loops over a string or a null content.
const CONTENT_SHAPE = /^Expected iterable or object type in for loop: got (?:StringValue|NullValue)/;

/**
 * Whether a message's parts were written as text (`'[INST]' + content`), which Python's Jinja
 * refuses and @huggingface/jinja writes as their JSON: `{"type": "text", "text": "` in the prompt,
 * but where JSON puts a value (a list's or an object's `tojson`: after `[`, `, ` or `": `), and
 * unless the request's own text holds it (a message, a tool's description). One pass over the prompt.
 */
function partsWritten(prompt: string, input: PromptInput): boolean {
  for (let at = prompt.indexOf(MADE_PART); at >= 0; at = prompt.indexOf(MADE_PART, at + 1)) {
    const jsonValue = prompt[at - 1] === "[" || prompt.endsWith(", ", at) || prompt.endsWith('": ', at);
    if (!jsonValue) return !JSON.stringify([input.messages, input.tools, input.kwargs]).includes(MADE_PART_QUOTED);
  }
  return false;
}

const MADE_PART = '{"type": "text", "text": "';
const MADE_PART_QUOTED = '{\\"type\\": \\"text\\"';

/**
 * A message as Hugging Face templates expect it: OpenAI's shape, `developer` as `system`, and
 * the tool calls given, made once per request (toHuggingFaceToolCall: arguments parsed to an
 * object when they are a JSON object). For a template that loops over content parts (`openai`),
 * an image part is `{type: "image"}`, what such templates test for, as vLLM hands it over; with
 * `lists`, every content is a list of parts, as vLLM's are too (a string as one text part, none
 * as an empty list). Any other template gets text: parts joined as for the built-in templates
 * (messages.ts), and a missing or null assistant content as `noContent` ("", or null for a
 * template that tests it for none: testsContentForNone).
 */
function toHuggingFaceMessage(
  message: ChatMessage,
  index: number,
  format: ContentFormat,
  { content, noContent }: { content: ContentHandling; noContent: "" | null },
  toolCalls: Record<string, unknown>[] | undefined,
): Record<string, unknown> {
  const plain = withoutUndefined({ ...message });
  if (message.role === "developer") plain.role = "system";
  if (format === "openai") plain.content = content === "lists" ? asParts(message.content) : withImages(message.content);
  else if (Array.isArray(message.content)) plain.content = joinContent(message.content, index, TEXT_ONLY);
  if (message.role === "assistant") {
    plain.content ??= format === "string" ? noContent : null;
    if (toolCalls !== undefined) plain.tool_calls = toolCalls;
  }
  return plain;
}

function withImages(content: ChatMessage["content"]): ChatMessage["content"] | unknown[] {
  return Array.isArray(content) ? asParts(content) : content;
}

function asParts(content: ChatMessage["content"]): unknown[] {
  if (content == null) return [];
  if (typeof content === "string") return [{ type: "text", text: content }];
  // Made anew, as vLLM makes them: what else a client put on a part (`"image": null`) is not the template's to read.
  return content.map((part) =>
    part.type === "image_url" ? { type: "image" } : part.type === "text" ? { type: "text", text: part.text } : part,
  );
}

function toHuggingFaceToolCall(call: ToolCall): Record<string, unknown> {
  const parsed = parseArgumentsObject(call.function.arguments);
  return {
    ...call,
    function: { ...call.function, arguments: parsed ?? call.function.arguments },
  };
}

/**
 * @huggingface/jinja turns `"text" + mapping` into `"text[object Map]"` where Python raises a
 * TypeError (the DeepSeek-R1-Distill template does this with tool-call arguments): treat it as
 * the render error it is, unless the request itself carried that text.
 */
function joinsMappingToText(prompt: string, context: Record<string, unknown>): boolean {
  return prompt.includes("[object Map]") && !JSON.stringify(context).includes("[object Map]");
}

function withoutUndefined(object: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
