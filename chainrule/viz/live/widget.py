"""`LiveNetwork`: an MLP training in front of you, as an anywidget (JupyterLab, Notebook 7,
VS Code, Colab, marimo). Its script and styles are `assets/live.js` and `assets/live.css`,
package files: nothing is fetched from the network.

The drawing is the network view's (`network_graph`, laid out once by Graphviz); each update
sends the numbers of `live_state` and the script places them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ...engine import Value
from ...engine.checks import finite_real, positive_int
from ...nn import History, LayerTerms, Module
from ...optim import Optimizer
from ..graph import render_svg
from ..network import NetworkStepper
from ..network.view import NeuronText, network_graph
from ..pages import inline_svg
from .session import LiveSession, TrainingStep
from .state import Plane, live_state

__all__ = ["LiveNetwork"]

_ASSETS = Path(__file__).parent / "assets"
_WIDE = "-0.0001234"  # the widest number a cell shows often: Graphviz makes room for it
_PAUSE_WAIT = 5.0  # seconds pause() waits for the step in progress


class LiveNetwork(anywidget.AnyWidget):
    """An MLP that trains in place, live: forward pass, backward pass and training step at the
    click of a button, or playing, with z, a and δ on every neuron for the selected sample, and
    for 2-input models each neuron's activation over the input plane and the decision boundary.

    `model` (a `chainrule.nn.MLP` or `chainrule.micrograd.nn.MLP`) is trained in place by
    `optimizer` with the step `fit` takes: the batch's outputs, `loss` (a name in
    `chainrule.nn.LOSSES` or a function, as for `fit`), `zero_grad`, `backward`, `step`.
    Reset puts back the weights and the optimizer's state as they were when it was made.

        >>> X, y = make_moons(100, seed=0)
        >>> model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
        >>> live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.1))
        >>> live   # doctest: +SKIP
        >>> live.step(10); live.history.loss[-1]   # doctest: +SKIP

    The buttons and the methods do the same: `forward()`, `backward()`, `step(n)`, `play()`,
    `pause()`, `reset()`, `add_point(x, label)`; `terms` and `history` read the numbers;
    `save(path)` writes the steps so far as the offline network page. Play trains in a
    thread of the kernel, one step at a time under a lock, so other cells still run and a
    button pressed meanwhile waits for the step in progress; a nan or inf loss stops it.
    """

    _esm = _ASSETS / "live.js"
    _css = _ASSETS / "live.css"
    drawing = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        model: Module,
        X: Sequence[Sequence[float]],  # noqa: N803 - X, y: the usual names for samples and labels
        y: Sequence[Any],
        *,
        loss: str | Callable[..., Value],
        optimizer: Optimizer,
        speed: int = 10,
        step: TrainingStep | None = None,
    ) -> None:
        session = LiveSession(model, X, y, loss, optimizer)  # every check, before anything changes
        self._speed = positive_int(speed, "LiveNetwork", "speed")
        session.custom_step = step
        self._session = session
        self._plane = Plane(session.samples) if session.layers[0][1].nin == 2 else None
        self._lock = threading.RLock()
        self._playing = False
        self._player: threading.Thread | None = None
        self._class = session.labels[0]
        super().__init__(drawing=_drawing(session))
        self.on_msg(self._on_message)
        self._publish()

    # -- the Python side of the buttons ------------------------------------------------

    def forward(self) -> float:
        """The forward pass on the batch (or the selected sample); returns the loss."""
        with self._lock:
            loss = self._session.forward()
            self._publish()
        return loss

    def backward(self) -> None:
        """The backward pass (after a forward pass, run first if needed): δ and dLoss/dw."""
        with self._lock:
            self._session.backward()
            self._publish()

    def step(self, n: int = 1) -> float:
        """`n` training steps (the first finishes the step in progress); stops at a nan or
        inf loss. Returns the last step's loss."""
        n = positive_int(n, "LiveNetwork.step", "n")
        with self._lock:
            for _ in range(n):
                loss = self._session.update()
                if self._session.diverged:
                    break
            self._publish()
        return loss

    def play(self) -> None:
        """Train step after step in a thread, at `speed` steps a second at most, until
        `pause()`, Pause, or a nan or inf loss."""
        with self._lock:
            if self._player is not None and self._player.is_alive():
                return
            self._playing = True
            self._player = threading.Thread(target=self._play, name="LiveNetwork.play", daemon=True)
            self._player.start()
            self._publish()

    def pause(self) -> None:
        """Stop playing; returns once the step in progress (if any) is done."""
        self._playing = False
        player = self._player
        if player is not None and player is not threading.current_thread():
            player.join(_PAUSE_WAIT)
        with self._lock:
            self._publish()

    def reset(self) -> None:
        """The weights and the optimizer's state as at the start; history and graph dropped."""
        self.pause()
        with self._lock:
            self._session.reset()
            self._publish()

    def add_point(self, x: Sequence[float], label: Any) -> None:
        """Add a sample `x` with `label` to the data (checked first)."""
        with self._lock:
            self._session.add_point(x, label)
            self._publish()

    def select(self, index: int) -> None:
        """Show the numbers of sample `index` (and train on it alone in one-sample mode)."""
        with self._lock:
            self._session.select(index)
            self._publish()

    @property
    def terms(self) -> list[LayerTerms] | None:
        """`nn.layer_terms` of the current step's graph for the selected sample (None before
        a forward pass): the numbers the drawing shows."""
        with self._lock:
            return self._session.terms()

    @property
    def history(self) -> History:
        """The loss (and accuracy) of each step so far, as `fit` records them per epoch."""
        return self._session.history

    @property
    def session(self) -> LiveSession:
        """The model, optimizer and data being trained, and the phase of the step."""
        return self._session

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the steps taken so far, replayed from the start, as the offline network page
        (`NetworkStepper`). The page takes full-batch steps at one learning rate on fixed
        data: ValueError when the steps so far were otherwise (reset, then step, to save)."""
        with self._lock:
            s = self._session
            if not s.step_log:
                raise ValueError("LiveNetwork.save: no training step yet: step first, then save")
            if len(set(s.step_log)) != 1 or s.step_log[0][0] != "batch" or s.step_log[0][2] != len(s.samples):
                raise ValueError(
                    "LiveNetwork.save: the page replays full-batch steps at one learning rate on the data as it "
                    "is; these steps changed mode, learning rate or data. Reset, then step, to save them."
                )
            model, optimizer = s.initial_copies()
            optimizer.lr = s.step_log[0][1]
            loss = s.spec.name if s.spec is not None else s.loss_fn  # by name: the page maps the labels as fit
            page = NetworkStepper(
                model, s.samples, s.labels, loss=loss, optimizer=optimizer, steps=s.steps, sample=s.selected
            )
        return page.save(path)

    # -- playing -------------------------------------------------------------------------

    def _play(self) -> None:
        while self._playing:
            start = time.perf_counter()
            with self._lock:
                if not self._playing:
                    break
                self._session.update()
                if self._session.diverged:
                    self._playing = False
                self._publish()
            time.sleep(max(0.0, 1.0 / self._speed - (time.perf_counter() - start)))
        with self._lock:
            self._publish()

    # -- the front end's messages ----------------------------------------------------------

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action, value = content.get("action"), content.get("value", 0)
        actions: dict[str, Callable[[], Any]] = {
            "forward": self.forward,
            "backward": self.backward,
            "train-step": self.step,
            "play": self.play,
            "pause": self.pause,
            "reset": self.reset,
            "select": lambda: self.select(int(value)),  # from the page: an index it was given
            "lr": lambda: self._set(self._session.set_lr, value),
            "speed": lambda: self._set(self._set_speed, value),
            "mode": lambda: self._set(self._session.set_mode, value),
            "class": lambda: self._set(self._set_class, value),
            "add": lambda: self._add_at(value),
        }
        if action in actions:
            if self._playing and action in ("forward", "backward", "train-step"):
                return  # ignored while playing: Play takes whole steps
            actions[action]()

    def _add_at(self, pixel: Any) -> None:
        """Shift-click on the plane: a point of the chosen class where the panel was clicked."""
        if self._plane is not None and isinstance(pixel, list) and len(pixel) == 2:
            self.add_point(self._plane.point(float(pixel[0]), float(pixel[1])), self._class)

    def _set(self, setter: Callable[[Any], Any], value: Any) -> None:
        with self._lock:
            setter(value)
            self._publish()

    def _set_speed(self, value: Any) -> None:
        self._speed = positive_int(int(finite_real(value, "LiveNetwork", "speed")), "LiveNetwork", "speed")

    def _set_class(self, value: Any) -> None:
        matches = [label for label in self._session.labels if str(label) == str(value)]
        if not matches:
            raise ValueError(f"LiveNetwork: no class {value!r} in the data")
        self._class = matches[0]

    def _publish(self) -> None:
        extra = {"playing": self._playing, "speed": self._speed, "chosen_class": str(self._class)}
        self.state = live_state(self._session, self._plane, extra)

    def __repr__(self) -> str:
        s = self._session
        return f"LiveNetwork({type(s.model).__name__}, {len(s.samples)} samples, {s.steps} steps, {s.phase})"


def _drawing(session: LiveSession) -> str:
    """The network view's SVG, laid out once, with room in each cell for a wide number."""

    def texts(node_id: str) -> NeuronText:
        if node_id.startswith("x"):
            return NeuronText((("x", _WIDE),), f"input {node_id}")
        return NeuronText((("z", _WIDE), ("a", _WIDE), ("δ", _WIDE), ("b", _WIDE)), node_id)

    graph = network_graph(session.model, texts, None, subtitle="values for the selected sample", svg_ids=True)
    return inline_svg(render_svg(graph))
