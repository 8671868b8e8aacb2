// Turn forgery: a tokenizer turns the text `<|im_start|>` into Qwen's real control token wherever
// it appears in a prompt, so a user message, a tool result (third-party text) or a tool
// description that contains a family's special tokens can close its own turn and open a system or
// assistant one. The `special_tokens` model setting ("escape", the default) neutralises every
// special token in the text a request brings, before any template sees it; "keep" leaves the text
// byte for byte as sent.
//
// The neutralisation: TOKEN_BREAK (U+200B ZERO WIDTH SPACE) after the token's first character.
// - Tokenizers split special and added tokens out of the raw text, before normalisation (Hugging
//   Face tokenizers match them as exact strings, which vLLM uses), so one extra character inside
//   the string is enough: it can no longer become the token.
// - The characters stay: the model reads `<`, a zero-width space, `|im_start|>` as ordinary text
//   and can still quote or discuss the string; people reading logs see it unchanged.
// - Not a look-alike substitution: a look-alike of one family's token can be another's (DeepSeek
//   spells its tokens with U+FF5C, the fullwidth look-alike of `|`).
// - U+200B has no Unicode decomposition: NFC and NFKC normalisers (Qwen's is NFC) keep it.

import { type BedrockEdgeError, invalidRequest, shownText } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import { BACKSLASH, QUOTE } from "../../openai/json-chars.ts";
import type { ChatCompletionRequest, ChatMessage, ToolCall } from "../../openai/types.ts";
import type { ModelSettingValues } from "../../model-settings.ts";
import { MAX_TOKEN_BREAKS } from "../../request-bounds.ts";
import type { Route } from "../types.ts";
import { rememberSentTools } from "../sent-tools.ts";
import { BUILT_IN_SPECIAL_TOKENS } from "./special-tokens.ts";
import { kwargsParam, shownKwargsName } from "../template-variables.ts";
import { THINK_CLOSE, THINK_OPEN } from "./think-tags.ts";

export const TOKEN_BREAK = "\u200B";

/**
 * Neutralises the special tokens in one text; returns the text itself when it has none.
 * `followedByText`: a prompt has more request text right after it (a text part the next part's
 * text joins), not a template's own, so the opening rule (tokenNeutraliser) is not for it.
 * `budget`: the request's breaks left, each break taken from it (neutraliseRequest).
 */
export type TokenNeutraliser = (text: string, followedByText?: true, budget?: BreakBudget) => string;

/**
 * The breaks a request has left (MAX_TOKEN_BREAKS in all), and the field being read, which the
 * refusal names: `field` in its message, `param` as its param. Each break costs CPU to make, and
 * the text holding it is read at two bytes a character from there on (V8 holds U+200B so): a
 * request made of tokens is refused at the bound.
 */
export interface BreakBudget {
  left: number;
  field: string;
  param: string;
}

export interface RequestNeutraliser {
  /** For all request text. */
  text: TokenNeutraliser;
  /** For an assistant message's content: keeps the tokens the templates read there (think tags). */
  assistantContent: TokenNeutraliser;
}

/**
 * The shapes nearly every chat model's control tokens take, for tokenizers this library does not
 * know (a custom chat_template's, the openai route's): `<|…|>` (Llama 3, Qwen, Phi, GPT-OSS,
 * Command R) and DeepSeek's `<｜…｜>`. Each is written as what follows its `<`.
 */
const TOKEN_SHAPES = ["\\|[^|<>\\s]{1,64}\\|>", "｜[^｜<>\\s]{1,64}｜>"];

interface TrieNode {
  children: Map<string, TrieNode>;
  /** A token ends here. */
  end: boolean;
}

function trieNode(): TrieNode {
  return { children: new Map(), end: false };
}

function childOf(node: TrieNode, char: string): TrieNode {
  let child = node.children.get(char);
  if (!child) {
    child = trieNode();
    node.children.set(char, child);
  }
  return child;
}

// Escapes for a `u`-flag pattern, which refuses escapes of anything but syntax characters.
function escapeCodePoint(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/u.test(char) ? `\\${char}` : char;
}

/**
 * A pattern for "one of the texts in this trie starts here"; `exact`: "…and ends the text here
 * too", each branch ending where a text does (the pattern is followed by `$`).
 */
function trieSource(node: TrieNode, exact: boolean): string {
  // In a lookahead a token that ends here already matches: longer ones add nothing.
  if (node.end && !exact) return "";
  const branches = [...node.children].map(([char, child]) => escapeCodePoint(char) + trieSource(child, exact));
  if (node.end) branches.push("");
  return branches.length === 1 ? branches[0]! : `(?:${branches.join("|")})`;
}

/**
 * The openings of the `<|…|>` and `<｜…｜>` shapes, written as what follows the `<`: the name
 * without its closing pair (`<|im_end`) or without only its last character (`<|im_end|`).
 */
const OPENING_SHAPES = ["\\|[^|<>\\s]{1,64}\\|?", "｜[^｜<>\\s]{1,64}｜?"];
/** How far from its end a text can hold an opening of a shape: `<|`, 64 code points, `|`. */
const SHAPE_OPENING_UNITS = 2 + 64 * 2 + 1;

/**
 * A token's openings: the token without the punctuation that closes it (`|>`, `｜>`, `>`, `]`),
 * or without only the end of that, so long as what is left holds a letter or digit.
 *
 * Why at a string's end: a template may write its own text right after a client's string, and
 * a string that ends in an opening becomes the whole token when that text closes it. Qwen3-Coder
 * writes `'<parameter=' + name + '>'` and `'<function=' + name + '>'`, so a key or a function
 * name ending in `<|im_end|` gives `<|im_end|>`; a template writing `'<|' + name + '|>'` would
 * close `<|im_end` as well. The text a template writes there closes its own tag: punctuation. To
 * make a token of a shorter start (`<`, `<|`, `</tool_`), it would have to spell the token's name
 * itself, which is the operator's template writing that token, so those stay, as ordinary text
 * ending in `<` does. An opening anywhere but at the end is followed by the client's own text.
 */
function openings(token: string): string[] {
  const chars = Array.from(token);
  const out: string[] = [];
  for (let end = chars.length - 1; end > 0 && !/[\p{L}\p{N}]/u.test(chars[end]!); end--) {
    const opening = chars.slice(0, end);
    if (opening.some((char) => /[\p{L}\p{N}]/u.test(char))) out.push(opening.join(""));
  }
  return out;
}

function addToTrie(root: TrieNode, chars: Iterable<string>): void {
  let node = root;
  for (const char of chars) node = childOf(node, char);
  node.end = true;
}

/**
 * A pattern matching the first character of each text in the trie (and of `shapes`, written as
 * what follows their `<`), as that character and a lookahead for the rest and then `end`;
 * undefined when there is none.
 */
function firstCharacters(root: TrieNode, shapes: readonly string[], end: "" | "$"): RegExp | undefined {
  const lookaheads = new Map<string, string[]>();
  for (const [first, node] of root.children) lookaheads.set(first, [trieSource(node, end === "$")]);
  if (shapes.length) lookaheads.set("<", [...(lookaheads.get("<") ?? []), ...shapes]);
  if (lookaheads.size === 0) return undefined;
  return new RegExp(
    [...lookaheads].map(([first, rests]) => `${escapeCodePoint(first)}(?=(?:${rests.join("|")})${end})`).join("|"),
    "gu",
  );
}

export interface NeutraliserOptions {
  /** Also break the `<|…|>` and `<｜…｜>` shapes (TOKEN_SHAPES). */
  shapes: boolean;
  /** Also break a token's opening at a text's end (`openings`); true unless false. */
  openings?: boolean;
}

/**
 * Inserts TOKEN_BREAK after the first character of every occurrence of each token (and, with
 * `shapes`, of every `<|…|>` or `<｜…｜>`), overlapping occurrences included, so no token is left
 * whole: each occurrence now holds a character that none of the tokens contains. Tokens shorter
 * than two characters cannot be broken and are ignored. Linear in the text: one pattern, a trie
 * of the tokens per first character, each match one character long. An opening of a token that
 * ends the text (`openings`) is broken the same way, read from the text's last characters only,
 * unless `options.openings` is false or request text follows the text (`followedByText`).
 */
export function tokenNeutraliser(tokens: Iterable<string>, options: NeutraliserOptions): TokenNeutraliser {
  const root = trieNode();
  const openingRoot = trieNode();
  let tail = options.shapes ? SHAPE_OPENING_UNITS : 0;
  for (const token of new Set(tokens)) {
    const chars = Array.from(token);
    if (chars.length < 2 || token.includes(TOKEN_BREAK)) continue;
    addToTrie(root, chars);
    for (const opening of openings(token)) {
      addToTrie(openingRoot, opening);
      tail = Math.max(tail, opening.length);
    }
  }
  const pattern = firstCharacters(root, options.shapes ? TOKEN_SHAPES : [], "");
  const opening =
    options.openings === false ? undefined : firstCharacters(openingRoot, options.shapes ? OPENING_SHAPES : [], "$");
  if (!pattern) return (text) => text;
  // Most strings end in plain text: a test for the openings' first characters (`<`, `[`…) spares
  // them the opening pattern, which every string would otherwise pay (overbreak15 #4).
  const openingFirsts = [...openingRoot.children.keys(), ...(options.shapes ? ["<"] : [])];
  const mayOpen = new RegExp(openingFirsts.map(escapeCodePoint).join("|"), "u");
  return (text, followedByText, budget) => {
    const whole = withBreaks(text, pattern, budget);
    if (!opening || followedByText) return whole;
    // A token broken above holds a break: it is no opening here.
    const from = Math.max(0, whole.length - tail);
    const end = whole.slice(from);
    if (!mayOpen.test(end)) return whole;
    const broken = withBreaks(end, opening, budget);
    return broken === end ? whole : whole.slice(0, from) + broken;
  };
}

/** Pieces joined at a time: a text full of tokens is joined as it is read, not held a piece per match. */
const PIECES_PER_JOIN = 8192;

/**
 * `text` with TOKEN_BREAK after each match of `pattern` (one character each). One replace over a
 * text full of tokens held a part per match until its end: 4 MB of `<|im_end|>` took 59 MB of
 * heap where plain text of that size took 16 (memcost9). Each break is taken from `budget`, and
 * the one past it refuses the request there, before the rest of the text is read.
 */
function withBreaks(text: string, pattern: RegExp, budget: BreakBudget | undefined): string {
  pattern.lastIndex = 0;
  let match = pattern.exec(text);
  if (!match) return text;
  const joined: string[] = [];
  let pieces: string[] = [];
  let from = 0;
  for (; match; match = pattern.exec(text)) {
    if (budget && --budget.left < 0) throw tooManyBreaks(budget);
    const end = match.index + match[0].length;
    pieces.push(text.slice(from, end), TOKEN_BREAK);
    from = end;
    if (pieces.length >= PIECES_PER_JOIN) {
      joined.push(pieces.join(""));
      pieces = [];
    }
  }
  pieces.push(text.slice(from));
  joined.push(pieces.join(""));
  return joined.join("");
}

function tooManyBreaks({ field, param }: BreakBudget): BedrockEdgeError {
  return invalidRequest(
    `${field} takes this request past ${MAX_TOKEN_BREAKS} special tokens to break (each with a zero-width space): send fewer. A model whose special_tokens setting is "keep" sends them as written.`,
    param,
    "too_many_special_tokens",
  );
}

/**
 * A neutraliser pair. The think tags stay in assistant content: the templates read them there
 * (Qwen3 and DeepSeek R1 drop the reasoning of earlier answers up to `</think>`), and what they
 * keep of an answer is rendered as the model wrote it.
 */
export function requestNeutraliser(
  tokens: readonly string[],
  thinkTags: readonly string[],
  options: NeutraliserOptions,
): RequestNeutraliser {
  return {
    text: tokenNeutraliser(tokens, options),
    assistantContent: tokenNeutraliser(
      tokens.filter((token) => !thinkTags.includes(token)),
      options,
    ),
  };
}

/** The tags an earlier answer's content keeps (requestNeutraliser). */
export const THINK_TAGS: readonly string[] = [THINK_OPEN, THINK_CLOSE];

/**
 * For every model without a chat_template of its own (whatever its route): the built-in families'
 * tokens and the `<|…|>` / `<｜…｜>` shapes.
 */
const BUILT_IN_NEUTRALISER = requestNeutraliser(BUILT_IN_SPECIAL_TOKENS, THINK_TAGS, { shapes: true });

/**
 * For a prompt a built-in template renders (a route's own, or one the `template` setting names):
 * the same tokens, but a token's opening at a string's end stays as sent. These templates are
 * this library's code, and what they write right after request text is a newline, a quote, a
 * `}` or one of their own tokens (which begin with `<`), never the `>`, `|>`, `｜>` or `]` that
 * would close it (overbreak15 #1): breaking it there protected nothing and changed the text.
 */
export const BUILT_IN_TEMPLATE_NEUTRALISER = requestNeutraliser(BUILT_IN_SPECIAL_TOKENS, THINK_TAGS, {
  shapes: true,
  openings: false,
});

/**
 * Every string in `value` neutralised, object keys included (a tool's property names are rendered
 * too). The copy's members are own data properties, as JSON.parse made them: assigning a
 * `__proto__` key to `{}` would set the copy's prototype instead, losing the member and letting
 * what the request schema never checked under it be read as inherited fields (inputcost34 #2).
 * Two keys that read the same once broken (`<|eot_id|>` and `<\u200b|eot_id|>`) would be one
 * member, the later silently winning: a 400 naming the object (`path`) instead.
 */
function neutraliseValue(value: unknown, neutralise: TokenNeutraliser, path: string): unknown {
  if (typeof value === "string") return neutralise(value);
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, index) => neutraliseValue(item, neutralise, `${path}[${index}]`));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (isJsonObject(value)) {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
      const safeKey = neutralise(key);
      const safeItem = neutraliseValue(item, neutralise, `${path}.${key}`);
      changed ||= safeKey !== key || safeItem !== item;
      return [safeKey, safeItem];
    });
    if (!changed) return value;
    const out = Object.fromEntries(entries);
    if (Object.keys(out).length < entries.length) {
      throw invalidRequest(
        `${shownText(path, 200, "a path", false)} has two keys that read the same once their special tokens are broken (a zero-width space after a token's first character): rename one.`,
        path.slice(0, 200),
      );
    }
    return out;
  }
  return value;
}

/**
 * The same value with its strings neutralised: strings stay strings and the structure stays, so
 * the type holds. A value without any token is returned as it was (no copy of large requests).
 */
function neutralised<T>(value: T, neutralise: TokenNeutraliser, path: string): T {
  return neutraliseValue(value, neutralise, path) as T;
}

/** What a route does with request text that decides how it is neutralised (routes/types.ts). */
export type NeutralisedFor = Pick<Route, "sendsSignedThinking" | "rendersBuiltInTemplates">;

function neutraliseMessage(
  message: ChatMessage,
  neutraliser: RequestNeutraliser,
  keepsSigned: boolean,
  path: string,
  budget: BreakBudget,
): ChatMessage {
  const answer = message.role === "assistant";
  // The fields neutralised their own way; every other one is text like any other.
  const own: Record<string, unknown> = {};
  // Only an answer's content keeps its think tags, and parts are read together too.
  if (message.content != null && (answer || Array.isArray(message.content))) {
    own.content = partsNeutralised(
      message.content,
      answer ? neutraliser.assistantContent : neutraliser.text,
      `${path}.content`,
    );
  }
  if (answer && Array.isArray(message.tool_calls)) {
    own.tool_calls = message.tool_calls.map((call, index) =>
      toolCallNeutralised(call, neutraliser.text, `${path}.tool_calls[${index}]`, budget),
    );
  }
  // Signed thinking goes back as it came: the signature covers the text, Bedrock checks it (a
  // forged block fails there), and the model that reads it is the one that wrote it.
  const thinking: unknown = (message as { thinking_blocks?: unknown }).thinking_blocks;
  if (answer && keepsSigned && Array.isArray(thinking)) {
    own.thinking_blocks = thinking.map((block: unknown, index) =>
      isJsonObject(block) && typeof block.signature === "string"
        ? block
        : neutraliseValue(block, neutraliser.text, `${path}.thinking_blocks[${index}]`),
    );
  }
  // The copy holds each of those fields (as null), so spreading keeps them where the caller put them.
  const placeholders = Object.fromEntries(Object.keys(own).map((key) => [key, null]));
  const others = neutralised({ ...message, ...placeholders }, neutraliser.text, path);
  return { ...others, ...own } as ChatMessage;
}

function toolCallNeutralised(
  call: ToolCall,
  neutralise: TokenNeutraliser,
  path: string,
  budget: BreakBudget,
): ToolCall {
  const others = neutralised({ ...call, function: { ...call.function, arguments: "" } }, neutralise, path);
  return {
    ...others,
    function: { ...others.function, arguments: argumentsNeutralised(call.function.arguments, neutralise, budget) },
  };
}

/**
 * A tool call's arguments with their special tokens neutralised by what the JSON text means, not
 * only by how it is spelled: every renderer but DeepSeek R1's decodes the arguments (a template's
 * mapping, Converse's toolUse.input, vLLM's json.loads), so `"\u003c|eot_id|>"` and `"<\/tool_call>"`
 * reach a prompt as whole tokens. Each string (keys too) that holds a token, or ends in a token's
 * opening, once decoded gets its breaks where its text needs them, each escape as written; every
 * other byte stays as sent, since the arguments are read as the model wrote them elsewhere (R1
 * writes them raw). The strings are found as JSON spells them, whether or not JSON.parse takes
 * the whole text: Python's json.loads (vLLM, on the openai route) also takes NaN, Infinity and
 * -Infinity and decodes the strings around them. Text JSON.parse refuses is rendered as written
 * by the renderers that use it, so its tokens as written are broken too. `budget`: the
 * request's, which `neutralise` draws on; the pass as written draws on it only where its breaks
 * are kept.
 */
export function argumentsNeutralised(text: string, neutralise: TokenNeutraliser, budget?: BreakBudget): string {
  // Every string is read, escapes or none: one can end in a token's opening that the text as a
  // whole does not (`{"<|im_end|": 1}`).
  const walked = jsonStringsNeutralised(text, neutralise);
  // JSON spells no token outside its strings: what is left spans strings (`"<|","a|>"`), which
  // decode to none, and is broken only in text that no JSON.parse reads. So this pass draws on a
  // copy of the budget, stopping where the request's would, and its breaks are counted only where
  // they are kept (codereview48 #3); the text is parsed only when the pass finds a token.
  const trial = budget && { ...budget };
  let asWritten: string;
  try {
    asWritten = neutralise(walked, undefined, trial);
  } catch (error) {
    if (parsedJson(text) !== undefined) return walked;
    throw error;
  }
  if (asWritten === walked || parsedJson(text) !== undefined) return walked;
  if (budget && trial) budget.left = trial.left;
  return asWritten;
}

/**
 * What JSON.parse makes of the text; undefined when it refuses it (JSON has no undefined): for a
 * string literal, its text, or undefined when it is none (an escape JSON lacks, a control character).
 */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The text with the breaks each string literal needs once decoded put into it as written. The
 * literals are found as JSON spells them, a quote outside one opening one and a backslash
 * escaping the character after it, which needs no valid whole; one that does not decode, or is
 * not closed, stays as written. One pass, each literal decoded once.
 */
function jsonStringsNeutralised(text: string, neutralise: TokenNeutraliser): string {
  const pieces: string[] = [];
  let from = 0;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at)) {
    const start = at;
    let escaped = false;
    for (at++; at < text.length && text.charCodeAt(at) !== QUOTE; at++) {
      if (text.charCodeAt(at) === BACKSLASH) {
        escaped = true;
        at++;
      }
    }
    if (at >= text.length) break;
    at++;
    const decoded = escaped ? (parsedJson(text.slice(start, at)) as string | undefined) : text.slice(start + 1, at - 1);
    if (decoded === undefined) continue;
    const safe = neutralise(decoded);
    if (safe !== decoded) {
      pieces.push(text.slice(from, start), literalWithBreaks(text.slice(start, at), breakIndices(decoded, safe)));
      from = at;
    }
  }
  if (from === 0) return text;
  pieces.push(text.slice(from));
  return pieces.join("");
}

/**
 * A JSON string literal, as written, with TOKEN_BREAK before each unit of its decoded text that
 * `breaks` gives (rising): each escape stays as spelled (`\u00e9`, `\/`, `\u003c`), so the literal
 * changes by its breaks alone, and R1, which renders the arguments as written, reads what the
 * model wrote (overbreak15 #3). The literal decodes: each escape is `\uXXXX` or two characters,
 * one unit of text either way.
 */
function literalWithBreaks(literal: string, breaks: readonly number[]): string {
  let out = "";
  let from = 0;
  // After the opening quote, at the decoded text's first unit.
  let at = 1;
  let unit = 0;
  for (const index of breaks) {
    for (; unit < index; unit++) {
      at += literal.charCodeAt(at) !== BACKSLASH ? 1 : literal[at + 1] === "u" ? 6 : 2;
    }
    out += literal.slice(from, at) + TOKEN_BREAK;
    from = at;
  }
  return out + literal.slice(from);
}

/** Where `broken` (`text` with TOKEN_BREAKs added) has its breaks: the index in `text` of the unit each precedes, rising. */
function breakIndices(text: string, broken: string): number[] {
  const breaks: number[] = [];
  for (let i = 0, j = 0; j < broken.length; j++) {
    if (broken[j] === text[i]) i++;
    else breaks.push(i);
  }
  return breaks;
}

function isTextPart(part: unknown): part is { text: string } {
  return isJsonObject(part) && typeof part.text === "string";
}

/**
 * A content's strings neutralised, and the tokens its text parts make when put together broken
 * too: a vision template writes part after part with nothing between (`<|im_end` + `|>`), and
 * one that skips images brings the parts around an image together. So a text part that another
 * follows ends in that part's text, not in a template's: a token's opening at its end is broken
 * only where it ends the parts' text together (overbreak15 #5). One before an image keeps the
 * rule, as a template may write the image's text there.
 */
function partsNeutralised(content: unknown, neutralise: TokenNeutraliser, path: string): unknown {
  if (!Array.isArray(content)) return neutraliseValue(content, neutralise, path);
  // A text part holds its type and its text alone (the request schema's).
  const joinedText = (text: string) => neutralise(text, true);
  const out = content.map((part: unknown, index) =>
    neutraliseValue(
      part,
      isTextPart(part) && isTextPart(content[index + 1]) ? joinedText : neutralise,
      `${path}[${index}]`,
    ),
  );
  const texts = out.filter(isTextPart);
  const joined = texts.map((part) => part.text).join("");
  const broken = texts.length < 2 ? joined : neutralise(joined);
  if (broken === joined) return out.some((part, index) => part !== content[index]) ? out : content;
  // Each part alone has no token left, so every break the whole needs falls on a token that spans
  // parts, or an opening that ends them.
  const brokenTexts = textsWithBreaks(
    texts.map((part) => part.text),
    breakIndices(joined, broken),
  );
  const parts = new Map<object, object>();
  texts.forEach((part, index) => {
    const text = brokenTexts[index];
    if (text !== undefined) parts.set(part, { ...part, text });
  });
  return out.map((part: unknown) => (isJsonObject(part) ? (parts.get(part) ?? part) : part));
}

/**
 * Each of `texts` that a break falls in, with TOKEN_BREAK put at its breaks; undefined for the
 * others. `breaks`: indices into the texts joined, rising; one where two texts meet goes into the
 * text holding the character before it. Each text and each break is read once (a request may hold
 * 100,000 parts; a pass per part over every break took 11 s there).
 */
export function textsWithBreaks(texts: readonly string[], breaks: readonly number[]): (string | undefined)[] {
  let start = 0;
  let next = 0;
  return texts.map((text) => {
    let head = "";
    let from = 0;
    for (; next < breaks.length; next++) {
      const at = breaks[next]! - start;
      if (at > text.length) break;
      head += text.slice(from, at) + TOKEN_BREAK;
      from = at;
    }
    start += text.length;
    return head === "" ? undefined : head + text.slice(from);
  });
}

/**
 * The request with every text a template can render from it neutralised: the messages (every
 * role and field: content, reasoning, tool calls, names), the tools (names, descriptions,
 * parameters), the forced tool's name and the chat_template_kwargs values. Sampling parameters,
 * stop strings and response_format's and structured_outputs' schemas never reach a prompt and
 * stay as sent, and so does signed thinking on a route that sends it back to models that check its
 * signature (`route`), when every deployment the request may go to is one (`deployments`: it is neutralised before
 * one is chosen; the route is asked with the model's `settings`, which may say what model an id
 * serves). `neutraliser`: the model's own template's, else the built-in families', without the
 * opening rule on a route that renders its built-in templates (`route`). A tool's parameters are
 * rendered into the prompt, so they are neutralised here; but where a forced call's arguments are
 * held to that schema by guided decoding, a broken enum or const value would be the only answer
 * allowed, so the tools as sent are kept beside the request for that, and to give a call's
 * arguments copied from the broken schema the caller's strings back (sent-tools.ts).
 */
export function neutraliseRequest(
  request: ChatCompletionRequest,
  own?: RequestNeutraliser,
  route: NeutralisedFor = {},
  deployments: readonly { modelId: string }[] = [],
  settings?: ModelSettingValues,
): ChatCompletionRequest {
  const chosen = own ?? (route.rendersBuiltInTemplates === true ? BUILT_IN_TEMPLATE_NEUTRALISER : BUILT_IN_NEUTRALISER);
  // One budget for all the request's text, each field named as it is read.
  const budget: BreakBudget = { left: MAX_TOKEN_BREAKS, field: "messages", param: "messages" };
  const counted =
    (neutralise: TokenNeutraliser): TokenNeutraliser =>
    (text, followedByText, own) =>
      neutralise(text, followedByText, own ?? budget);
  const neutraliser: RequestNeutraliser = {
    text: counted(chosen.text),
    assistantContent: counted(chosen.assistantContent),
  };
  // A field holding a client's name (a kwargs variable) is named shortened, as other refusals do.
  const reading = (field: string, shown = field, param = field): string => {
    budget.field = shown;
    budget.param = param;
    return field;
  };
  const keepsSigned =
    deployments.length > 0 &&
    deployments.every(({ modelId }) => route.sendsSignedThinking?.(modelId, settings) === true);
  const out: ChatCompletionRequest = {
    ...request,
    messages: request.messages.map((message, index) =>
      neutraliseMessage(message, neutraliser, keepsSigned, reading(`messages[${index}]`), budget),
    ),
  };
  if (request.tools !== undefined) {
    out.tools = neutralised(request.tools, neutraliser.text, reading("tools"));
    rememberSentTools(out, request.tools);
  }
  if (request.tool_choice !== undefined) {
    out.tool_choice = neutralised(request.tool_choice, neutraliser.text, reading("tool_choice"));
  }
  if (request.chat_template_kwargs !== undefined) {
    // The names are variable names (checked against the template's own after this), not text; own
    // members, so a `__proto__` is one the check refuses like any other name it does not know.
    out.chat_template_kwargs = Object.fromEntries(
      Object.entries(request.chat_template_kwargs).map(([name, value]) => [
        name,
        neutraliseValue(
          value,
          neutraliser.text,
          reading(`chat_template_kwargs.${name}`, shownKwargsName(name), kwargsParam(name)),
        ),
      ]),
    );
  }
  return out;
}

// What a chat template's literals may hold that a tokenizer knows as a special token: the pipe
// shapes above, bracketed markers in capitals (`[INST]`, `[/INST]`, `[TOOL_CALLS]`, GLM's
// `[gMASK]`), and tags whose name is snake_case (`<start_of_turn>`, `<tool_call>`, `<fim_prefix>`),
// which is how tokenizers name the tags they add. A one-word tag (`<name>`, `<tools>`,
// `<IMPORTANT>`, `<function-name>`) is markup the template writes as text, as users' XML and HTML
// are: breaking it there would change their text and protect nothing (overbreak15 #2). The
// one-word tokens are the built-in families' (`<think>`), the configured bos and eos, and the
// start and end tokens that SentencePiece and Gemma tokenizers spell `<s>`, `</s>`, `<bos>`,
// `<eos>`, which a template may write as text where it could name its bos_token and eos_token,
// and a one-word tag written against another token (ONE_WORD_TAG).
const LITERAL_TOKEN =
  /<\/?s>|<[be]os>|<\|[^|<>\s]{1,64}\|>|<｜[^｜<>\s]{1,64}｜>|<\/?(?=\w{3,63}>)[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+>|\[\/?[a-z]?[A-Z][A-Z0-9_]{1,62}\]/gu;

// A one-word tag is a token too where the template writes it against one of those, nothing
// between them, before or after (GLM-4 opens with `[gMASK]<sop>`; `<eop><|user|>`): a template
// strings its tokenizer's tags together, and writes its markup among words and line breaks
// (codereview27 #6). A tag next to a tag of this rule only is still text.
const ONE_WORD_TAG = /<\/?[A-Za-z][A-Za-z0-9]*>/g;

/** The special tokens a chat template names: the token-shaped parts of its literals and raw text. */
export function tokensInTemplateText(texts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    const tokens = [...text.matchAll(LITERAL_TOKEN)];
    // Where tokens start and end: a tag can start or end where one does only against it, or as it.
    const edges = new Set(tokens.flatMap(({ index, 0: token }) => [index, index + token.length]));
    for (const [token] of tokens) found.add(token);
    for (const { index, 0: tag } of text.matchAll(ONE_WORD_TAG)) {
      if (edges.has(index) || edges.has(index + tag.length)) found.add(tag);
    }
  }
  return [...found];
}
