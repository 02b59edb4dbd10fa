#!/usr/bin/env python3
"""Draws AnchorDesk's app icon (a rounded tile with a play mark and a live dot) as RGBA PNGs.

Pure standard library, so it runs anywhere python3 does; the PNGs it writes are committed in icons/.
"""
import math, os, struct, zlib

def png(size):
    rows = []
    r_corner = size * 0.22
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            # rounded-square mask with 1px anti-aliasing
            dx = max(r_corner - px, 0, px - (size - r_corner))
            dy = max(r_corner - py, 0, py - (size - r_corner))
            d = math.hypot(dx, dy) - r_corner
            a = max(0.0, min(1.0, 0.5 - d)) if (dx > 0 and dy > 0) else 1.0
            t = py / size
            r, g, b = int(24 + 40 * t), int(90 + 30 * t), int(230 - 60 * t)
            # play triangle
            cx, cy, s = size * 0.47, size * 0.5, size * 0.26
            if px > cx - s * 0.75 and abs(py - cy) < (cx + s - px) * 0.62 and px < cx + s:
                r, g, b = 255, 255, 255
            # live dot
            if math.hypot(px - size * 0.78, py - size * 0.22) < size * 0.09:
                r, g, b = 255, 72, 72
            row += bytes([r, g, b, int(a * 255)])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))

out = os.path.join(os.path.dirname(__file__), "..", "icons")
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(os.path.join(out, name), "wb") as f:
        f.write(png(size))
