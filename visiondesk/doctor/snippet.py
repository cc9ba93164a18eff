""" "Copy as Python": the fixed request as openai SDK code a person can run."""

from __future__ import annotations

import pprint
from typing import Any

from visiondesk.doctor.endpoints import Endpoint
from visiondesk.doctor.report import Report

_CALLS = {
    Endpoint.CHAT: "response = client.chat.completions.create(**body)\n"
    "print(response.choices[0].message.content)",
    Endpoint.RESPONSES: "response = client.responses.create(**body)\nprint(response.output_text)",
    Endpoint.THREADS: "thread = client.beta.threads.create(**body)\nprint(thread.id)",
    Endpoint.THREAD_MESSAGES: "message = client.beta.threads.messages.create("
    "thread_id='thread_…', **body)\nprint(message.id)",
    Endpoint.THREAD_AND_RUN: "run = client.beta.threads.create_and_run_poll(**body)\n"
    "print(run.status)",
}


def as_python(report: Report) -> str:
    """The fixed request (or the request itself when nothing needed fixing) as SDK code."""
    body: dict[str, Any] = report.fixed if report.fixed is not None else report.body
    lines = ["import os", "", "from openai import OpenAI", ""]
    lines.append("client = OpenAI(api_key=os.environ['OPENAI_API_KEY'])")
    if report.uploads and report.fixed is not None:
        lines += [
            "",
            "",
            "def upload(path):",
            "    # Assistants takes no base64: upload with purpose 'vision', wait until processed.",
            "    with open(path, 'rb') as file:",
            "        uploaded = client.files.create(file=file, purpose='vision')",
            "    uploaded = client.files.wait_for_processing(uploaded.id, poll_interval=0.5)",
            "    if uploaded.status != 'processed':",
            "        raise SystemExit(f'upload failed: {uploaded.status_details}')",
            "    return uploaded.id",
            "",
        ]
        for placeholder, image in report.uploads.items():
            variable = placeholder.replace("-", "_").lower()
            lines.append(
                f"{variable} = upload('{image.filename}')  # the image that was at {image.label}"
            )
    lines += ["", f"body = {pprint.pformat(body, width=96, sort_dicts=False)}"]
    for placeholder in report.uploads if report.fixed is not None else {}:
        variable = placeholder.replace("-", "_").lower()
        lines[-1] = lines[-1].replace(repr(placeholder), variable)
    lines += ["", _CALLS[report.endpoint]]
    return "\n".join(lines) + "\n"
