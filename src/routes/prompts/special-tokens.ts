// Special tokens that the templates write and the answer parsers read back (answer-splitter.ts,
// tool-syntax.ts, the routes): here, apart from the templates, so that reading a Llama answer
// does not load the Qwen template, nor a Qwen answer the DeepSeek one.

// Qwen (ChatML).
export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";
/** Qwen's end-of-text token: not written by the templates, but a model may print it to stop. */
export const ENDOFTEXT = "<|endoftext|>";
export const TOOL_CALL_OPEN = "<tool_call>";
export const TOOL_CALL_CLOSE = "</tool_call>";

// DeepSeek R1 (`｜` is U+FF5C and `▁` is U+2581).
export const EOS = "<｜end▁of▁sentence｜>";
export const TOOL_CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
export const TOOL_CALLS_END = "<｜tool▁calls▁end｜>";
export const TOOL_CALL_BEGIN = "<｜tool▁call▁begin｜>";
export const TOOL_CALL_END = "<｜tool▁call▁end｜>";
export const TOOL_SEP = "<｜tool▁sep｜>";
/** Call arguments sit in a ```json fence. */
export const FENCE = "```";

// Llama 3.
export const EOT = "<|eot_id|>";
/** Ends a tool-call turn when the model expects a tool result ("Environment: ipython"). */
export const EOM = "<|eom_id|>";
/** Llama 3's end-of-text token: not written by the template, but a model may print it to stop. */
export const END_OF_TEXT = "<|end_of_text|>";
/** May open a tool call; Llama 3.1 also writes its built-in tools' calls after it. */
export const PYTHON_TAG = "<|python_tag|>";
