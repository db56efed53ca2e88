"""Which Modules made the nodes of a graph, for drawings that box each Module's part:
`module_info` finds them from the scopes recorded on the nodes (`Value.scope`), names
them as their outermost module's `named_modules()` does, and finds each parameter's owner.

    >>> from chainrule.engine import topological_order
    >>> from chainrule.nn import MLP
    >>> model = MLP(2, [1], seed=0)
    >>> owners, names, chains = module_info(topological_order(model([1.0, 2.0])[0]))
    >>> sorted(names.values())
    ['', 'layers.0', 'layers.0.neurons.0']
"""

from __future__ import annotations

from ...engine import Value
from ...nn import Module

__all__ = ["module_info", "owned_parameters", "owner_name", "prefixes"]


def module_info(
    nodes: list[Value],
) -> tuple[dict[Value, Module], dict[Module, str], dict[Module, tuple[Module, ...]]]:
    """The Module owning each parameter in the graph; each Module's dotted name; and
    the chain of Modules enclosing it (outermost first, itself last).

    Modules are found from the scopes recorded on the nodes their forward passes
    made; names come from the outermost module's `named_modules()`.
    """
    tops: dict[Module, None] = {}
    for v in nodes:
        if v.scope and isinstance(v.scope[0], Module):
            tops.setdefault(v.scope[0])
    in_graph = set(nodes)
    owners: dict[Value, Module] = {}
    names: dict[Module, str] = {}
    chains: dict[Module, tuple[Module, ...]] = {}
    for top in tops:
        modules = dict(top.named_modules())
        for name, m in modules.items():
            if m not in names:
                names[m] = name
                chains[m] = tuple(modules[p] for p in prefixes(name) if p in modules)
        for pname, p in top.named_parameters():
            if p in in_graph and p.is_leaf and p not in owners:
                owners[p] = modules[owner_name(pname, modules)]
    return owners, names, chains


def prefixes(name: str) -> list[str]:
    """'layers.0' -> ['', 'layers', 'layers.0']: the names of its possible ancestors, and itself."""
    parts = name.split(".") if name else []
    return [".".join(parts[:cut]) for cut in range(len(parts) + 1)]


def owner_name(pname: str, modules: dict[str, Module]) -> str:
    """'layers.0.neurons.3.w.1' -> 'layers.0.neurons.3': the longest prefix naming a module."""
    return next(p for p in reversed(prefixes(pname)[:-1]) if p in modules)


def owned_parameters(nodes: list[Value], owners: dict[Value, Module]) -> dict[Module, list[Value]]:
    """Each Module's parameters among `nodes` (oldest first), in the order they were made:
    a Neuron's w0, w1, ..., then b."""
    owned: dict[Module, list[Value]] = {}
    for v in nodes:
        if v in owners:
            owned.setdefault(owners[v], []).append(v)
    return owned
