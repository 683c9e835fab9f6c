// Staff dashboard: bar charts drawn from the figures the page already lists in tables.
// A click on a bar opens the list of those members (the same link as in the table).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var red = "#b7141b";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var figure = data.figures[canvas.dataset.chart];
    if (!figure || !figure.items.length) { return; }
    var items = figure.items.slice(0, 15);
    var horizontal = items.length > 6;
    canvas.parentElement.style.height = horizontal ? (items.length * 26 + 40) + "px" : "260px";
    var chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: items.map(function (item) { return item.label; }),
        datasets: [{ label: figure.title, data: items.map(function (item) { return item.count; }), backgroundColor: red }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        onClick: function (event, elements) {
          if (elements.length) { window.location.href = items[elements[0].index].members_url; }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        }
      }
    });
    canvas.dataset.ready = "1";
    return chart;
  });
})();
