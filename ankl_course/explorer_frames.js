/* An explorer in a page or deck with no kernel: its controls swap between frames drawn at
   build time (interactive.frames_html). Runs once per explorer, on the element around it. */
(function (root) {
  "use strict";
  if (!root || root.dataset.anklReady) { return; }
  root.dataset.anklReady = "1";
  var keys = JSON.parse(root.getAttribute("data-ankl-keys"));
  var view = root.querySelector(".ankl-explorer-view");
  var controls = Array.prototype.slice.call(root.querySelectorAll("[data-ankl-axis]"));
  controls.sort(function (a, b) { return a.getAttribute("data-ankl-axis") - b.getAttribute("data-ankl-axis"); });
  function show() {
    controls.forEach(function (control) {
      if (control.type === "range") {
        var text = JSON.parse(control.getAttribute("data-ankl-texts"))[control.value];
        control.setAttribute("aria-valuetext", text);
        var out = root.querySelector("output[for='" + control.id + "']");
        if (out) { out.textContent = text; }
      }
    });
    var key = controls.map(function (control) { return control.value; }).join("-");
    var frame = root.querySelector("template[data-ankl-frame='" + keys[key] + "']");
    if (frame) {
      view.innerHTML = "";
      view.appendChild(frame.content.cloneNode(true));
    }
  }
  controls.forEach(function (control) {
    control.addEventListener("input", show);
    control.addEventListener("change", show);
    /* In a deck, reveal.js reads arrow keys on the document and leaves only <input> and
       <textarea> alone: keep a focused menu's keys for the menu, not for moving slides. */
    control.addEventListener("keydown", function (event) {
      if (/^(Arrow|Page|Home|End| )/.test(event.key)) { event.stopPropagation(); }
    });
  });
})(document.currentScript && document.currentScript.parentElement);
