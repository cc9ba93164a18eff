"""Requests people write, broken and healthy, with the problem codes the doctor must find."""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from tests import images


@dataclass(frozen=True)
class Case:
    name: str
    text: str  # what the person pastes: JSON, an envelope, or a curl command
    codes: frozenset[str]  # every code expected (errors and warnings)
    endpoint: str | None = None  # as given with --endpoint
    files: dict[str, str] = field(default_factory=dict)  # curl's @file bodies


@functools.cache
def png() -> bytes:
    return images.encode(images.screenshot(300, 200), "PNG")


@functools.cache
def jpeg() -> bytes:
    return images.encode(images.photo(400, 300), "JPEG", quality=85)


@functools.cache
def webp() -> bytes:
    return images.encode(images.photo(320, 240), "WEBP")


@functools.cache
def gif() -> bytes:
    return images.encode(images.photo(64, 48).convert("P"), "GIF")


@functools.cache
def bmp() -> bytes:
    return images.encode(images.photo(40, 30), "BMP")


@functools.cache
def animated_gif() -> bytes:
    frames = [images.photo(64, 48, seed=s).convert("P") for s in (1, 2, 3)]
    import io

    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


@functools.cache
def big_photo() -> bytes:
    return images.encode(images.photo(4000, 3000), "JPEG", quality=92)


@functools.cache
def tiny_png() -> bytes:
    return images.encode(Image.new("RGB", (2, 2), (200, 10, 10)), "PNG")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{b64(data)}"


def wrapped(data: bytes, mime: str) -> str:
    """What base64.encodebytes gives: a newline every 76 characters."""
    return f"data:{mime};base64,{base64.encodebytes(data).decode()}"


CAT = "https://upload.example.org/cat.jpg"
TEXT_FILE = b"name,width,height\ncat,300,200\ndog,400,300\n" * 4


def chat_image(url: Any, detail: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"url": url}
    if detail is not None:
        value["detail"] = detail
    return {"type": "image_url", "image_url": value}


def chat(*parts: Any, system: list[Any] | str | None = None, model: str = "gpt-4o") -> str:
    messages: list[dict[str, Any]] = []
    if system is not None:
        messages.append({"role": "system", "content": system})
    messages.append(
        {"role": "user", "content": [{"type": "text", "text": "What is this?"}, *parts]}
    )
    return json.dumps({"model": model, "messages": messages})


def responses(*parts: Any, role: str = "user") -> str:
    content = [{"type": "input_text", "text": "What is this?"}, *parts]
    items: list[dict[str, Any]] = [{"role": role, "content": content}]
    if role != "user":
        items.append({"role": "user", "content": "and now?"})
    return json.dumps({"model": "gpt-4.1-mini", "input": items})


def input_image(url: Any, detail: str | None = "auto", **extra: Any) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "input_image", "image_url": url, **extra}
    if detail is not None:
        part["detail"] = detail
    return part


def thread(*parts: Any, role: str = "user") -> str:
    messages = [{"role": role, "content": [{"type": "text", "text": "What is this?"}, *parts]}]
    if role != "user":
        messages.append({"role": "user", "content": "and?"})
    return json.dumps({"messages": messages})


def curl(url: str, body: str, flag: str = "-d") -> str:
    return (
        f"curl {url} \\\n"
        '  -H "Content-Type: application/json" \\\n'
        '  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n'
        f"  {flag} '{body}'"
    )


def cases() -> list[Case]:
    c = Case
    f = frozenset
    return [
        # Healthy requests: no error, no warning.
        c("chat png", chat(chat_image(data_url(png(), "image/png"))), f()),
        c("chat https", chat(chat_image(CAT, "high")), f()),
        c(
            "chat jpeg low + system text",
            chat(chat_image(data_url(jpeg(), "image/jpeg"), "low"), system="Be brief."),
            f(),
        ),
        c(
            "chat webp + gif",
            chat(
                chat_image(data_url(webp(), "image/webp")), chat_image(data_url(gif(), "image/gif"))
            ),
            f(),
        ),
        c(
            "chat text only",
            json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}),
            f(),
        ),
        c("responses png", responses(input_image(data_url(png(), "image/png"))), f()),
        c("responses string input", json.dumps({"model": "gpt-5", "input": "hello"}), f()),
        c("responses https original", responses(input_image(CAT, "original")), f()),
        c("threads https", thread(chat_image(CAT, "low")), f()),
        c(
            "curl chat healthy",
            curl(
                "https://api.openai.com/v1/chat/completions",
                chat(chat_image(data_url(jpeg(), "image/jpg"))),
            ),
            f(),
        ),
        # Chat Completions.
        c("chat raw base64", chat(chat_image(b64(png()))), f({"raw_base64_not_url"})),
        c(
            "chat png as jpeg",
            chat(chat_image(data_url(png(), "image/jpeg"))),
            f({"mime_mismatch"}),
        ),
        c(
            "chat encodebytes",
            chat(chat_image(wrapped(jpeg(), "image/jpeg"))),
            f({"base64_whitespace"}),
        ),
        c(
            "chat input_image part",
            chat(input_image(data_url(png(), "image/png"))),
            f({"wrong_part_type"}),
        ),
        c(
            "chat bare string",
            chat({"type": "image_url", "image_url": CAT}),
            f({"image_url_not_object"}),
        ),
        c(
            "chat image in system",
            chat(
                system=[
                    {"type": "text", "text": "Judge this:"},
                    chat_image(data_url(png(), "image/png")),
                ]
            ),
            f({"image_not_in_user_message"}),
        ),
        c("chat bmp", chat(chat_image(data_url(bmp(), "image/bmp"))), f({"unsupported_format"})),
        c(
            "chat animated gif",
            chat(chat_image(data_url(animated_gif(), "image/gif"))),
            f({"animated_gif"}),
        ),
        c(
            "chat detail medium",
            chat(chat_image(data_url(png(), "image/png"), "medium")),
            f({"bad_detail"}),
        ),
        c(
            "chat 12 MP photo",
            chat(chat_image(data_url(big_photo(), "image/jpeg"), "high")),
            f({"oversized"}),
        ),
        c(
            "chat text file",
            chat(chat_image(data_url(TEXT_FILE, "image/png"))),
            f({"not_an_image"}),
        ),
        c(
            "chat three problems in the system message",
            chat(system=[chat_image(wrapped(png(), "image/jpeg"))]),
            f({"image_not_in_user_message", "base64_whitespace", "mime_mismatch"}),
        ),
        c(
            "chat written for Responses",
            json.dumps(
                {
                    "model": "gpt-4o",
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "input_text", "text": "what?"},
                                input_image(b64(jpeg()), "medium"),
                            ],
                        }
                    ],
                }
            ),
            f({"wrong_part_type", "raw_base64_not_url", "bad_detail"}),
        ),
        c(
            "chat too many images",
            chat(*[chat_image(data_url(tiny_png(), "image/png"), "low")] * 1501),
            f({"too_many_images"}),
        ),
        c(
            "curl chat bmp labelled png",
            curl(
                "https://api.openai.com/v1/chat/completions",
                chat(chat_image(data_url(bmp(), "image/png"))),
            ),
            f({"unsupported_format", "mime_mismatch"}),
        ),
        c(
            "curl chat --data-binary @file",
            "curl -sS https://api.openai.com/v1/chat/completions \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            "  --data-binary @request.json",
            f({"image_url_not_object", "animated_gif"}),
            files={
                "request.json": chat(
                    {"type": "image_url", "image_url": data_url(animated_gif(), "image/gif")}
                )
            },
        ),
        c(
            "chat empty data url (BytesIO read at its end)",
            chat(chat_image("data:image/png;base64,")),
            f({"empty_image"}),
        ),
        c(
            "chat broken base64",
            chat(chat_image("data:image/png;base64,iVBOR%%w0K!!")),
            f({"invalid_base64"}),
        ),
        c(
            "chat plain http url",
            chat(chat_image("http://example.org/cat.jpg")),
            f({"invalid_image_url"}),
        ),
        # Responses.
        c(
            "responses written for Chat",
            json.dumps(
                {
                    "model": "gpt-4o",
                    "input": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": "what?"},
                                chat_image(data_url(png(), "image/png"), "low"),
                            ],
                        }
                    ],
                }
            ),
            f({"wrong_part_type"}),
        ),
        c(
            "responses image_url object",
            responses({"type": "input_image", "image_url": {"url": CAT}, "detail": "low"}),
            f({"image_url_not_string"}),
        ),
        c("responses raw base64", responses(input_image(b64(webp()))), f({"raw_base64_not_url"})),
        c(
            "responses detail medium",
            responses(input_image(data_url(png(), "image/png"), "medium")),
            f({"bad_detail"}),
        ),
        c(
            "responses image in developer message",
            responses(input_image(CAT), role="developer"),
            f({"image_not_in_user_message"}),
        ),
        c(
            "responses animated gif labelled png",
            responses(input_image(data_url(animated_gif(), "image/png"))),
            f({"animated_gif", "mime_mismatch"}),
        ),
        c(
            "responses no image source",
            responses({"type": "input_image", "detail": "auto"}),
            f({"image_source"}),
        ),
        c(
            "curl responses --json webp as jpeg",
            curl(
                "https://api.openai.com/v1/responses",
                responses(input_image(data_url(webp(), "image/jpeg"))),
                "--json",
            ),
            f({"mime_mismatch"}),
        ),
        c(
            "responses 12 MP photo in encodebytes",
            responses(input_image(wrapped(big_photo(), "image/jpeg"), "high")),
            f({"base64_whitespace", "oversized"}),
        ),
        # Assistants.
        c(
            "threads data url",
            thread(chat_image(data_url(png(), "image/png"))),
            f({"assistants_data_url"}),
        ),
        c(
            "thread message envelope",
            json.dumps(
                {
                    "endpoint": "/v1/threads/thread_abc123/messages",
                    "body": {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "what?"},
                            chat_image(data_url(jpeg(), "image/jpeg"), "high"),
                        ],
                    },
                }
            ),
            f({"assistants_data_url"}),
        ),
        c("threads detail original", thread(chat_image(CAT, "original")), f({"bad_detail"})),
        c("threads raw base64", thread(chat_image(b64(png()))), f({"raw_base64_not_url"})),
        c(
            "curl thread message encodebytes",
            curl(
                "https://api.openai.com/v1/threads/thread_abc/messages",
                json.dumps({"role": "user", "content": [chat_image(wrapped(png(), "image/png"))]}),
            ),
            f({"assistants_data_url", "base64_whitespace"}),
        ),
        c(
            "threads/runs with a Responses part",
            json.dumps(
                {
                    "assistant_id": "asst_1",
                    "thread": json.loads(thread(input_image(data_url(png(), "image/png")))),
                }
            ),
            f({"wrong_part_type", "assistants_data_url"}),
        ),
        c(
            "threads image from the assistant",
            thread(chat_image(CAT), role="assistant"),
            f({"image_not_in_user_message"}),
        ),
        c(
            "threads bmp",
            thread(chat_image(data_url(bmp(), "image/bmp"), "low")),
            f({"assistants_data_url", "unsupported_format"}),
        ),
        c(
            "threads endpoint given, chat body",
            chat(chat_image(data_url(png(), "image/png"))),
            f({"assistants_data_url"}),
            endpoint="/v1/threads",
        ),
    ]


UNFIXABLE = frozenset(
    {
        "not_an_image",
        "image_source",
        "too_many_images",
        "empty_image",
        "invalid_base64",
        "invalid_image_url",
    }
)
