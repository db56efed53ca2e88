"""What every page is made of: `Page` (`.html`, `.save(path)`, the inline view in Jupyter),
its files in `assets/` (read with `page_asset`; `player.js` and `player.css` are the
steppers' shared controls), and the SVG of a drawing as a page holds it (`inline_svg`)."""

from .page import Page, inline_svg, page_asset, svg_height_px

__all__ = ["Page", "inline_svg", "page_asset", "svg_height_px"]
