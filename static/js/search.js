// Search page: keep URLs short and the filter panel open across htmx swaps.
(function () {
  "use strict";
  var filtersOpen = null;

  // Empty fields add nothing to a search: leave them out of the URL so shared links stay readable.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || event.detail.verb !== "get") { return; }
    var empty = [];
    data.forEach(function (value, key) { if (value === "" || (key === "sort" && value === "relevance")) { empty.push(key); } });
    empty.forEach(function (key) { data.delete(key); });
  });

  document.addEventListener("toggle", function (event) {
    if (event.target.id === "filters") { filtersOpen = event.target.open; }
  }, true);

  document.addEventListener("htmx:afterSwap", function () {
    var filters = document.getElementById("filters");
    if (filters && filtersOpen !== null) { filters.open = filtersOpen; }
  });
})();
