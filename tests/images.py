"""Deterministic test and benchmark images, generated on the fly (no binaries in the repo)."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFilter, ImageFont


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """A photo-like RGB image: soft shapes and gradients with sensor-like noise everywhere."""
    rng = random.Random(seed)
    small_size = (max(8, width // 16), max(8, height // 16))
    small = Image.new("RGB", small_size, _colour(rng))
    draw = ImageDraw.Draw(small)
    for _ in range(40):
        x, y = rng.randrange(small_size[0]), rng.randrange(small_size[1])
        r = rng.randrange(2, max(3, min(small_size) // 2))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_colour(rng))
    small = small.filter(ImageFilter.GaussianBlur(max(1, min(small_size) // 40)))
    image = small.resize((width, height), Image.Resampling.BILINEAR)
    return _add_noise(image, rng, amplitude=14)


def _add_noise(image: Image.Image, rng: random.Random, amplitude: int) -> Image.Image:
    tile = 256
    noise_tile = Image.frombytes("L", (tile, tile), rng.randbytes(tile * tile))
    noise_tile = noise_tile.point(lambda v: v * amplitude // 255)
    noise = Image.new("L", image.size)
    for top in range(0, image.height, tile):
        for left in range(0, image.width, tile):
            noise.paste(noise_tile, (left, top))
    rgb_noise = Image.merge("RGB", (noise, noise, noise))
    from PIL import ImageChops

    return ImageChops.add(image, rgb_noise, scale=1.0, offset=-(amplitude // 2))


def screenshot(width: int, height: int, seed: int = 2, text_size: int = 13) -> Image.Image:
    """A UI-like screenshot: flat panels, lines, and lots of small anti-aliased text."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (246, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 40), fill=(40, 44, 52))
    draw.rectangle((0, 40, width // 6, height), fill=(230, 232, 236))
    font = ImageFont.load_default(size=text_size)
    words = ("the quick brown fox jumps over the lazy dog; vision model token image detail").split()
    y = 60
    while y < height - text_size:
        x = width // 6 + 20
        line = " ".join(rng.choice(words) for _ in range(rng.randrange(6, 20)))
        draw.text((x, y), line, fill=(20, 20, 20), font=font)
        y += text_size + 7
    for _ in range(12 if width > 400 and height > 200 else 0):
        x, y = rng.randrange(width - 200), rng.randrange(60, height - 100)
        draw.rectangle((x, y, x + 180, y + 28), fill=(66, 133, 244))
        draw.text((x + 10, y + 6), "Button", fill=(255, 255, 255), font=font)
    return image


def code_editor(width: int, height: int, seed: int = 3, text_size: int = 11) -> Image.Image:
    """A dense screenshot: two panes of small syntax-coloured text in ten colours on a dark
    background, line numbers, and a minimap of tiny coloured dashes (resampled, the text
    blends into tens of thousands of colours, as a code editor or a map does)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (30, 31, 36))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=text_size)
    palette = [
        (220, 220, 170), (86, 156, 214), (206, 145, 120), (106, 153, 85), (197, 134, 192),
        (78, 201, 176), (212, 212, 212), (156, 220, 254), (181, 206, 168), (244, 71, 71),
    ]  # fmt: skip
    keywords = "def class return import from self if else for in not and None yield".split()
    characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_()[]{}.,:=+-*<>"
    draw.rectangle((0, 0, width, 30), fill=(50, 50, 56))
    draw.rectangle((0, 30, 48, height), fill=(37, 37, 42))
    line_height = text_size + 4
    minimap = width - 120
    for left, right in ((56, width // 2 - 8), (width // 2 + 8, minimap - 8)):
        for number, y in enumerate(range(36, height - line_height, line_height), start=1):
            draw.text((max(4, left - 52), y), f"{number:4}", fill=(110, 110, 120), font=font)
            x = left + rng.randrange(0, 8) * text_size
            while x < right - 40:
                if rng.random() < 0.4:
                    word = rng.choice(keywords)
                else:
                    word = "".join(rng.choice(characters) for _ in range(rng.randrange(1, 12)))
                draw.text((x, y), word, fill=rng.choice(palette), font=font)
                x += int(font.getlength(word + " "))
                if rng.random() < 0.08:
                    break
    for y in range(36, height, 2):
        x = minimap + rng.randrange(0, 20)
        while x < width - 4 and rng.random() > 0.05:
            run = rng.randrange(1, 9)
            draw.line((x, y, min(width - 4, x + run), y), fill=rng.choice(palette))
            x += run + rng.randrange(1, 4)
    return image


def transparent(width: int, height: int, seed: int = 3) -> Image.Image:
    """An RGBA image with a gradient alpha and shapes (a logo or cut-out)."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(10, max(11, min(width, height) // 4))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*_colour(rng), rng.randrange(60, 256)))
    return image


def cutout(width: int, height: int, seed: int = 4) -> Image.Image:
    """A photo-like RGBA image: a noisy photo inside a feathered ellipse, clear around it
    (a product shot or portrait with its background removed)."""
    image = photo(width, height, seed=seed).convert("RGBA")
    mask = Image.new("L", (width, height), 0)
    inset_x, inset_y = width // 10, height // 10
    ImageDraw.Draw(mask).ellipse((inset_x, inset_y, width - inset_x, height - inset_y), fill=255)
    image.putalpha(mask.filter(ImageFilter.GaussianBlur(max(1, min(width, height) // 100))))
    return image


def blocks(width: int, height: int, side: int = 24, seed: int = 5) -> Image.Image:
    """Squares of random colours, `side` pixels wide: a graphic with no text."""
    rng = random.Random(seed)
    small = (-(-width // side), -(-height // side))
    noise = Image.frombytes("RGB", small, rng.randbytes(3 * small[0] * small[1]))
    whole = noise.resize((small[0] * side, small[1] * side), Image.Resampling.NEAREST)
    return whole.crop((0, 0, width, height))


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def jpeg_with_exif(
    image: Image.Image, orientation: int = 1, gps: bool = True, quality: int = 90
) -> bytes:
    """A JPEG with an EXIF orientation, GPS position, camera make and a comment."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "VisionDesk Test Camera"
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return encode(image, "JPEG", exif=exif, quality=quality, comment=b"secret comment")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` but holds one row: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 64))
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat))
        + b"IDAT"
        + idat
        + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
