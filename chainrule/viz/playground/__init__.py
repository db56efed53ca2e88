"""One neuron to play with. The data goes one way: the engine's numbers -> the neuron's
maths (`neuron`: `PlaygroundNeuron`) -> its ipywidgets box in Jupyter (`widget`) or the
same neuron as a page that needs no Python (`page`: `PlaygroundPage`, `save_playground`);
`NeuronPlayground` (`front`) is the neuron with both front ends."""

from .front import NeuronPlayground
from .neuron import PLAYGROUND_ACTIVATIONS, SLOPE_FORMULAS, WARNINGS, PlaygroundNeuron
from .page import PlaygroundPage, save_playground

__all__ = [
    "PLAYGROUND_ACTIVATIONS",
    "SLOPE_FORMULAS",
    "WARNINGS",
    "NeuronPlayground",
    "PlaygroundNeuron",
    "PlaygroundPage",
    "save_playground",
]
