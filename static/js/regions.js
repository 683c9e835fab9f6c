// Cascading region pickers (province → city → district), for the member's change request,
// the staff filters and the admin's archive form. A select with data-region-parent="<name>"
// lists the divisions under the one chosen in the select of that name; when that changes it
// is refilled from the region API (data-region-url, default /api/regions/), keeping only the
// level it shows (data-region-level), and passes the change on to the select below it. A
// district select with no city chosen lists the province's own districts
// (data-region-fallback). Without JavaScript the lists show what the server rendered (the
// divisions under the saved choice; a [data-region-step] button asks for the next level);
// the server checks every code whatever is sent.
(function () {
  "use strict";

  function byName(form, name) {
    return (form || document).querySelector('select[name="' + name + '"]');
  }

  function fill(select, rows) {
    var keep = select.value;
    var empty = select.querySelector('option[value=""]');
    var emptyText = empty ? empty.textContent : "（未填）";
    select.innerHTML = "";
    var first = document.createElement("option");
    first.value = ""; first.textContent = emptyText;
    select.appendChild(first);
    rows.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row.code; option.textContent = row.name;
      if (row.code === keep) { option.selected = true; }
      select.appendChild(option);
    });
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function load(select, code) {
    // Only the answer to the latest choice fills the list (an earlier, slower one is dropped).
    select.regionRequest = code;
    if (!code) { fill(select, []); return; }
    var url = (select.dataset.regionUrl || "/api/regions/") + "?parent=" + encodeURIComponent(code);
    var level = select.dataset.regionLevel;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .catch(function () { return []; })
      .then(function (rows) {
        if (select.regionRequest !== code) { return; }
        fill(select, rows.filter(function (row) { return !level || row.level === level; }));
      });
  }

  function wire(child) {
    var form = child.form;
    var parent = byName(form, child.dataset.regionParent);
    if (!parent) { return; }
    var fallback = child.dataset.regionFallback ? byName(form, child.dataset.regionFallback) : null;
    parent.addEventListener("change", function () {
      load(child, parent.value || (fallback ? fallback.value : ""));
    });
  }

  function start() {
    document.querySelectorAll("select[data-region-parent]").forEach(wire);
    // The lists now follow each choice: the no-JavaScript "next step" buttons are not needed.
    document.querySelectorAll("[data-region-step]").forEach(function (button) {
      button.hidden = true;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
