const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A random id such as OpenAI's: `chatcmpl-…`, `call_…`. */
export function randomId(prefix: string, length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = prefix;
  // 62 symbols from 256 values: the slight bias is irrelevant for ids.
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}
