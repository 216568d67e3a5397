/* Hub phone page: taps are queued in localStorage (each with a client-generated id) and posted in
 * batches to the outcomes API; failed posts are retried with backoff, so a flaky connection loses
 * nothing and a resent batch changes nothing on the server. No framework, no CDN. */
(function () {
  "use strict";
  var el = document.getElementById("hub-config");
  if (!el) return;
  var cfg = JSON.parse(el.textContent);
  var KEY = "hubs.queue." + cfg.hubId;
  var FINAL = { delivered: 1, attempted: 1, returned: 1 };
  var byId = {}, byTracking = {};
  cfg.parcels.forEach(function (p) { byId[p.id] = p; byTracking[p.tracking_id.toUpperCase()] = p; });
  var queue = load();
  var current = null, syncing = false, delay = 2000, timer = null;

  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; } }
  function save() { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }

  // Queued items are applied on top of the server's statuses, so a reload shows what was tapped.
  queue.forEach(function (i) { if (byId[i.parcel]) byId[i.parcel].status = i.outcome; });

  function item(p, outcome, extra) {
    var it = { client_id: uuid(), parcel: p.id, tracking_id: p.tracking_id, service_date: cfg.serviceDate,
               outcome: outcome, occurred_at: new Date().toISOString() };
    for (var k in extra || {}) it[k] = extra[k];
    return it;
  }

  function enqueue(p, outcome, extra) {
    if (p.status === "allocated" && outcome !== "received") queue.push(item(p, "received"));
    queue.push(item(p, outcome, extra));
    p.status = outcome;
    save(); render(); closeSheet(); sync();
  }

  function render() {
    var counts = { open: 0, delivered: 0, attempted: 0, returned: 0 };
    var pending = {};
    queue.forEach(function (i) { pending[i.parcel] = true; });
    cfg.parcels.forEach(function (p) {
      if (FINAL[p.status]) counts[p.status]++; else counts.open++;
      var li = document.querySelector('[data-parcel="' + p.id + '"]');
      if (!li) return;
      var badge = li.querySelector(".badge");
      badge.className = "badge status-" + p.status + (pending[p.id] ? " pending" : "");
      badge.textContent = cfg.labels[p.status] || p.status;
    });
    Object.keys(counts).forEach(function (k) {
      var c = document.querySelector('[data-count="' + k + '"]'); if (c) c.textContent = counts[k];
    });
    var state = document.getElementById("sync-state");
    if (queue.length) {
      state.className = "badge text-bg-warning";
      state.textContent = queue.length + " pending" + (navigator.onLine === false ? " (offline)" : "");
    } else { state.className = "badge text-bg-success"; state.textContent = "All synced"; }
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

  // A phone photo is shrunk to ~1024px JPEG so it fits in the queue while offline.
  function shrink(file, done) {
    if (!file) return done(null);
    var img = new Image(), url = URL.createObjectURL(file);
    img.onload = function () {
      var scale = Math.min(1, 1024 / Math.max(img.width, img.height));
      var c = document.createElement("canvas");
      c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url); done(c.toDataURL("image/jpeg", 0.8));
    };
    img.onerror = function () { done(null); };
    img.src = url;
  }

  function post(url, body, isForm) {
    var headers = { "X-CSRFToken": window.HUB_CSRF, "Accept": "application/json" };
    if (!isForm) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: isForm ? body : JSON.stringify(body) }).then(function (r) {
      if (r.status >= 500 || r.status === 429 || r.status === 409 && !isForm) throw new Error("retry " + r.status);
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  function settle(clientIds, results) {
    queue = queue.filter(function (i) { return clientIds.indexOf(i.client_id) < 0; });
    (results || []).forEach(function (r) {
      if (r.result === "rejected" && r.parcel_id && byId[r.parcel_id] && r.status) byId[r.parcel_id].status = r.status;
    });
    save(); render();
  }

  function photoItem(it) {
    var form = new FormData();
    ["client_id", "outcome", "service_date", "recipient_name", "reason", "occurred_at"].forEach(function (k) {
      if (it[k]) form.append(k, it[k]);
    });
    var bin = atob(it.photo.split(",")[1]), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    form.append("photo", new Blob([bytes], { type: "image/jpeg" }), "pod.jpg");
    return post(cfg.outcomeUrl.replace("/0/", "/" + it.parcel + "/"), form, true).then(function (res) {
      settle([it.client_id], res.status === 200 ? [res.data] : []);
    });
  }

  function sync() {
    if (syncing || !queue.length) return;
    syncing = true;
    var first = queue.findIndex(function (i) { return i.photo; });
    var batch = (first === -1 ? queue : queue.slice(0, first)).slice(0, 200);
    var step = batch.length
      ? post(cfg.batchUrl, { items: batch.map(function (i) {
          return { client_id: i.client_id, tracking_id: i.tracking_id, outcome: i.outcome, service_date: i.service_date,
                   recipient_name: i.recipient_name || "", reason: i.reason || "", occurred_at: i.occurred_at };
        }) }).then(function (res) {
          if (res.status !== 200) throw new Error("retry " + res.status);
          settle(batch.map(function (i) { return i.client_id; }), res.data.results);
        })
      : photoItem(queue[first]);
    step.then(function () {
      syncing = false; delay = 2000;
      if (queue.length) sync();
    }).catch(function () {
      syncing = false; render();
      clearTimeout(timer); timer = setTimeout(sync, delay); delay = Math.min(delay * 2, 60000);
    });
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
    shrink(document.getElementById("photo").files[0], function (photo) {
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
    rest.forEach(function (p) { queue.push(item(p, "returned")); p.status = "returned"; });
    save(); render(); sync();
  });
  window.addEventListener("online", function () { delay = 2000; sync(); });
  render(); sync();
})();
