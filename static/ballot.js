// The ballot's running total as the resident fills it in. The server checks every rule again: this
// only helps, and the page works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }
  var kind = form.dataset.kind;
  var limit = kind === "cumulative" ? Number(form.dataset.points) : Number(form.dataset.budget);
  var total = form.querySelector("[data-total]");
  var over = form.querySelector("[data-over]");
  var currency = total.dataset.currency;
  var format = currency ? new Intl.NumberFormat(document.documentElement.lang || "en", {style: "currency", currency: currency}) : null;
  function minorUnits() {
    return format ? Math.pow(10, format.resolvedOptions().maximumFractionDigits) : 1;
  }
  function update() {
    var sum = 0;
    form.querySelectorAll("input[data-cost]").forEach(function (input) {
      if (kind === "cumulative") {
        sum += Number(input.value) || 0;
      } else if (input.checked) {
        sum += Number(input.dataset.cost);
      }
    });
    total.textContent = format ? format.format(sum / minorUnits()) : String(sum);
    var exceeded = (kind === "cumulative" || kind === "knapsack") && limit > 0 && sum > limit;
    over.hidden = !exceeded;
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}());
