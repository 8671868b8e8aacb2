// Converse tool-use ids are 1-64 characters of [a-zA-Z0-9_-]; OpenAI's tool-call ids are any
// string. Ids come back in two places (the assistant's toolUse and the tool's toolResult), so
// the mapping must be a pure function of the id: the same id always gives the same toolUseId.

const TOOL_USE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PREFIX = 47;

/** The id itself when Converse takes it, else its legal characters plus a hash of the whole id. */
export function toolUseId(id: string): string {
  if (TOOL_USE_ID.test(id)) return id;
  // The hash keeps two ids that differ only in dropped characters apart.
  return `${id.replace(/[^A-Za-z0-9_-]/g, "").slice(0, MAX_PREFIX)}_${hash64(id)}`;
}

/**
 * 64 bits of hash as 16 hex digits: FNV-1a (32 bits) from two offset bases over the UTF-8
 * bytes. Small, synchronous, the same in every runtime, and linear in the id's length.
 */
function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const byte of new TextEncoder().encode(text)) {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
