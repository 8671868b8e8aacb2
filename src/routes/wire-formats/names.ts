// The `wire_format` setting's values, known without loading the formats themselves: the check of
// a models table needs only the names (index.ts has the formats).
import type { WireFormatName } from "./types.ts";

const NAMES = { bedrock_completion: true, openai_completion: true } satisfies Record<WireFormatName, true>;

export const WIRE_FORMAT_NAMES = Object.keys(NAMES) as WireFormatName[];
