// The Converse document format of an OpenAI file part: by its MIME type, else by its filename's
// extension (API reference, DocumentBlock: pdf | csv | doc | docx | xls | xlsx | html | txt | md).
// One rule for the route that sends the document and for a server that estimates its tokens
// (bedrock-edge/core), so the two always read a file as the same format. Pure.
import type { DocumentFormat } from "./wire.ts";

export const DOCUMENT_FORMATS: readonly DocumentFormat[] = [
  "pdf",
  "csv",
  "doc",
  "docx",
  "xls",
  "xlsx",
  "html",
  "txt",
  "md",
];

/** The formats that are text as sent: their bytes are what the model reads. */
const TEXT_FORMATS: ReadonlySet<DocumentFormat> = new Set(["csv", "html", "txt", "md"]);

const FORMAT_OF_MEDIA_TYPE: Readonly<Record<string, DocumentFormat>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
  "text/x-markdown": "md",
};

// A file's extension, for types that say nothing of the format (application/octet-stream).
const FORMAT_OF_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  ...Object.fromEntries(DOCUMENT_FORMATS.map((format) => [format, format])),
  htm: "html",
  markdown: "md",
};

/** Whether a document of this format is text as sent (csv, html, txt, md). */
export function isTextDocument(format: DocumentFormat): boolean {
  return TEXT_FORMATS.has(format);
}

// Browsers on Windows with Office installed label a `.csv` file `application/vnd.ms-excel` (the
// registry's type for the extension): a file of that type named as text is its text.
const TYPES_OF_TEXT_FILES: ReadonlySet<string> = new Set(["application/vnd.ms-excel"]);

/**
 * The format the MIME type names, else (a type that names no document format: application/octet-stream
 * or any other) the one the filename's extension names; a text extension over a type that Windows
 * gives text files (TYPES_OF_TEXT_FILES).
 */
export function documentFormatOf(mediaType: string, filename: string | undefined): DocumentFormat | undefined {
  const type = mediaType.toLowerCase();
  const byType = Object.hasOwn(FORMAT_OF_MEDIA_TYPE, type) ? FORMAT_OF_MEDIA_TYPE[type] : undefined;
  const extension = /\.([A-Za-z0-9]{1,16})$/.exec(filename ?? "")?.[1]?.toLowerCase() ?? "";
  const byExtension = Object.hasOwn(FORMAT_OF_EXTENSION, extension) ? FORMAT_OF_EXTENSION[extension] : undefined;
  if (byExtension && isTextDocument(byExtension) && TYPES_OF_TEXT_FILES.has(type)) return byExtension;
  return byType ?? byExtension;
}
