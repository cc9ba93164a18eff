"""Every rule a vision request can break: its code, severity, the API's error and the fix.

The emulator answers with `api_code` and `message`; the doctor reports `code`, `message` and
`fix`. Both read them from here, so they cannot disagree. `real_wording` marks the messages
that quote what OpenAI itself answers (API-FACTS); the others are VisionDesk's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from visiondesk.domain import ApiMode


class Code(StrEnum):
    ASSISTANTS_DATA_URL = "assistants_data_url"
    RAW_BASE64_NOT_URL = "raw_base64_not_url"
    MIME_MISMATCH = "mime_mismatch"
    BASE64_WHITESPACE = "base64_whitespace"
    INVALID_BASE64 = "invalid_base64"
    EMPTY_IMAGE = "empty_image"
    NOT_AN_IMAGE = "not_an_image"
    UNSUPPORTED_FORMAT = "unsupported_format"
    ANIMATED_GIF = "animated_gif"
    IMAGE_NOT_IN_USER_MESSAGE = "image_not_in_user_message"
    WRONG_PART_TYPE = "wrong_part_type"
    UNKNOWN_PART_TYPE = "unknown_part_type"
    IMAGE_URL_NOT_OBJECT = "image_url_not_object"
    IMAGE_URL_NOT_STRING = "image_url_not_string"
    INVALID_IMAGE_URL = "invalid_image_url"
    IMAGE_SOURCE = "image_source"
    BAD_DETAIL = "bad_detail"
    OVERSIZED = "oversized"
    MISSING_PARAMETER = "missing_parameter"
    TOO_MANY_IMAGES = "too_many_images"
    PAYLOAD_TOO_LARGE = "payload_too_large"


class Severity(StrEnum):
    ERROR = "error"  # the API refuses the request
    WARNING = "warning"  # the API takes it, but it costs more or fails elsewhere


@dataclass(frozen=True, slots=True)
class Rule:
    code: Code
    severity: Severity
    message: str | dict[ApiMode, str]
    fix: str
    api_code: str | None = None
    status: int = 400
    real_wording: bool = False

    def message_for(self, mode: ApiMode) -> str:
        if isinstance(self.message, str):
            return self.message
        return self.message.get(mode) or next(iter(self.message.values()))


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule at one place in a request body (`path` as the API's `param`)."""

    code: Code
    severity: Severity
    path: str
    message: str
    fix: str
    api_code: str | None
    status: int

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


EXPECTED_URL = (
    "Invalid '{path}'. Expected a valid URL, but got a value with an invalid format."  # #1483
)
UNSUPPORTED_MESSAGE = (
    "You uploaded an unsupported image. Please make sure your image has of one the following "
    "formats: ['png', 'jpeg', 'gif', 'webp']."
)
INVALID_MESSAGE = (
    "The image data you provided does not represent a valid image. Please check your input and "
    "try again with one of the supported image formats: ['image/jpeg', 'image/png', "
    "'image/gif', 'image/webp']."
)
_UPLOAD_FLOW = (
    "Assistants takes no base64. Upload the image first: f = client.files.create("
    "file=open(path, 'rb'), purpose='vision'); wait until client.files.retrieve(f.id).status "
    '== \'processed\'; then send {{"type": "image_file", "image_file": {{"file_id": '
    "f.id}}}} instead of the image_url part (or a public https URL). `visiondesk doctor "
    "--upload --base-url …` does this and prints the request with the real file ids."
)

_RULES = (
    Rule(
        Code.ASSISTANTS_DATA_URL,
        Severity.ERROR,
        EXPECTED_URL,
        _UPLOAD_FLOW,
        "invalid_value",
        real_wording=True,
    ),
    Rule(
        Code.RAW_BASE64_NOT_URL,
        Severity.ERROR,
        {
            ApiMode.CHAT: "Invalid '{path}'. Expected an https URL or a base64-encoded data URL "
            "such as 'data:image/png;base64,…', but got raw base64 without the 'data:' prefix.",
            ApiMode.ASSISTANTS: EXPECTED_URL,
        },
        'Put the data-URL header in front of the base64: f"data:{mime};base64,{{b64}}" with '
        "the MIME type of the bytes ({mime}).",
        "invalid_image_url",
    ),
    Rule(
        Code.MIME_MISMATCH,
        Severity.WARNING,
        "The data URL says '{declared}' but the bytes are {kind} ({mime}). OpenAI has been seen "
        "to accept this; Anthropic, Ollama and other servers refuse or misread it.",
        "Take the MIME type from the bytes, not from the file name or a fixed string: label "
        "this image '{mime}' (Pillow: Image.MIME[Image.open(f).format]).",
    ),
    Rule(
        Code.BASE64_WHITESPACE,
        Severity.ERROR,
        "Invalid base64 image data: the data URL contains {count} line breaks or spaces.",
        "base64.encodebytes() and the `base64` command wrap lines every 76 characters; use "
        "base64.b64encode(data).decode('ascii') (or `base64 -w0`).",
        "invalid_base64_image",
    ),
    Rule(
        Code.INVALID_BASE64,
        Severity.ERROR,
        "Invalid base64 image data.",
        "Encode the file's bytes with base64.b64encode(data).decode('ascii') and put them "
        "after 'data:image/png;base64,' (with the image's own MIME type).",
        "invalid_base64_image",
    ),
    Rule(
        Code.EMPTY_IMAGE,
        Severity.ERROR,
        "The image is empty.",
        "Zero bytes were encoded: after writing to a BytesIO call buffer.getvalue() (or "
        "seek(0) before read()).",
        "empty_image_file",
    ),
    Rule(
        Code.NOT_AN_IMAGE,
        Severity.ERROR,
        INVALID_MESSAGE,
        "The bytes are {kind}, not a whole PNG/JPEG/WebP/GIF image: check that the right "
        "file is read, in binary mode ('rb'), and sent completely.",
        "invalid_image",
        real_wording=True,
    ),
    Rule(
        Code.UNSUPPORTED_FORMAT,
        Severity.ERROR,
        UNSUPPORTED_MESSAGE,
        "Convert the {kind} image to PNG or JPEG before encoding it (Pillow: "
        "Image.open(f).save(buffer, 'PNG')); the fixed request carries it converted.",
        "invalid_image_format",
        real_wording=True,
    ),
    Rule(
        Code.ANIMATED_GIF,
        Severity.ERROR,
        {
            mode: "Animated GIFs are not supported: this GIF has {frames} frames. "
            f"{name} accepts PNG, JPEG, WEBP and non-animated GIF{where}."
            for mode, name, where in (
                (ApiMode.CHAT, "Chat Completions", ""),
                (ApiMode.RESPONSES, "Responses", ", in messages and in function call outputs"),
                (ApiMode.ASSISTANTS, "Assistants", ", as an image_file or an image_url"),
            )
        },
        "Send one frame as PNG (Pillow: Image.open(f).save(buffer, 'PNG') keeps the first), "
        "or several frames as separate images; the fixed request carries the first frame.",
        "invalid_image_format",
    ),
    Rule(
        Code.IMAGE_NOT_IN_USER_MESSAGE,
        Severity.ERROR,
        "Image URLs are only allowed for messages with role 'user', but this message with role "
        "'{role}' contains an image URL.",
        "Move the image into a user message; {role} messages take text only (the fixed "
        "request moves it to the next user message).",
        "invalid_value",
        real_wording=True,
    ),
    Rule(
        Code.WRONG_PART_TYPE,
        Severity.ERROR,
        "Invalid value: '{kind}'. Supported values are: {options}.",
        "'{kind}' is the {other} shape; {endpoint} wants {shape}.",
        "invalid_value",
    ),
    Rule(
        Code.UNKNOWN_PART_TYPE,
        Severity.ERROR,
        "Invalid value: '{kind}'. Supported values are: {options}.",
        "Use one of the content part types {options}.",
        "invalid_value",
    ),
    Rule(
        Code.IMAGE_URL_NOT_OBJECT,
        Severity.ERROR,
        "Invalid type for '{path}': expected an object, but got a string instead.",
        'Wrap the URL in an object: "image_url": {{"url": "…", "detail": "auto"}}.',
        "invalid_type",
    ),
    Rule(
        Code.IMAGE_URL_NOT_STRING,
        Severity.ERROR,
        "Invalid type for '{path}': expected a string, but got an object instead.",
        'In Responses image_url is the URL itself: "image_url": "data:…", with "detail" '
        "next to it in the input_image part.",
        "invalid_type",
    ),
    Rule(
        Code.INVALID_IMAGE_URL,
        Severity.ERROR,
        "Invalid image URL: '{url}'. Expected an https URL or a data URL.",
        "Send an https URL the server can download, or the image's bytes as "
        "'data:image/png;base64,…'.",
        "invalid_image_url",
    ),
    Rule(
        Code.IMAGE_SOURCE,
        Severity.ERROR,
        "Provide exactly one of 'image_url' or 'file_id' for input_image.",
        "Give the input_image part either an image_url (https or data URL) or the file_id of "
        "an upload, not both and not neither.",
    ),
    Rule(
        Code.BAD_DETAIL,
        Severity.ERROR,
        "Invalid value: '{value}'. Supported values are: {options}.",
        "detail is one of {options}; the fixed request uses '{fixed}'.",
        "invalid_value",
    ),
    Rule(
        Code.OVERSIZED,
        Severity.WARNING,
        "{width}×{height} ({size}) is more than {model} looks at with detail '{detail}' "
        "({sent_width}×{sent_height}): the server shrinks it after the upload.",
        "Resize before encoding (or let VisionDesk prepare it): prepared for {model} it is "
        "{prepared_size} instead of {size}, {saved} less to upload{tokens_note}.",
    ),
    Rule(
        Code.MISSING_PARAMETER,
        Severity.ERROR,
        "Missing required parameter: '{field}'.",
        "{endpoint} takes its messages in '{field}'{hint}.",
        "missing_required_parameter",
    ),
    Rule(
        Code.TOO_MANY_IMAGES,
        Severity.ERROR,
        "Too many images in one request: {count}; the limit is {limit}.",
        "Split the images over several requests (the Batch API takes many requests at once).",
        "invalid_value",
    ),
    Rule(
        Code.PAYLOAD_TOO_LARGE,
        Severity.ERROR,
        "The request body is {size}; the limit is {limit}.",
        "Prepare the images for the model (smaller, re-encoded), or upload them as files and "
        "refer to them by file_id.",
        "request_too_large",
        status=413,
    ),
)

RULES: dict[Code, Rule] = {rule.code: rule for rule in _RULES}


def violation(code: Code, path: str, mode: ApiMode = ApiMode.CHAT, **fields: Any) -> Violation:
    """The filled-in violation of `code` at `path` (fields fill the message and the fix)."""
    rule = RULES[code]
    values = {"path": path, **fields}
    return Violation(
        code,
        rule.severity,
        path,
        rule.message_for(mode).format(**values),
        rule.fix.format(**values),
        rule.api_code,
        rule.status,
    )


def options_text(options: tuple[str, ...]) -> str:
    """'a', 'b', and 'c' — as the API lists supported values."""
    quoted = [f"'{item}'" for item in options]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
