"""Provider profiles: where a server is, how to reach it, and what it is known to lack."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlparse

from visiondesk.domain import ApiMode, Detail

OPENAI_BASE_URL = "https://api.openai.com/v1"


class ProviderKind(StrEnum):
    OPENAI = "openai"
    AZURE = "azure"
    COMPATIBLE = "compatible"  # Ollama, LM Studio, vLLM, llama.cpp, …
    EMULATOR = "emulator"


class Server(StrEnum):
    """Known OpenAI-compatible servers, for their quirks (API-FACTS §7)."""

    UNKNOWN = "unknown"
    OLLAMA = "ollama"
    LM_STUDIO = "lmstudio"
    VLLM = "vllm"
    LLAMA_CPP = "llamacpp"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    kind: ProviderKind = ProviderKind.OPENAI
    base_url: str = OPENAI_BASE_URL
    api_key_env: str = "OPENAI_API_KEY"
    model: str = "gpt-4o"
    mode: ApiMode = ApiMode.CHAT
    detail: Detail = Detail.AUTO
    server: Server = Server.UNKNOWN
    responses_upload: bool = False
    """Send images to Responses as uploaded files (`file_id`) instead of data URLs."""
    extra_headers: dict[str, str] = field(default_factory=dict)
    read_timeout: float = 60.0
    """Seconds to wait for the server's first byte; after that, one short retry, then give up."""
    stream_timeout: float = 600.0
    """Seconds between two pieces of an answer once it has started (models may think long)."""
    webp: bool | None = None
    """Whether the server decodes WebP, when the person knows (None: judged by kind and server,
    see `accepts_webp`)."""

    def __post_init__(self) -> None:
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"profile '{self.name}': base URL must be http(s)://host/…")
        if not (self.read_timeout > 0 and self.stream_timeout > 0):
            raise ValueError(f"profile '{self.name}': timeouts must be positive seconds")
        if self.server is Server.UNKNOWN and self.kind is ProviderKind.COMPATIBLE:
            object.__setattr__(self, "server", guess_server(self.base_url))

    def __hash__(self) -> int:
        return hash((self.name, self.base_url))

    @property
    def accepts_image_urls(self) -> bool:
        """Ollama refuses http(s) image URLs: fetch them and send base64 instead."""
        return self.server is not Server.OLLAMA

    @property
    def accepts_webp(self) -> bool:
        """Whether graphics may go as lossless WebP (and transparent photos as WebP with alpha).

        OpenAI and Azure accept WebP in every mode (API-FACTS §1-3), and so does the emulator.
        Of the compatible servers only vLLM is known to: it opens images with Pillow. The others
        keep PNG/JPEG, because what decodes the pixels is not the HTTP layer:
        - Ollama's /v1 accepts `data:image/webp` (openai.go decodeImageURL), but models that run
          on its llama.cpp engine decode with stb_image, which has no WebP; ollama#17755
          (2026-08) transcodes WebP to PNG first, so older servers fail on it.
        - LM Studio documents WebP, yet its llama.cpp engine uses the same stb_image, and a WebP
          base64 image was reported refused ("'url' field must be a base64 encoded image",
          agentscope-ai/QwenPaw#3658).
        - llama.cpp's llama-server decodes with stb_image (no WebP; ggml-org/llama.cpp#15542).
        - An unknown server may be any of these: `webp=True` in its profile says otherwise.
        """
        if self.webp is not None:
            return self.webp
        if self.kind is not ProviderKind.COMPATIBLE:
            return True
        return self.server is Server.VLLM

    @property
    def stores_responses(self) -> bool:
        """Ollama's Responses API is stateless: no `previous_response_id`."""
        return self.server is not Server.OLLAMA

    @property
    def needs_key(self) -> bool:
        return self.kind in (ProviderKind.OPENAI, ProviderKind.AZURE)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.base_url})"


def guess_server(base_url: str) -> Server:
    port = urlparse(base_url).port
    return {11434: Server.OLLAMA, 1234: Server.LM_STUDIO, 8000: Server.VLLM}.get(
        port or 0, Server.UNKNOWN
    )


def azure_profile(name: str, resource: str, deployment: str, **options: object) -> Profile:
    """Azure OpenAI through its v1 API: no api-version, the deployment name is the model."""
    return Profile(
        name=name,
        kind=ProviderKind.AZURE,
        base_url=f"https://{resource}.openai.azure.com/openai/v1/",
        api_key_env="AZURE_OPENAI_API_KEY",
        model=deployment,
        **options,  # type: ignore[arg-type]
    )
