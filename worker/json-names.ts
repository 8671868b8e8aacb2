// JSON.parse keeps the last of two entries with the same name, and says nothing. MODELS and
// API_KEYS are tables edited by hand, where an entry copied and left under the same name drops
// the one before it: their text is read once more for that.

/**
 * The names the top-level object of `json` (text JSON.parse accepted) gives more than once,
 * each once. One pass, linear in the text: each string is skipped whole, escapes included, and
 * only those in a name's place at the top level are decoded (by JSON.parse, so that `"\u0061"`
 * and `"a"` are the same name).
 */
export function repeatedNames(json: string): string[] {
  if (json.trimStart()[0] !== "{") return [];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let depth = 0;
  let nameNext = false;
  for (let at = 0; at < json.length; at++) {
    const char = json[at];
    if (char === '"') {
      const end = stringEnd(json, at);
      if (nameNext) {
        const name: unknown = JSON.parse(json.slice(at, end + 1));
        if (typeof name === "string") (seen.has(name) ? repeated : seen).add(name);
        nameNext = false;
      }
      at = end;
    } else if (char === "{" || char === "[") {
      depth++;
      nameNext = depth === 1;
    } else if (char === "}" || char === "]") {
      depth--;
    } else if (char === "," && depth === 1) {
      nameNext = true;
    }
  }
  return [...repeated];
}

/** Where the string that opens at `start` closes (its closing quote). */
function stringEnd(json: string, start: number): number {
  let at = start + 1;
  while (at < json.length && json[at] !== '"') at += json[at] === "\\" ? 2 : 1;
  return at;
}
