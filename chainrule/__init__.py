"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible."""

from . import data, nn, optim, plot
from .engine import Value, is_grad_enabled, no_grad
from .explain import Explanation, Path, explain
from .gradcheck import GradcheckError, gradcheck

__all__ = [
    "Explanation",
    "GradcheckError",
    "Path",
    "Value",
    "data",
    "explain",
    "gradcheck",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "optim",
    "plot",
]
__version__ = "0.1.0"
