(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("trend-chart"), {
    type: "line",
    data: { labels: data.weeks, datasets: [
      { label: "Score", data: data.score, borderColor: "#0d6efd", tension: 0.2, yAxisID: "y" },
      { label: "DCR (%)", data: data.dcr, borderColor: "#198754", tension: 0.2, yAxisID: "y1" }] },
    options: { responsive: true, scales: { y: { min: 0, max: 100, title: { display: true, text: "Score" } },
                                           y1: { position: "right", suggestedMin: 90, max: 100,
                                                 grid: { drawOnChartArea: false } } } }
  });
})();
