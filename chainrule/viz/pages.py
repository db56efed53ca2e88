"""What the pages (the stepper, the network stepper, the playground) are made of: their
files shipped in `viz/assets`, and Graphviz's SVG as an HTML page holds it."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

__all__ = ["inline_svg", "page_asset", "svg_height_px"]


@cache  # read once per process
def page_asset(name: str) -> str:
    """The text of one of the page's files, shipped with the package in viz/assets."""
    return (files("chainrule.viz") / "assets" / name).read_text(encoding="utf-8")


def inline_svg(svg: str) -> str:
    """The SVG as an HTML page holds it: no XML prolog, comments or namespace declarations
    (HTML knows them), so the page names no web address at all."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", svg)


def svg_height_px(svg: str) -> float:
    """The height in CSS pixels of the first drawing in `svg` (Graphviz gives points), or 400."""
    match = re.search(r'<svg[^>]*\bheight="([\d.]+)pt"', svg)
    return float(match.group(1)) * 4 / 3 if match else 400.0
