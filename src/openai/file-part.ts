// A file part's file_data: a base64 data URL, as the openai package's docs and OpenAI's own API
// take it (OpenAI refuses bare base64 there, so this server does too: without a type, a file's
// format would be a guess from its name). Only the head is read here; the bytes are decoded by the
// route that sends them (routes/converse/documents.ts).

/** How file_data must look, for the 400s. */
export const FILE_DATA_URL_EXAMPLE = "a base64 data URL (data:application/pdf;base64,…)";

/** The 400's words for a file_id: this server keeps no uploads. */
export const NO_FILES_API = `names a file uploaded to OpenAI's Files API, which this server does not have: send the file's bytes in file_data, as ${FILE_DATA_URL_EXAMPLE}`;

// RFC 2397's parameters (`;name=report.pdf`) may stand before `;base64`, as in images.ts. A MIME
// type is short: only the first characters are read, whatever the size of the data.
const HEAD = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)((?:;[a-z0-9!#$&^_.+-]+=[^;,]*)*);base64,/i;
const HEAD_CHARS = 512;

export interface FileDataUrlHead {
  /** The MIME type, lower-cased: `application/pdf`. */
  mediaType: string;
  /** Where the base64 starts. */
  dataStart: number;
}

/** The head of a base64 data URL (type and where the data starts), or undefined when `data` is none. */
export function fileDataUrlHead(data: string): FileDataUrlHead | undefined {
  const head = HEAD.exec(data.slice(0, HEAD_CHARS));
  return head ? { mediaType: head[1]!.toLowerCase(), dataStart: head[0].length } : undefined;
}
