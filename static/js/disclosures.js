// Filters fold away on a narrow screen, so the first result is on the first
// screen; on a wide screen they are a sidebar, always open. Without this
// script they simply stay open. A disclosure with data-keep-open (filters with
// errors to read) is never folded.
(function () {
  "use strict";
  document.querySelectorAll("details[data-fold-below]").forEach(function (details) {
    var narrow = window.matchMedia("(max-width: " + details.dataset.foldBelow + ")");
    function fit() {
      if (!narrow.matches) {
        details.open = true;
      } else if (!("keepOpen" in details.dataset)) {
        details.open = false;
      }
    }
    fit();
    narrow.addEventListener("change", fit);
  });
})();
