// Converse document blocks, checked as Bedrock documents them (API reference: DocumentBlock) and
// answers them: a format of its list, a name of its characters (1 to 200, no two whitespace in a
// row) and unique in the request, at most five documents of at most 4.5 MB, and a text block in
// the same message. The sentences are Bedrock's where they are known (the name, the count and the
// duplicate name, as clients have reported them); the text-block rule's is the emulator's own.
// The answer does not read the documents. Pure.

import { contentKindProblem } from "./converse-model-features.ts";
import type { ConverseTarget } from "./converse-model-id.ts";
import { constraint, isRecord } from "./request-checks.ts";

const FORMATS = ["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"];
const MAX_DOCUMENTS = 5;
// "4.5 MB", read as decimal megabytes (the stricter reading).
const MAX_DOCUMENT_BYTES = 4_500_000;
const MAX_NAME_CHARS = 200;
// Alphanumerics, whitespace (never two in a row), hyphens, parentheses and square brackets.
const NAME = /^[A-Za-z0-9\s()[\]-]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const NAME_RULE =
  "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character. Check that the file name conforms to these restrictions and retry your request.";
const DUPLICATE_NAME = "Messages can't contain duplicate document names. Rename the document and retry your request.";
const TOO_MANY = `You can't include more than ${MAX_DOCUMENTS} documents in a request.`;

/** The request's documents so far: their names, and whether the message being read has one. */
export interface DocumentCount {
  names: Set<string>;
  inMessage: boolean;
}

export function documentCount(): DocumentCount {
  return { names: new Set(), inMessage: false };
}

/** The complaint about a document block at `path` (`messages.1.member.content.2.member.document`), or undefined. */
export function checkDocument(value: unknown, path: string, count: DocumentCount): string | undefined {
  if (!isRecord(value)) return constraint(path, value, "Member must not be null");
  const { format, name, source } = value;
  if (typeof format !== "string" || !FORMATS.includes(format)) {
    return constraint(`${path}.format`, format, `Member must satisfy enum value set: [${FORMATS.join(", ")}]`);
  }
  if (typeof name !== "string") return constraint(`${path}.name`, name, "Member must not be null");
  if (name.length < 1) return constraint(`${path}.name`, name, "Member must have length greater than or equal to 1");
  if (name.length > MAX_NAME_CHARS) {
    return constraint(`${path}.name`, name, `Member must have length less than or equal to ${MAX_NAME_CHARS}`);
  }
  if (!NAME.test(name) || /\s\s/.test(name)) return NAME_RULE;
  const problem = sourceProblem(source, `${path}.source`);
  if (problem) return problem;
  if (count.names.size >= MAX_DOCUMENTS) return TOO_MANY;
  if (count.names.has(name)) return DUPLICATE_NAME;
  count.names.add(name);
  count.inMessage = true;
  return undefined;
}

function sourceProblem(source: unknown, path: string): string | undefined {
  if (!isRecord(source)) return constraint(path, source, "Member must not be null");
  if (source.bytes === undefined)
    return `${path}: the emulator accepts document bytes only, not s3Location, text or content.`;
  const bytes = source.bytes;
  if (typeof bytes !== "string" || bytes.length === 0 || bytes.length % 4 !== 0 || !BASE64.test(bytes)) {
    return `${path}.bytes: expected the document as base64 (in JSON, a blob is a base64 string).`;
  }
  const size = (bytes.length / 4) * 3 - (bytes.endsWith("==") ? 2 : bytes.endsWith("=") ? 1 : 0);
  if (size > MAX_DOCUMENT_BYTES) {
    return `The document at ${path} is ${size} bytes. Each document's size must be no more than 4.5 MB.`;
  }
  return undefined;
}

// The feature table's "Document chat" column says No for Nova Micro, Titan Text Premier ("Yes
// (except Titan Text Premier)") and AI21 Jamba-Instruct. Ids that name no foundation model, and
// serve none the emulator is told of, are not checked. The words are the emulator's, as for images
// (no report gives Bedrock's).
const NO_DOCUMENT_CHAT = /^(?:amazon\.nova-micro|amazon\.titan-text-premier|ai21\.jamba-instruct)/;

/** The refusal of a document block sent to a model AWS documents without document chat. */
export function documentChatProblem(target: ConverseTarget, body: Record<string, unknown>): string | undefined {
  return contentKindProblem(target, body, NO_DOCUMENT_CHAT, "document");
}

/**
 * After message `index` (0-based) is read: its documents need a text block beside them. Resets
 * the message's mark for the next one.
 */
export function documentsProblem(count: DocumentCount, index: number, hasTextBlock: boolean): string | undefined {
  const hadDocument = count.inMessage;
  count.inMessage = false;
  if (!hadDocument || hasTextBlock) return undefined;
  return `The message at messages.${index} contains a document but no text block. Add a text content block to the message that holds the document and retry your request.`;
}
