/* Hub phone page, offline first: taps go to the shared offline outbox (core/static/core/offline/outbox.js)
 * with a client id each, are replayed over the page's parcels on load (so an offline reload, served by the
 * service worker, shows them), and are sent in batches to the outcomes API; a delivery with a photo goes
 * alone to the single-parcel endpoint (multipart). A resent item changes nothing on the server. */
(function () {
  "use strict";
  var el = document.getElementById("hub-config");
  if (!el || !window.DspOffline) return;
  var cfg = JSON.parse(el.textContent);
  var FINAL = { delivered: 1, attempted: 1, returned: 1 };
  var byId = {}, byTracking = {};
  cfg.parcels.forEach(function (p) { p.base = p.status; byId[p.id] = p; byTracking[p.tracking_id.toUpperCase()] = p; });
  var current = null, waiting = {};

  function single(it) {
    var form = new FormData();
    ["client_id", "outcome", "service_date", "recipient_name", "reason", "occurred_at"].forEach(function (k) {
      if (it[k]) form.append(k, it[k]);
    });
    var bin = atob(it.photo.split(",")[1]), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    form.append("photo", new Blob([bytes], { type: "image/jpeg" }), "pod.jpg");
    return form;
  }

  // The hubs' endpoints: a batch of outcomes (JSON), or one parcel's outcome with its photo (multipart),
  // whose refusal (400/404/409) is that item's "rejected" result.
  function send(items, box) {
    var it = items[0];
    if (items.length === 1 && it.photo) {
      return box.request(cfg.outcomeUrl.replace("/0/", "/" + it.parcel + "/"), single(it)).then(function (res) {
        if (res.status === 200 || res.status === 201) return { status: 200, data: { results: [res.data] } };
        return { status: 200, data: { results: [{ client_id: it.client_id, result: "rejected",
                                                   code: res.data.code, detail: res.data.detail }] } };
      });
    }
    return box.request(cfg.batchUrl, { items: items.map(function (i) {
      return { client_id: i.client_id, tracking_id: i.tracking_id, outcome: i.outcome, service_date: i.service_date,
               recipient_name: i.recipient_name || "", reason: i.reason || "", occurred_at: i.occurred_at };
    }) });
  }

  var box = DspOffline.outbox({ name: "hubs:" + cfg.hubId + ":" + cfg.serviceDate, url: cfg.batchUrl, send: send,
                                alone: function (it) { return !!it.photo; } });
  DspOffline.bindStatus(box);
  DspOffline.cachePage();

  function replay(records) {
    waiting = {};
    cfg.parcels.forEach(function (p) { p.status = p.base; });
    records.forEach(function (r) {
      if (r.state === "failed" || !byId[r.item.parcel]) return;
      byId[r.item.parcel].status = r.item.outcome;
      if (r.state !== "done") waiting[r.item.parcel] = true;
    });
  }
  function refresh() { return box.records().then(function (recs) { replay(recs); render(); }); }

  function item(p, outcome, extra) {
    var it = { parcel: p.id, tracking_id: p.tracking_id, service_date: cfg.serviceDate, outcome: outcome };
    for (var k in extra || {}) it[k] = extra[k];
    return it;
  }
  function label(p, outcome) { return p.tracking_id + ": " + (cfg.labels[outcome] || outcome); }

  function enqueue(p, outcome, extra) {
    var steps = Promise.resolve();
    if (p.status === "allocated" && outcome !== "received") {
      steps = box.enqueue(item(p, "received"), { label: label(p, "received") });
    }
    steps.then(function () { return box.enqueue(item(p, outcome, extra), { label: label(p, outcome) }); })
      .then(refresh);
    p.status = outcome; render(); closeSheet();
  }

  function render() {
    var counts = { open: 0, delivered: 0, attempted: 0, returned: 0 };
    cfg.parcels.forEach(function (p) {
      if (FINAL[p.status]) counts[p.status]++; else counts.open++;
      var li = document.querySelector('[data-parcel="' + p.id + '"]');
      if (!li) return;
      var badge = li.querySelector(".badge");
      badge.className = "badge status-" + p.status + (waiting[p.id] ? " pending" : "");
      badge.textContent = cfg.labels[p.status] || p.status;
    });
    Object.keys(counts).forEach(function (k) {
      var c = document.querySelector('[data-count="' + k + '"]'); if (c) c.textContent = counts[k];
    });
  }

  function openSheet(p) {
    current = p;
    document.getElementById("sheet").hidden = false;
    document.getElementById("sheet-tracking").textContent = p.tracking_id;
    document.getElementById("sheet-status").textContent = cfg.labels[p.status] || p.status;
    document.getElementById("sheet-recipient").textContent = p.recipient_name;
    document.getElementById("sheet-address").textContent = p.recipient_address;
    document.getElementById("recipient").value = p.recipient_name;
    document.getElementById("photo").value = "";
    document.getElementById("sheet-actions").hidden = !!FINAL[p.status];
    document.getElementById("sheet-done").hidden = !FINAL[p.status];
  }
  function closeSheet() {
    current = null; document.getElementById("sheet").hidden = true;
    var scan = document.getElementById("scan"); scan.value = ""; scan.focus();
  }

  document.getElementById("scan-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var code = document.getElementById("scan").value.trim().toUpperCase();
    var p = byTracking[code], msg = document.getElementById("scan-msg");
    msg.textContent = p ? "" : "Not one of today's parcels: " + code;
    if (p) openSheet(p); else document.getElementById("scan").select();
  });
  document.getElementById("parcel-list").addEventListener("click", function (ev) {
    var li = ev.target.closest("[data-parcel]"); if (li) openSheet(byId[li.getAttribute("data-parcel")]);
  });
  document.getElementById("btn-delivered").addEventListener("click", function () {
    var p = current, name = document.getElementById("recipient").value.trim();
    if (!name) { document.getElementById("recipient").classList.add("is-invalid"); return; }
    document.getElementById("recipient").classList.remove("is-invalid");
    DspOffline.shrinkImage(document.getElementById("photo").files[0], 1024, function (photo) {
      var extra = { recipient_name: name }; if (photo) extra.photo = photo;
      enqueue(p, "delivered", extra);
    });
  });
  document.getElementById("reasons").addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-reason]"); if (b && current) enqueue(current, "attempted", { reason: b.dataset.reason });
  });
  document.getElementById("sheet-close").addEventListener("click", closeSheet);
  document.getElementById("btn-return-rest").addEventListener("click", function () {
    var rest = cfg.parcels.filter(function (p) { return p.status === "received" || p.status === "out_for_delivery"; });
    if (!rest.length || !confirm("Return " + rest.length + " parcel(s) to the DSP pickup?")) return;
    rest.reduce(function (chain, p) {
      p.status = "returned";
      return chain.then(function () { return box.enqueue(item(p, "returned"), { label: label(p, "returned") }); });
    }, Promise.resolve()).then(refresh);
    render();
  });
  box.onChange(function (s) {
    var key = s.waiting + ":" + s.failed.length + ":" + s.done;
    if (key !== box.lastKey) { box.lastKey = key; refresh(); }
  });
  refresh();
})();
