// The inspection form, offline first. With the offline outbox (core/static/core/offline/outbox.js) a sent form is
// kept on the phone with its client id and posted to the inspection batch API when there is a network; photos
// travel shrunk, as data: URLs. The list above the form shows each inspection: waiting, sent (passed or failed,
// with a link), or not saved and why. Without the outbox (no IndexedDB) the form posts as a plain page.
(function () {
  "use strict";
  var form = document.getElementById("inspection-form");
  if (!form) return;
  var T = JSON.parse(form.getAttribute("data-text") || "{}");
  var clientId = form.querySelector("input[name=client_id]");

  function uuid() {
    if (window.DspOffline) return DspOffline.uuid();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  if (clientId && !clientId.value) clientId.value = uuid();

  form.addEventListener("change", function (e) {
    if (!e.target.classList.contains("btn-check")) return;
    e.target.closest(".check-item").querySelector(".defect-detail").classList.toggle("d-none", e.target.value === "ok");
  });

  if (!window.DspOffline || !window.indexedDB) return;
  DspOffline.cachePage();
  var box = DspOffline.outbox({ name: "fleet:inspections", url: form.getAttribute("data-batch-url") });
  DspOffline.bindStatus(box);

  function shrinkAll(files) {
    return Promise.all(Array.prototype.map.call(files || [], function (f) {
      return new Promise(function (resolve) { DspOffline.shrinkImage(f, 1280, resolve); });
    })).then(function (urls) { return urls.filter(Boolean); });
  }

  function collect() {
    var item = { kind: "inspection", client_id: clientId.value, vehicle: form.vehicle.value,
                 inspection: form.kind.value, odometer_miles: form.odometer_miles.value || null,
                 note: form.note.value, defects: [], defect_photos: {} };
    var waits = [shrinkAll(form.photos.files).then(function (urls) { item.photos = urls; })];
    var missing = false;
    form.querySelectorAll(".check-item").forEach(function (card) {
      var code = card.getAttribute("data-item");
      var picked = card.querySelector("input.btn-check:checked");
      if (!picked || picked.value === "ok") return;
      var note = card.querySelector("input[name=note_" + code + "]").value.trim();
      if ((picked.value === "medium" || picked.value === "high") && !note) missing = true;
      item.defects.push({ item: code, severity: picked.value, note: note });
      var photo = card.querySelector("input[name=photo_" + code + "]");
      waits.push(shrinkAll(photo.files).then(function (urls) { if (urls.length) item.defect_photos[code] = urls; }));
    });
    return { item: item, waits: waits, missing: missing };
  }

  function vanLabel() {
    var opt = form.vehicle.options[form.vehicle.selectedIndex];
    return (opt ? opt.text.split(" · ")[0] : "") + " · " + (T[form.kind.value] || form.kind.value);
  }

  function render(state) {
    var list = document.getElementById("sent-list");
    var recs = state.records.filter(function (r) { return r.state !== "failed"; });
    document.getElementById("sent").hidden = !recs.length;
    list.innerHTML = "";
    recs.slice().reverse().forEach(function (r) {
      var li = document.createElement("li");
      li.className = "list-group-item d-flex justify-content-between align-items-center px-2 py-1 small";
      li.setAttribute("data-client-id", r.client_id);
      li.setAttribute("data-state", r.state);
      var label = document.createElement("span");
      label.textContent = r.label;
      var right = document.createElement(r.result && r.result.url ? "a" : "span");
      if (r.result && r.result.url) {
        right.href = r.result.url;
        right.className = "badge " + (r.result.status === "passed" ? "text-bg-success" : "text-bg-danger");
        right.textContent = (T[r.result.status] || r.result.status) +
          (r.result.vehicle_status === "grounded" ? " · " + T.grounded : "");
        li.setAttribute("data-result", r.result.status);
      } else {
        right.className = "badge text-bg-warning";
        right.textContent = r.state === "sending" ? T.sending : T.waiting;
      }
      li.appendChild(label); li.appendChild(right); list.appendChild(li);
    });
  }
  box.onChange(render);

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var problem = !form.vehicle.value ? T.chooseVan : null;
    var got = collect();
    if (!problem && got.missing) problem = T.sayWhat;
    if (problem) { window.alert(problem); return; }
    var button = document.getElementById("inspection-submit");
    button.disabled = true;
    var label = vanLabel();
    Promise.all(got.waits).then(function () {
      return box.enqueue(got.item, { label: label });
    }).then(function () {
      form.reset();
      form.querySelectorAll(".defect-detail").forEach(function (d) { d.classList.add("d-none"); });
      clientId.value = uuid();
      document.getElementById("queued-msg").hidden = false;
      window.scrollTo(0, 0);
    }).finally(function () { button.disabled = false; });
  });
})();
