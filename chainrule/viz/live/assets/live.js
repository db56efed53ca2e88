// chainrule's LiveNetwork: the front end of an anywidget. Python sends `drawing` (the network
// view's SVG, laid out once) and `state` (every number, at full precision and as text, read
// from the engine); this script places them and sends the buttons' actions back as messages
// {action, value}. It computes nothing.
"use strict";

const PALETTE = ["#f59e0b", "#6366f1", "#10b981", "#ec4899", "#8b5cf6", "#14b8a6"];
const OPACITY = [0.15, 0.3, 0.45, 0.6];
const GRID = 24;
const LEVELS = 10;
const TIP = "xlink:title";

// The controls keep the keys pressed on them: in a JupyterLab notebook the arrow keys would
// otherwise move between cells (`data-lm-suppress-shortcuts`, as in the playground's front end).
const CONTROLS = `
<div class="cl-controls">
  <button type="button" id="forward" class="cl-fwd" title="forward pass: z and a of every neuron">Forward</button>
  <button type="button" id="backward" class="cl-bwd" title="backward pass: δ = dLoss/dz and dLoss/dw">Backward</button>
  <button type="button" id="train-step" title="the whole training step: forward, backward, update">Training step</button>
  <button type="button" id="play" title="train step after step">&#9654; Play</button>
  <button type="button" id="reset" title="the weights and the optimizer as at the start">Reset</button>
  <label>learning rate <input id="lr" type="number" step="any" min="0" size="6" data-lm-suppress-shortcuts></label>
  <label>speed <input id="speed" type="range" min="1" max="30" title="steps a second while playing" data-lm-suppress-shortcuts></label>
  <label>train on <select id="mode" data-lm-suppress-shortcuts><option value="batch">full batch</option>
    <option value="sample">the selected sample</option></select></label>
  <label>new points: class <select id="class" data-lm-suppress-shortcuts></select></label>
</div>
<div class="cl-status"><span id="phase" class="cl-phase">start</span> <span id="step"></span>
  <span id="loss"></span> <span id="accuracy"></span> <span id="diverged" class="cl-diverged" role="alert"></span></div>`;

const LAYOUT = `
<div class="cl-layout">
  <div class="cl-drawing" id="drawing"></div>
  <aside class="cl-side">
    <section id="plane-panel"><h4>Decision boundary and data</h4>
      <div class="cl-plane"><canvas id="boundary" width="${GRID}" height="${GRID}"></canvas>
        <svg id="points" width="240" height="240" viewBox="0 0 240 240" role="img"
          aria-label="the data points over the decision boundary"></svg></div>
      <p class="cl-hint">Click a point to select it; shift-click to add a point of the chosen class.</p>
    </section>
    <section><h4>Loss <span id="loss-last"></span> <span id="accuracy-key" class="cl-accuracy-key"></span></h4>
      <svg id="curve" width="300" height="170" viewBox="0 0 300 170" role="img" aria-label="loss and accuracy curves">
        <line x1="20" y1="150" x2="290" y2="150" stroke="#9ca3af"/><line x1="20" y1="10" x2="20" y2="150" stroke="#9ca3af"/>
        <text x="24" y="18" id="curve-top" font-size="10" fill="#6b7280"></text>
        <text x="288" y="18" id="accuracy-top" font-size="10" fill="#2563eb" text-anchor="end"></text>
        <polyline id="accuracy-line" fill="none" stroke="#2563eb" stroke-width="1.5" stroke-dasharray="4 3" points=""/>
        <polyline id="curve-line" fill="none" stroke="#111827" stroke-width="2" points=""/></svg>
    </section>
  </aside>
</div>
<div id="equation" class="cl-equation" aria-live="polite">Click a neuron for its δ, or a weight for dLoss/dw.</div>
<p id="no-plane" class="cl-note"></p>
<section id="heatmap-panel"><h4>Each neuron's activation a over the input plane
  <span class="cl-note">(teal positive, orange negative, each scaled to its largest |a|)</span></h4>
  <div id="heatmaps" class="cl-heatmaps"></div></section>`;

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "chainrule-live";
  root.innerHTML = CONTROLS + LAYOUT;
  el.replaceChildren(root);
  const $ = (id) => root.querySelector("#" + id);
  const send = (action, value) => model.send(value === undefined ? { action } : { action, value });
  let focus = null; // {kind: "neuron" | "edge", id}

  // The drawing: each node's value cells by row name, as the network page reads them.
  $("drawing").innerHTML = model.get("drawing");
  const nodes = {};
  for (const g of $("drawing").querySelectorAll("g.node")) {
    if (!/^(x\d+|n\d+_\d+)$/.test(g.id)) continue;
    const texts = [...g.querySelectorAll("text")];
    const cells = {};
    for (let i = 1; i + 1 < texts.length; i += 2) cells[texts[i].textContent] = texts[i + 1];
    for (const t of Object.values(cells)) {
      // Graphviz made room for a wide number; numbers are anchored at the cell's right edge.
      const width = t.getComputedTextLength ? t.getComputedTextLength() : 0;
      if (width > 0) t.setAttribute("x", parseFloat(t.getAttribute("x")) + width);
      t.setAttribute("text-anchor", "end");
      t.textContent = "";
    }
    nodes[g.id] = { g, cells };
    g.addEventListener("click", () => { focus = { kind: "neuron", id: g.id }; showEquation(); });
  }
  const edges = {};
  for (const g of $("drawing").querySelectorAll("g.edge")) {
    if (!/^w\d+_\d+_\d+$/.test(g.id)) continue;
    const path = g.querySelector("path");
    const hit = path.cloneNode(); // a wide, unseen copy of the arrow: something to click
    hit.setAttribute("class", "cl-hit");
    path.after(hit);
    edges[g.id] = { g, path, a: g.querySelector("a") };
    g.addEventListener("click", () => { focus = { kind: "edge", id: g.id }; showEquation(); });
  }

  for (const [id, action] of [["forward", "forward"], ["backward", "backward"], ["train-step", "train-step"], ["reset", "reset"]]) {
    $(id).addEventListener("click", () => send(action));
  }
  $("play").addEventListener("click", () => send(model.get("state").playing ? "pause" : "play"));
  $("lr").addEventListener("change", () => send("lr", Number($("lr").value)));
  $("speed").addEventListener("change", () => send("speed", Number($("speed").value)));
  $("mode").addEventListener("change", () => send("mode", $("mode").value));
  $("class").addEventListener("change", () => send("class", $("class").value));
  $("points").addEventListener("click", (event) => {
    const box = $("points").getBoundingClientRect();
    const px = (event.clientX - box.left) * 240 / box.width;
    const py = (event.clientY - box.top) * 240 / box.height;
    if (event.shiftKey) send("add", [px, py]);
    else if (event.target.dataset.index !== undefined) send("select", Number(event.target.dataset.index));
  });

  function showEquation() {
    const S = model.get("state");
    let lines = ["Click a neuron for its δ, or a weight for dLoss/dw."];
    if (focus && focus.kind === "neuron") {
      const n = S.neurons.find((q) => q.id === focus.id);
      lines = n ? n.equation : ["input " + focus.id + " of the selected sample"];
    } else if (focus && focus.kind === "edge") {
      const e = S.edges.find((q) => q.id === focus.id);
      if (e) lines = e.equation;
    }
    $("equation").replaceChildren(...lines.map((line) => {
      const div = document.createElement("div");
      div.textContent = line;
      return div;
    }));
    for (const [id, n] of Object.entries(nodes)) n.g.classList.toggle("cl-focus", !!focus && focus.id === id);
    for (const [id, e] of Object.entries(edges)) e.g.classList.toggle("cl-focus", !!focus && focus.id === id);
  }

  function setCell(cell, text, mark) {
    if (!cell) return;
    cell.textContent = text;
    cell.classList.toggle("cl-fwd-val", mark === "fwd");
    cell.classList.toggle("cl-bwd-val", mark === "bwd");
  }

  const shown = (x) => (x === null || x === undefined ? "" : String(x));

  function update() {
    const S = model.get("state");
    const forwardDone = S.phase !== "start";
    for (const x of S.inputs) {
      const n = nodes[x.id];
      if (!n) continue;
      setCell(n.cells.x, x.text, "");
      n.g.dataset.x = shown(x.x);
    }
    for (const q of S.neurons) {
      const n = nodes[q.id];
      if (!n) continue;
      setCell(n.cells.z, q.text.z || "", S.phase === "forward" ? "fwd" : "");
      setCell(n.cells.a, q.text.a || "", S.phase === "forward" ? "fwd" : "");
      setCell(n.cells["δ"], q.text.d || "", S.phase === "backward" ? "bwd" : "");
      setCell(n.cells.b, q.b_text, "");
      Object.assign(n.g.dataset, { layer: q.layer, neuron: q.neuron, z: shown(q.z), a: shown(q.a), delta: shown(q.delta) });
      n.g.classList.toggle("cl-cur-fwd", S.phase === "forward" && forwardDone);
      n.g.classList.toggle("cl-cur-bwd", S.phase === "backward");
    }
    for (const e of S.edges) {
      const d = edges[e.id];
      if (!d) continue;
      d.path.setAttribute("stroke", e.color);
      d.path.setAttribute("stroke-width", e.width);
      Object.assign(d.g.dataset, { w: shown(e.w), grad: shown(e.grad) });
      if (d.a) d.a.setAttribute(TIP, e.equation.join("\n"));
    }
    $("phase").textContent = S.phase === "start" ? "ready" : S.phase === "update" ? "updated" : S.phase + " pass";
    $("phase").className = "cl-phase cl-" + S.phase;
    $("step").textContent = "step " + S.step;
    $("loss").textContent = S.loss_text ? S.loss_name + " = " + S.loss_text : "";
    $("accuracy").textContent = S.accuracy ? "accuracy " + S.accuracy : "";
    $("diverged").textContent = S.diverged;
    $("play").innerHTML = S.playing ? "&#10074;&#10074; Pause" : "&#9654; Play";
    for (const id of ["forward", "backward", "train-step"]) $(id).disabled = S.playing;
    if (document.activeElement !== $("lr")) $("lr").value = S.lr;
    $("speed").value = S.speed;
    $("mode").value = S.mode;
    const options = S.classes.map((c) => `<option value="${c.replace(/"/g, "&quot;")}">${c.replace(/</g, "&lt;")}</option>`).join("");
    if ($("class").dataset.options !== options) {
      $("class").innerHTML = options;
      $("class").dataset.options = options;
    }
    $("class").value = S.chosen_class;
    drawCurve(S.curve);
    drawPlane(S);
    showEquation();
  }

  function drawCurve(curve) {
    $("curve-top").textContent = curve.top;
    $("curve-line").setAttribute("points", curve.points.map((p) => p.join(",")).join(" "));
    $("loss-last").textContent = curve.last ? "after the last step: " + curve.last : "";
    $("accuracy-line").setAttribute("points", curve.accuracy.map((p) => p.join(",")).join(" "));
    $("accuracy-top").textContent = curve.accuracy.length ? "accuracy 1" : "";
    $("accuracy-key").textContent = curve.accuracy.length ? "and accuracy (dashed, 0 to 1)" : "";
  }

  function paint(canvas, letters, colour) {
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(GRID, GRID);
    for (let c = 0; c < letters.length; c++) {
      const [r, g, b, alpha] = colour(letters.charCodeAt(c) - 97);
      image.data.set([r, g, b, Math.round(255 * alpha)], 4 * c);
    }
    ctx.putImageData(image, 0, 0);
  }
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

  function drawPlane(S) {
    $("plane-panel").hidden = !S.points;
    $("heatmap-panel").hidden = !S.points;
    $("no-plane").textContent = S.no_plane || "";
    if (!S.points) {
      $("heatmaps").replaceChildren();
      return;
    }
    paint($("boundary"), S.boundary, (code) => [...rgb(PALETTE[Math.floor(code / 4) % PALETTE.length]), OPACITY[code % 4]]);
    const marks = S.points.map(([x, y, cls], i) =>
      `<circle cx="${x}" cy="${y}" r="${i === S.selected ? 5 : 3}" data-index="${i}" fill="${PALETTE[cls % PALETTE.length]}"` +
      ` class="${i === S.selected ? "cl-selected" : ""}" stroke="#111827" stroke-width="${i === S.selected ? 2 : 0.6}"></circle>`);
    $("points").innerHTML = marks.join("");
    drawHeatmaps(S);
  }

  function drawHeatmaps(S) {
    const box = $("heatmaps");
    if (box.dataset.layers !== String(S.neurons.length)) {
      box.replaceChildren();
      let row = null;
      for (const q of S.neurons) {
        if (q.neuron === 0) {
          row = document.createElement("div");
          row.className = "cl-heat-row";
          row.innerHTML = `<span class="cl-heat-name">layer ${q.layer}</span>`;
          box.append(row);
        }
        row.insertAdjacentHTML("beforeend",
          `<figure><canvas data-id="${q.id}" width="${GRID}" height="${GRID}" title="${q.name}: a over the input plane"></canvas>` +
          `<figcaption>${q.neuron}</figcaption></figure>`);
      }
      box.dataset.layers = String(S.neurons.length);
    }
    const pos = rgb("#0d9488");
    const neg = rgb("#ea580c");
    for (const canvas of box.querySelectorAll("canvas")) {
      const letters = S.heatmaps[canvas.dataset.id];
      if (letters) paint(canvas, letters, (level) => [...(level >= LEVELS ? pos : neg), Math.abs(level - LEVELS) / LEVELS]);
    }
  }

  model.on("change:state", update);
  update();
  return () => model.off("change:state", update);
}

export default { render };
