// What the stepping pages share: Prev, Next, Play with its speed, and the arrow, Home and End
// keys, wired to the page's own `show(i, follow)`, which draws frame i (clamped to the frames)
// and returns the frame it drew. `chainrulePlayer(count, show)` returns `go(i)`: show frame i,
// pausing Play, as every button and key does.
"use strict";
function chainrulePlayer(count, show) {
  const $ = (id) => document.getElementById(id);
  let k = 0;
  let timer = null;
  function pause() {
    clearInterval(timer);
    timer = null;
    $("play").innerHTML = "&#9654; Play";
  }
  function start() {
    timer = setInterval(() => {
      k = show(k + 1, true);
      if (k === count - 1) pause();
    }, +$("speed").value);
  }
  function play() {
    if (timer) return pause();
    if (k === count - 1) k = show(0, true);
    $("play").innerHTML = "&#10074;&#10074; Pause";
    start();
  }
  function go(i) {
    pause();
    k = show(i, true);
  }
  $("prev").addEventListener("click", () => go(k - 1));
  $("next").addEventListener("click", () => go(k + 1));
  $("play").addEventListener("click", play);
  $("speed").addEventListener("change", () => {
    if (timer) {
      clearInterval(timer);
      start();
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLSelectElement) return;
    const to = { ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: count - 1 }[e.key];
    if (to === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    go(to);
  });
  return go;
}
