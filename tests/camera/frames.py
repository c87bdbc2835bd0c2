#!/usr/bin/python3
"""frames.py QR.png OUTDIR: the camera-conditions frames of a voucher's QR.

For each condition of a real counter, OUTDIR/NAME.png (one frame, for the
reference decoder) and OUTDIR/NAME.y4m (a few 1280x720 frames, each with
its own sensor noise, for Chromium's fake camera). The conditions: plain,
a small code (a 32 mm QR at hand distance), rotated 12 degrees, a mild
perspective, blur of sigma 1, dim light with sensor noise, a phone
screen's moire, a slight crease, a QRIS code beside the voucher, only a
QRIS code, an inverted code (a phone in dark mode). Needs Debian's
python3-pil and python3-numpy, and qrencode for the QRIS code.
"""
import subprocess
import sys

import numpy as np
from PIL import Image, ImageFilter

W, H, FRAMES = 1280, 720, 6
QRIS = ("00020101021126570011ID.CO.QRIS.WWW01189360091530012345670214123456789012340303UMI"
        "51440014ID.CO.QRIS.WWW0215ID10200000000010303UMI5204549953033605802ID5912TOKO BATIK"
        "6011PROBOLINGGO61056721162070703A016304ABCD")


def code(path, side):
    """The issued PNG at path, side pixels wide (modules kept sharp, the
    caption band under the QR kept in proportion), as L."""
    img = Image.open(path).convert("L")
    return img.resize((side, side * img.height // img.width), Image.NEAREST)


def qris(side):
    png = subprocess.run(["qrencode", "-o", "-", "-s", "6", "-m", "2", QRIS],
                         capture_output=True, check=True).stdout
    import io
    return Image.open(io.BytesIO(png)).convert("L").resize((side, side), Image.NEAREST)


def table():
    """A counter top: mid gray with a little texture."""
    rng = np.random.default_rng(7)
    base = 150 + rng.normal(0, 6, (H // 8, W // 8))
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).resize((W, H), Image.BILINEAR)


def paste(bg, img, cx, cy):
    bg.paste(img, (cx - img.width // 2, cy - img.height // 2))
    return bg


def on_paper(qr):
    """The code on its white card, a margin around it."""
    card = Image.new("L", (qr.width + 60, qr.height + 60), 245)
    card.paste(qr, (30, 30))
    return card


def conditions(qr_path):
    q = lambda side: on_paper(code(qr_path, side))
    scene = lambda img, x=W // 2: paste(table(), img, x, H // 2)
    out = {}
    out["plain"] = (scene(q(320)), {})
    out["small"] = (scene(q(130)), {})
    out["rotated"] = (paste(table(), q(320).rotate(12, expand=True, fillcolor=150), W // 2, H // 2), {})
    card = q(320)
    w, h = card.size
    # A mild perspective: the far edge 10 % narrower.
    coeffs = perspective([(0, 0), (w, 0), (w, h), (0, h)],
                         [(w * 0.05, 0), (w * 0.95, 0), (w, h), (0, h)])
    out["perspective"] = (scene(card.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BILINEAR,
                                               fillcolor=150)), {})
    out["blur"] = (scene(q(320)).filter(ImageFilter.GaussianBlur(1)), {})
    out["dim_noise"] = (scene(q(320)).filter(ImageFilter.GaussianBlur(0.6)),
                        {"gain": 0.35, "noise": 12})
    out["moire"] = (moire(scene(q(320))), {"noise": 4})
    out["crease"] = (crease(scene(q(320))), {})
    both = table()
    paste(both, q(300), W // 2 - 280, H // 2)
    paste(both, on_paper(qris(300)), W // 2 + 280, H // 2)
    out["qris_beside"] = (both, {})
    out["qris_only"] = (scene(on_paper(qris(320))), {})
    out["inverted"] = (scene(Image.eval(code(qr_path, 320), lambda v: 255 - v)), {})
    return out


def perspective(src, dst):
    """PIL's perspective coefficients mapping dst corners back to src."""
    a = []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    b = np.array([c for p in src for c in p], dtype=float)
    return np.linalg.solve(np.array(a, dtype=float), b).tolist()


def moire(img):
    """A phone screen photographed: a fine pixel grid beating with the sensor's."""
    a = np.asarray(img, dtype=float)
    yy, xx = np.mgrid[0:H, 0:W]
    beat = 0.82 + 0.18 * np.sin(2 * np.pi * (xx * 0.31 + yy * 0.07)) * np.sin(2 * np.pi * yy * 0.29)
    return Image.fromarray(np.clip(a * beat, 0, 255).astype(np.uint8))


def crease(img):
    """A slight crease across the card: a shadowed fold, one side shifted 2 px."""
    a = np.asarray(img, dtype=float).copy()
    x0 = W // 2 + 20
    a[:, x0:] = np.roll(a[:, x0:], 2, axis=0)
    for dx in range(-6, 7):
        a[:, x0 + dx] *= 0.75 + 0.25 * abs(dx) / 6
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def frames(img, gain=1.0, noise=3):
    """FRAMES frames of the scene with their own sensor noise."""
    rng = np.random.default_rng(1)
    a = np.asarray(img, dtype=float) * gain
    for _ in range(FRAMES):
        yield np.clip(a + rng.normal(0, noise, a.shape), 0, 255).astype(np.uint8)


def main():
    qr_path, out = sys.argv[1], sys.argv[2]
    for name, (img, opts) in conditions(qr_path).items():
        fs = list(frames(img, **opts))
        Image.fromarray(fs[0]).save(f"{out}/{name}.png")
        with open(f"{out}/{name}.y4m", "wb") as f:
            f.write(f"YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg\n".encode())
            chroma = bytes([128]) * ((W // 2) * (H // 2) * 2)
            for y in fs:
                f.write(b"FRAME\n" + y.tobytes() + chroma)
        print(name)


if __name__ == "__main__":
    main()
