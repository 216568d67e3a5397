/* The driver's phone: one stop at a time, offline first.
 *
 * The page's data (route, stops, packages, proof needs) comes in #driver-config; every tap is an item in the
 * shared offline outbox (core/static/core/offline/outbox.js), replayed over that data on load so a reload,
 * even offline from the service worker's copy, shows every tap. Scans come from a keyboard-wedge scanner
 * typing into #scan (+ Enter) or from the camera (ZXing, vendored). */
(function () {
  "use strict";
  var el = document.getElementById("driver-config");
  if (!el || !window.DspOffline) return;
  var cfg = JSON.parse(el.textContent), T = cfg.text;
  var $ = function (id) { return document.getElementById(id); };
  var route = { status: cfg.route.status };
  var stops = cfg.stops, byStop = {}, byTracking = {};
  stops.forEach(function (s) {
    s.base = { status: s.status, outcome: s.outcome };
    byStop[s.id] = s;
    s.packages.forEach(function (p) { byTracking[p.tracking_id.toUpperCase()] = { pkg: p, stop: s }; });
  });
  var base = { route: cfg.route.status, loaded: cfg.loaded, returned: cfg.returned };
  var loaded = {}, returned = {}, delivScans = {};  // tracking id -> true; stop id -> {tracking id: true}
  var current = null, picked = null, photo = null, sigDrawn = false, undoTimer = null, lastTap = null;

  var box = DspOffline.outbox({ name: "driver:route:" + cfg.route.id, url: cfg.batchUrl });
  DspOffline.bindStatus(box);
  DspOffline.cachePage();

  // --- state: the server's view, then every kept tap replayed in order ------------------------------
  function replay(records) {
    route.status = base.route;
    loaded = {}; returned = {};
    base.loaded.forEach(function (t) { loaded[t] = true; });
    base.returned.forEach(function (t) { returned[t] = true; });
    stops.forEach(function (s) { s.status = s.base.status; s.outcome = s.base.outcome; });
    records.forEach(function (r) {
      if (r.state === "failed") return;
      var it = r.item, s = byStop[it.stop];
      if (it.kind === "start" && route.status === "ready") route.status = "started";
      else if (it.kind === "complete") route.status = "completed";
      else if (it.kind === "scan" && it.scan === "load" && byTracking[it.code]) loaded[byTracking[it.code].pkg.tracking_id] = true;
      else if (it.kind === "scan" && it.scan === "return" && byTracking[it.code]) returned[byTracking[it.code].pkg.tracking_id] = true;
      else if ((it.kind === "delivered" || it.kind === "attempted") && s) {
        s.status = it.kind; s.outcome = it.client_id;
        if (it.kind === "attempted") s.packages.forEach(function (p) { p.status = "attempted"; });
      } else if (it.kind === "undo" && s && s.outcome === it.undoes) { s.status = "pending"; s.outcome = ""; }
    });
    // a package attempted on the server before this page was drawn is due back too
    stops.forEach(function (s) { if (s.status === "attempted") s.packages.forEach(function (p) { p.status = "attempted"; }); });
  }

  function refresh() { return box.records().then(function (recs) { replay(recs); render(); }); }

  function pending() { return stops.filter(function (s) { return s.status === "pending"; }); }
  function returnsDue() {
    var out = [];
    stops.forEach(function (s) {
      if (s.kind === "address" && s.status === "attempted") s.packages.forEach(function (p) { out.push(p); });
    });
    return out;
  }
  function phase() {
    if (route.status === "ready") return "load";
    if (route.status === "completed") return "done";
    return pending().length ? "stop" : "return";
  }

  // --- drawing ---------------------------------------------------------------------------------------
  function show(id, on) { $(id).hidden = !on; }

  function render() {
    document.body.dataset.routeStatus = route.status;  // position pings (positions.js) run while started
    var ph = phase();
    show("phase-load", ph === "load"); show("phase-stop", ph === "stop");
    show("phase-return", ph === "return"); show("phase-done", ph === "done");
    show("scan-form", ph !== "done");
    var done = stops.length - pending().length;
    $("progress").textContent = done + "/" + stops.length;
    stops.forEach(function (s) {
      var li = $("stop-" + s.id); if (!li) return;
      li.setAttribute("data-status", s.status);
      var b = li.querySelector("[data-badge]");
      b.textContent = T.status[s.status] || s.status;
      b.className = "badge " + (s.status === "delivered" ? "text-bg-success" : s.status === "attempted" ? "text-bg-warning" : "text-bg-light border");
      li.classList.toggle("active", current && current.id === s.id);
    });
    if (ph === "load") renderLoad();
    if (ph === "stop") renderStop();
    if (ph === "return") renderReturns();
  }

  function renderLoad() {
    var all = [], missing = [];
    stops.forEach(function (s) { s.packages.forEach(function (p) { all.push(p); if (!loaded[p.tracking_id]) missing.push(p.tracking_id); }); });
    $("load-count").textContent = (all.length - missing.length) + "/" + all.length;
    $("load-missing-n").textContent = missing.length;
    $("load-missing").textContent = missing.join(" ");
  }

  function renderStop() {
    var s = (picked && picked.status === "pending") ? picked : pending()[0];
    if (!current || current.id !== s.id) { current = s; resetProof(); }
    $("next-stop").setAttribute("data-stop", s.id);
    $("ns-label").textContent = picked === s ? T.picked : T.next;
    $("ns-seq").textContent = s.seq;
    $("ns-recipient").textContent = s.recipient || s.address;
    $("ns-address").textContent = s.address;
    $("ns-geo").href = "geo:" + s.lat + "," + s.lng + "?q=" + s.lat + "," + s.lng;
    $("ns-window").textContent = s.window ? T.window + " " + s.window : "";
    $("ns-eta").textContent = T.eta + " " + s.eta + " · " + s.packages.length + " " + T.pkg;
    var notes = [];
    if (s.kind === "hub") notes.push(T.hub);
    if (s.note) notes.push(s.note);
    (s.needs.rules || []).forEach(function (r) { notes.push(r); });
    $("ns-notes").textContent = notes.join(" · ");
    var code = ",," + s.id + "#";
    $("ns-call").href = "tel:" + cfg.relay + code;
    $("ns-text").href = "sms:" + cfg.relay + "?body=" + encodeURIComponent(T.smsBody.replace("%s", s.id));
    var ul = $("ns-packages"), scans = delivScans[s.id] || {};
    ul.innerHTML = "";
    s.packages.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "list-group-item px-1 py-1 d-flex justify-content-between";
      li.setAttribute("data-package", p.tracking_id);
      li.setAttribute("data-scanned", scans[p.tracking_id] ? "1" : "0");
      var flags = [p.size, p.signature ? T.sig : "", p.age ? T.age : "", p.pin ? "PIN" : ""].filter(Boolean).join(" · ");
      li.innerHTML = '<code></code><span class="text-muted"></span>';
      li.querySelector("code").textContent = (scans[p.tracking_id] ? "✓ " : "○ ") + p.tracking_id;
      li.querySelector("span").textContent = flags;
      ul.appendChild(li);
    });
    var n = s.needs;
    $("proof-photo").querySelector("[data-label-required]").hidden = !n.photo;
    $("proof-photo").querySelector("[data-label-optional]").hidden = n.photo;
    show("proof-signature", n.signature); show("proof-pin", n.pin); show("proof-age", n.age_check);
    if (n.signature) sizeCanvas();
  }

  function renderReturns() {
    var ul = $("return-list"), due = returnsDue();
    ul.innerHTML = "";
    due.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "list-group-item px-1 py-1";
      li.setAttribute("data-return", p.tracking_id);
      li.setAttribute("data-returned", returned[p.tracking_id] ? "1" : "0");
      li.textContent = (returned[p.tracking_id] ? "✓ " : "○ ") + p.tracking_id;
      ul.appendChild(li);
    });
    if (!due.length) { var li = document.createElement("li"); li.className = "list-group-item px-1 text-muted"; li.textContent = T.nothingBack; ul.appendChild(li); }
  }

  // --- proof inputs ----------------------------------------------------------------------------------
  function resetProof() {
    photo = null; sigDrawn = false;
    $("photo").value = ""; $("photo-preview").hidden = true; $("pin").value = ""; $("age").checked = false;
    $("ns-error").hidden = true;
    var c = $("signature"); c.getContext("2d").clearRect(0, 0, c.width, c.height);
  }
  function sizeCanvas() {
    var c = $("signature"), w = c.clientWidth;
    if (w && c.width !== w) { c.width = w; sigDrawn = false; }
  }
  (function signaturePad() {
    var c = $("signature"), ctx = c.getContext("2d"), drawing = false;
    function at(ev) { var r = c.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; }
    c.addEventListener("pointerdown", function (ev) {
      drawing = true; c.setPointerCapture(ev.pointerId);
      var p = at(ev); ctx.beginPath(); ctx.moveTo(p[0], p[1]); ev.preventDefault();
    });
    c.addEventListener("pointermove", function (ev) {
      if (!drawing) return;
      var p = at(ev); ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
      ctx.lineTo(p[0], p[1]); ctx.stroke(); sigDrawn = true; ev.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) { c.addEventListener(t, function () { drawing = false; }); });
    $("sig-clear").addEventListener("click", function () { ctx.clearRect(0, 0, c.width, c.height); sigDrawn = false; });
  })();
  $("photo").addEventListener("change", function () {
    DspOffline.shrinkImage(this.files[0], 1024, function (data) {
      photo = data;
      var img = $("photo-preview"); img.hidden = !data; if (data) { img.src = data; img.style.maxHeight = "80px"; }
    });
  });

  function signatureData() {
    if (!sigDrawn) return null;
    var c = $("signature"), w = document.createElement("canvas");  // on white: a transparent PNG reads badly
    w.width = c.width; w.height = c.height;
    var x = w.getContext("2d"); x.fillStyle = "#fff"; x.fillRect(0, 0, w.width, w.height); x.drawImage(c, 0, 0);
    return w.toDataURL("image/png");
  }

  function fail(msg) { var e = $("ns-error"); e.textContent = msg; e.hidden = false; }

  // --- taps ------------------------------------------------------------------------------------------
  function tap(item, label) { return box.enqueue(item, { label: label }).then(function (rec) { return refresh().then(function () { return rec; }); }); }

  function offerUndo(rec, stop, text) {
    lastTap = { rec: rec, stop: stop };
    $("undo-text").textContent = text;
    show("undo-bar", true);
    clearTimeout(undoTimer);
    undoTimer = setTimeout(function () { show("undo-bar", false); lastTap = null; }, cfg.undoSeconds * 1000);
  }

  $("btn-undo").addEventListener("click", function () {
    if (!lastTap) return;
    var t = lastTap; lastTap = null; show("undo-bar", false); clearTimeout(undoTimer);
    box.cancel(t.rec.client_id).then(function (unsent) {
      if (unsent) return refresh();  // never left the phone: gone
      return tap({ kind: "undo", stop: t.stop.id, undoes: t.rec.client_id }, T.stop + " " + t.stop.seq + ": " + T.undo);
    }).then(function () { picked = t.stop; current = null; render(); });
  });

  $("btn-delivered").addEventListener("click", function () {
    var s = current, n = s.needs, scans = delivScans[s.id] || {}, missing = [];
    var unscanned = s.packages.filter(function (p) { return !scans[p.tracking_id]; }).map(function (p) { return p.tracking_id; });
    if (unscanned.length) missing.push(T.scanFirst + " " + unscanned.join(", "));
    if (n.photo && !photo) missing.push(T.needPhoto);
    if (n.signature && !sigDrawn) missing.push(T.needSignature);
    if (n.pin && !$("pin").value.trim()) missing.push(T.needPin);
    if (n.age_check && !$("age").checked) missing.push(T.needAge);
    if (missing.length) { fail(missing.join(" ")); return; }
    var item = { kind: "delivered", stop: s.id, scans: Object.keys(scans) };
    if (photo) item.photo = photo;
    var sig = signatureData(); if (sig) item.signature = sig;
    if (n.pin) item.pin = $("pin").value.trim();
    if (n.age_check) item.age_checked = true;
    picked = null;
    tap(item, T.stop + " " + s.seq + ": " + T.status.delivered).then(function (rec) {
      offerUndo(rec, s, T.stop + " " + s.seq + ": " + T.status.delivered);
    });
  });

  $("btn-attempted").addEventListener("click", function () {
    var s = current, reason = $("reason").value, item = { kind: "attempted", stop: s.id, reason: reason };
    if (photo) item.photo = photo;
    picked = null;
    tap(item, T.stop + " " + s.seq + ": " + T.status.attempted).then(function (rec) {
      offerUndo(rec, s, T.stop + " " + s.seq + ": " + T.status.attempted);
    });
  });

  $("btn-start").addEventListener("click", function () {
    var missing = 0;
    stops.forEach(function (s) { s.packages.forEach(function (p) { if (!loaded[p.tracking_id]) missing++; }); });
    if (missing && !confirm(T.startMissing.replace("%n", missing))) return;
    tap({ kind: "start", route: cfg.route.id }, T.started);
  });

  $("btn-complete").addEventListener("click", function () {
    var left = returnsDue().filter(function (p) { return !returned[p.tracking_id]; });
    if (left.length) { scanMsg(T.returnFirst + " " + left.map(function (p) { return p.tracking_id; }).join(", "), true); return; }
    tap({ kind: "complete", route: cfg.route.id }, T.completed);
  });

  ["ns-call", "ns-text"].forEach(function (id) {
    $(id).addEventListener("click", function () {
      box.enqueue({ kind: "contact", stop: current.id, channel: this.getAttribute("data-channel") },
                  { label: T.stop + " " + current.seq + ": " + this.textContent.trim() });
    });
  });

  $("stops").addEventListener("click", function (ev) {
    var li = ev.target.closest("[data-stop]"); if (!li) return;
    var s = byStop[li.getAttribute("data-stop")];
    if (s.status !== "pending" || route.status !== "started") return;
    picked = s; render(); $("phase-stop").scrollIntoView();
  });

  // --- scans -----------------------------------------------------------------------------------------
  function scanMsg(text, bad) {
    var m = $("scan-msg"); m.textContent = text; m.className = "small mt-1 " + (bad ? "text-danger fw-semibold" : "text-success");
    m.setAttribute("data-bad", bad ? "1" : "0");
  }

  function onScan(raw) {
    var code = raw.trim().toUpperCase(); if (!code) return;
    var hit = byTracking[code], ph = phase();
    if (ph === "load") {
      tap({ kind: "scan", route: cfg.route.id, code: code, scan: "load" }, T.scanned + " " + code);
      scanMsg(hit ? T.loadedOk.replace("%s", code) : T.notOnRoute.replace("%s", code), !hit);
    } else if (ph === "stop") {
      if (!hit || hit.stop.id !== current.id) {
        tap({ kind: "scan", route: cfg.route.id, code: code, scan: "delivery", stop: current.id }, T.scanned + " " + code);
        scanMsg(hit ? T.otherStop.replace("%s", code).replace("%n", hit.stop.seq) : T.notOnRoute.replace("%s", code), true);
        return;
      }
      (delivScans[current.id] = delivScans[current.id] || {})[hit.pkg.tracking_id] = true;
      scanMsg(T.atStopOk.replace("%s", code), false); renderStop();
    } else if (ph === "return") {
      var due = hit && hit.stop.status === "attempted" && hit.stop.kind === "address";
      tap({ kind: "scan", route: cfg.route.id, code: code, scan: "return" }, T.scanned + " " + code);
      scanMsg(due ? T.returnedOk.replace("%s", code) : (hit ? T.notDue : T.notOnRoute).replace("%s", code), !due);
    }
  }

  $("scan-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("scan"); onScan(input.value); input.value = ""; input.focus();
  });

  var reader = null;
  $("camera-btn").addEventListener("click", function () {
    if (!window.ZXing || !navigator.mediaDevices) { scanMsg(T.noCamera, true); return; }
    show("camera", true);
    reader = reader || new ZXing.BrowserMultiFormatReader();
    reader.decodeFromVideoDevice(null, "camera-video", function (result) {
      if (result) { onScan(result.getText()); if (navigator.vibrate) navigator.vibrate(60); }
    }).catch(function () { scanMsg(T.noCamera, true); show("camera", false); });
  });
  $("camera-stop").addEventListener("click", function () { if (reader) reader.reset(); show("camera", false); });

  box.onChange(function (s) {
    // an item the server refused is shown in the failed list; redraw so the stop is to do again
    var failed = s.failed.map(function (r) { return r.client_id; }).join(",");
    if (failed !== box.lastFailed) { box.lastFailed = failed; refresh(); }
  });
  refresh();
})();
