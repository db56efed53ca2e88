"""What every page is made of: `Page` (`.html`, `.save(path)`, the inline view in Jupyter),
its files in `assets/` (read with `page_asset`, or found with `asset_path` by a widget;
`player.js` and `player.css` are the steppers' shared controls), the SVG of a drawing as a
page holds it (`inline_svg`), the frames' JSON as its script holds it (`script_json`), and
the text a box is laid out for (`widest`)."""

from .page import (
    WIDEST_NUMBER,
    Page,
    asset_path,
    inline_svg,
    page_asset,
    script_json,
    svg_height_px,
    text_width,
    widest,
)

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
