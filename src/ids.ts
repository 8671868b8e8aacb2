const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
// Random bytes drawn a kilobyte at a time: a call of getRandomValues per id cost more than the
// id's characters (a chat answer takes one id, a stream one, each tool call one more).
const POOL_BYTES = 1024;
let pool = new Uint8Array(0);
let used = 0;

/** A random id such as OpenAI's: `chatcmpl-…`, `call_…`. */
export function randomId(prefix: string, length = 24): string {
  if (used + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(Math.max(POOL_BYTES, length)));
    used = 0;
  }
  let out = prefix;
  // 62 symbols from 256 values: the slight bias is irrelevant for ids.
  for (let i = used; i < used + length; i++) out += ALPHABET[pool[i]! % ALPHABET.length];
  used += length;
  return out;
}
