"""What the pages (the stepper, the network stepper, the playground) are made of: their
files shipped in `viz/assets`, Graphviz's SVG as an HTML page holds it, and `Page`, what
each of them is to its user: `.html`, `.save(path)`, and an inline view in Jupyter."""

from __future__ import annotations

import html
import os
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..files import write_atomically

__all__ = ["Page", "inline_svg", "page_asset", "svg_height_px"]


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
