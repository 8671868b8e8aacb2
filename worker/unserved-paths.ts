// OpenAI's paths that this proxy does not serve, told apart from a mistyped one. A client written
// for OpenAI's whole API calls some of them as a matter of course: an agent SDK retrieving a
// response it made, `client.chat.completions.retrieve()`, a tool uploading a file; and a client of
// Azure OpenAI or Anthropic pointed here calls its own. Its 404 then says why, and what to do
// instead, rather than only that no route matched.

const SERVED = "chat completions, legacy completions, responses, embeddings, images and models";

const STATELESS =
  "The proxy is stateless (it keeps nothing it answers), so nothing can be retrieved, listed, updated or deleted by id";

/** The APIs of OpenAI's that are not offered here, by their first path segment after /v1. */
const OTHER_APIS: Readonly<Record<string, string>> = {
  assistants: "Assistants",
  audio: "Audio",
  batches: "Batch",
  chatkit: "ChatKit",
  containers: "Containers",
  evals: "Evals",
  files: "Files",
  fine_tuning: "Fine-tuning",
  moderations: "Moderations",
  organization: "Administration",
  realtime: "Realtime",
  skills: "Skills",
  threads: "Assistants (threads)",
  uploads: "Uploads",
  vector_stores: "Vector stores",
  videos: "Videos",
};

/** The first segments of the paths served here, and of Azure OpenAI's deployment paths. */
const OPENAI_SHAPED = new Set(["chat", "completions", "responses", "embeddings", "images", "models", "deployments"]);

/** Longer than any path of OpenAI's: not split at all. */
const MAX_READ_PATH = 1024;

const AZURE =
  "Azure OpenAI's paths are not served here. This proxy answers OpenAI's own: use an OpenAI client (not AzureOpenAI) with a baseURL ending in /v1, and name the model in the request";

/**
 * Why `path` is not served, when it is one of OpenAI's (with or without /v1, and under any prefix
 * the app is mounted at when /v1 is in it), Azure OpenAI's or Anthropic's; otherwise undefined.
 * The words are the table's own: nothing of the path is repeated.
 */
export function unservedReason(path: string): string | undefined {
  if (path.length > MAX_READ_PATH) return undefined;
  const segments = path.split("/").filter(Boolean);
  const [first, second, third] = apiSegments(segments);
  // AzureOpenAI's paths begin with /openai: /openai/deployments/<name>/chat/completions, its
  // v1 API's /openai/v1/chat/completions, /openai/responses. A proxy mounted at /openai gives
  // these words for its own unserved paths of that shape too: their advice still holds.
  const azure = segments[0] !== "openai" ? undefined : segments[1] === "v1" ? segments[2] : segments[1];
  if ((azure !== undefined && OPENAI_SHAPED.has(azure)) || first === "deployments") return AZURE;
  // The base URL itself, opened in a browser or asked by a client to see what is there.
  if (first === undefined) {
    return `this is an OpenAI-compatible API serving ${SERVED} under /v1 (POST /v1/chat/completions; GET /v1/models lists the models, with a key), and GET /health`;
  }
  if (first === "responses" && second !== undefined) {
    if (second === "input_tokens") {
      return "counting a request's input tokens is not offered here; a response's usage.input_tokens counts those of a request sent";
    }
    if (second === "compact") return "compacting a conversation is not offered here; send the conversation as input";
    return `responses are not stored here. ${STATELESS}. Keep what POST /v1/responses returned, and send the whole conversation as input`;
  }
  // POST /v1/chat/completions itself is served: only a stored completion's path is another API.
  if (first === "chat" && second === "completions" && third !== undefined) {
    return `chat completions are not stored here. ${STATELESS}. Keep what POST /v1/chat/completions returned`;
  }
  if (first === "conversations") {
    return `conversations are not stored here. ${STATELESS}. Send the whole conversation as input`;
  }
  if (first === "messages") {
    return `Anthropic's Messages API is not offered here. This proxy answers OpenAI's API (${SERVED}); a Claude model configured here (the converse route) is called through POST /v1/chat/completions or /v1/responses, by the name GET /v1/models lists`;
  }
  const api = Object.hasOwn(OTHER_APIS, first) ? OTHER_APIS[first] : undefined;
  return api && `OpenAI's ${api} API is not offered by this proxy, which serves ${SERVED}`;
}

/**
 * Why `method` on a served path is a call of OpenAI's that is not served here (GET
 * /v1/chat/completions lists stored chat completions), or undefined.
 */
export function unservedMethodReason(method: string, path: string): string | undefined {
  if (method !== "GET" || path.length > MAX_READ_PATH) return undefined;
  const [first, second, third] = apiSegments(path.split("/").filter(Boolean));
  if (first === "chat" && second === "completions" && third === undefined) {
    return `Stored chat completions cannot be listed. ${STATELESS}`;
  }
  return undefined;
}

/** The path's segments after its first /v1, or all of them without one. */
function apiSegments(segments: readonly string[]): readonly string[] {
  const v1 = segments.indexOf("v1");
  return v1 === -1 ? segments : segments.slice(v1 + 1);
}
