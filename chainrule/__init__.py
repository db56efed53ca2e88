"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible."""

from . import nn
from .engine import Value, is_grad_enabled, no_grad
from .explain import Explanation, Path, explain
from .gradcheck import GradcheckError, gradcheck

__all__ = [
    "Explanation",
    "GradcheckError",
    "Path",
    "Value",
    "explain",
    "gradcheck",
    "is_grad_enabled",
    "nn",
    "no_grad",
]
__version__ = "0.1.0"
