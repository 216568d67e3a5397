(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("weeks-chart"), {
    type: "bar",
    data: { labels: data.weeks, datasets: [
      { label: "Owed ($)", data: data.total, backgroundColor: "#0d6efd" },
      { label: "Paid ($)", data: data.paid, backgroundColor: "#198754" }] },
    options: { responsive: true, scales: { y: { beginAtZero: true } } }
  });
})();
