// The stepper page's script: the frames (JSON, in #frames) drawn onto the SVG (in #drawing).
// Frame k is drawn by replaying the texts of frames 0..k onto the drawing, then marking
// frame k's node and the texts it changed.
"use strict";
(function () {
  const frames = JSON.parse(document.getElementById("frames").textContent);
  const drawing = document.getElementById("drawing");
  const $ = (id) => document.getElementById(id);
  const parts = [];
  const part = (i) => (parts[i] = parts[i] || { ins: [] });
  for (const g of drawing.querySelectorAll("g.node, g.edge")) {
    let m;
    if ((m = /^v(\d+)$/.exec(g.id))) {
      const texts = g.querySelectorAll("text");  // a box ends with: data, its value, grad, its value
      Object.assign(part(+m[1]), { box: g, data: texts[texts.length - 3], grad: texts[texts.length - 1] });
    } else if ((m = /^op(\d+)$/.exec(g.id))) {
      part(+m[1]).op = g;
    } else if ((m = /^r(\d+)$/.exec(g.id))) {
      part(+m[1]).out = g;
    } else if ((m = /^e(\d+)_\d+$/.exec(g.id))) {
      part(+m[1]).ins.push(g);
    }
  }
  // Graphviz placed the widest text each cell will show; anchor numbers at the right edge.
  for (const p of parts) {
    for (const t of [p.data, p.grad]) {
      const width = t.getComputedTextLength();
      if (width > 0) {
        t.setAttribute("x", parseFloat(t.getAttribute("x")) + width);
        t.setAttribute("text-anchor", "end");
      }
    }
  }
  let k = 0;

  // `follow`: scroll the drawing so that the frame's node is in view, if it is not.
  function show(i, follow) {
    k = Math.max(0, Math.min(frames.length - 1, i));
    const data = {}, grad = {};
    for (let j = 0; j <= k; j++) {
      Object.assign(data, frames[j].data);
      Object.assign(grad, frames[j].grad);
    }
    const f = frames[k];
    parts.forEach((p, i) => {
      p.data.textContent = i in data ? data[i] : "?";
      p.grad.textContent = i in grad ? grad[i] : "";
      p.data.classList.toggle("fresh", i in f.data && f.phase !== "start");
      p.grad.classList.toggle("fresh", i in f.grad);
      for (const g of [p.box, p.op, p.out, ...p.ins]) {
        if (!g) continue;
        g.classList.toggle("todo", !(i in data));
        g.classList.toggle("cur", i === f.node);
      }
    });
    const current = parts[f.node];
    if (follow && current && current.box) {
      const r = current.box.getBoundingClientRect();
      if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) {
        current.box.scrollIntoView({ block: "center", inline: "center" });
      }
    }
    drawing.className = f.phase;
    $("equation").className = f.phase;
    $("equation").replaceChildren(...f.lines.map((line) => {
      const div = document.createElement("div");
      div.textContent = line;
      return div;
    }));
    $("caption").textContent = f.caption;
    $("phase").textContent = f.phase === "start" || f.phase === "done" ? f.phase : f.phase + " pass";
    $("phase").className = "phase " + f.phase;
    $("counter").textContent = "step " + (k + 1) + " of " + frames.length;
    $("prev").disabled = k === 0;
    $("next").disabled = k === frames.length - 1;
    return k;
  }

  chainrulePlayer(frames.length, show);
  // Reserve the room the longest caption and equation take (a long one scrolls), so the
  // drawing never moves.
  for (const id of ["caption", "equation"]) {
    let tallest = 0;
    frames.forEach((f, i) => {
      show(i);
      tallest = Math.max(tallest, $(id).offsetHeight);
    });
    $(id).style.minHeight = tallest + "px";
  }
  show(0);
})();
