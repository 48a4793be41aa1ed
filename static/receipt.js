// The receipt page: move focus to the tracking code so that a screen reader reads it, and offer printing.
(function () {
  "use strict";
  var code = document.querySelector("[data-focus-on-load]");
  if (code) { code.focus(); }
  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
}());
