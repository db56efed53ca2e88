"""The live network: `chainrule.viz.LiveNetwork`, an MLP trained in front of you in a notebook.

- `session`: `LiveSession`, the model, optimizer and data, trained one phase at a time with
  the step `fit` takes, and reset to where they started;
- `state`: `live_state`, every number the widget shows, read from the engine;
- `widget`: `LiveNetwork`, the anywidget, and its files `assets/live.js` and `assets/live.css`.

The widget needs anywidget (the `notebooks` extra) and, to lay out its drawing once,
Graphviz (`render_svg`: pygraphviz's in-process, else the `dot` program); `chainrule.viz`
imports it when it is first asked for. The session and
its state need neither.
"""

from .session import LiveSession, TrainingStep
from .state import Plane, live_state

__all__ = ["LiveSession", "Plane", "TrainingStep", "live_state"]
