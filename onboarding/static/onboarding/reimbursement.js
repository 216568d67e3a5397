(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("cap-chart"), {
    type: "bar",
    data: {
      labels: [""],
      datasets: data.labels.map(function (label, i) {
        return { label: label, data: [Number(data.values[i])],
                 backgroundColor: ["#198754", "#0d6efd", "#ffc107", "#dee2e6"][i] };
      })
    },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom" },
                 tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": $" + c.raw.toLocaleString(); } } } },
      scales: { x: { stacked: true, beginAtZero: true, max: Number(data.cap),
                     ticks: { callback: function (v) { return "$" + v.toLocaleString(); } } },
                y: { stacked: true } }
    }
  });
})();
