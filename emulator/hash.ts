// FNV-1a: ids and choices that depend only on the request, so every answer is reproducible.

export function stableHash(text: string): string {
  return hashNumber(text).toString(16).padStart(8, "0");
}

export function hashNumber(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
