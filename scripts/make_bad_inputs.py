#!/usr/bin/env python
"""Write the bad-input corpus to fashion/tests/bad_inputs/ (small files, committed; the tests read them).

The 50 MB upload is not here on purpose: fashion/tests/test_bad_inputs.py streams it on the fly.
Run `python scripts/make_bad_inputs.py` again to regenerate; the output is deterministic.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pillow_heif
from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "fashion" / "tests" / "bad_inputs"
RED, BLUE, GREEN = (200, 30, 30), (30, 60, 200), (40, 160, 60)


def jpeg(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, **options)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 12_000) -> bytes:
    """A valid 1-bit PNG of side × side black pixels: ~20 kB on disk, 144 M pixels (432 MB as RGB) decoded."""
    row = b"\0" + b"\0" * ((side + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_strip(length: int = 40_000_000) -> bytes:
    """A 69-byte 1-bit PNG whose header claims 1 × `length` pixels: within the pixel limit, absurd as a photo."""
    header = struct.pack(">IIBBBBB", 1, length, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0\0" * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def commented_jpeg() -> bytes:
    """A usable photo whose JPEG comment (COM segment), EXIF and XMP carry an e-mail address that must not survive."""
    exif = Image.Exif()
    exif[0x010E] = "owner: shopper@example.com"  # ImageDescription
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>shopper@example.com</rdf:RDF></x:xmpmeta>'
    return jpeg(upright_two_tone(), comment=b"shopper@example.com", exif=exif.tobytes(), xmp=xmp)


def heic() -> bytes:
    """What an iPhone saves (HEIC), through pillow-heif."""
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    upright_two_tone().save(buffer, format="HEIF", quality=90)
    return buffer.getvalue()


def eps() -> bytes:
    """PostScript: Pillow can open it only by calling Ghostscript; never reachable from an upload."""
    return (
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
        b"newpath 0 0 moveto 10 10 lineto stroke showpage\n%%EOF\n"
    )


def upright_two_tone(width: int = 40, height: int = 60) -> Image.Image:
    """Red top half, blue bottom half: easy to tell upright from rotated."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width, height // 2))
    return image


def exif_rotated_jpeg() -> bytes:
    """Pixels stored on their side with EXIF Orientation 6 ("rotate 90° clockwise to view"), plus camera tags."""
    stored = upright_two_tone().transpose(Image.Transpose.ROTATE_90)  # 60 × 40, as a phone sensor writes it
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "BadInputCam"  # Make
    exif[0x0110] = "Model X"  # Model
    return jpeg(stored, exif=exif.tobytes())


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (64, 64), color) for color in (GREEN, RED, BLUE)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    return jpeg(Image.new("CMYK", (64, 80), (0, 200, 200, 30)))


def png_16bit() -> bytes:
    image = Image.new("I;16", (64, 80))
    image.putdata([(x * 1000) % 65536 for x in range(64 * 80)])
    return png(image)


def corpus() -> dict[str, bytes]:
    photo = jpeg(Image.new("RGB", (200, 200), RED))
    return {
        "empty.jpg": b"",
        "text.jpg": b"This is not a photo, just some text with a .jpg name.\n" * 4,
        "page.jpg": b"<!doctype html><html><body><script>alert(1)</script><img src=x></body></html>\n",
        "drawing.jpg": (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
            b'<script>alert(1)</script><rect width="100" height="100" fill="red"/></svg>\n'
        ),
        "truncated.jpg": photo[: len(photo) // 3],
        "bomb.png": png_bomb(),
        "strip_1x40000000.png": png_strip(),
        "bitmap_6300x6300.png": png_bomb(6300),
        "comment_email.jpg": commented_jpeg(),
        "phone.heic": heic(),
        "vector.eps": eps(),
        "animated.gif": animated_gif(),
        "cmyk.jpg": cmyk_jpeg(),
        "16bit.png": png_16bit(),
        "exif_rotated.jpg": exif_rotated_jpeg(),
        "one_pixel.png": png(Image.new("RGB", (1, 1), RED)),
        "wide_10000x10.png": png(Image.new("RGB", (10_000, 10), GREEN)),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in corpus().items():
        (OUT / name).write_bytes(content)
        print(f"{name:22} {len(content):>8} bytes")


if __name__ == "__main__":
    main()
