// A Converse tool call's arguments: its toolUse `input` as Bedrock's answer writes it, so that the
// values reach the client as the model wrote them (an id beyond 2^53, 1e400, 1.10), as they do
// in ConverseStream's fragments. Parsed with the answer and written again, they would not
// (json-text.ts). The spacing is Bedrock's, which may differ from the stream's.
import { elementTexts, memberText } from "../json-text.ts";

/**
 * Reads, on first use, the text of each content block's `toolUse.input` in the answer's body
 * (`text`, as Bedrock wrote it): by the block's index in `output.message.content`, undefined where
 * there is none, or when it cannot be read (no text given, or nesting past the depth limit). An
 * answer without tool calls is never scanned.
 */
export function writtenInputs(text: string | undefined): (block: number) => string | undefined {
  let inputs: Array<string | undefined> | undefined;
  return (block) => {
    inputs ??= text === undefined ? [] : inputTexts(text);
    return inputs[block];
  };
}

function inputTexts(body: string): Array<string | undefined> {
  const content = ["output", "message", "content"].reduce<string | undefined>(
    (text, key) => (text === undefined ? undefined : memberText(text, key)),
    body,
  );
  const blocks = content === undefined ? undefined : elementTexts(content);
  return (blocks ?? []).map((block) => {
    const toolUse = memberText(block, "toolUse");
    return toolUse === undefined ? undefined : memberText(toolUse, "input");
  });
}

/**
 * A call's arguments: "{}" for no input (as a stream says of a call that sent none), else the input
 * as written (`written`), or written again when its text could not be read. The answer carries it
 * as a JSON string, so its quotes and backslashes are escaped once more: up to twice the bytes
 * Bedrock sent (MAX_JSON_ANSWER_BYTES bounds those, not the answer: amplify48b #3).
 */
export function toolArguments(input: unknown, written: string | undefined): string {
  if (input === undefined || input === null) return "{}";
  return written ?? JSON.stringify(input);
}
