"""One neuron to play with: `NeuronPlayground` (the maths, read from the engine), its
ipywidgets box in Jupyter (`widget`) and the same neuron as a page that needs no Python
(`PlaygroundPage`, `save_playground`)."""

from .neuron import PLAYGROUND_ACTIVATIONS, NeuronPlayground
from .page import PlaygroundPage, save_playground

__all__ = ["PLAYGROUND_ACTIVATIONS", "NeuronPlayground", "PlaygroundPage", "save_playground"]
