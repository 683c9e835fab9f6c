"""Draw the app icons (static/img/icon-*.png) from the design of static/img/icon.svg.

The PNG files are committed; run this again only when the design changes:
`python manage.py make_icons`. Pillow draws at 4× and scales down for smooth edges.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

RED = (183, 20, 27, 255)
WHITE = (255, 255, 255, 255)
GOLD = (246, 195, 68, 255)
# The house of icon.svg (viewBox 0 0 64 64), corners rounded there by 2 units; straight here.
HOUSE = [(16, 34), (32, 20), (48, 34), (48, 50), (36, 50), (36, 40), (28, 40), (28, 50), (16, 50)]
SUN = (32, 13, 4)
SIZES = {"icon-192.png": (192, False), "icon-512.png": (512, False)}
MASKABLE = {"icon-maskable-512.png": 512}


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = big / 64
    if maskable:
        # Full bleed; the drawing shrinks into the safe zone (the centre circle of 80%).
        pen.rectangle((0, 0, big, big), fill=RED)
        shrink, offset = 0.8, big * 0.1
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=RED)
        shrink, offset = 1.0, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * unit * shrink, offset + y * unit * shrink)

    pen.polygon([at(x, y) for x, y in HOUSE], fill=WHITE)
    cx, cy, r = SUN
    left, top = at(cx - r, cy - r)
    right, bottom = at(cx + r, cy + r)
    pen.ellipse((left, top, right, bottom), fill=GOLD)
    return image.resize((size, size), Image.Resampling.LANCZOS)


class Command(BaseCommand):
    help = "Draw the PNG app icons (192, 512 and a maskable 512) into static/img/."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "static" / "img"))

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        for name, (size, maskable) in SIZES.items():
            draw(size, maskable=maskable).save(out / name, optimize=True)
            self.stdout.write(f"{out / name}")
        for name, size in MASKABLE.items():
            draw(size, maskable=True).convert("RGB").save(out / name, optimize=True)
            self.stdout.write(f"{out / name}")
