// The built-in families' special tokens: those the templates write and the answer parsers read
// back (answer-splitter.ts, tool-syntax.ts, the routes), and each family's list of them, which
// request text may not spell (token-neutraliser.ts). Here, apart from the templates, so that
// reading a Llama answer does not load the Qwen template, nor a Qwen answer the DeepSeek one, and
// the client can neutralise a request without loading any template.
import { THINK_CLOSE, THINK_OPEN } from "./think-tags.ts";

// Qwen (ChatML).
export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";
/** Qwen's end-of-text token: not written by the templates, but a model may print it to stop. */
export const ENDOFTEXT = "<|endoftext|>";
export const TOOL_CALL_OPEN = "<tool_call>";
export const TOOL_CALL_CLOSE = "</tool_call>";
export const TOOL_RESPONSE_OPEN = "<tool_response>";
export const TOOL_RESPONSE_CLOSE = "</tool_response>";
export const VISION_START = "<|vision_start|>";
export const IMAGE_PAD = "<|image_pad|>";
export const VISION_END = "<|vision_end|>";

/**
 * The special tokens Qwen's templates write or their answers are read by. The rest of Qwen's
 * vocabulary is `<|…|>`-shaped, which the neutraliser breaks too.
 */
const QWEN_SPECIAL_TOKENS: readonly string[] = [
  IM_START,
  IM_END,
  ENDOFTEXT,
  TOOL_CALL_OPEN,
  TOOL_CALL_CLOSE,
  TOOL_RESPONSE_OPEN,
  TOOL_RESPONSE_CLOSE,
  THINK_OPEN,
  THINK_CLOSE,
  VISION_START,
  IMAGE_PAD,
  VISION_END,
];

// DeepSeek R1 (`｜` is U+FF5C and `▁` is U+2581).
export const R1_BOS = "<｜begin▁of▁sentence｜>";
export const EOS = "<｜end▁of▁sentence｜>";
export const USER = "<｜User｜>";
export const ASSISTANT = "<｜Assistant｜>";
export const TOOL_CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
export const TOOL_CALLS_END = "<｜tool▁calls▁end｜>";
export const TOOL_CALL_BEGIN = "<｜tool▁call▁begin｜>";
export const TOOL_CALL_END = "<｜tool▁call▁end｜>";
export const TOOL_SEP = "<｜tool▁sep｜>";
export const TOOL_OUTPUTS_BEGIN = "<｜tool▁outputs▁begin｜>";
export const TOOL_OUTPUTS_END = "<｜tool▁outputs▁end｜>";
export const TOOL_OUTPUT_BEGIN = "<｜tool▁output▁begin｜>";
export const TOOL_OUTPUT_END = "<｜tool▁output▁end｜>";
/** Call arguments sit in a ```json fence. */
export const FENCE = "```";

/** The special tokens the DeepSeek R1 template writes or its answers are read by. */
const DEEPSEEK_R1_SPECIAL_TOKENS: readonly string[] = [
  R1_BOS,
  EOS,
  USER,
  ASSISTANT,
  TOOL_CALLS_BEGIN,
  TOOL_CALLS_END,
  TOOL_CALL_BEGIN,
  TOOL_CALL_END,
  TOOL_SEP,
  TOOL_OUTPUTS_BEGIN,
  TOOL_OUTPUTS_END,
  TOOL_OUTPUT_BEGIN,
  TOOL_OUTPUT_END,
  THINK_OPEN,
  THINK_CLOSE,
];

// Llama 3.
export const LLAMA_BOS = "<|begin_of_text|>";
export const START_HEADER = "<|start_header_id|>";
export const END_HEADER = "<|end_header_id|>";
export const EOT = "<|eot_id|>";
/** Ends a tool-call turn when the model expects a tool result ("Environment: ipython"). */
export const EOM = "<|eom_id|>";
/** Llama 3's end-of-text token: not written by the template, but a model may print it to stop. */
export const END_OF_TEXT = "<|end_of_text|>";
/** May open a tool call; Llama 3.1 also writes its built-in tools' calls after it. */
export const PYTHON_TAG = "<|python_tag|>";

/**
 * The special tokens the Llama 3 templates write or their answers are read by. Llama 3's other
 * special tokens (`<|reserved_special_token_0|>`, `<|finetune_right_pad_id|>` …) are
 * `<|…|>`-shaped, which the neutraliser breaks too.
 */
const LLAMA3_SPECIAL_TOKENS: readonly string[] = [
  LLAMA_BOS,
  START_HEADER,
  END_HEADER,
  EOT,
  EOM,
  END_OF_TEXT,
  PYTHON_TAG,
];

/**
 * Every built-in family's special tokens. Request text may spell none of them whichever the
 * model's template: an imported model is often a fine-tune or a distill whose vocabulary keeps
 * much of another family's, and a token that is plain text to the model costs nothing to break.
 */
export const BUILT_IN_SPECIAL_TOKENS: readonly string[] = [
  ...DEEPSEEK_R1_SPECIAL_TOKENS,
  ...LLAMA3_SPECIAL_TOKENS,
  ...QWEN_SPECIAL_TOKENS,
];
