// A plain Converse answer -> the ConverseStream events that would have carried it, for a stream
// the model cannot give (route.streamReplay): the stream mapper then makes the same chunks of it
// as of a real stream. One delta per block: the answer is whole.
import type { BedrockStreamEvent } from "../../eventstream/events.ts";
import { isJsonObject, type JsonObject } from "../../json.ts";
import { toolArguments, writtenInputs } from "./tool-input.ts";

/** The answer's body, parsed, and as Bedrock wrote it (`text`, where the tool calls' inputs are read). */
export function converseAnswerEvents(answer: JsonObject, text?: string): BedrockStreamEvent[] {
  const output = isJsonObject(answer.output) ? answer.output : undefined;
  const message = output && isJsonObject(output.message) ? output.message : undefined;
  // No message: the mapper's end() reports the answer as incomplete, as for a cut stream.
  if (!message || !Array.isArray(message.content)) return [];
  const events: BedrockStreamEvent[] = [{ type: "messageStart", json: { role: "assistant" } }];
  const written = writtenInputs(text);
  message.content.forEach((block, contentBlockIndex) => {
    if (!isJsonObject(block)) return;
    events.push(...blockEvents(block, contentBlockIndex, written));
  });
  events.push({ type: "messageStop", json: { stopReason: answer.stopReason ?? "end_turn" } });
  const metadata: JsonObject = {};
  if (answer.usage !== undefined) metadata.usage = answer.usage;
  if (answer.metrics !== undefined) metadata.metrics = answer.metrics;
  if (answer.serviceTier !== undefined) metadata.serviceTier = answer.serviceTier;
  events.push({ type: "metadata", json: metadata });
  return events;
}

function blockEvents(
  block: JsonObject,
  contentBlockIndex: number,
  written: (block: number) => string | undefined,
): BedrockStreamEvent[] {
  const delta = (value: JsonObject): BedrockStreamEvent => ({
    type: "contentBlockDelta",
    json: { contentBlockIndex, delta: value },
  });
  const stop: BedrockStreamEvent = { type: "contentBlockStop", json: { contentBlockIndex } };
  if (typeof block.text === "string") return [delta({ text: block.text }), stop];
  if (isJsonObject(block.toolUse)) {
    const { toolUseId, name, input } = block.toolUse;
    const start: JsonObject = {};
    if (toolUseId !== undefined) start.toolUseId = toolUseId;
    if (name !== undefined) start.name = name;
    return [
      { type: "contentBlockStart", json: { contentBlockIndex, start: { toolUse: start } } },
      delta({ toolUse: { input: toolArguments(input, written(contentBlockIndex)) } }),
      stop,
    ];
  }
  if (isJsonObject(block.reasoningContent)) return [...reasoningDeltas(block.reasoningContent).map(delta), stop];
  return [];
}

/** Reasoning as the stream sends it: its text, then the signature that closes it; or the redacted bytes. */
function reasoningDeltas(source: JsonObject): JsonObject[] {
  if (typeof source.redactedContent === "string") {
    return [{ reasoningContent: { redactedContent: source.redactedContent } }];
  }
  const reasoning = isJsonObject(source.reasoningText) ? source.reasoningText : {};
  const deltas: JsonObject[] = [];
  if (typeof reasoning.text === "string") deltas.push({ reasoningContent: { text: reasoning.text } });
  if (typeof reasoning.signature === "string") deltas.push({ reasoningContent: { signature: reasoning.signature } });
  return deltas;
}
