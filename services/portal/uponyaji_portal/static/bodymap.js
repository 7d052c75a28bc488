// Progressive enhancement of the finding form: a click on a body view fills the view and the
// coordinates (thousandths from the view's top-left) and shows the mark. The form works without.
(function () {
  "use strict";
  var views = document.querySelectorAll("svg.clickable[data-view]");
  var x = document.getElementById("x"), y = document.getElementById("y");
  if (!views.length || !x || !y) { return; }
  var NS = "http://www.w3.org/2000/svg";
  function place(svg, event) {
    var box = svg.getBoundingClientRect();
    var px = Math.round(((event.clientX - box.left) / box.width) * 1000);
    var py = Math.round(((event.clientY - box.top) / box.height) * 1000);
    x.value = Math.max(0, Math.min(1000, px));
    y.value = Math.max(0, Math.min(1000, py));
    var radio = document.querySelector('input[name="view"][value="' + svg.dataset.view + '"]');
    if (radio) { radio.checked = true; }
    var old = document.getElementById("new-mark");
    if (old) { old.parentNode.removeChild(old); }
    var vb = svg.viewBox.baseVal, dot = document.createElementNS(NS, "circle");
    dot.setAttribute("id", "new-mark");
    dot.setAttribute("cx", (x.value * vb.width) / 1000);
    dot.setAttribute("cy", (y.value * vb.height) / 1000);
    dot.setAttribute("r", "4.5");
    dot.setAttribute("fill", "#0b4f80");
    svg.appendChild(dot);
  }
  Array.prototype.forEach.call(views, function (svg) {
    svg.addEventListener("click", function (event) { place(svg, event); });
  });
  var hint = document.getElementById("bodymap-hint");
  if (hint) { hint.hidden = false; }
})();
