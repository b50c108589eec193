"""ICC v2 colour profiles written here, so tests can tag a photo as a phone's Display P3, a camera's Adobe RGB (matrix
and curves, the kind they embed) or a press's CMYK (one lookup table) without any profile file on disk."""

from __future__ import annotations

import itertools
import struct

import numpy as np

D50 = np.array([0.96422, 1.0, 0.82521])  # the profile connection space's white
D65 = (0.3127, 0.3290)
BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
DISPLAY_P3_PRIMARIES = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))
ADOBE_RGB_PRIMARIES = ((0.64, 0.33), (0.21, 0.71), (0.15, 0.06))
SRGB_PRIMARIES = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06))


def _xyz(xy: tuple[float, float]) -> np.ndarray:
    x, y = xy
    return np.array([x / y, 1.0, (1 - x - y) / y])


def colorants(primaries, white=D65) -> np.ndarray:
    """RGB -> XYZ (D50, Bradford-adapted from `white`): the columns are the profile's rXYZ, gXYZ and bXYZ tags."""
    p = np.stack([_xyz(xy) for xy in primaries], axis=1)
    m = p * np.linalg.solve(p, _xyz(white))
    adapt = np.linalg.inv(BRADFORD) @ np.diag((BRADFORD @ D50) / (BRADFORD @ _xyz(white))) @ BRADFORD
    return adapt @ m


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(values) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(_s15(v) for v in values)


def _curve_tag(gamma: float | None) -> bytes:
    if gamma is not None:
        return b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256))
    x = np.linspace(0.0, 1.0, 1024)  # the sRGB curve (Display P3 uses it too)
    table = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
    return (
        b"curv"
        + bytes(4)
        + struct.pack(">I", len(table))
        + struct.pack(f">{len(table)}H", *np.rint(table * 65535).astype(int))
    )


def _description(name: str) -> bytes:
    text = name.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)


COPYRIGHT = b"text" + bytes(4) + b"No copyright, use freely\0"


def _profile(device_class: bytes, space: bytes, pcs: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    """An ICC v2 profile: the 128-byte header, the tag table and the tags (each 4-byte aligned)."""
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data + bytes(-len(data) % 4)
    header = bytearray(128)
    header[8:12] = bytes([2, 0x10, 0, 0])  # version 2.1
    header[12:24] = device_class + space + pcs
    header[24:36] = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
    header[36:40] = b"acsp"
    header[68:80] = b"".join(_s15(v) for v in D50)  # the PCS illuminant
    data = bytes(header[4:]) + struct.pack(">I", len(tags)) + table + body
    return struct.pack(">I", len(data) + 4) + data


def icc_profile(name: str, primaries, *, white=D65, gamma: float | None = None) -> bytes:
    """An ICC v2 RGB display profile with these primaries and white, on the sRGB curve or a pure `gamma`."""
    m = colorants(primaries, white)
    curve = _curve_tag(gamma)
    tags = [
        (b"desc", _description(name)),
        (b"cprt", COPYRIGHT),
        (b"wtpt", _xyz_tag(D50)),
        (b"rXYZ", _xyz_tag(m[:, 0])),
        (b"gXYZ", _xyz_tag(m[:, 1])),
        (b"bXYZ", _xyz_tag(m[:, 2])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    return _profile(b"mntr", b"RGB ", b"XYZ ", tags)


def display_p3() -> bytes:
    return icc_profile("Display P3 (test)", DISPLAY_P3_PRIMARIES)


def adobe_rgb() -> bytes:
    return icc_profile("Adobe RGB compatible (test)", ADOBE_RGB_PRIMARIES, gamma=563 / 256)


def srgb_like() -> bytes:
    """An sRGB profile written by another program than LittleCMS (the kind most cameras embed)."""
    return icc_profile("sRGB IEC61966-2.1 (test)", SRGB_PRIMARIES)


def _lab_d50(rgb_linear: np.ndarray) -> np.ndarray:
    """CIE Lab (D50) of linear sRGB values."""
    xyz = colorants(SRGB_PRIMARIES) @ rgb_linear
    f = np.cbrt(np.maximum(xyz / D50, 0.0))
    f = np.where(xyz / D50 > (6 / 29) ** 3, f, xyz / D50 / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def press_cmyk(black_lightness: float = 20.0) -> bytes:
    """An ICC v2 CMYK output profile (one lut16 table, 2 grid points a channel, to Lab) of a press whose full black
    ink alone prints a dark grey of `black_lightness` L*, as real press profiles do (Pillow's own CMYK conversion,
    without a profile, makes it 0, pure black). Inks mix as (1 - C)(1 - K) … in linear light otherwise."""
    grid = []
    for c, m, y, k in itertools.product((0, 1), repeat=4):  # the first input channel varies slowest
        floor = (1 - k) + k * _srgb_linear_of_lightness(black_lightness)
        lab = _lab_d50(np.array([(1 - c) * floor, (1 - m) * floor, (1 - y) * floor]))
        grid.append(lab)

    def lab16(lab) -> list[int]:  # the lut16 (ICC v2) Lab encoding: L 0..100 -> 0..0xFF00
        light, a, b = lab
        return [int(np.clip(round(v), 0, 65535)) for v in (light * 0xFF00 / 100, (a + 128) * 256, (b + 128) * 256)]

    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    lut = (
        b"mft2"
        + bytes(4)
        + bytes([4, 3, 2, 0])
        + identity
        + struct.pack(">HH", 2, 2)
        + struct.pack(">8H", *(0, 65535) * 4)
        + b"".join(struct.pack(">3H", *lab16(lab)) for lab in grid)
        + struct.pack(">6H", *(0, 65535) * 3)
    )
    tags = [
        (b"desc", _description("Press CMYK (test)")),
        (b"cprt", COPYRIGHT),
        (b"wtpt", _xyz_tag(D50)),
        (b"A2B0", lut),
    ]
    return _profile(b"prtr", b"CMYK", b"Lab ", tags)


def _srgb_linear_of_lightness(lightness: float) -> float:
    """The linear-light level of a grey of this L*."""
    f = (lightness + 16) / 116
    return f**3 if f > 6 / 29 else 3 * (6 / 29) ** 2 * (f - 4 / 29)
