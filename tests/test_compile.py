"""chainrule.compile: the compiled code against eager, bit for bit (random graphs over every op,
fit with each loss and optimizer), the source of seed 004's neuron, the guard against
data-dependent graphs, and bad input."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule import Value
from chainrule.data import make_moons
from chainrule.engine import linear, logsumexp
from chainrule.micrograd import nn as micro
from chainrule.nn import MLP, Layer, Neuron, bce_with_logits, fit
from chainrule.optim import SGD, Adam
from tests.reference import same_float

UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "abs", "sin", "cos", "softplus"]
UNARY += ["square", "pow1.5", "inverse", "pow0"]
BINARY = ["+", "-", "*", "/", "vpow", "linear", "logsumexp"]


def step(op, a, b, nodes, k):
    """One op of a random program on earlier nodes, its operands mapped into the op's domain."""
    if op in ("log", "sqrt"):
        return getattr(a * a + 0.5, op)()
    if op in ("exp", "tanh", "sigmoid", "relu", "abs", "sin", "cos", "softplus"):
        return getattr(a, op)()
    special = {
        "neg": lambda: -a,
        "leaky_relu": lambda: a.leaky_relu(0.1),
        "square": lambda: a**2,
        "pow1.5": lambda: (a * a + 0.5) ** 1.5,
        "inverse": lambda: (a * a + 1.0) ** -1,
        "pow0": lambda: a**0,
        "/": lambda: a / (b * b + 1.0),
        "vpow": lambda: (a * a + 0.5) ** b.tanh(),
        "linear": lambda: linear(nodes[-k:], [b, 2.0, a, b][:k][::-1] + nodes[: max(0, k - 4)], a),
        "logsumexp": lambda: logsumexp([a, b, *nodes[-k:]]),
    }
    if op in special:
        return special[op]()
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def program_fn(program):
    def fn(*xs):
        nodes = list(xs)
        for op, i, j, k in program:
            nodes.append(step(op, nodes[i % len(nodes)], nodes[j % len(nodes)], nodes, min(k, len(nodes))))
        return sum(nodes[len(xs) :], nodes[-1] * 0.5)

    return fn


programs = st.lists(
    st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 50), st.integers(0, 50), st.integers(1, 4)),
    min_size=1,
    max_size=20,
)
finite = st.floats(-3.0, 3.0, allow_nan=False)
special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e300, -1e300, math.inf, -math.inf, math.nan, 5e-324])
points = st.integers(1, 4).flatmap(lambda n: st.tuples(*[st.one_of(finite, finite, special)] * n))


def eager(fn, point):
    """fn's value and input gradients, eagerly; or the exception it raises."""
    xs = [Value(x) for x in point]
    try:
        out = fn(*xs)
    except (ValueError, ZeroDivisionError) as exc:
        return exc
    out.backward()
    return out.data, [x.grad for x in xs]


def compiled_run(compiled, point):
    xs = [Value(x) for x in point]
    try:
        out = compiled(*xs)
    except (ValueError, ZeroDivisionError) as exc:
        return exc
    compiled.backward()
    return out.data, [x.grad for x in xs]


def assert_same(ours, theirs):
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs) and str(ours) == str(theirs)
        return
    assert not isinstance(ours, Exception), ours
    assert same_float(ours[0], theirs[0]), (ours[0], theirs[0])
    for a, b in zip(ours[1], theirs[1]):
        assert same_float(a, b), (ours[1], theirs[1])


@settings(max_examples=1000)
@given(program=programs, first=points, data=st.data())
def test_random_graphs_are_bitwise_eager(program, first, data):
    """Traced at one point, run at that point and at a second one of the same arity (special
    values included: 0, -0, inf, nan, huge, subnormal): every value and gradient as eager's."""
    fn = program_fn(program)
    compiled = chainrule.compile(fn)
    traced = eager(fn, first)
    if isinstance(traced, Exception):  # no trace to reuse: the compiled call raises the same
        assert_same(compiled_run(compiled, first), traced)
        return
    assert_same(compiled_run(compiled, first), traced)
    second = data.draw(st.tuples(*[st.one_of(finite, special)] * len(first)))
    assert_same(compiled_run(compiled, second), eager(fn, second))


def test_the_random_graphs_cover_every_op():
    """Each of the engine's ops appears in the programs above (so 'every op' is checked)."""
    made = set()
    for op in UNARY + BINARY:
        xs = [Value(0.3), Value(-0.7)]
        out = step(op, xs[0], xs[1], xs, 2)
        made |= {"**" if v.op.startswith("**") else v.op for v in chainrule.engine.topological_order(out)}
    built_in = {"+", "-", "*", "/", "**", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu"}
    built_in |= {"abs", "sin", "cos", "softplus", "linear", "logsumexp"}
    assert built_in <= made


def weights(model):
    return [p.data.hex() for p in model.parameters()]


LOSS_WIDTH = {"hinge_loss": 1, "mse_loss": 1, "bce_with_logits": 1, "cross_entropy": 3}


@pytest.mark.parametrize("loss", sorted(LOSS_WIDTH))
@pytest.mark.parametrize("optimizer", [SGD, Adam, lambda p, lr: SGD(p, lr, momentum=0.9, weight_decay=0.01)])
def test_fit_compiled_is_bitwise_eager(loss, optimizer):
    X, y = make_moons(60, seed=2)
    y = [int(v) % LOSS_WIDTH[loss] if loss == "cross_entropy" else v for v in y]
    runs = []
    for compile_ in (False, True):
        model = MLP(2, [6, 5, LOSS_WIDTH[loss]], seed=4)
        history = fit(
            model,
            X,
            y,
            loss=loss,
            optimizer=optimizer(model.parameters(), 0.05),
            epochs=4,
            batch_size=16,
            seed=3,
            progress=False,
            compile=compile_,
        )
        runs.append((history.loss, history.accuracy, history.grad_norms, weights(model)))
    assert runs[0] == runs[1]
    assert runs[0][3] != weights(MLP(2, [6, 5, LOSS_WIDTH[loss]], seed=4))  # it trained


@pytest.mark.parametrize("make", ["micrograd", "neuron", "leaky"])
def test_fit_compiled_other_models(make):
    X, y = make_moons(40, seed=5)
    runs = []
    for compile_ in (False, True):
        random.seed(1)
        model = {
            "micrograd": lambda: micro.MLP(2, [8, 1]),
            "neuron": lambda: Neuron(2, "tanh", random.Random(2)),
            "leaky": lambda: MLP(2, [8, 8, 1], activation="leaky_relu", seed=7),
        }[make]()
        history = fit(
            model,
            X,
            y,
            loss="hinge_loss",
            optimizer=SGD(model.parameters(), 0.1),
            epochs=5,
            progress=False,
            compile=compile_,
        )
        runs.append((history.loss, weights(model)))
    assert runs[0] == runs[1]


def test_a_model_and_an_eager_loss_backward_as_one_graph():
    """Outputs of a compiled Layer fed to an eager loss: compiled.backward() after
    loss.backward() gives the grads one eager graph gives."""
    X = [[0.5, -1.5, 2.0], [1.0, 0.25, -0.5]]
    grads = []
    for compile_ in (False, True):
        layer = Layer(3, 4, "tanh", random.Random(0))
        run = chainrule.compile(layer) if compile_ else layer
        outs = run.batch(X) if compile_ else [layer(x) for x in X]
        loss = sum((o * o for row in outs for o in row), Value(0.0)) * 0.5
        loss.backward()
        if compile_:
            run.backward()
        grads.append([p.grad.hex() for p in layer.parameters()])
    assert grads[0] == grads[1]


def seed_004():
    """Seed 004's neuron: x = 2, w = 3, b = 1, y = 5, z = wx + b, a = ReLU(z), L = (a - y)**2."""
    w, b = Value(3.0, "w"), Value(1.0, "b")

    def loss(x):
        z = w * x + b
        a = z.relu()
        L = (a - 5.0) ** 2
        z.label, a.label, L.label = "z", "a", "L"
        return L

    return w, b, loss


SEED_004_SOURCE = """\
# compiled from loss: 5 nodes, 2 parameters, 1 inputs
# assumes: arguments one number or Value (another shape traces again); parameters: the Values it closes over;
# a graph that no code chose by reading a node's number while it was traced (checked then)

def forward(params, samples):
    (w, b) = params
    tapes = []
    append = tapes.append
    for (x,) in samples:
        mul1 = w * x  # mul₁ = w · x
        z = mul1 + b  # z = mul₁ + b
        a = (0.0 if z < 0.0 else z)  # a = relu(z)
        sub1 = a - 5.0  # sub₁ = a - 5
        L = pow_float(sub1, 2.0)  # L = sub₁²
        append((x, mul1, z, a, sub1, L))
    return tapes


def backward(params, grads, tapes, seeds, in_grads, dense):
    (w, b) = params
    (d_w, d_b) = grads
    in_out = []
    for values, (s0,) in zip(reversed(tapes), reversed(seeds)):
        (x, mul1, z, a, sub1, L) = values
        d_L = s0  # output 0, L
        d_sub1 = 0.0 + d_L * pow_dbase(sub1, 2.0)  # L → sub₁
        d_a = d_sub1  # sub₁ → a
        d_z = 0.0 if z <= 0.0 else d_a  # a → z, masked where z <= 0.0
        d_mul1 = d_z  # z → mul₁
        d_b += d_z  # z → b
        d_w += d_mul1 * x  # mul₁ → w
    return (d_w, d_b), in_out
"""


def test_seed_004_neuron_source_and_numbers():
    w, b, loss = seed_004()
    compiled = chainrule.compile(loss)
    out = compiled(2.0)
    compiled.backward()
    assert (out.data, w.grad, b.grad) == (4.0, 8.0, 4.0)  # the seed's L = 4, dL/dw = 8, dL/db = 4
    assert compiled.source == SEED_004_SOURCE
    assert str(compiled) == SEED_004_SOURCE
    explained = compiled.explain().splitlines()
    assert explained[-2:] == [  # dL/db = dL/dz · 1 = 4, dL/dw = dL/dz · x = 4 · 2 = 8
        "d_b += d_z                                 # 4 · 1 = 4",
        "d_w += d_mul1 * x                          # 4 · 2 = 8",
    ]


def branchy(x):
    return x * 2.0 if x.data > 0 else x * 3.0  # the graph depends on the data


def truthy(x):
    y = x - 1.0
    return y * 2.0 if y else y


@pytest.mark.parametrize("fn", [branchy, truthy, lambda x: bce_with_logits([x], [1.0])])
def test_a_graph_chosen_by_the_data_is_refused(fn):
    with pytest.raises(TypeError, match=r"reads the number of a node .* may depend on the data"):
        chainrule.compile(fn)(1.5)
    assert Value(2.0).data == 2.0 and bool(Value(1.0))  # the watch is over


def test_fit_refuses_a_branching_model_before_touching_it():
    class Branchy(chainrule.nn.Module):
        def __init__(self):
            self.w = Value(0.5, "w")

        def forward(self, x):
            return [self.w * x[0] if x[0] > 0 else self.w * x[1]]

    class Reads(Branchy):
        def forward(self, x):
            z = self.w * x[0]
            return [z.relu() if z.data > 0 else z]

    model = Reads()
    with pytest.raises(TypeError, match=r"reads the number of a node.*test_compile.py"):
        fit(
            model,
            [[1.0, 2.0]],
            [1],
            loss="hinge_loss",
            optimizer=SGD(model.parameters(), 0.1),
            epochs=1,
            progress=False,
            compile=True,
        )
    assert model.w.data == 0.5 and model.w.grad == 0.0


@pytest.mark.parametrize("target", [3, "MLP", Value(1.0), MLP, None])
def test_compiling_what_cannot_be_compiled_is_a_type_error(target):
    with pytest.raises(TypeError, match=r"compile: takes a Module .* or a function of Values, got"):
        chainrule.compile(target)


def test_bad_calls_raise_as_eager_and_touch_nothing():
    model = MLP(2, [3, 1], seed=0)
    compiled = chainrule.compile(model)
    compiled([0.5, 0.5])
    for bad in ([1.0, 2.0, 3.0], [1.0, "a"], [1.0, True], 5.0):
        with pytest.raises((TypeError, ValueError)) as eager_error:
            model(bad)
        with pytest.raises(type(eager_error.value)) as compiled_error:
            compiled(bad)
        assert str(compiled_error.value) == str(eager_error.value)
    _, _, loss = seed_004()
    fn = chainrule.compile(loss)
    fn(2.0)
    for args in [(1.0, 2.0), ("a",), ([1.0],)]:
        with pytest.raises(TypeError) as eager_error:
            loss(*args)
        with pytest.raises(TypeError) as compiled_error:
            fn(*args)
        assert str(compiled_error.value) == str(eager_error.value)
    w = Value(-2.0, "w")
    fn = chainrule.compile(lambda x: (w * x).log())
    fn(-1.0)
    with pytest.raises(ValueError) as err:
        fn(1.0)
    assert "log" in str(err.value) and w.data == -2.0 and w.grad == 0.0


def test_another_shape_traces_again_and_parameters_are_checked():
    fn = chainrule.compile(lambda xs: sum(xs, Value(0.0)).tanh())
    assert fn([0.1, 0.2]).data == math.tanh(0.1 + 0.2)
    assert fn([0.1, 0.2, 0.3]).data == math.tanh(0.1 + 0.2 + 0.3)
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    compiled = chainrule.compile(model)
    before = compiled([1.0, 1.0])[0].data
    model.layers[1] = Layer(2, 1, "linear", random.Random(9))  # new parameters: traced again
    assert compiled([1.0, 1.0])[0].data == model([1.0, 1.0])[0].data != before
    model.layers[0].neurons[1].activation = "sigmoid"  # the same parameters, another graph
    assert compiled([1.0, 1.0])[0].data == model([1.0, 1.0])[0].data


def test_source_before_the_first_call_says_so():
    with pytest.raises(RuntimeError, match="call it once"):
        print(chainrule.compile(MLP(2, [1], seed=0)).source)
    with pytest.raises(RuntimeError, match="needs a call first"):
        chainrule.compile(MLP(2, [1], seed=0)).backward()


def test_what_compile_cannot_write_is_named():
    @chainrule.op("cube")
    def cube(x):
        return x**3, (3 * x**2,)

    with pytest.raises(TypeError, match="op 'cube', which compile does not know"):
        chainrule.compile(lambda x: cube(x) * 2.0)(1.5)
    with pytest.raises(TypeError, match="exponent back from the name"):
        chainrule.compile(lambda x: x ** (1 / 3))(2.0)
    with chainrule.no_grad(), pytest.raises(RuntimeError, match="not inside no_grad"):
        chainrule.compile(lambda x: x * 2.0)(1.0)


def test_explicit_upstream_gradients_and_value_inputs():
    """backward(g) seeds the outputs; Values passed in get their grads accumulated, as eager."""
    a, b = Value(0.5, "a"), Value(-1.25, "b")
    pair = chainrule.compile(lambda x, y: [x * y, (x - y).tanh()])
    outs = pair(a, b)
    pair.backward(2.0, -3.0)
    got = (a.grad, b.grad)
    a.grad = b.grad = 0.0
    p, q = a * b, (a - b).tanh()
    (p * 2.0 + q * -3.0).backward()
    assert [o.data for o in outs] == [p.data, q.data]
    assert got == (a.grad, b.grad)


def test_masked_edges_pass_zero_whatever_comes_from_above():
    """Where torch masks an edge (relu at or below 0, x ** 0), a nan or inf upstream gives 0
    there, in the compiled code as in eager; the source says which edge is masked where."""
    x, y = Value(-1.0, "x"), Value(2.0, "y")
    compiled = chainrule.compile(lambda a, b: [a.relu(), b**0])
    compiled(x, y)
    compiled.backward(math.nan, math.inf)
    assert same_float(x.grad, 0.0) and same_float(y.grad, 0.0)  # torch: relu'(-1) = 0, d(y**0)/dy = 0
    assert "d_x += 0.0 if x <= 0.0 else d_relu1  # relu₁ → x, masked where x <= 0.0" in compiled.source
    assert "d_y += 0.0  # pow₁ → y, masked: a power 0 passes 0" in compiled.source


@pytest.mark.parametrize(
    ("fn", "point", "expected"),
    [
        (lambda a: a.relu() * 2.0, -0.0, (-0.0, 0.0)),  # relu(-0.0) is -0.0, its edge masked
        (lambda a: a**0.5, -0.0, (-0.0, -math.inf)),  # a square root: slope 1 / (2 sqrt(-0.0))
        (lambda a: a**0.5, 4.0, (2.0, 0.25)),
        (lambda a: logsumexp([a, Value(1.0)]), math.inf, (math.inf, 1.0)),  # softmax's limit
        (lambda a: logsumexp([a, Value(math.inf)]), 1.0, (math.inf, 0.0)),
        (lambda a: logsumexp([a, Value(math.inf)]), math.inf, (math.inf, math.nan)),  # two +inf
        (lambda a: logsumexp([a, Value(math.nan)]), math.inf, (math.nan, math.nan)),
    ],
)
def test_the_engines_edge_rules_compiled(fn, point, expected):
    """relu(-0.0), x ** 0.5 as a square root, 0 ** nan and logsumexp at +inf: hand-derived
    values and slopes, compiled at the traced point and again after a trace elsewhere."""
    assert_same(eager(fn, (point,)), (expected[0], [expected[1]]))
    assert_same(compiled_run(chainrule.compile(fn), (point,)), (expected[0], [expected[1]]))
    compiled = chainrule.compile(fn)
    compiled(Value(2.5))  # traced at an ordinary point, then run at the edge
    assert_same(compiled_run(compiled, (point,)), (expected[0], [expected[1]]))


def test_zero_to_the_power_nan_has_nan_slopes():
    """0 ** nan is nan, and so are both slopes (d/dy = nan * log 0), compiled as eagerly."""
    expected = (math.nan, [math.nan, math.nan])
    assert_same(eager(lambda a, b: a**b, (0.0, math.nan)), expected)
    compiled = chainrule.compile(lambda a, b: a**b)
    compiled(Value(2.0), Value(3.0))
    assert_same(compiled_run(compiled, (0.0, math.nan)), expected)


@pytest.mark.parametrize("loss", ["hinge_loss", "mse_loss"])
def test_fit_compiled_with_value_features_is_bitwise_eager(loss):
    """Samples holding Values get their grads as eager gives them (the loss then stays eager)."""
    runs = []
    for compile_ in (False, True):
        X = [[Value(0.5), Value(-1.0)], [Value(1.5), Value(0.25)], [Value(-0.3), Value(0.8)]]
        model = MLP(2, [3, 1], seed=1)
        history = fit(
            model,
            X,
            [1, 0, 1],
            loss=loss,
            optimizer=SGD(model.parameters(), 0.1),
            epochs=3,
            progress=False,
            compile=compile_,
        )
        runs.append((history.loss, weights(model), [x.grad for row in X for x in row]))
    assert runs[0] == runs[1]
    assert any(g != 0.0 for g in runs[0][2])  # the features did get gradients


def test_numbers_are_the_eager_outputs_as_floats_and_leave_backward_alone():
    model = MLP(2, [4, 3, 2], activation="tanh", seed=3)
    compiled = chainrule.compile(model)
    grid = [[-1.5 + 0.25 * c, 1.0 - 0.5 * r] for r in range(5) for c in range(13)]
    got = compiled.numbers(grid)
    assert got == [[v.data for v in model(p)] for p in grid]  # eager, point by point
    assert all(type(x) is float for row in got for x in row) and compiled.numbers([]) == []
    # backward() still takes the last call, made before: its gradients as eager's.
    out = compiled([0.3, -0.2])
    compiled.numbers(grid)
    compiled.backward(1.0, 0.0)
    twin = MLP(2, [4, 3, 2], activation="tanh", seed=3)
    twin([0.3, -0.2])[0].backward()
    assert out[0].data == twin([0.3, -0.2])[0].data
    assert [p.grad for p in model.parameters()] == [p.grad for p in twin.parameters()]


def test_numbers_keep_the_targets_shape():
    w = Value(1.5, "w")
    one = chainrule.compile(lambda x: (w * x).tanh())
    assert one.numbers([0.5, -2.0]) == [math.tanh(0.75), math.tanh(-3.0)]
    pair = chainrule.compile(lambda xs: (xs[0] * w, xs[1] - w))
    assert pair.numbers([[1.0, 2.0], [3.0, 4.0]]) == [(1.5, 0.5), (4.5, 2.5)]
    alone = chainrule.compile(lambda xs: [xs[0] + xs[1]])
    assert alone.numbers([[1.0, 2.0]]) == [[3.0]]
    micro_model = micro.MLP(2, [3, 1])
    assert chainrule.compile(micro_model).numbers([[0.5, 0.25]]) == [micro_model([0.5, 0.25]).data]


def test_numbers_raise_as_eager_and_learn_a_new_slope():
    w = Value(-2.0, "w")
    fn = chainrule.compile(lambda x: (w * x).log())
    assert fn.numbers([-1.0]) == [math.log(2.0)]
    with pytest.raises(ValueError) as err:
        fn.numbers([-1.0, 1.0])
    assert "log" in str(err.value) and w.data == -2.0 and w.grad == 0.0
    leaky = chainrule.compile(lambda x: (w * x).leaky_relu(0.1))
    assert leaky.numbers([-1.0, 1.0, 3.0]) == [2.0, (w * 1.0).leaky_relu(0.1).data, (w * 3.0).leaky_relu(0.1).data]


class Halving(chainrule.nn.Module):
    """One weight; while `halve` is on, it halves a positive z, so its graph reads z's number."""

    def __init__(self, halve: bool) -> None:
        self.w, self.halve = Value(2.0, "w"), halve

    def forward(self, x):
        z = self.w * x[0] + x[1]
        return [z * 0.5 if self.halve and z.data > 0 else z, z.tanh()]


def test_numbers_run_eagerly_where_compile_refuses_when_asked():
    fn = chainrule.compile(branchy)
    with pytest.raises(TypeError, match="may depend on the data"):
        fn.numbers([1.5, -2.0])
    assert fn.numbers([1.5, -2.0], eager_fallback=True) == [3.0, -6.0]  # 1.5 · 2 and -2 · 3
    pair = chainrule.compile(lambda xs: (xs[0] * 2.0, xs[1]) if xs[0].data > 0 else (xs[1], xs[0]))
    assert pair.numbers([[1.0, 5.0], [-1.0, 4.0]], eager_fallback=True) == [(2.0, 5.0), (4.0, -1.0)]
    model = Halving(halve=True)
    compiled = chainrule.compile(model)
    points = [[1.0, 0.5], [-1.0, 0.5]]  # z = 2.5 (halved to 1.25) and -1.5
    assert compiled.numbers(points, eager_fallback=True) == [[1.25, math.tanh(2.5)], [-1.5, math.tanh(-1.5)]]
    assert repr(compiled).endswith("0 trace(s))") and model.w.grad == 0.0  # eager, and no graph kept
    model.halve = False  # now compile takes it: the next call is traced and runs compiled
    assert compiled.numbers(points, eager_fallback=True) == [[2.5, math.tanh(2.5)], [-1.5, math.tanh(-1.5)]]
    assert repr(compiled).endswith("1 trace(s))")


def test_numbers_run_eagerly_for_every_refusal_of_compile_and_raise_eagers_errors():
    @chainrule.op("cube")
    def cube(x):
        return x**3, (3 * x**2,)

    unknown = chainrule.compile(lambda x: cube(x) * 2.0)  # an op compile does not know
    assert unknown.numbers([1.5, -2.0], eager_fallback=True) == [6.75, -16.0]  # 2 · 1.5³ and 2 · (-2)³
    root = chainrule.compile(lambda x: x ** (1 / 3))  # an exponent compile cannot read back
    assert root.numbers([8.0], eager_fallback=True) == [8.0 ** (1 / 3)]
    model = MLP(2, [3, 1], seed=0)
    with chainrule.no_grad():  # no graph, so no trace: eager
        inside = chainrule.compile(model).numbers([[0.5, -1.0]], eager_fallback=True)
    assert inside == [[v.data for v in model([0.5, -1.0])]]
    with pytest.raises(TypeError, match="arguments must be numbers"):  # without the fallback: compile's error
        chainrule.compile(model).numbers([[{}, 1.0]])
    with pytest.raises(TypeError) as err:  # with it: the eager model's own error
        chainrule.compile(model).numbers([[{}, 1.0]], eager_fallback=True)
    assert "compile" not in str(err.value)
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):  # a wrong sample: the eager error, as always
        chainrule.compile(model).numbers([[1.0, 2.0], [1.0]], eager_fallback=True)
