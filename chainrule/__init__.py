"""chainrule: a scalar reverse-mode autodiff engine that makes backpropagation visible."""

from . import nn, viz
from .engine import Value, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck
from .viz import draw_dot

__all__ = ["GradcheckError", "Value", "draw_dot", "gradcheck", "is_grad_enabled", "nn", "no_grad", "viz"]
__version__ = "0.1.0"
