// Progressive enhancement for region pickers: when the city changes, load its districts.
// Without JavaScript the district list shows the districts of the saved city.
(function () {
  "use strict";
  document.querySelectorAll("select[data-region-parent]").forEach(function (district) {
    var parent = document.querySelector('select[name="' + district.dataset.regionParent + '"]');
    if (!parent) { return; }
    parent.addEventListener("change", function () {
      var code = parent.value;
      district.innerHTML = "";
      var empty = document.createElement("option");
      empty.value = ""; empty.textContent = "（未填）";
      district.appendChild(empty);
      if (!code) { return; }
      fetch("/api/regions/?parent=" + encodeURIComponent(code), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          rows.forEach(function (row) {
            var option = document.createElement("option");
            option.value = row.code; option.textContent = row.name;
            district.appendChild(option);
          });
        });
    });
  });
})();
