// The prompt-carrying body formats by name (the `wire_format` model setting), and what Bedrock's
// refusal of a format means for the caller.
import { type BedrockEdgeError, invalidRequest } from "../../errors.ts";
import { bedrockCompletion } from "./bedrock-completion.ts";
import { openaiCompletion } from "./openai-completion.ts";
import { WIRE_FORMAT_NAMES } from "../setting-names.ts";
import type { TextField, TextRequest, WireFormat, WireFormatName } from "./types.ts";

export const wireFormats: Readonly<Record<WireFormatName, WireFormat>> = {
  bedrock_completion: bedrockCompletion,
  openai_completion: openaiCompletion,
};

/** The format of a model whose settings may name one; BedrockCompletion, which every import speaks, by default. */
export function wireFormatOf(name: WireFormatName | undefined): WireFormat {
  return wireFormats[name ?? "bedrock_completion"];
}

/** The first field of `request` that `format` cannot carry, if any. */
export function uncarriedField(format: WireFormat, request: TextRequest): TextField | undefined {
  for (const [field, value] of Object.entries(request) as Array<[TextField, unknown]>) {
    if (value !== undefined && !format.carries.has(field)) return field;
  }
  return undefined;
}

/** The formats that carry `field`: what a refusal can point to. */
export function formatsCarrying(field: TextField): WireFormatName[] {
  return WIRE_FORMAT_NAMES.filter((name) => wireFormats[name].carries.has(field));
}

/** Why `format` cannot carry `field`, as the rest of a sentence that starts with the field. */
function whyUncarried(field: TextField, format: WireFormat): string {
  if (field === "logprobs" && format.name === "bedrock_completion") {
    return "cannot be returned in Bedrock's completion format, which gives token ids without the tokens";
  }
  if (field === "images") return `cannot be sent in Bedrock's ${format.title} format, which has no images field`;
  return `is not in Bedrock's ${format.title} format`;
}

/**
 * The 400 for a field the model's wire format cannot carry: it names the field, the format, and
 * the wire_format that would carry it.
 */
export function uncarriedRefusal(field: TextField, format: WireFormat, route: string): BedrockEdgeError {
  const other = formatsCarrying(field).find((name) => name !== format.name);
  const fixes = [
    ...(other
      ? [
          `set the model's wire_format to "${other}", which carries it${other === "openai_completion" ? " (imports made after 2025-11-11 speak it)" : ""}`,
        ]
      : []),
    "remove it",
    // An image cannot be dropped: the prompt already holds its placeholder.
    ...(field === "images"
      ? []
      : ["set drop_params: true (in the request, or for the model) to ignore such parameters"]),
  ];
  const what = fixes.length > 2 ? `${fixes.slice(0, -1).join(", ")}, or ${fixes.at(-1)}` : fixes.join(" or ");
  return invalidRequest(
    `${field} ${whyUncarried(field, format)} (route ${route}, wire_format "${format.name}"). ` +
      `${what[0]?.toUpperCase()}${what.slice(1)}.`,
    // Images are parts of the messages.
    field === "images" ? "messages" : field,
    "unsupported_parameter",
  );
}

export { bodyFormat, explainFormatRefusal } from "./refusal.ts";
export type * from "./types.ts";
