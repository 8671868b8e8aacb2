#!/usr/bin/env python3
"""Render the golden prompt cases with the official Hugging Face chat templates.

The built-in templates of bedrock-edge (src/routes/prompts/) must write, byte for byte, what
each model family's own chat template renders. This script is where those golden strings come
from: it renders every case of test/fixtures/golden-prompts/cases.json with the official
`chat_template` of the family's tokenizer_config.json, in Python's Jinja2 set up as
transformers' apply_chat_template sets it up, and compares with the committed strings (which
src/routes/prompts/golden-cases.test.ts holds the TypeScript renderers to).

How to run it (python3 with jinja2 >= 3.1; nothing else):

    python3 scripts/golden-prompts.py                      # download the templates, compare
    python3 scripts/golden-prompts.py --templates DIR      # use DIR/<template>.json instead
    python3 scripts/golden-prompts.py --only llama3_1      # only these templates' cases
    python3 scripts/golden-prompts.py --write              # rewrite the committed strings

With --templates, DIR holds each family's tokenizer_config.json named after the built-in
template: deepseek_r1.json, llama3.json, llama3_1.json, llama3_2.json, qwen3.json, qwen2.json.
Without it, they are downloaded from huggingface.co (the models below, branch main; Meta's Llama
repositories are gated, so set HF_TOKEN to a token that was granted access). The templates are
not committed: their licences are the model publishers'. Exit status 1 when a case differs.
"""

import argparse
import json
import os
import sys
import urllib.request
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "test" / "fixtures" / "golden-prompts" / "cases.json"

# The Hugging Face repository each built-in template is the chat template of.
MODELS = {
    "deepseek_r1": "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
    "llama3": "meta-llama/Meta-Llama-3-8B-Instruct",
    # Llama-3.3-70B-Instruct ships this very template too.
    "llama3_1": "meta-llama/Llama-3.1-8B-Instruct",
    "llama3_2": "meta-llama/Llama-3.2-3B-Instruct",
    "qwen3": "Qwen/Qwen3-8B",
    "qwen2": "Qwen/Qwen2.5-7B-Instruct",
}

# How the library writes an image part into a template's text (src/routes/prompts/qwen.ts);
# the other built-in templates refuse images.
IMAGE_PLACEHOLDERS = {"qwen3": "<|vision_start|><|image_pad|><|vision_end|>"}


def load_config(template, directory):
    if directory:
        return json.loads((Path(directory) / f"{template}.json").read_text(encoding="utf-8"))
    url = f"https://huggingface.co/{MODELS[template]}/resolve/main/tokenizer_config.json"
    request = urllib.request.Request(url)
    if os.environ.get("HF_TOKEN"):
        request.add_header("Authorization", f"Bearer {os.environ['HF_TOKEN']}")
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read().decode("utf-8"))


def token(value):
    """A special token as tokenizer_config.json writes it: a string or an AddedToken object."""
    return value.get("content") if isinstance(value, dict) else value


def environment():
    """Jinja2 as transformers' apply_chat_template configures it."""

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda format: datetime.now().strftime(format)
    return env


def tool_arguments(template, text):
    """What a template gets as a tool call's arguments: DeepSeek's writes the JSON text as it
    is; Qwen's and Llama's expect an object (and write anything else as it is, or as a JSON
    string)."""
    if template == "deepseek_r1":
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed if isinstance(parsed, dict) else text


def conversation(template, messages):
    """The OpenAI messages of a case as the library hands them to a template (messages.ts):
    `developer` is `system`, content parts are joined into one string (consecutive text parts
    with a newline, as vLLM joins them; an image placeholder where its part stood)."""
    out = []
    for message in messages:
        turn = dict(message)
        if turn["role"] == "developer":
            turn["role"] = "system"
        if isinstance(turn.get("content"), list):
            text = ""
            previous = None
            for part in turn["content"]:
                if part["type"] == "text":
                    text += ("\n" if previous == "text" else "") + part["text"]
                else:
                    text += IMAGE_PLACEHOLDERS[template]
                previous = part["type"]
            turn["content"] = text
        if turn.get("tool_calls"):
            turn["tool_calls"] = [
                {**call, "function": {**call["function"], "arguments": tool_arguments(template, call["function"]["arguments"])}}
                for call in turn["tool_calls"]
            ]
        out.append(turn)
    return out


def render(compiled, config, case):
    variables = {name: token(config.get(name)) for name in ("bos_token", "eos_token", "unk_token", "pad_token")}
    return compiled.render(
        messages=conversation(case["template"], case["messages"]),
        tools=case.get("tools"),
        add_generation_prompt=True,
        **variables,
        **case.get("kwargs", {}),
    )


def lines(text):
    """A prompt as cases.json keeps it: one string per line, each with its newline."""
    pieces = text.split("\n")
    return [piece + "\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def first_difference(expected, rendered):
    at = next((i for i, (a, b) in enumerate(zip(expected, rendered)) if a != b), min(len(expected), len(rendered)))
    return f"at character {at}: committed {expected[at:at + 60]!r}, rendered {rendered[at:at + 60]!r}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", help="a directory of tokenizer_config.json files named <template>.json")
    parser.add_argument("--write", action="store_true", help="rewrite the committed prompts with the rendered ones")
    parser.add_argument("--only", nargs="+", metavar="TEMPLATE", help="check only these templates' cases")
    args = parser.parse_args()

    document = json.loads(CASES.read_text(encoding="utf-8"))
    env = environment()
    compiled = {}
    differ = 0
    cases = [case for case in document["cases"] if not args.only or case["template"] in args.only]
    for case in cases:
        template = case["template"]
        if template not in compiled:
            config = load_config(template, args.templates)
            compiled[template] = (env.from_string(config["chat_template"]), config)
        committed = "".join(case["prompt"])
        try:
            rendered = render(*compiled[template], case)
        except Exception as error:  # a template that cannot render the case differs from the committed string
            differ += 1
            print(f"FAILS    {case['name']}\n         {type(error).__name__}: {error}")
            continue
        if rendered == committed:
            print(f"same     {case['name']}")
            continue
        differ += 1
        print(f"DIFFERS  {case['name']}\n         {first_difference(committed, rendered)}")
        if args.write:
            case["prompt"] = lines(rendered)

    if args.write and differ:
        CASES.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    total = len(cases)
    print(f"\n{total - differ} of {total} cases render byte for byte as committed" + (", rewritten" if args.write and differ else ""))
    return 1 if differ and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
