// The playground page's script: one neuron evaluated as chainrule's engine does it, node by
// node from the graph's structure (in #data), its numbers written onto the drawing, the
// factor cards, the loss-against-w plot and the loss history.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const state = Object.assign({}, data.settings);
  const history = [];
  const moves = [];
  const SVG = document.getElementById("curve").namespaceURI;  // the page names no web address

  // chainrule.notation.format_number: Python's "%.4g" (ties to even), "0" for either zero.
  function fmt(x) {
    if (x === 0) return "0";
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    const sign = x < 0 ? "-" : "";
    const [mantissa, e] = Math.abs(x).toExponential(29).split("e");
    const digits = mantissa.replace(".", "");
    let head = parseInt(digits.slice(0, 4), 10);
    let exp = parseInt(e, 10);
    const rest = digits.slice(4);
    if (rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || head % 2 === 1))) head += 1;
    if (head === 10000) { head = 1000; exp += 1; }
    const d = String(head);
    let out;
    if (exp < -4 || exp >= 4) {
      const m = (d[0] + "." + d.slice(1)).replace(/\.?0+$/, "");
      out = m + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
    } else if (exp >= 0) {
      out = (d.slice(0, exp + 1) + "." + d.slice(exp + 1)).replace(/\.?0+$/, "").replace(/\.$/, "");
      if (!out.includes(".") && out.length < exp + 1) out = out.padEnd(exp + 1, "0");
    } else {
      out = ("0." + "0".repeat(-exp - 1) + d).replace(/0+$/, "");
    }
    return sign + out;
  }
  const factor = (x) => { const s = fmt(x); return s.startsWith("-") ? "(" + s + ")" : s; };

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

  // chainrule.explain's line for dL/d(leaf): terms between the labelled nodes of the one path.
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
    const product = factors.reduce((p, f) => p * f, 1);
    const name = (i) => nodes[i].n.name;
    const symbols = terms.map(([u, l]) => "d" + u + "/d" + l).join(" · ");
    const text = "d" + name(path[0]) + "/d" + name(leaf) + " = " + symbols + " = " +
      terms.map((t) => factor(t[2])).join(" · ") + " = " + fmt(product);
    return { text, terms, product };
  }
  function reaches(graph, from, leaf) {
    return from === leaf || graph.nodes[from].parents.some((p) => reaches(graph, p, leaf));
  }

  // The drawings: for each v<i> its data and grad texts, for each arrow e<i>_<k> its label.
  const drawings = {};
  for (const div of document.querySelectorAll("#drawing .neuron")) {
    const f = div.dataset.activation;
    const parts = { div, boxes: [], edges: [], anchored: false };
    for (const g of div.querySelectorAll("g.node, g.edge")) {
      let m;
      if ((m = /-v(\d+)$/.exec(g.id))) {
        const texts = g.querySelectorAll("text");
        parts.boxes[+m[1]] = { data: texts[texts.length - 3], grad: texts[texts.length - 1] };
      } else if ((m = /-e(\d+)_(\d+)$/.exec(g.id))) {
        parts.edges.push({ i: +m[1], k: +m[2], text: g.querySelector("text") });
      }
    }
    drawings[f] = parts;
  }
  function showDrawing(f, nodes) {
    for (const [name, parts] of Object.entries(drawings)) parts.div.classList.toggle("shown", name === f);
    const parts = drawings[f];
    if (!parts.anchored) {
      // Graphviz laid each cell out for the widest number; anchor numbers at its right edge.
      for (const box of parts.boxes) {
        for (const t of [box.data, box.grad]) {
          const width = t.getComputedTextLength();
          t.setAttribute("x", parseFloat(t.getAttribute("x")) + width);
          t.setAttribute("text-anchor", "end");
        }
      }
      parts.anchored = true;
    }
    parts.boxes.forEach((box, i) => {
      box.data.textContent = fmt(nodes[i].data);
      box.grad.textContent = fmt(nodes[i].grad);
    });
    for (const e of parts.edges) if (e.text) e.text.textContent = fmt(nodes[e.i].local[e.k]);
  }

  function el(parent, tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  // A plot frame: maps (u, v) in the data's ranges to the SVG's box, inside margins.
  function frame(svg, [u0, u1], [v0, v1], xlabel, ylabel) {
    svg.replaceChildren();
    const L = 46, R = 370, T = 12, B = 200;
    const X = (u) => L + ((u - u0) / (u1 - u0 || 1)) * (R - L);
    const Y = (v) => B - ((v - v0) / (v1 - v0 || 1)) * (B - T);
    const clip = el(el(svg, "defs", {}), "clipPath", { id: svg.id + "-clip" });
    el(clip, "rect", { x: L, y: T, width: R - L, height: B - T });
    el(svg, "line", { class: "axis", x1: L, y1: B, x2: R, y2: B });
    el(svg, "line", { class: "axis", x1: L, y1: T, x2: L, y2: B });
    el(svg, "text", { class: "tick", x: L, y: B + 14 }, fmt(u0));
    el(svg, "text", { class: "tick", x: R, y: B + 14, "text-anchor": "end" }, fmt(u1));
    el(svg, "text", { class: "tick", x: (L + R) / 2, y: B + 26, "text-anchor": "middle" }, xlabel);
    el(svg, "text", { class: "tick", x: L - 4, y: B, "text-anchor": "end" }, fmt(v0));
    el(svg, "text", { class: "tick", x: L - 4, y: T + 8, "text-anchor": "end" }, fmt(v1));
    el(svg, "text", { class: "tick", x: 4, y: (T + B) / 2 }, ylabel);
    const g = el(svg, "g", { "clip-path": "url(#" + svg.id + "-clip)" });
    return { X, Y, g };
  }
  const points = (pts, X, Y) => pts.map(([u, v]) => X(u).toFixed(1) + "," + Y(v).toFixed(1)).join(" ");

  function drawCurve(graph, loss, gradW) {
    const slider = $("w");
    const lo = Math.min(parseFloat(slider.min), state.w), hi = Math.max(parseFloat(slider.max), state.w);
    const pts = [];
    for (let i = 0; i <= 160; i++) {
      const w = lo + ((hi - lo) * i) / 160;
      const nodes = evaluate(graph, Object.assign({}, state, { w }));
      pts.push([w, nodes[nodes.length - 1].data]);
    }
    const top = Math.max(...pts.map((p) => p[1])) * 1.05 || 1;
    const { X, Y, g } = frame($("curve"), [lo, hi], [0, top], "w", "L");
    el(g, "polyline", { class: "curve", points: points(pts, X, Y) });
    const reach = (hi - lo) / 6;
    el(g, "line", {
      class: "tangent", x1: X(state.w - reach), y1: Y(loss - gradW * reach),
      x2: X(state.w + reach), y2: Y(loss + gradW * reach),
    });
    el(g, "circle", { class: "point", cx: X(state.w), cy: Y(loss), r: 5 });
  }

  function drawHistory() {
    const n = history.length - 1;
    const top = Math.max(...history) * 1.05 || 1;
    const { X, Y, g } = frame($("history"), [0, Math.max(n, 1)], [0, top], "descent steps and moves", "L");
    for (const i of moves) el(g, "line", { class: "move", x1: X(i), y1: Y(0), x2: X(i), y2: Y(top) });
    el(g, "polyline", { class: "losses", points: points(history.map((v, i) => [i, v]), X, Y) });
    const steps = n - moves.length;
    const recent = history.slice(-5).map(fmt).join(" → ");
    $("history-text").textContent =
      `${steps} descent step${steps === 1 ? "" : "s"}, ${moves.length} move${moves.length === 1 ? "" : "s"} ` +
      `(dashed lines: a slider moved; the history goes on). Losses: ${recent}`;
  }

  function render() {
    const graph = data.graphs[state.activation];
    const nodes = evaluate(graph, state);
    const a = graph.a, z = find(graph, "z"), w = find(graph, "w"), b = find(graph, "b");
    const root = nodes.length - 1;
    const loss = nodes[root].data;
    const slope = a === z ? 1 : nodes[a].local[0];
    const forW = chain(graph, nodes, w);
    showDrawing(state.activation, nodes);
    $("f-dL_da").textContent = fmt(nodes[a].grad);
    $("f-da_dz").textContent = fmt(slope);
    $("f-dz_dw").textContent = fmt(nodes[z].local[0]);
    $("f-grad_w").textContent = fmt(nodes[w].grad);
    $("chain-w").textContent = forW.text;
    $("chain-b").textContent = chain(graph, nodes, b).text;
    $("out-z").textContent = fmt(nodes[z].data);
    $("out-a").textContent = fmt(nodes[a].data);
    $("out-L").textContent = fmt(loss);
    for (const name of ["w", "b", "x", "target", "lr"]) $("out-" + name).textContent = fmt(state[name]);

    const most = data.maxFactor[state.activation];
    $("slope-formula").textContent = data.slopes[state.activation];
    $("slope-note").textContent =
      `da/dz = ${data.slopes[state.activation]} = ${fmt(slope)}, never above ${fmt(most)}`;
    const saturating = state.activation === "sigmoid" || state.activation === "tanh";
    const vanishing = saturating && slope < data.smallFactor && loss >= data.smallLoss;
    const dead = state.activation === "relu" && slope === 0;
    $("meter-bar").style.width = Math.min(100, (100 * slope) / most) + "%";
    $("meter-bar").classList.toggle("small", vanishing || dead);
    const warning = $("warning");
    warning.hidden = !(vanishing || dead);
    warning.className = dead ? "dead" : "vanishing";
    warning.textContent = dead ? data.warnings.dead : vanishing ? data.warnings.vanishing
      .replace("{factor}", fmt(slope)).replace("{small}", String(data.smallFactor))
      .replace("{activation}", state.activation) : "";
    drawCurve(graph, loss, nodes[w].grad);
    drawHistory();
    return loss;
  }
  function currentLoss() {
    const nodes = evaluate(data.graphs[state.activation], state);
    return nodes[nodes.length - 1].data;
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
    for (const name of ["w", "b"]) place($(name), state[name]);
    render();
  }
  // Move a slider to a value without it counting as a move, widening it when needed.
  function place(slider, value) {
    if (value < parseFloat(slider.min)) slider.min = Math.floor(value);
    if (value > parseFloat(slider.max)) slider.max = Math.ceil(value);
    slider.value = value;
  }

  for (const name of ["w", "b", "x", "target", "lr"]) {
    const slider = $(name);
    place(slider, state[name]);
    slider.addEventListener("input", () => {
      state[name] = parseFloat(slider.value);
      if (name !== "lr") moved();  // the loss does not depend on the learning rate
      render();
    });
  }
  $("activation").value = state.activation;
  $("activation").addEventListener("change", () => {
    state.activation = $("activation").value;
    moved();
    render();
  });
  $("step").addEventListener("click", () => step(1));
  $("step10").addEventListener("click", () => step(10));
  history.push(currentLoss());
  render();
})();
