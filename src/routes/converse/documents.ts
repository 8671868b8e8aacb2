// OpenAI file parts -> Converse document blocks (API reference: DocumentBlock, Message), checked
// against what Bedrock documents before anything is sent: a format it takes, a name of its
// characters and unique in the request, at most five documents of 4.5 MB each, and a text block
// beside each document in its message. A refusal here is a 400 naming the part; from Bedrock it
// would be a ValidationException that names Converse's fields, not the caller's.
import { invalidRequest, shownText } from "../../errors.ts";
import { fileDataUrlHead } from "../../openai/file-part.ts";
import type { FilePart } from "../../openai/types.ts";
import { dataUrlBase64 } from "../images.ts";
import { DOCUMENT_FORMATS, documentFormatOf } from "./document-format.ts";
import { foundationModelId } from "./model-family.ts";
import type { ContentBlock, DocumentBlock, DocumentFormat, Message } from "./wire.ts";

/** DocumentBlock: "You can include up to five documents". */
const MAX_DOCUMENTS = 5;
/**
 * DocumentBlock: "Each document's size must be no more than 4.5 MB", read as decimal megabytes:
 * the stricter reading, so no document this sends is over Bedrock's limit.
 */
const MAX_DOCUMENT_BYTES = 4_500_000;
/** DocumentBlock's name: 1 to 200 characters. */
const MAX_NAME_CHARS = 200;
/** A document's name when its file has none: neutral, as the API reference asks of names. */
const DEFAULT_DOCUMENT_NAME = "Document";

// The models whose row of the feature table's "Document chat" column says No: Nova Micro, Titan
// Text Premier ("Yes (except Titan Text Premier)"), AI21 Jamba-Instruct.
const NO_DOCUMENTS = /^(?:amazon\.nova-micro|amazon\.titan-text-premier|ai21\.jamba-instruct)/;

/**
 * Whether AWS documents no document chat for the model on Converse (NO_DOCUMENTS). Other ids get
 * their documents sent, and Bedrock answers for them.
 */
function takesNoDocuments(modelId: string): boolean {
  return NO_DOCUMENTS.test(foundationModelId(modelId) ?? "");
}

/** Makes a request's document blocks, keeping what the checks across parts need. */
export interface DocumentReader {
  /** The part's document block; `where` names the part (`messages[0].content[1]`). */
  block(part: FilePart, where: string): ContentBlock;
  /** Refuses a turn that holds a document and no text (Bedrock's rule), naming the document's part. */
  checkTurns(turns: readonly Message[]): void;
}

export function documentReader(modelId: string): DocumentReader {
  const names = new Set<string>();
  const partOf = new WeakMap<object, string>();
  let count = 0;
  return {
    block(part, where) {
      if (takesNoDocuments(modelId)) {
        throw invalidRequest(
          `${where} is a file, and this model takes no documents (AWS documents no document chat for it on Converse): send its text, or use a model that takes documents.`,
          where,
        );
      }
      if (++count > MAX_DOCUMENTS) {
        throw invalidRequest(
          `${where} is the request's file number ${count}: Bedrock takes at most ${MAX_DOCUMENTS} documents per request. Send fewer.`,
          where,
          "too_many_documents",
        );
      }
      const { format, bytes } = documentData(part, where);
      const name = uniqueName(documentName(part.file.filename), names);
      const document: DocumentBlock = { format, name, source: { bytes } };
      const block = { document };
      partOf.set(block, where);
      return block;
    },
    checkTurns(turns) {
      for (const turn of turns) {
        const document = turn.content.find((block) => "document" in block);
        if (!document || turn.content.some((block) => "text" in block)) continue;
        const where = partOf.get(document) ?? "messages";
        throw invalidRequest(
          `${where} is a file in a user message with no text: Bedrock takes a document only beside a text block in the same message. Add a text part that says what to do with it.`,
          where,
        );
      }
    },
  };
}

function documentData(part: FilePart, where: string): { format: DocumentFormat; bytes: string } {
  const param = `${where}.file.file_data`;
  const data = part.file.file_data;
  // The schema checked the head; a request made in code may not have been checked by it.
  const head = fileDataUrlHead(data);
  if (!head) throw invalidRequest(`${param} must be a base64 data URL (data:application/pdf;base64,…).`, param);
  const format = documentFormatOf(head.mediaType, part.file.filename);
  if (!format) {
    throw invalidRequest(
      `${where} is a file of type ${shownText(head.mediaType, 80, "a name", false)}, which Converse takes no document of: send ${DOCUMENT_FORMATS.join(", ")} (by its MIME type, or its filename's extension).`,
      param,
    );
  }
  const bytes = dataUrlBase64(data.slice(head.dataStart));
  if (typeof bytes !== "string")
    throw invalidRequest(`${where} has a file whose base64 does not decode: ${bytes.problem}.`, param);
  const size = decodedSize(bytes);
  if (size > MAX_DOCUMENT_BYTES) {
    throw invalidRequest(
      `${where} is a file of ${size} bytes: Bedrock takes documents of at most 4.5 MB (${MAX_DOCUMENT_BYTES} bytes). Send a smaller one, or its text.`,
      param,
      "document_too_large",
    );
  }
  return { format, bytes };
}

/** Bytes in canonical (padded) base64. */
function decodedSize(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/**
 * A filename as a DocumentBlock name: its extension off, accents off their letters, every run of
 * other characters than Bedrock's (ASCII letters and digits, hyphens, parentheses, square
 * brackets) one space, at most 200 characters; the default name when nothing is left.
 */
export function documentName(filename: string | undefined): string {
  const stem = (filename ?? "").replace(/\.[A-Za-z0-9]{1,8}$/, "");
  // Only the first 200 characters are kept: the rest is not normalised (NFKD writes some
  // characters 18 times longer, and a filename's length is bounded only by the body's).
  const name = stem
    .slice(0, 4 * MAX_NAME_CHARS)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9()[\]-]+/g, " ")
    .trim()
    .slice(0, MAX_NAME_CHARS)
    .trimEnd();
  return name || DEFAULT_DOCUMENT_NAME;
}

/**
 * `name`, or `name (2)`, `name (3)`… when a document of the request already has it: a model told
 * of two documents by one name could not tell them apart. Compared without case, the stricter.
 */
function uniqueName(name: string, taken: Set<string>): string {
  let unique = name;
  for (let n = 2; taken.has(unique.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    unique = name.slice(0, MAX_NAME_CHARS - suffix.length).trimEnd() + suffix;
  }
  taken.add(unique.toLowerCase());
  return unique;
}
