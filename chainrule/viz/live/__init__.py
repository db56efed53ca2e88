"""The live network: `LiveNetwork`, an MLP trained in front of you in a notebook (an anywidget).

- `session`: `LiveSession`, the model, optimizer and data, trained one phase at a time with
  the step `fit` takes, and reset to where they started;
- `state`: `live_state`, every number the widget shows, read from the engine;
- `widget`: `LiveNetwork`, the anywidget, and its files `assets/live.js` and `assets/live.css`.

Needs anywidget (the `notebooks` extra) and, to lay out the drawing, Graphviz's `dot`.
"""

from .session import LiveSession, TrainingStep
from .state import live_state
from .widget import LiveNetwork

__all__ = ["LiveNetwork", "LiveSession", "TrainingStep", "live_state"]
