// File parts on the routes that render a prompt or send OpenAI's own body to an imported model:
// Bedrock's InvokeModel formats for imported models carry text and images, no documents, so a
// file part is a 400 before anything is rendered or sent. Only the converse route takes files
// (as Converse document blocks: converse/documents.ts).
import { invalidRequest } from "../errors.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";

/** Throws a 400 naming the request's first file part, which the route `route` cannot send. */
export function refuseFileParts(request: ChatCompletionRequest, route: string): void {
  for (const [index, message] of request.messages.entries()) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    const position = message.content.findIndex((part) => part.type === "file");
    if (position < 0) continue;
    const where = `messages[${index}].content[${position}]`;
    throw invalidRequest(
      `${where} is a file, and the ${route} route takes no files: only the converse route does (bedrock/converse/<model-id>, for Bedrock's own models), as Converse documents. Send the file's text instead.`,
      where,
    );
  }
}
