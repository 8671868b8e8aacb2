// Converse tool-use ids are 1-64 characters of [a-zA-Z0-9_-]; OpenAI's tool-call ids are any
// string. Ids come back in two places (the assistant's toolUse and the tool's toolResult), so
// the mapping must be a pure function of the id: the same id always gives the same toolUseId.

const TOOL_USE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PREFIX = 47;

/** The id itself when Converse takes it, else its legal characters plus a hash of the whole id. */
export function toolUseId(id: string): string {
  if (TOOL_USE_ID.test(id)) return id;
  // The hash keeps two ids that differ only in dropped characters apart.
  return `${id.replace(/[^A-Za-z0-9_-]/g, "").slice(0, MAX_PREFIX)}_${fnv1a64(id)}`;
}

/** FNV-1a, 64 bits, as 16 hex digits: small, synchronous, and stable across runtimes. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}
