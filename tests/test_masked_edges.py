"""Masked edges against PyTorch 2.13: where torch's backward masks an edge (relu at or below
0, the base of a power whose exponent is 0), a nan or inf upstream gradient passes 0, as
in torch; and the signs at -0.0 and `0 ** nan` that once differed.

The corpus is tests/torch_fuzz.py's random graphs (run it by hand for more seeds). Each
step of each graph is run alone on both engines, on the inputs and with the upstream
gradient it met in the whole graph, so every kind of edge meets nan, inf and zero
upstream gradients and +-0.0 inputs. Two differences are left, both documented: the price of
storing local derivatives as numbers (a derivative that overflows when the node is built,
1 / x for a subnormal x, times a zero upstream is nan, where torch computes 0 / x); and
logsumexp with one +inf among finite values, whose slopes are softmax's exact limit (1 at
the +inf, 0 elsewhere), where torch has nan at the +inf (what keeps cross_entropy's
gradient exact at a +inf logit).
"""

from __future__ import annotations

import math
import sys
from collections import Counter

import pytest

from chainrule import Value
from chainrule.engine import MASKED, logsumexp
from tests import torch_fuzz
from tests.reference import needs_torch, run_chainrule, run_torch

pytestmark = needs_torch

INF, NAN = math.inf, math.nan
CORPUS = range(4000)


def _subnormal(x: float) -> bool:
    return 0.0 < abs(x) < sys.float_info.min


def _softmax_limit(op: str, inputs: list[float]) -> bool:
    """A logsumexp with one +inf among values that are not nan: chainrule's slopes are
    softmax's limit there, torch's nan at the +inf (the module's docstring)."""
    return op == "logsumexp" and inputs.count(math.inf) == 1 and not any(map(math.isnan, inputs))


def test_every_step_of_the_corpus_agrees_with_torch():
    """Value and every input gradient, each step alone with the upstream it met: the same
    class (nan, +-inf, +-0, finite) and finite numbers within 1e-9 (in one class). The only
    steps let off are the documented price: a subnormal input, an infinite stored local
    derivative, a zero upstream, and chainrule's nan where torch has 0 there."""
    masked_met = Counter[str]()
    priced = 0
    wrong = []
    for seed in CORPUS:
        for step, v, inputs, what in torch_fuzz.step_checks(torch_fuzz.random_program(seed)):
            non_finite_upstream = v.grad - v.grad != 0.0
            if non_finite_upstream and any(d is MASKED for d in v.local_grads):
                masked_met[step[0]] += 1
            if not what:
                continue
            price = (
                any(map(_subnormal, inputs))
                and any(map(math.isinf, v.local_grads))
                and v.grad == 0.0
                and all(w.endswith(" nan/+0") for w in what)
            )
            if price:
                priced += 1
            elif _softmax_limit(step[0], inputs):
                continue
            elif not all(w.startswith("d") and w.endswith("finite/finite") for w in what):
                wrong.append((seed, step, inputs, v.grad, what))
    assert wrong == []
    # The corpus does send nan and inf into every kind of masked edge, many times.
    assert min(masked_met[op] for op in ("relu", "pow_number", "pow")) >= 30, masked_met
    assert 0 < priced < 100, priced


def test_whole_graphs_of_the_corpus_agree_with_torch_on_nan_and_inf():
    """The leaves' gradients of whole graphs: nan where torch has nan, the same infinities.
    (Finite gradients may differ by rounding where the engines add in other orders.)"""
    for seed in CORPUS:
        program = torch_fuzz.random_program(seed)
        if any(_subnormal(x) for x in program[0]):
            continue  # the documented price (see above) can reach the leaves
        if any(_softmax_limit(step[0], inputs) for step, _, inputs, _ in torch_fuzz.step_checks(program)):
            continue  # so can softmax's limit (see above), where torch has nan
        (_, ours), (_, theirs) = torch_fuzz.run(program, "chainrule"), torch_fuzz.run(program, "torch")
        for g, t in zip(ours, theirs):
            assert math.isnan(g) == math.isnan(t) and (g == t or not math.isinf(t)), (seed, ours, theirs)


@pytest.mark.parametrize(
    ("fn", "inputs"),
    [
        (lambda ops, a: a.relu() * INF, [-1.0]),
        (lambda ops, a: a.relu() * NAN, [0.0]),
        (lambda ops, a: a.relu() * -INF, [-0.0]),
        (lambda ops, a: a.relu() * NAN, [-INF]),
        (lambda ops, a: (a**0) * NAN, [3.0]),
        (lambda ops, a: (a**0.0) * INF, [NAN]),
        (lambda ops, a: (a**-0.0) * INF, [-2.0]),
        (lambda ops, a, b: (a**b) * NAN, [2.0, 0.0]),  # the base edge masked, the exponent's not
        (lambda ops, a, b: (a**b) * INF, [0.0, -0.0]),
        (lambda ops, a, b: (a**b) * 1.0, [0.0, NAN]),  # 0 ** nan: d/dexponent nan, as torch
        (lambda ops, a, b: (a**b) * 1.0, [-0.0, NAN]),
        (lambda ops, a: a.relu().log(), [-0.0]),  # relu(-0.0) is -0.0: log slope -inf
        (lambda ops, a: (a**0.5) * -INF, [-0.0]),  # (-0.0) ** 0.5 is -0.0, slope -inf
        (lambda ops, a: a**0.5, [-0.0]),
        (lambda ops, a, b: ops.logsumexp([a, b]), [INF, NAN]),
        (lambda ops, a, b: ops.logsumexp([a, b]), [-INF, -INF]),
    ],
)
def test_each_disagreement_the_fuzz_found_now_agrees(fn, inputs):
    (ours, our_grads), (theirs, their_grads) = run_chainrule(fn, inputs), run_torch(fn, inputs)
    assert torch_fuzz.agree(ours, theirs), (ours, theirs)
    for g, t in zip(our_grads, their_grads):
        assert torch_fuzz.agree(g, t + 0.0), (our_grads, their_grads)


def test_an_exp_overflow_no_longer_poisons_every_gradient_through_a_dead_relu():
    """A neuron whose relu is off, under a loss whose exp overflows: the upstream gradient is
    inf, the relu's edge masked, so the neuron's gradients are 0 as in torch, not nan."""

    def fn(ops, w1, w2, x, b):
        a = ops.linear([w1, w2], [x, x * 2.0], b).relu()  # -1.5 - 1.0 + 0.5: off
        return (a + 800.0).exp() + w1 * 0.5

    inputs = [-0.5, -0.5, 1.0, 0.5]
    (ours, our_grads), (theirs, their_grads) = run_chainrule(fn, inputs), run_torch(fn, inputs)
    assert ours == theirs == INF
    assert our_grads == their_grads == [0.5, 0.0, 0.0, 0.0]


def test_masked_edges_show_zero_and_survive_a_copy():
    """`local_grads` shows a masked edge's 0.0; pickling and copying keep the mask (the rule
    restores it), so a copy's backward masks too."""
    import copy
    import pickle

    x = Value(-1.0)
    y = x.relu()
    assert y.local_grads == (0.0,) and y.local_grads[0] is MASKED
    for clone in (pickle.loads(pickle.dumps(y * INF)), copy.deepcopy(y * INF)):
        clone.backward()
        assert clone.parents[0].parents[0].grad == 0.0
    power = Value(2.0) ** Value(0.0)  # the base's edge masked, the exponent's not
    assert power.parents[1].data == 0.0 and power.local_grads == (0.0, math.log(2.0))
    for clone in (pickle.loads(pickle.dumps(power * NAN)), copy.deepcopy(power * NAN)):
        clone.backward()
        base, exponent = clone.parents[0].parents
        assert base.grad == 0.0 and math.isnan(exponent.grad)
    z = logsumexp([Value(1.0), Value(INF)])  # softmax's limit, where torch has (0, nan)
    assert z.local_grads == (0.0, 1.0)
