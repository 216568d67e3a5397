// The inspection form: a defect's note and photo show once it is marked low, medium or high; each form carries
// its own id (client_id) so a form sent twice (a retry, the offline queue) records one inspection.
(function () {
  "use strict";
  var form = document.getElementById("inspection-form");
  if (!form) return;
  var id = form.querySelector("input[name=client_id]");
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  if (id && !id.value) id.value = uuid();
  form.addEventListener("change", function (e) {
    if (!e.target.classList.contains("btn-check")) return;
    var card = e.target.closest(".check-item");
    card.querySelector(".defect-detail").classList.toggle("d-none", e.target.value === "ok");
  });
})();
