"""The live network's training, with no widget: `LiveSession` holds the model, its optimizer
and the data, and runs the training step in its three phases (forward, backward, update),
as `fit` runs it: outputs of every sample of the batch, the loss, `zero_grad`, `backward`,
`optimizer.step()`, in that order, on the model itself. Reset puts back the weights and the
optimizer's state as they were when the session was made.

`LiveNetwork` (`widget.py`) shows a session; `state.py` turns one into the numbers it shows.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ...compiler import Compiled, compile
from ...engine import Value
from ...engine.checks import finite_real, instance_of, is_sequence
from ...nn import MLP, History, Layer, LayerTerms, Module, collector_paused, grad_norms, layer_terms, resolve_loss
from ...optim import Optimizer
from ..network.layers import model_layers
from ..network.recording import check_samples, copy_training

__all__ = ["LiveSession", "TrainingStep"]

TrainingStep = Callable[["LiveSession"], None]
"""A training step a session can run instead of its own three phases: it must leave
`session.loss` and `session.outputs` (the batch's graph, after backward) as they would."""


class LiveSession:
    """An MLP, its optimizer and its data, trained one phase at a time.

    `phase` is where the current step is: "start" (no graph yet), "forward" (the batch's
    outputs and loss are built), "backward" (its gradients are in the nodes and the
    parameters' `.grad`), "update" (the optimizer has moved the weights; the graph shown is
    the one the step was computed on). `mode` is "batch" (every sample, as `fit` with
    `batch_size=None`) or "sample" (only the selected sample, `selected`).
    """

    def __init__(
        self,
        model: Module,
        X: Sequence[Sequence[float]],  # noqa: N803 - X, y: the usual names for samples and labels
        y: Sequence[Any],
        loss: str | Callable[..., Value],
        optimizer: Optimizer,
        where: str = "LiveNetwork",
    ) -> None:
        if not isinstance(model, MLP):
            raise TypeError(
                f"{where}: model must be a chainrule MLP (chainrule.nn.MLP or chainrule.micrograd.nn.MLP), "
                f"got {type(model).__name__}"
            )
        instance_of(optimizer, Optimizer, where, "optimizer")
        self.layers: list[tuple[str, Layer]] = model_layers(model, where)
        check_samples(X, y, self.layers[0][1].nin, where)
        self.samples = [[_feature(x, i, j, where) for j, x in enumerate(row)] for i, row in enumerate(X)]
        self.loss_fn, self.spec = resolve_loss(loss, where)
        self.loss_name: str = self.spec.name if self.spec is not None else getattr(loss, "__name__", "loss")
        self.labels = list(y)
        self.targets = self._targets(self.labels, where)
        # Deep copies made together (the optimizer's copy holds the model copy's parameters):
        # what reset puts back. copy_training checks the optimizer trains this model.
        self._initial = copy_training(model, optimizer, where)
        self.model, self.optimizer = model, optimizer
        self.where = where
        self.mode = "batch"
        self.selected = 0
        self.custom_step: TrainingStep | None = None
        # The forward pass of activations(), compiled on its first call; eager while compile
        # refuses the model (code reading a node's number), tried again on each call.
        self._outputs = _LayerOutputs(model, self.layers)
        self._compiled: Compiled = compile(self._outputs)
        self._clear()

    def _clear(self) -> None:
        self.phase = "start"
        self.steps = 0
        self.outputs: list[list[Value]] | None = None
        self.loss: Value | None = None
        self.batch: list[int] = []
        self.history = History(accuracy=None if self._counts is None else [])
        self._before: list[tuple[list[float], float]] = []
        self.step_log: list[tuple[str, float, int]] = []  # (mode, lr, samples) of each step, for save

    @property
    def _counts(self) -> Callable[[Sequence[Sequence[Value]], Sequence[Any]], int] | None:
        spec = self.spec
        return None if spec is None or spec.target_class is None else spec.correct

    def _targets(self, labels: list[Any], where: str) -> list[Any]:
        width = self.layers[-1][1].nout
        return labels if self.spec is None else self.spec.targets(labels, width, where)

    # -- the three phases ------------------------------------------------------------

    def _forward_one(self, x: list[float]) -> list[Value]:
        out = self.model(x)
        return [out] if isinstance(out, Value) else out  # micrograd's MLP: one output as a Value

    def forward(self) -> float:
        """The batch's outputs and loss on the weights as they are now; returns the loss."""
        self.batch = list(range(len(self.samples))) if self.mode == "batch" else [self.selected]
        with collector_paused():
            outputs = [self._forward_one(self.samples[i]) for i in self.batch]
            self.loss = self.loss_fn(outputs, [self.targets[i] for i in self.batch])
        self.outputs = outputs
        self.phase = "forward"
        return self.loss.data

    def backward(self) -> None:
        """`zero_grad` and `backward` on the current loss (a forward pass first if none is
        pending); nothing when the step's backward pass has run already."""
        if self.phase in ("start", "update"):
            self.forward()
        if self.phase == "forward" and self.loss is not None:
            with collector_paused():
                self.optimizer.zero_grad()
                self.loss.backward()
            self.phase = "backward"

    def update(self) -> float:
        """Finish the training step (its forward and backward passes first, if still to do)
        with `optimizer.step()`; record it in `history`. Returns the step's loss."""
        if self.custom_step is not None and self.phase in ("start", "update"):
            self.batch = list(range(len(self.samples))) if self.mode == "batch" else [self.selected]
            self.custom_step(self)
        else:
            self.backward()
        # The equations of the update phase write z with the weights it was computed with.
        self._before = [([w.data for w in n.w], n.b.data) for _, layer in self.layers for n in layer.neurons]
        with collector_paused():
            self.optimizer.step()
        self.phase = "update"
        self.steps += 1
        loss = self.loss.data if self.loss is not None else math.nan  # backward (or the custom step) set it
        self.history.loss.append(loss)
        counts = self._counts
        if self.history.accuracy is not None and counts is not None and self.outputs is not None:
            right = counts(self.outputs, [self.targets[i] for i in self.batch])
            self.history.accuracy.append(right / len(self.batch))
        self.history.grad_norms.append(grad_norms(self.model))
        self.step_log.append((self.mode, self.optimizer.lr, len(self.samples)))
        return loss

    @property
    def diverged(self) -> bool:
        """Whether the last step's loss was nan or infinite."""
        return bool(self.history.loss) and not math.isfinite(self.history.loss[-1])

    def terms(self) -> list[LayerTerms] | None:
        """`layer_terms` of the current graph for the selected sample, or None before a forward
        pass. After the update, `weights` and `biases` are those the step's graph was built with."""
        if self.loss is None:
            return None
        index = self.batch.index(self.selected) if self.selected in self.batch else 0
        out = self.outputs[index] if self.outputs is not None else []
        if len(out) == 1 and (self.phase == "forward" or out[0].grad != 0.0):
            # The sample's own output node roots the same nodes (their data and grads from the
            # batch's loss) in a graph 1/batch the size: layer_terms walks far less every update.
            terms = layer_terms(self.model, out[0], 0)
        else:
            terms = layer_terms(self.model, self.loss, index)
        if self.phase != "update":
            return terms
        # After the update the parameters hold the new weights; the graph was built with the old.
        before, q = [], 0
        for t in terms:
            rows = self._before[q : q + len(t.z)]
            q += len(t.z)
            before.append(replace(t, weights=[w for w, _ in rows], biases=[b for _, b in rows]))
        return before

    def activations(self, points: list[list[float]]) -> list[list[float]]:
        """Every neuron's output at each of `points` (inputs to the model), Layer by Layer,
        input side first, as floats: the model's forward pass on the weights as they are now,
        with no graph kept. It runs as `chainrule.compile`'s code, the same numbers to the bit
        as the eager forward pass, which it falls back to for a model compile refuses."""
        with collector_paused():
            numbers: list[list[float]] = self._compiled.numbers(points, eager_fallback=True)
        return numbers

    def initial_copies(self) -> tuple[Module, Optimizer]:
        """Fresh deep copies of the model and optimizer as they were when the session was made."""
        model, optimizer = copy.deepcopy(self._initial)
        return model, optimizer

    # -- what the learner changes ------------------------------------------------------

    def reset(self) -> None:
        """The weights and the optimizer's state (its learning rate too) as they were when the
        session was made; the history and the graph dropped. Added points stay."""
        model, optimizer = self._initial
        for p, q in zip(self.model.parameters(), model.parameters()):
            p.data, p.grad = q.data, 0.0
        state = {k: copy.deepcopy(v) for k, v in vars(optimizer).items() if k != "params"}
        vars(self.optimizer).update(state)
        self._clear()

    def select(self, index: int) -> None:
        """Show the numbers of sample `index`; in one-sample mode, train on it from the next step."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"{self.where}.select: index must be an int, got {type(index).__name__}")
        if not 0 <= index < len(self.samples):
            raise IndexError(f"{self.where}.select: sample {index} is out of range for {len(self.samples)} samples")
        self.selected = index
        if self.mode == "sample" and self.phase != "update" and self.batch != [index]:
            self._drop_graph()

    def set_mode(self, mode: str) -> None:
        """ "batch" (every sample per step) or "sample" (the selected sample alone)."""
        if mode not in ("batch", "sample"):
            raise ValueError(f"{self.where}: mode must be 'batch' or 'sample', got {mode!r}")
        if mode != self.mode:
            self.mode = mode
            self._drop_graph()

    def set_lr(self, lr: float) -> None:
        """The optimizer's learning rate from the next update on."""
        self.optimizer.lr = finite_real(lr, self.where, "lr")

    def add_point(self, x: Sequence[float], label: Any) -> None:
        """Append a sample and its label; checked (width, numbers, label) before anything changes."""
        nin = self.layers[0][1].nin
        if not is_sequence(x) or len(x) != nin:
            raise ValueError(f"{self.where}.add_point: x must be a list of {nin} numbers, got {x!r}")
        row = [_feature(v, len(self.samples), j, f"{self.where}.add_point") for j, v in enumerate(x)]
        target = self._targets([label], f"{self.where}.add_point")[0]
        self.samples.append(row)
        self.labels.append(label)
        self.targets.append(target)
        if self.mode == "batch" and self.phase != "update":
            self._drop_graph()

    def _drop_graph(self) -> None:
        """The batch changed: the graph no longer shows the next step's numbers."""
        if self.phase in ("forward", "backward"):
            self.phase, self.loss, self.outputs, self.batch = "start", None, None, []


class _LayerOutputs:
    """The model read as a function of one input giving every Layer's outputs, one list, input
    side first: what `activations` compiles. Its `parameters()` and modules are the model's, so
    the compiled code is traced again when they change, as for the model itself."""

    def __init__(self, model: Module, layers: list[tuple[str, Layer]]) -> None:
        self.model, self.layers = model, [layer for _, layer in layers]

    def parameters(self) -> list[Value]:
        return self.model.parameters()

    def named_modules(self) -> list[tuple[str, Module]]:
        return list(self.model.named_modules())

    def __call__(self, x: list[Value]) -> list[Value]:
        out: list[Value] = []
        h = x
        for layer in self.layers:
            result = layer(h)
            h = [result] if isinstance(result, Value) else result  # micrograd's Layer: one output alone
            out.extend(h)
        return out


def _feature(x: object, i: int, j: int, where: str) -> float:
    return finite_real(x, where, f"feature {j} of sample {i}")
