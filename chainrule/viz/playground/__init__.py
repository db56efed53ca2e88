"""One neuron to play with. The data goes one way: the engine's numbers -> the neuron's
maths (`neuron`: `PlaygroundNeuron`) -> its drawing (`drawing`) -> its anywidget in a
notebook (`widget`: `PlaygroundWidget`, imported when asked for, since it needs anywidget)
or the same neuron as a page that needs no Python (`page`: `PlaygroundPage`,
`save_playground`); both draw with one front end, `viz/pages/assets/playground_view.js`.
`NeuronPlayground` (`front`) is the neuron with both front ends."""

from .front import NeuronPlayground
from .neuron import PLAYGROUND_ACTIVATIONS, SLIDER_RANGES, SLOPE_FORMULAS, WARNINGS, PlaygroundNeuron
from .page import PlaygroundPage, save_playground

__all__ = [
    "PLAYGROUND_ACTIVATIONS",
    "SLIDER_RANGES",
    "SLOPE_FORMULAS",
    "WARNINGS",
    "NeuronPlayground",
    "PlaygroundNeuron",
    "PlaygroundPage",
    "save_playground",
]
