"""prepare(): every format, mode and policy decision, on images generated here."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from tests import images
from visiondesk.domain import ApiMode, Detail
from visiondesk.imaging import ImagePolicy, PreparedCache, policy_for, prepare
from visiondesk.imaging.decode import heif_available
from visiondesk.imaging.encode import encode_jpeg, lossless_method

HIGH = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH)
NO_WEBP = policy_for(ApiMode.CHAT, "llava", Detail.HIGH, accepts_webp=False)


def run(data: bytes | Path | str, policy: ImagePolicy = HIGH, **kwargs: object):
    return prepare(data, policy, cache=None, **kwargs)  # type: ignore[arg-type]


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def band_range(image: Image.Image) -> tuple[float, float]:
    """getextrema() of a one-band image (Pillow types it for every band count)."""
    low, high = image.getextrema()
    assert isinstance(low, int | float) and isinstance(high, int | float)
    return low, high


def test_photo_is_shrunk_to_what_the_model_sees_and_sent_as_jpeg() -> None:
    prepared = run(images.encode(images.photo(4000, 3000), "JPEG", quality=92))
    assert (prepared.original_width, prepared.original_height) == (4000, 3000)
    assert prepared.original_format == "JPEG"
    assert (prepared.width, prepared.height) == (1024, 768)
    assert prepared.mime == "image/jpeg"
    assert prepared.tokens == 765
    assert reopen(prepared.data).size == (1024, 768)
    assert prepared.data_url().startswith("data:image/jpeg;base64,/9j/")


def test_photo_as_webp_when_the_policy_prefers_it() -> None:
    policy = policy_for(ApiMode.RESPONSES, "gpt-4o", Detail.HIGH, prefer_webp=True)
    prepared = run(images.encode(images.photo(1600, 1200), "PNG"), policy)
    assert prepared.mime == "image/webp"
    assert reopen(prepared.data).format == "WEBP"


def test_screenshot_stays_png_where_the_server_may_lack_webp() -> None:
    shot = images.screenshot(1920, 1080)
    for fmt, params in (("PNG", {}), ("WEBP", {"lossless": True}), ("BMP", {})):
        prepared = run(images.encode(shot, fmt, **params), NO_WEBP)
        assert prepared.mime == "image/png", fmt
        assert (prepared.width, prepared.height) == (1365, 768)
        assert any("not known to decode WebP" in note for note in prepared.notes)


@pytest.mark.parametrize("mode", list(ApiMode))
def test_screenshot_goes_as_lossless_webp_with_the_pngs_pixels(mode: ApiMode) -> None:
    data = images.encode(images.screenshot(1920, 1080), "PNG")
    webp = run(data, policy_for(mode, "gpt-4o", Detail.HIGH))
    png = run(data, policy_for(mode, "gpt-4o", Detail.HIGH, accepts_webp=False))
    assert (webp.mime, png.mime) == ("image/webp", "image/png")
    assert reopen(webp.data).tobytes() == reopen(png.data).tobytes()
    # At zlib level 3 (encode.PNG_LEVEL) the PNG is ~10% smaller than at 6: still ~1.9×.
    assert len(webp.data) * 1.8 < len(png.data)
    assert any(note.startswith("sent as WEBP lossless — graphic") for note in webp.notes)


def test_a_dense_screenshot_goes_as_lossless_webp_at_the_cheap_effort() -> None:
    """Blended text in many colours: libwebp's method 0 (method 1 costs 4-5× there, see
    encode.py); a flat UI keeps method 1's fewer bytes. Both are lossless either way."""
    flat = images.screenshot(2732, 1536, seed=7).resize((1366, 768), Image.Resampling.BILINEAR)
    dense = images.code_editor(2732, 1536).resize((1366, 768), Image.Resampling.BILINEAR)
    assert (lossless_method(flat), lossless_method(dense)) == (1, 0)

    data = images.encode(images.code_editor(2732, 1536), "PNG")
    webp = run(data, HIGH)
    png = run(data, NO_WEBP)

    assert (webp.mime, png.mime) == ("image/webp", "image/png")
    assert reopen(webp.data).tobytes() == reopen(png.data).tobytes()
    assert len(webp.data) < len(png.data)


def test_transparent_graphic_keeps_every_pixel_including_hidden_colour() -> None:
    logo = images.transparent(800, 600)
    logo.putpixel((0, 0), (200, 10, 10, 0))  # invisible, but the PNG keeps it: so must WebP
    data = images.encode(logo, "PNG")
    webp = run(data)
    png = run(data, policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH, accepts_webp=False))
    assert (webp.mime, png.mime) == ("image/webp", "image/png")
    assert reopen(webp.data).mode == "RGBA"
    assert reopen(webp.data).tobytes() == reopen(png.data).tobytes()
    assert any("transparent graphic" in note for note in webp.notes)


def psnr_on_white(sent: Image.Image, reference: Image.Image) -> float:
    def on_white(image: Image.Image) -> Image.Image:
        white = Image.new("RGB", image.size, (255, 255, 255))
        if image.mode == "RGBA":
            white.paste(image, mask=image.getchannel("A"))
            return white
        return image.convert("RGB")

    diff = ImageChops.difference(on_white(sent), on_white(reference))
    mse = sum(value * value for value in ImageStat.Stat(diff).rms) / 3
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)


@pytest.mark.parametrize("webp", [True, False])
def test_transparent_photo_goes_lossy_and_looks_the_same_on_white(webp: bool) -> None:
    cutout = images.cutout(1600, 1200)
    data = images.encode(cutout, "PNG")
    policy = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH, accepts_webp=webp)
    prepared = run(data, policy)
    assert prepared.mime == ("image/webp" if webp else "image/jpeg")
    sent = reopen(prepared.data)
    assert sent.mode == ("RGBA" if webp else "RGB")
    exact = cutout.resize(sent.size, Image.Resampling.LANCZOS)
    assert psnr_on_white(sent, exact) >= 35
    lossless = run(data, policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH, accepts_webp=False))
    assert any("transparent photo" in note for note in prepared.notes)
    assert lossless.mime == "image/jpeg"  # the photo is never kept lossless
    assert len(prepared.data) * 5 < len(images.encode(sent, "PNG"))


def test_a_server_without_webp_gets_no_webp_even_when_preferred() -> None:
    policy = policy_for(ApiMode.CHAT, "llava", Detail.HIGH, accepts_webp=False, prefer_webp=True)
    assert run(images.encode(images.photo(800, 600), "PNG"), policy).mime == "image/jpeg"
    assert run(images.encode(images.screenshot(800, 600), "PNG"), policy).mime == "image/png"


def test_photo_saved_as_png_goes_out_as_jpeg() -> None:
    prepared = run(images.encode(images.photo(2000, 1500), "PNG"))
    assert prepared.mime == "image/jpeg"


def test_transparency_is_kept_in_png() -> None:
    prepared = run(images.encode(images.transparent(800, 600), "PNG"), NO_WEBP)
    assert prepared.mime == "image/png"
    out = reopen(prepared.data)
    assert out.mode == "RGBA"
    assert band_range(out.getchannel("A"))[0] < 255


def test_transparency_is_flattened_onto_white_only_for_jpeg() -> None:
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    out = reopen(encode_jpeg(image, 90))
    assert out.mode == "RGB"
    r, g, b = out.getpixel((5, 5))  # type: ignore[misc]
    assert min(r, g, b) > 245  # white, not black or red


def test_opaque_alpha_channel_is_dropped() -> None:
    image = images.photo(400, 300).convert("RGBA")
    prepared = run(images.encode(image, "PNG"))
    assert reopen(prepared.data).mode in ("RGB", "L")


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int) -> None:
    # A landscape image with a red top-left corner, stored rotated as the camera would.
    upright = Image.new("RGB", (400, 200), (0, 0, 255))
    upright.paste((255, 0, 0), (0, 0, 100, 50))
    inverse = {
        1: None,
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_90,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_270,
    }[orientation]
    stored = upright if inverse is None else upright.transpose(inverse)
    prepared = run(images.jpeg_with_exif(stored, orientation))
    out = reopen(prepared.data)
    assert out.size == (400, 200)
    assert (prepared.original_width, prepared.original_height) == (400, 200)
    r, _, b = out.getpixel((10, 10))  # type: ignore[misc]
    assert r > 200 and b < 60, f"orientation {orientation} not upright"
    if orientation != 1:
        assert any("EXIF orientation" in note for note in prepared.notes)


def test_metadata_is_removed() -> None:
    prepared = run(images.jpeg_with_exif(images.photo(800, 600), 6))
    out = reopen(prepared.data)
    assert not out.getexif()
    assert "exif" not in out.info
    assert "comment" not in out.info
    assert "xmp" not in out.info
    assert b"VisionDesk Test Camera" not in prepared.data
    assert b"secret comment" not in prepared.data
    assert b"Exif" not in prepared.data
    assert any("metadata removed" in note for note in prepared.notes)


def test_png_text_chunks_and_xmp_are_removed() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "private note")
    info.add_text("XML:com.adobe.xmp", "<x:xmpmeta>secret place</x:xmpmeta>")
    data = images.encode(images.screenshot(300, 200), "PNG", pnginfo=info)
    for policy in (HIGH, NO_WEBP):
        prepared = run(data, policy)
        assert b"private note" not in prepared.data
        assert b"secret place" not in prepared.data
        sent = reopen(prepared.data)
        assert not getattr(sent, "text", {})
        assert not {"xmp", "exif", "icc_profile"} & set(sent.info)


def test_mime_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    path = tmp_path / "holiday.png"  # really a JPEG
    path.write_bytes(images.encode(images.photo(300, 200), "JPEG"))
    prepared = run(path)
    assert prepared.original_format == "JPEG"
    assert prepared.label == str(path)


@pytest.mark.parametrize(
    ("mode", "make"),
    [
        ("P", lambda: images.screenshot(300, 200).convert("P", palette=Image.Palette.ADAPTIVE)),
        ("1", lambda: images.screenshot(300, 200).convert("1")),
        ("L", lambda: images.photo(300, 200).convert("L")),
        ("LA", lambda: images.transparent(300, 200).convert("LA")),
        ("RGBA", lambda: images.transparent(300, 200)),
        ("I;16", lambda: Image.linear_gradient("L").resize((300, 200)).convert("I;16")),
        ("CMYK", lambda: images.photo(300, 200).convert("CMYK")),
    ],
)
def test_every_mode_comes_out_in_a_mode_the_encoder_takes(mode: str, make) -> None:
    image = make()
    fmt = "JPEG" if mode == "CMYK" else ("TIFF" if mode == "I;16" else "PNG")
    prepared = run(images.encode(image, fmt))
    out = reopen(prepared.data)
    assert out.mode in ("L", "RGB", "RGBA")
    assert out.size == (300, 200)


def test_16_bit_grey_is_scaled_not_clipped() -> None:
    gradient = Image.new("I;16", (256, 16))
    gradient.putdata([x * 256 for _ in range(16) for x in range(256)])
    prepared = run(images.encode(gradient, "PNG"))
    lo, hi = band_range(reopen(prepared.data).convert("L"))
    assert lo < 10
    assert hi > 240


def test_palette_with_transparency_keeps_it() -> None:
    image = Image.new("P", (64, 64), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(1, (0, 0, 32, 64))
    image.info["transparency"] = 0
    prepared = run(images.encode(image, "PNG", transparency=0))
    assert reopen(prepared.data).mode == "RGBA"


def test_cmyk_jpeg_colours_survive() -> None:
    red = Image.new("RGB", (200, 100), (220, 30, 30)).convert("CMYK")
    prepared = run(images.encode(red, "JPEG"))
    r, g, b = reopen(prepared.data).convert("RGB").getpixel((100, 50))  # type: ignore[misc]
    assert r > 180
    assert g < 80
    assert b < 80


def test_animated_gif_sends_the_first_frame_and_says_so() -> None:
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("red", "green", "blue")]
    data = images.encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    prepared = run(data)
    assert prepared.original_format == "GIF"
    assert prepared.mime == "image/webp"  # GIF is never sent: Ollama refuses it
    assert run(data, NO_WEBP).mime == "image/png"
    assert any("animated GIF (3 frames): first frame sent" in n for n in prepared.notes)
    r, g, _ = reopen(prepared.data).convert("RGB").getpixel((5, 5))  # type: ignore[misc]
    assert r > 200
    assert g < 50


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"])
def test_every_common_format_decodes(fmt: str) -> None:
    image = images.photo(640, 480)
    prepared = run(images.encode(image.convert("P") if fmt == "GIF" else image, fmt))
    assert prepared.original_format == fmt
    assert reopen(prepared.data).size == (640, 480)


@pytest.mark.skipif(not heif_available(), reason="pillow-heif not installed")
@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_heic_and_avif_decode(fmt: str) -> None:
    # 160×120: HEIF's encoder took 2.5 s for 640×480 (0.14 s for this), and any size below
    # the policy's limits is kept as it is.
    try:
        data = images.encode(images.photo(160, 120), fmt, quality=80)
    except (KeyError, OSError) as exc:  # no encoder in this build
        pytest.skip(f"cannot write {fmt} here: {exc}")
    prepared = run(data)
    assert prepared.mime == "image/jpeg"
    assert (prepared.width, prepared.height) == (160, 120)


def test_low_detail_sends_at_most_512() -> None:
    policy = policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW)
    prepared = run(images.encode(images.photo(3000, 2000), "JPEG"), policy)
    assert (prepared.width, prepared.height) == (512, 341)
    assert prepared.tokens == 85


def test_small_images_are_never_upscaled() -> None:
    prepared = run(images.encode(images.screenshot(200, 120), "PNG"))
    assert (prepared.width, prepared.height) == (200, 120)


def test_jpeg_draft_decoding_keeps_the_requested_size() -> None:
    # 8000×6000 asks for 1024×768: the DCT-scaled decode must not undershoot.
    prepared = run(images.encode(images.photo(8000, 6000), "JPEG", quality=80))
    assert (prepared.width, prepared.height) == (1024, 768)


def test_results_are_cached_by_content_and_policy() -> None:
    cache = PreparedCache()
    data = images.encode(images.photo(800, 600), "JPEG")
    first = prepare(data, HIGH, cache=cache, label="a.jpg")
    again = prepare(data, HIGH, cache=cache, label="copy of a.jpg")
    assert again.data is first.data
    assert again.label == "copy of a.jpg"
    assert (cache.hits, cache.misses) == (1, 1)
    low = prepare(data, policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW), cache=cache)
    assert low.width == 512
    assert cache.misses == 2


def test_https_url_is_kept_as_url_when_the_target_takes_urls() -> None:
    prepared = run("https://example.com/cat.jpg")
    assert prepared.url == "https://example.com/cat.jpg"
    assert prepared.image_url() == prepared.url
    assert prepared.tokens == 1445  # the most a gpt-4o high-detail image can cost
    with pytest.raises(ValueError, match="URL"):
        prepared.data_url()


def test_https_url_is_fetched_for_base64_only_servers() -> None:
    policy = policy_for(ApiMode.CHAT, "llava", Detail.HIGH, accepts_urls=False)
    data = images.encode(images.photo(900, 600), "JPEG")
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return data

    prepared = run("https://example.com/cat.jpg", policy, fetch=fetch)
    assert fetched == ["https://example.com/cat.jpg"]
    assert prepared.url is None
    assert prepared.mime == "image/jpeg"
    assert any("unknown model 'llava'" in note for note in prepared.notes)


def test_crop_is_in_upright_pixels_and_is_what_gets_sent() -> None:
    upright = Image.new("RGB", (400, 200), (0, 0, 255))
    upright.paste((255, 0, 0), (0, 0, 100, 50))
    data = images.jpeg_with_exif(upright.transpose(Image.Transpose.ROTATE_90), orientation=6)
    prepared = prepare(data, HIGH, cache=None, crop=(0, 0, 100, 50))
    out = reopen(prepared.data)
    assert out.size == (100, 50) == (prepared.width, prepared.height)
    r, _, b = out.getpixel((50, 25))  # type: ignore[misc]
    assert r > 200 and b < 60  # only the red corner
    assert any("cropped to 100×50" in note for note in prepared.notes)


def test_a_crop_is_sized_for_the_model_on_its_own() -> None:
    data = images.encode(images.photo(4000, 3000), "JPEG")
    cache = PreparedCache()
    whole = prepare(data, HIGH, cache=cache)
    part = prepare(data, HIGH, cache=cache, crop=(1000, 1000, 3000, 2000))
    assert (part.width, part.height, part.tokens) == (1536, 768, 1105)
    assert (whole.width, whole.height) == (1024, 768) and cache.misses == 2


def test_sides_beyond_webps_limit_go_as_png() -> None:
    """gpt-5.6's `original` keeps a 17,000 px tall page; libwebp stops at 16,383."""
    tall = Image.new("RGB", (300, 17_000), (240, 240, 240))
    tall.paste(
        (20, 20, 20),
        (
            10,
            10,
            290,
            16_990,
        ),
    )
    prepared = run(images.encode(tall, "PNG"), policy_for(ApiMode.CHAT, "gpt-5.6", "original"))
    assert (prepared.width, prepared.height, prepared.mime) == (300, 17_000, "image/png")
    assert any("at most 16383 px a side" in note for note in prepared.notes)


def _faded(image: Image.Image) -> Image.Image:
    """`image` under a diagonal alpha fade from clear to opaque (it varies across the
    neighbours the classifier compares)."""
    faded = image.convert("RGBA")
    fade = Image.linear_gradient("L").resize(image.size).rotate(21)
    faded.putalpha(fade)
    return faded


def test_a_flat_graphic_under_a_soft_fade_is_sent_losslessly() -> None:
    # Resampling RGBA premultiplied rounds a flat colour under an alpha gradient by ±1; that
    # once made this one look like a photo (53% of neighbours equal, 32% slightly apart).
    graphic = _faded(images.blocks(1027, 200, side=18))
    policy = policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW, accepts_webp=True)
    prepared = run(images.encode(graphic, "PNG"), policy)
    assert any("lossless — transparent graphic" in note for note in prepared.notes)


def test_a_photo_under_a_soft_fade_is_still_a_photo() -> None:
    policy = policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW, accepts_webp=True)
    prepared = run(images.encode(_faded(images.photo(1024, 768)), "PNG"), policy)
    assert any("alpha kept losslessly — transparent photo" in note for note in prepared.notes)
