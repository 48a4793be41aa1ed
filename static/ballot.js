// The ballot's budget bar and filters as the resident fills it in. The server checks every rule again: this
// only helps, and the page works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }
  var kind = form.dataset.kind;
  var limit = kind === "cumulative" ? Number(form.dataset.points) : (kind === "knapsack" ? Number(form.dataset.budget) : 0);
  var total = form.querySelector("[data-total]");
  var left = form.querySelector("[data-left]");
  var count = form.querySelector("[data-count]");
  var over = form.querySelector("[data-over]");
  var currency = total.dataset.currency;
  var format = currency ? new Intl.NumberFormat(document.documentElement.lang || "en", {style: "currency", currency: currency}) : null;
  function minorUnits() {
    return format ? Math.pow(10, format.resolvedOptions().maximumFractionDigits) : 1;
  }
  function show(amount) {
    return format ? format.format(amount / minorUnits()) : String(amount);
  }
  function update() {
    var sum = 0;
    var chosen = 0;
    form.querySelectorAll("input[data-cost]").forEach(function (input) {
      if (kind === "cumulative") {
        var points = Number(input.value) || 0;
        sum += points;
        if (points > 0) { chosen += 1; }
      } else if (kind === "ranking") {
        if (Number(input.value) > 0) { chosen += 1; sum += Number(input.dataset.cost); }
      } else if (input.checked) {
        sum += Number(input.dataset.cost);
        chosen += 1;
      }
    });
    total.textContent = show(sum);
    if (left) { left.textContent = show(limit - sum); }
    if (count) { count.textContent = String(chosen); }
    var most = Number(form.dataset.most) || 0;
    over.hidden = !((limit > 0 && sum > limit) || (most > 0 && chosen > most));
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  // After Back or a reload the browser puts the earlier ticks back once the page has loaded: count them then.
  window.addEventListener("pageshow", update);
  update();

  var filters = document.querySelector("[data-filters]");
  if (!filters) { return; }
  var selects = filters.querySelectorAll("select[data-filter]");
  if (!selects.length) { return; }
  filters.hidden = false;
  var items = form.querySelectorAll("[data-project]");
  var counter = filters.querySelector("[data-filter-count]");
  function filter() {
    var category = filters.querySelector('[data-filter="category"]');
    var district = filters.querySelector('[data-filter="district"]');
    var shown = 0;
    items.forEach(function (item) {
      var okCategory = !category || !category.value || item.dataset.categories.split("|").indexOf(category.value) >= 0;
      var okDistrict = !district || !district.value || item.dataset.district === district.value;
      // Hidden projects keep their ticks: a filter changes what is shown, never the ballot.
      item.hidden = !(okCategory && okDistrict);
      if (!item.hidden) { shown += 1; }
    });
    counter.textContent = counter.dataset.template ? counter.dataset.template.replace("%d", shown).replace("%t", items.length) : "";
  }
  selects.forEach(function (select) { select.addEventListener("change", filter); });
  filter();
}());
