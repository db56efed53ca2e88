"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible."""

from . import data, nn, optim, plot
from .engine import Value, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck

__all__ = [
    "GradcheckError",
    "Value",
    "data",
    "gradcheck",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "optim",
    "plot",
]
__version__ = "0.1.0"
