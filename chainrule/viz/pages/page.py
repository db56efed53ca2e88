"""What the pages (the stepper, the network stepper, the playground) are made of: their
files shipped in `viz/pages/assets`, Graphviz's SVG as an HTML page holds it, and `Page`, what
each of them is to its user: `.html`, `.save(path)`, and an inline view in Jupyter."""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ...files import write_atomically

__all__ = [
    "WIDEST_NUMBER",
    "Page",
    "asset_path",
    "inline_svg",
    "page_asset",
    "script_json",
    "svg_height_px",
    "text_width",
    "widest",
]

# The widest number `format_number` writes (a sign, 4 digits, a point and an exponent): what a
# box is laid out for when the page may write any number in it.
WIDEST_NUMBER = "-8.888e-88"


@cache  # read once per process
def page_asset(name: str) -> str:
    """The text of one of the page's files, shipped with the package in viz/pages/assets."""
    return (files("chainrule.viz.pages") / "assets" / name).read_text(encoding="utf-8")


def asset_path(name: str) -> Path:
    """The path of one of the files in viz/pages/assets, for a widget's `_esm` and `_css`,
    which anywidget reads from a path (and, in development, reloads when the file changes)."""
    return Path(str(files("chainrule.viz.pages") / "assets" / name))


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


def script_json(data: Any) -> str:
    """`data` as JSON a page's <script> can hold: compact, and "</" written "<\\/" (which JSON
    allows), so no string in it can end the element early. A number that is not finite is
    refused (ValueError): JSON has none, and the page's JSON.parse would fail on it."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as error:
        raise ValueError(f"page: its data holds a number that is not finite (JSON has none): {error}") from None
    return text.replace("</", "<\\/")


def text_width(text: str) -> float:
    """A rough width in digits: signs and points are narrower than digits in the fonts used."""
    return sum(0.5 if c in ".-+" else 1.0 for c in text)


def widest(texts: Iterable[str]) -> str:
    """The one of `texts` that takes the most room (`text_width`; the first, on ties). A page
    that fills a drawing's boxes in later has Graphviz lay each out for the widest text it will
    show, so that every later text fits without moving anything."""
    return max(texts, key=text_width)


class Page:
    """One self-contained, offline HTML page: its text in `.html`, `.save(path)` to write it,
    and shown inline in Jupyter. `Stepper`, `NetworkStepper` and `PlaygroundPage` are Pages."""

    html: str
    _title = "chainrule page"  # the iframe's title, for screen readers
    _height = 800  # the iframe's height in CSS pixels: each page sets its own

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (one self-contained HTML file) and return the path.

        Written whole or not at all (`chainrule.files.write_atomically`): a failure raises an
        OSError naming `path` and the cause, and leaves an earlier file there as it was."""
        where = f"{type(self).__name__}.save"
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{where}: path must be a str or a path, got {type(path).__name__}")
        return write_atomically(path, self.html, where)

    def _repr_html_(self) -> str:
        # In an iframe of its own the page's ids, styles and keys cannot meet the notebook's
        # or another page's; the sandbox lets its script run, with no access to the notebook.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'title="{self._title}" style="width: 100%; height: {self._height}px; border: 1px solid #e5e7eb">'
            "</iframe>"
        )
