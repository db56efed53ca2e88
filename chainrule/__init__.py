"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible."""

from . import data, nn, optim, plot, viz
from .engine import Value, is_grad_enabled, no_grad
from .explain import Explanation, Path, explain
from .gradcheck import GradcheckError, gradcheck
from .viz import draw_dot

__all__ = [
    "Explanation",
    "GradcheckError",
    "Path",
    "Value",
    "data",
    "draw_dot",
    "explain",
    "gradcheck",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "optim",
    "plot",
    "viz",
]
__version__ = "0.1.0"
