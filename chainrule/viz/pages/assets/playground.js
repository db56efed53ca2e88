// The playground page's own script, appended to playground_view.js: with no kernel behind
// the page, it evaluates the neuron as chainrule's engine does, node by node from the
// graph's structure (in #data), and hands the view each state to draw.
const data = JSON.parse(document.getElementById("data").textContent);
const state = Object.assign({}, data.settings);
const ranges = Object.assign({}, data.ranges);
const history = [];
const moves = [];

function logistic(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
// Each op's forward value and local derivatives, as the engine's primitives define them.
const OPS = {
  linear: ([w, x, b]) => [b + w * x, [x, w, 1]],
  sigmoid: ([z]) => { const s = logistic(z); return [s, [s * (1 - s)]]; },
  tanh: ([z]) => { const t = Math.tanh(z); return [t, [1 - t * t]]; },
  relu: ([z]) => (z <= 0 ? [0, [0]] : [z, [1]]),
  "-": ([a, y]) => [a - y, [1, -1]],
  "**2": ([d]) => [d * d, [2 * d]],
};
const LEAVES = { x: "x", w: "w", b: "b", y: "target" };

// Forward, then backward: every node's data, local derivatives and grad.
function evaluate(graph, s) {
  const nodes = graph.nodes.map((n) => ({ data: 0, local: [], grad: 0, n }));
  nodes.forEach((v) => {
    if (v.n.parents.length === 0) v.data = s[LEAVES[v.n.label]];
    else [v.data, v.local] = OPS[v.n.op](v.n.parents.map((p) => nodes[p].data));
  });
  nodes[nodes.length - 1].grad = 1;
  for (let i = nodes.length - 1; i >= 0; i--) {
    nodes[i].n.parents.forEach((p, k) => { nodes[p].grad += nodes[i].grad * nodes[i].local[k]; });
  }
  return nodes;
}
const find = (graph, label) => graph.nodes.findIndex((n) => n.label === label);

// chainrule.explain's terms for dL/d(leaf): products between the labelled nodes of the one path.
function chain(graph, nodes, leaf) {
  const path = [nodes.length - 1];
  const factors = [];
  while (path[path.length - 1] !== leaf) {
    const v = nodes[path[path.length - 1]];
    const k = v.n.parents.findIndex((p) => reaches(graph, p, leaf));
    path.push(v.n.parents[k]);
    factors.push(v.local[k]);
  }
  const stops = path.map((_, i) => i).filter((i) => i === 0 || i === path.length - 1 || nodes[path[i]].n.label);
  const terms = [];
  for (let t = 0; t + 1 < stops.length; t++) {
    let product = 1;
    for (let i = stops[t]; i < stops[t + 1]; i++) product *= factors[i];
    terms.push([nodes[path[stops[t]]].n.name, nodes[path[stops[t + 1]]].n.name, product]);
  }
  const gradient = factors.reduce((p, f) => p * f, 1);
  return { upper: nodes[path[0]].n.name, lower: nodes[leaf].n.name, terms, gradient };
}
function reaches(graph, from, leaf) {
  return from === leaf || graph.nodes[from].parents.some((p) => reaches(graph, p, leaf));
}

// The state the view draws, as the widget's kernel would send it.
function current() {
  const graph = data.graphs[state.activation];
  const nodes = evaluate(graph, state);
  const a = graph.a, z = find(graph, "z"), w = find(graph, "w"), b = find(graph, "b");
  const loss = nodes[nodes.length - 1].data;
  const slope = a === z ? 1 : nodes[a].local[0];
  const most = data.maxFactor[state.activation];
  const saturating = state.activation === "sigmoid" || state.activation === "tanh";
  const vanishing = saturating && slope < data.smallFactor && loss >= data.smallLoss;
  const dead = state.activation === "relu" && slope === 0;
  const warning = dead ? { kind: "dead", text: data.warnings.dead }
    : vanishing ? { kind: "vanishing", text: data.warnings.vanishing
      .replace("{factor}", fmt(slope)).replace("{small}", String(data.smallFactor))
      .replace("{activation}", state.activation) } : null;
  const [lo, hi] = ranges.w;
  const pts = [];
  for (let i = 0; i <= 160; i++) {
    const at = lo + ((hi - lo) * i) / 160;
    const ns = evaluate(graph, Object.assign({}, state, { w: at }));
    pts.push([at, ns[ns.length - 1].data]);
  }
  const gradW = nodes[w].grad;
  const reach = (hi - lo) / 6;
  return {
    settings: Object.assign({}, state),
    ranges,
    z: nodes[z].data, a: nodes[a].data, loss,
    dloss_da: nodes[a].grad, da_dz: slope, da_dz_max: most, dz_dw: nodes[z].local[0], grad_w: gradW,
    slope: data.slopes[state.activation],
    meter: Math.min(1, slope / most),
    warning,
    chains: [chain(graph, nodes, w), chain(graph, nodes, b)],
    nodes,
    curve: {
      points: pts,
      tangent: [[state.w - reach, loss - gradW * reach], [state.w + reach, loss + gradW * reach]],
      point: [state.w, loss],
    },
    history, moves, steps: history.length - 1 - moves.length,
  };
}
function currentLoss() {
  const nodes = evaluate(data.graphs[state.activation], state);
  return nodes[nodes.length - 1].data;
}
// A slider widens to hold a value the descent steps took it to.
function widen(name) {
  const [lo, hi] = ranges[name], value = state[name];
  ranges[name] = [value < lo ? Math.floor(value) : lo, value > hi ? Math.ceil(value) : hi];
}

// A setting changed by hand: marked in the history, which goes on. A drag is one move.
function moved() {
  const loss = currentLoss();
  if (moves.length && moves[moves.length - 1] === history.length - 1) history[history.length - 1] = loss;
  else { moves.push(history.length); history.push(loss); }
}
function step(count) {
  const graph = data.graphs[state.activation];
  const w = find(graph, "w"), b = find(graph, "b");
  for (let i = 0; i < count; i++) {
    const nodes = evaluate(graph, state);
    const gradW = nodes[w].grad, gradB = nodes[b].grad;
    state.w -= state.lr * gradW;
    state.b -= state.lr * gradB;
    history.push(currentLoss());
  }
  widen("w");
  widen("b");
}

const draw = mountPlayground(document.getElementById("playground"), document.getElementById("drawings").innerHTML, "", {
  setting(name, value) {
    state[name] = value;
    if (name !== "lr") moved();  // the loss does not depend on the learning rate
    draw(current());
  },
  step(count) {
    step(count);
    draw(current());
  },
});
for (const name of SETTINGS) widen(name);
history.push(currentLoss());
draw(current());
