"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible.

The layers, bottom to top (docs/architecture.md): `engine`; `optim`, `data`,
`gradchecking`; `nn`, `notation`; `explanation`; `viz`, `plot`; the `cli`.
"""

from . import data, engine, explanation, gradchecking, nn, notation, optim, plot, viz
from .engine import Value, is_grad_enabled, no_grad
from .explanation import Explanation, GradientPath, Path, explain
from .gradchecking import GradcheckError, gradcheck
from .viz import draw_dot

__all__ = [
    "Explanation",
    "GradcheckError",
    "GradientPath",
    "Path",
    "Value",
    "data",
    "draw_dot",
    "engine",
    "explain",
    "explanation",
    "gradcheck",
    "gradchecking",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "notation",
    "optim",
    "plot",
    "viz",
]
__version__ = "0.1.0"
