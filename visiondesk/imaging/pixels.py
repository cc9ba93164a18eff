"""Pixel modes and colour: bring any decoded image to L, RGB or RGBA in sRGB."""

from __future__ import annotations

import io

from PIL import Image


def normalise_mode(image: Image.Image) -> Image.Image:
    """Bring every mode to L, RGB or RGBA, which resampling and all encoders handle."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L"):
        return image
    if mode == "P":
        palette_mode = image.palette.mode if image.palette is not None else "RGB"
        has_alpha = "transparency" in image.info or palette_mode == "RGBA"
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode in ("LA", "La", "PA", "RGBa", "RGBX"):
        return image.convert("RGBA" if mode != "RGBX" else "RGB")
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I;16") or mode == "I":
        # 16/32-bit grey: scale to 8 bits instead of clipping everything above 255 to white.
        scale = 1 / 257 if mode.startswith("I;16") or max_value(image) > 255 else 1.0
        return image.convert("I").point(lambda value: value * scale).convert("L")
    if mode == "F":
        return image.convert("L")
    # CMYK, YCbCr, LAB, HSV and anything else Pillow can convert.
    return image.convert("RGB")


def max_value(image: Image.Image) -> float:
    extrema = image.getextrema()
    high = extrema[1]
    return float(high) if isinstance(high, int | float) else 255.0


def to_srgb(image: Image.Image, icc: object) -> tuple[Image.Image, str | None]:
    """Convert pixels tagged with another colour profile (Display P3, Adobe RGB) to sRGB."""
    if not isinstance(icc, bytes) or not icc or image.mode not in ("RGB", "RGBA"):
        return image, None
    from PIL import ImageCms  # 10 ms, for the images that carry a profile

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = ImageCms.getProfileDescription(profile).strip()
        if "srgb" in name.lower():
            return image, None
        converted = ImageCms.profileToProfile(
            image, profile, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except Exception:  # an unreadable profile: send the pixels as they are
        return image, None
    if converted is None:  # pragma: no cover - only when converting in place
        return image, None
    return converted, f"colour profile '{name}' converted to sRGB"


def drop_opaque_alpha(image: Image.Image) -> Image.Image:
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image
