// The neuron playground's front end, shared by the offline page and the notebook widget:
// the controls, the factor cards, the drawing's numbers, the loss against w and the loss
// history, drawn from a state that holds every number already computed. It formats and
// draws; it computes no derivative. The page's script (playground.js, appended to this
// file in the page) computes the state in the browser; the widget's state comes from the
// engine in the kernel (chainrule.viz.playground.widget).
//
// A state: settings {w, b, x, target, lr, activation}; ranges {w: [lo, hi], ...} for the
// sliders; z, a, loss, dloss_da, da_dz, da_dz_max, dz_dw, grad_w; slope (da/dz's formula);
// meter (da/dz over its ceiling, 0 to 1); warning {kind, text} or null; chains [{upper,
// lower, terms: [[upper, lower, number], ...], gradient}] for w and b; nodes [{data, grad,
// local}] in the drawing's order; curve {points: [[w, L], ...], tangent: [[w, L], [w, L]],
// point: [w, L]}; history, moves, steps.

// chainrule.notation.format_number: Python's "%.4g" (ties to even), "0" for either zero.
export function fmt(x) {
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

// chainrule.explain's line for one path: "dL/dw = dL/da · da/dz · dz/dw = (-0.5379) · 0.1966 · 2 = -0.2115".
export function chainText(chain) {
  const symbols = chain.terms.map(([u, l]) => "d" + u + "/d" + l).join(" · ");
  return "d" + chain.upper + "/d" + chain.lower + " = " + symbols + " = " +
    chain.terms.map((t) => factor(t[2])).join(" · ") + " = " + fmt(chain.gradient);
}

export const SETTINGS = ["w", "b", "x", "target", "lr"];
const LABELS = { w: "w", b: "b", x: "x", target: "target y", lr: "learning rate η" };

// The keys pressed on a focused slider or menu are theirs: in a JupyterLab notebook (command
// mode) the arrow keys also move between cells, and the notebook would otherwise take them and
// keep the slider still. `data-lm-suppress-shortcuts` is JupyterLab's way to hand keys back to
// an element; on the page it is an attribute like any other.
const OWN_KEYS = "data-lm-suppress-shortcuts";

// The controls and panels, every id under `prefix` ("" on the page, one per widget in a notebook).
function markup(p) {
  const slider = (name) =>
    `<label class="slider"><span>${LABELS[name]}</span><input type="range" id="${p}${name}" step="0.01" ${OWN_KEYS}>` +
    `<output id="${p}out-${name}"></output></label>`;
  const card = (sym, formula, num, extra = "") =>
    `<div class="card${extra}"><div class="sym">${sym}</div><div class="formula"${formula[1]}>${formula[0]}</div>` +
    `<div class="num" id="${p}${num}"></div></div>`;
  return `
<section class="controls" aria-label="settings">
<label class="menu">activation f <select id="${p}activation" ${OWN_KEYS}>
<option value="sigmoid">sigmoid</option><option value="tanh">tanh</option>
<option value="relu">relu</option><option value="linear">linear</option>
</select></label>
${SETTINGS.map(slider).join("\n")}
<div class="buttons">
<button type="button" id="${p}step" title="w ← w − η·dL/dw, b ← b − η·dL/db">descent step</button>
<button type="button" id="${p}step10" title="ten descent steps">10 steps</button>
</div>
</section>
<section class="chain" aria-label="the chain rule">
<div class="factors">
${card("dL/da", ["2(a − y)", ""], "f-dL_da")}<div class="op">·</div>
${card("da/dz", ["", ` id="${p}slope-formula"`], "f-da_dz")}<div class="op">·</div>
${card("dz/dw", ["x", ""], "f-dz_dw")}<div class="op">=</div>
${card("dL/dw", ["the gradient", ""], "f-grad_w", " product")}
</div>
<div class="meter" title="da/dz against the largest value it can take"><div class="meter-bar" id="${p}meter-bar"></div>` +
    `<span id="${p}slope-note"></span></div>
<div class="warning" id="${p}warning" role="alert" hidden></div>
<div class="explain" id="${p}chain-w"></div>
<div class="explain" id="${p}chain-b"></div>
<table class="values"><tr><td>z = w·x + b</td><td id="${p}out-z"></td><td>a = f(z)</td><td id="${p}out-a"></td>` +
    `<td>L = (a − y)²</td><td id="${p}out-L"></td></tr></table>
</section>
<section class="drawing" id="${p}drawing" aria-label="the neuron's graph"></section>
<section class="plots">
<figure><svg id="${p}curve" viewBox="0 0 380 230" role="img" aria-label="the loss against w"></svg>
<figcaption>L against w, everything else fixed. The dot is the current w; the line is the tangent
there, whose slope is dL/dw: descent moves w downhill along it.</figcaption></figure>
<figure><svg id="${p}history" viewBox="0 0 380 230" role="img" aria-label="the loss after each step"></svg>
<figcaption id="${p}history-text"></figcaption></figure>
</section>`;
}

// Builds the playground in `root` around the drawings (one .neuron div per activation, made
// by Graphviz) and returns render(state). The controls call on.setting(name, value) when a
// slider or the menu moves and on.step(count) for "descent step" (1) and "10 steps" (10).
export function mountPlayground(root, drawingsHtml, prefix, on) {
  root.classList.add("cr-playground");
  root.innerHTML = markup(prefix);
  const $ = (id) => root.querySelector("#" + prefix + id);
  $("drawing").innerHTML = drawingsHtml;
  const SVG = $("curve").namespaceURI;  // taken from the document, so no web address is written here

  // The drawings: for each v<i> its data and grad texts, for each arrow e<i>_<k> its label.
  const drawings = {};
  for (const div of root.querySelectorAll(".drawing .neuron")) {
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
    drawings[div.dataset.activation] = parts;
  }
  function showDrawing(f, nodes) {
    for (const [name, parts] of Object.entries(drawings)) parts.div.classList.toggle("shown", name === f);
    const parts = drawings[f];
    if (!parts) return;
    if (!parts.anchored && !parts.div.getClientRects().length) {
      // Not laid out yet (a widget drawn before it is attached): try again on the next
      // frames, for ten seconds at most; the next state redraws it anyway.
      if ((parts.waited = (parts.waited || 0) + 1) < 600) requestAnimationFrame(() => showDrawing(f, nodes));
      return;
    }
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
  const top = (values) => Math.max(...values) * 1.05 || 1;

  function drawCurve(curve) {
    const ws = curve.points.map((p) => p[0]);
    const { X, Y, g } = frame($("curve"), [ws[0], ws[ws.length - 1]], [0, top(curve.points.map((p) => p[1]))], "w", "L");
    el(g, "polyline", { class: "curve", points: points(curve.points, X, Y) });
    const [[u0, v0], [u1, v1]] = curve.tangent;
    el(g, "line", { class: "tangent", x1: X(u0), y1: Y(v0), x2: X(u1), y2: Y(v1) });
    el(g, "circle", { class: "point", cx: X(curve.point[0]), cy: Y(curve.point[1]), r: 5 });
  }

  function drawHistory(history, moves, steps) {
    const high = top(history);
    const { X, Y, g } = frame($("history"), [0, Math.max(history.length - 1, 1)], [0, high],
      "descent steps and moves", "L");
    for (const i of moves) el(g, "line", { class: "move", x1: X(i), y1: Y(0), x2: X(i), y2: Y(high) });
    el(g, "polyline", { class: "losses", points: points(history.map((v, i) => [i, v]), X, Y) });
    const recent = history.slice(-5).map(fmt).join(" → ");
    $("history-text").textContent =
      `${steps} descent step${steps === 1 ? "" : "s"}, ${moves.length} move${moves.length === 1 ? "" : "s"} ` +
      `(dashed lines: a setting moved; the history goes on). Losses: ${recent}`;
  }

  // A slider being dragged is left where the pointer holds it: the state it sent comes back later.
  let held = null;
  for (const name of SETTINGS) {
    const slider = $(name);
    slider.addEventListener("pointerdown", () => { held = slider; });
    slider.addEventListener("input", () => on.setting(name, parseFloat(slider.value)));
  }
  root.ownerDocument.addEventListener("pointerup", () => { held = null; });
  $("activation").addEventListener("change", () => on.setting("activation", $("activation").value));
  $("step").addEventListener("click", () => on.step(1));
  $("step10").addEventListener("click", () => on.step(10));

  return function render(s) {
    for (const name of SETTINGS) {
      const slider = $(name);
      const [lo, hi] = s.ranges[name];
      slider.min = lo;
      slider.max = hi;
      if (slider !== held) slider.value = s.settings[name];
      $("out-" + name).textContent = fmt(s.settings[name]);
    }
    $("activation").value = s.settings.activation;
    showDrawing(s.settings.activation, s.nodes);
    $("f-dL_da").textContent = fmt(s.dloss_da);
    $("f-da_dz").textContent = fmt(s.da_dz);
    $("f-dz_dw").textContent = fmt(s.dz_dw);
    $("f-grad_w").textContent = fmt(s.grad_w);
    $("chain-w").textContent = chainText(s.chains[0]);
    $("chain-b").textContent = chainText(s.chains[1]);
    $("out-z").textContent = fmt(s.z);
    $("out-a").textContent = fmt(s.a);
    $("out-L").textContent = fmt(s.loss);
    $("slope-formula").textContent = s.slope;
    $("slope-note").textContent = `da/dz = ${s.slope} = ${fmt(s.da_dz)}, never above ${fmt(s.da_dz_max)}`;
    $("meter-bar").style.width = 100 * s.meter + "%";
    $("meter-bar").classList.toggle("small", s.warning !== null);
    const warning = $("warning");
    warning.hidden = s.warning === null;
    warning.classList.toggle("dead", s.warning !== null && s.warning.kind === "dead");
    warning.textContent = s.warning === null ? "" : s.warning.text;
    drawCurve(s.curve);
    drawHistory(s.history, s.moves, s.steps);
  };
}

let widgets = 0;  // each widget's ids get their own prefix: a notebook can show several

// The widget's module for anywidget: the model's `state` (numbers from the engine) is drawn on
// every change; the controls set the traits `w`, `b`, `x`, `target`, `lr` and `activation`,
// and the buttons add to `steps`, the count of descent steps asked for.
export default {
  render({ model, el }) {
    widgets += 1;
    const render = mountPlayground(el, model.get("drawings"), "cr-pg" + widgets + "-", {
      setting(name, value) {
        model.set(name, value);
        model.save_changes();
      },
      step(count) {
        model.set("steps", model.get("steps") + count);
        model.save_changes();
      },
    });
    const update = () => render(model.get("state"));
    model.on("change:state", update);
    update();
    return () => model.off("change:state", update);
  },
};
