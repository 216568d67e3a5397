(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("days-chart"), {
    type: "bar",
    data: { labels: data.days, datasets: [
      { label: "Delivered", data: data.delivered, backgroundColor: "#198754" },
      { label: "Attempted", data: data.attempted, backgroundColor: "#ffc107" },
      { label: "Returned", data: data.returned, backgroundColor: "#6c757d" }] },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });
  new Chart(document.getElementById("weeks-chart"), {
    type: "line",
    data: { labels: data.weeks, datasets: [{ label: "Earnings ($)", data: data.earnings.map(Number),
                                             borderColor: "#0d6efd", tension: 0.2 }] },
    options: { responsive: true, scales: { y: { beginAtZero: true } } }
  });
})();
