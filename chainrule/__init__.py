"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible.

The layers, bottom to top (docs/architecture.md): `engine`; `optim`, `data`,
`gradchecking`, `notation`; `compiler`; `nn`; `explanation`, `nodechecking`; `viz`, `plot`, `exercises`;
the `cli`.
"""

from . import compiler, data, engine, exercises, explanation, gradchecking, nn, nodechecking, notation, optim, plot, viz
from .compiler import Compiled, compile
from .engine import Value, is_grad_enabled, no_grad, op
from .explanation import Explanation, GradientPath, Path, explain
from .gradchecking import GradcheckError, gradcheck
from .nodechecking import NodeFailure, gradcheck_nodes
from .viz import draw_dot

__all__ = [
    "Compiled",
    "Explanation",
    "GradcheckError",
    "GradientPath",
    "NodeFailure",
    "Path",
    "Value",
    "compile",
    "compiler",
    "data",
    "draw_dot",
    "engine",
    "exercises",
    "explain",
    "explanation",
    "gradcheck",
    "gradcheck_nodes",
    "gradchecking",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "nodechecking",
    "notation",
    "op",
    "optim",
    "plot",
    "viz",
]
__version__ = "0.1.0"
