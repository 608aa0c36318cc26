// The funnel plot's points name themselves on hover (their <title>) and to screen readers
// (their aria-label, read on focus). For sighted keyboard users this writes the name of the
// point that has focus, or is under the pointer, in the line below the chart's explanation.
(function () {
  "use strict";
  var out = document.getElementById("funnel-point");
  if (!out) {
    return;
  }
  function show(event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("dsvb-point")) {
      out.textContent = target.getAttribute("aria-label");
    }
  }
  document.addEventListener("focusin", show);
  document.addEventListener("mouseover", show);
})();
