// Where a position of a bundle came from, read from its source map (version 3): the profile
// suite names a function by its source file and line, so that two anonymous functions of one
// module are told apart and a hot function is found without the bundle at hand.

export interface SourceMap {
  sources: string[];
  /** Base64 VLQ segments, lines split by `;`, segments by `,`. */
  mappings: string;
}

/** A segment: generated column, then (when it maps) source index, source line and source column, 0-based. */
type Segment = [number, number?, number?, number?];

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((char, value) => [char, value]));

/** One segment's fields: each a VLQ, 5 bits a digit, the lowest bit of the value its sign. */
function decodeSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`source map: ${JSON.stringify(char)} is not base64`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  if (shift) throw new Error("source map: a segment ends inside a number");
  return values;
}

/** Every generated line's segments, their fields made absolute (the map stores differences). */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const line of mappings.split(";")) {
    const segments: Segment[] = [];
    let column = 0;
    for (const text of line.split(",")) {
      if (!text) continue;
      const fields = decodeSegment(text);
      column += fields[0]!;
      if (fields.length < 4) {
        segments.push([column]);
        continue;
      }
      source += fields[1]!;
      sourceLine += fields[2]!;
      sourceColumn += fields[3]!;
      segments.push([column, source, sourceLine, sourceColumn]);
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * The source and its line (both as the map has them, the line 0-based) of a generated line and
 * column (0-based, as V8 gives a function's start): the last segment at or before the column, or
 * undefined where nothing maps.
 */
export function originalPosition(
  map: SourceMap,
): (line: number, column: number) => { source: string; line: number } | undefined {
  const lines = decodeMappings(map.mappings);
  return (line, column) => {
    let found: Segment | undefined;
    for (const segment of lines[line] ?? []) {
      if (segment[0] > column) break;
      found = segment;
    }
    if (found?.[1] === undefined) return undefined;
    const source = map.sources[found[1]];
    return source === undefined ? undefined : { source, line: found[2]! };
  };
}
