// The network stepper's script: the recorded training steps (JSON, in #data) shown on the
// network's drawing (in #drawing). Every number was computed by chainrule when the page was
// made; this script only chooses which of them each frame shows.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const frames = D.frames;
  const $ = (id) => document.getElementById(id);
  // Tooltips are the xlink:title of each arrow's link; the HTML parser gave it that qualified name.
  const TIP = "xlink:title";

  // Each node's value texts, by row name: a box is its name, then (row, value) pairs.
  const nodes = {};
  for (const g of document.querySelectorAll("#drawing g.node")) {
    if (!/^(x\d+|n\d+_\d+)$/.test(g.id)) continue;
    const texts = [...g.querySelectorAll("text")];
    const cells = {};
    for (let i = 1; i + 1 < texts.length; i += 2) cells[texts[i].textContent] = texts[i + 1];
    nodes[g.id] = { g, cells };
  }
  // Graphviz made room for the widest text of each cell; numbers are anchored at its right edge.
  for (const n of Object.values(nodes)) {
    for (const t of Object.values(n.cells)) {
      const width = t.getComputedTextLength();
      if (width > 0) {
        t.setAttribute("x", parseFloat(t.getAttribute("x")) + width);
        t.setAttribute("text-anchor", "end");
      }
    }
  }
  // The weights' arrows in the order of the recorded numbers: layer, neuron, weight.
  const edges = [];
  const neurons = [];
  let nin = D.inputs;
  D.layers.forEach((nout, i) => {
    for (let k = 0; k < nout; k++) {
      neurons.push({ id: "n" + i + "_" + k, layer: i });
      for (let j = 0; j < nin; j++) {
        const g = $("w" + i + "_" + k + "_" + j);
        const a = g.querySelector("a");
        edges.push({ g, a, path: g.querySelector("path"), layer: i, name: a.getAttribute(TIP).split(" = ")[0] });
      }
    }
    nin = nout;
  });

  // The decision boundary's cells and the data points, drawn once; each frame recolours the cells.
  const PALETTE = ["#f59e0b", "#6366f1", "#10b981", "#ec4899", "#8b5cf6", "#14b8a6"];
  const OPACITY = [0.12, 0.25, 0.4, 0.55];
  const cells = [];
  if (D.panel) {
    const size = 240 / D.grid;
    for (let r = 0; r < D.grid; r++) {
      for (let c = 0; c < D.grid; c++) {
        // Parsed inside the <svg>, markup makes SVG elements.
        $("boundary").insertAdjacentHTML("beforeend",
          `<rect x="${c * size}" y="${r * size}" width="${size + 0.2}" height="${size + 0.2}"></rect>`);
        cells.push($("boundary").lastElementChild);
      }
    }
    for (const [x, y, cls] of D.panel.points) {
      $("boundary").insertAdjacentHTML("beforeend",
        `<circle cx="${x}" cy="${y}" r="3" fill="${PALETTE[cls % PALETTE.length]}" stroke="#111827" stroke-width="0.6"></circle>`);
    }
  } else {
    $("boundary-panel").hidden = true;
  }
  $("curve-top").textContent = D.top;

  let k = 0;

  function set(text, value, mark) {
    if (!text) return;
    text.textContent = value;
    text.classList.toggle("fwd-val", mark === "fwd");
    text.classList.toggle("bwd-val", mark === "bwd");
  }

  function show(i) {
    k = Math.max(0, Math.min(frames.length - 1, i));
    const f = frames[k];
    const s = D.steps[f.step];
    const updated = f.phase === "update";
    const W = updated ? s.after : s.before;
    const B = updated ? s.b_after : s.b_before;
    const forwardDone = (layer) => (f.phase === "forward" ? layer <= f.layer : f.phase !== "start");
    const backwardDone = (layer) => (f.phase === "backward" ? layer >= f.layer : updated);
    for (let j = 0; j < D.inputs; j++) {
      const fresh = f.phase === "forward" && f.layer === 0 ? "fwd" : "";
      set(nodes["x" + j].cells.x, f.phase === "start" ? "?" : s.values["x" + j].x, fresh);
    }
    neurons.forEach((n, q) => {
      const node = nodes[n.id];
      const v = s.values[n.id];
      const fresh = f.phase === "forward" && f.layer === n.layer;
      const freshDelta = f.phase === "backward" && f.layer === n.layer;
      set(node.cells.z, forwardDone(n.layer) ? v.z : "?", fresh ? "fwd" : "");
      set(node.cells.a, forwardDone(n.layer) ? v.a : "?", fresh ? "fwd" : "");
      set(node.cells["δ"], backwardDone(n.layer) ? v.d : "", freshDelta ? "bwd" : "");
      set(node.cells.b, B[q], "");
      node.g.classList.toggle("cur-fwd", fresh);
      node.g.classList.toggle("cur-bwd", freshDelta);
      node.g.classList.toggle("focus", n.id === f.focus);
    });
    edges.forEach((e, q) => {
      e.path.setAttribute("stroke", W.color[q]);
      e.path.setAttribute("stroke-width", W.width[q]);
      let tip = e.name + " = " + W.text[q];
      if (backwardDone(e.layer)) tip += "\ndLoss/dw = " + s.grads[q];
      e.a.setAttribute(TIP, tip);
    });
    if (D.panel) {
      const b = updated ? f.step + 1 : f.step;
      const grid = D.boundaries[b];
      cells.forEach((rect, c) => {
        const code = grid.charCodeAt(c) - 97;
        rect.setAttribute("fill", PALETTE[Math.floor(code / 4) % PALETTE.length]);
        rect.setAttribute("fill-opacity", OPACITY[code % 4]);
      });
      $("boundary-when").textContent = b === 0 ? "before training" : "after step " + b;
    }
    const known = ["loss", "backward", "update"].includes(f.phase) ? f.step + 1 : f.step;
    const points = D.curve.slice(0, known).filter((point) => point !== null); // null: a loss not finite
    $("curve-line").setAttribute("points", points.join(" "));
    $("curve-dots").replaceChildren();
    for (const point of points) {
      const [x, y] = point.split(",");
      $("curve-dots").insertAdjacentHTML("beforeend", `<circle cx="${x}" cy="${y}" r="2.5"></circle>`);
    }
    $("loss-now").textContent = known ? "after " + known + (known === 1 ? " step: " : " steps: ") + D.losses[known - 1] : "";
    $("equation").className = f.phase;
    $("equation").replaceChildren(...f.lines.map((line) => {
      const div = document.createElement("div");
      div.textContent = line;
      return div;
    }));
    $("drawing").className = f.phase;
    $("caption").textContent = f.caption;
    $("phase").textContent = f.phase === "start" || f.phase === "loss" || f.phase === "update" ? f.phase : f.phase + " pass";
    $("phase").className = "phase " + f.phase;
    $("counter").textContent = "frame " + (k + 1) + " of " + frames.length;
    $("prev").disabled = k === 0;
    $("next").disabled = k === frames.length - 1;
    for (const [id, end] of [["forward", "forward"], ["backward", "backward"], ["train-step", "update"]]) {
      $(id).disabled = nextEnd(end) < 0;
    }
    return k;
  }

  // The next frame after this one that ends a forward pass, a backward pass or an update.
  function nextEnd(kind) {
    for (let j = k + 1; j < frames.length; j++) if (frames[j].end === kind) return j;
    return -1;
  }
  const go = chainrulePlayer(frames.length, show);
  for (const [id, end] of [["forward", "forward"], ["backward", "backward"], ["train-step", "update"]]) {
    $(id).addEventListener("click", () => {
      const j = nextEnd(end);
      if (j >= 0) go(j);
    });
  }
  show(0);
})();
