// Nesting limits: deeper than any real request (JSON schemas included), shallow enough for every
// recursive step after validation (templates, JSON.stringify, argument parsing) to stay far from
// the stack limit. Both checks are iterative, so they cannot overflow themselves.
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests arrays/objects deeper than MAX_JSON_DEPTH (checked before parsing it). */
export function jsonTextTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/** Whether a value nests deeper than MAX_JSON_DEPTH; a cycle counts as infinitely deep. */
export function valueTooDeep(root: unknown): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_JSON_DEPTH) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
