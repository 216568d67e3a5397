/* DSP Portal offline outbox: every tap is kept on the phone (IndexedDB) with a client id, and sent when
 * the network lets it. One piece shared by the phone pages (driver route, hub parcels, pre-trip
 * inspection, position pings).
 *
 * HOW A PAGE PLUGS IN
 *   Template:
 *     {% include "core/offline/_status.html" %}       (the "3 waiting / 1 failed" badge and failed list)
 *     {% include "core/offline/_scripts.html" %}      (this file; registers /sw.js)
 *     <script> ... your page script ... </script>
 *   Script:
 *     DspOffline.cachePage();                          // this page and its <script>/<link> assets work offline
 *     var box = DspOffline.outbox({ name: "driver:route:42", url: "/api/v1/.../batch/" });
 *     box.enqueue({ kind: "delivered", stop: 12 }, { label: "Stop 12: delivered" });   // -> Promise<record>
 *     box.onChange(function (state) { ... });          // {waiting, failed, done, online, syncing, authLost}
 *     box.records()                                    // Promise<[record]> every record kept, oldest first:
 *                                                      //   replay them over the page's data on load, so a
 *                                                      //   reload (even of a stale cached page) shows every tap
 *     box.cancel(clientId)                             // Promise<bool>: drop an item not yet sent (undo)
 *   Options: maxItems (100), maxBytes (1.5 MB of JSON per batch), keepHours (36), alone(item) -> bool (send
 *   such an item in a batch of its own), send(items, box) -> Promise<{status, data}> (a custom transport, e.g.
 *   an endpoint per item; use box.request(url, body) for the CSRF header and the retry rules below).
 *   A record: {client_id, queue, seq, state: waiting|sending|done|failed, item, label, result, error, created}.
 *   The item gets `client_id` (a UUID made here unless given) and is sent as JSON; a file (photo,
 *   signature) travels inside the item as a data: URL (shrink it first: DspOffline.shrinkImage).
 *
 * WHAT THE SERVER ENDPOINT MUST DO (core.offline.offline_batch_apply does all of it)
 *   POST {"items": [item, ...]} (JSON, session cookie + X-CSRFToken) and answer 200 with
 *   {"results": [{"client_id", "result": "applied"|"duplicate"|"rejected", "code", "detail", ...}]}.
 *   A client id already applied answers "duplicate" and changes nothing, so a resend is harmless.
 *   "applied"/"duplicate" mark the record done; "rejected" marks it failed and shows its detail (the
 *   person sees what failed and why; a failed record is never resent). An item missing from the
 *   results is sent again. 401/403 stop sending until the person signs in again; 409/429/5xx and network
 *   errors retry with backoff; another 4xx fails the whole batch with its detail.
 * Done records are kept for `keepHours` (default 36) so a reload can replay them, then pruned.
 */
(function (global) {
  "use strict";

  var DB_NAME = "dsp-offline", STORE = "records", DB_VERSION = 1;
  var dbPromise = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = function () {
        var store = req.result.createObjectStore(STORE, { keyPath: "client_id" });
        store.createIndex("queue", "queue");
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out;
        out = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && "result" in out ? out.result : out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }

  function uuid() {
    if (global.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var el = document.querySelector("[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  var seqCounter = 0;
  function nextSeq() { seqCounter = (seqCounter + 1) % 1000; return Date.now() * 1000 + seqCounter; }

  function Outbox(options) {
    this.name = options.name;
    this.url = options.url;
    this.maxItems = options.maxItems || 100;
    this.maxBytes = options.maxBytes || 1500000;
    this.keepMs = (options.keepHours || 36) * 3600 * 1000;
    this.alone = options.alone || function () { return false; };  // such an item is sent in a batch of its own
    this.send = options.send || null;  // custom transport: fn(items) -> Promise<{status, data}> (throw to retry)
    this.listeners = [];
    this.unsaved = 0;  // taps being written to IndexedDB right now: counted as waiting at once, so the page
                       // never says "All saved" between a tap and its write
    this.syncing = false;
    this.authLost = false;
    this.delay = 2000;
    this.timer = null;
    var self = this;
    global.addEventListener("online", function () { self.delay = 2000; self.sync(); });
    global.addEventListener("offline", function () { self.emit(); });
    // "sending" only lives while a request is in flight: one left by a closed page is sent again.
    this.ready = this.all().then(function (recs) {
      var now = Date.now(), stale = recs.filter(function (r) { return r.state === "sending"; }),
          old = recs.filter(function (r) { return r.state === "done" && now - r.created > self.keepMs; });
      return tx("readwrite", function (s) {
        stale.forEach(function (r) { r.state = "waiting"; s.put(r); });
        old.forEach(function (r) { s.delete(r.client_id); });
      });
    }).then(function () { self.emit(); self.sync(); });
  }

  Outbox.prototype.all = function () {
    var name = this.name;
    return tx("readonly", function (s) { return s.index("queue").getAll(name); }).then(function (recs) {
      return recs.sort(function (a, b) { return a.seq - b.seq; });
    });
  };
  Outbox.prototype.records = function () { var self = this; return this.ready.then(function () { return self.all(); }); };

  Outbox.prototype.enqueue = function (item, meta) {
    var self = this;
    item = Object.assign({}, item);
    item.client_id = item.client_id || uuid();
    if (!item.occurred_at) item.occurred_at = new Date().toISOString();
    var rec = { client_id: item.client_id, queue: this.name, seq: nextSeq(), state: "waiting", item: item,
                label: (meta && meta.label) || item.kind || "", created: Date.now(), result: null, error: null };
    this.unsaved++;
    if (this.last) this.listeners.forEach(function (fn) { fn(Object.assign({}, self.last, { waiting: self.last.waiting + self.unsaved })); });
    var written = tx("readwrite", function (s) { s.put(rec); });
    var settle = function () { self.unsaved--; };
    return written.then(settle, function (e) { settle(); throw e; }).then(function () {
      self.emit(); self.sync(); return rec;
    });
  };

  Outbox.prototype.cancel = function (clientId) {
    var self = this;
    return tx("readwrite", function (s) {
      var req = s.get(clientId), out = { result: false };
      req.onsuccess = function () {
        var r = req.result;
        if (r && r.queue === self.name && r.state === "waiting") { s.delete(clientId); out.result = true; }
      };
      return out;
    }).then(function (ok) { self.emit(); return ok; });
  };

  Outbox.prototype.dismiss = function (clientId) {
    var self = this;  // a failed record the person has read: keep it as done-with-error for replay? no: drop it
    return tx("readwrite", function (s) { s.delete(clientId); }).then(function () { self.emit(); });
  };

  Outbox.prototype.onChange = function (fn) { this.listeners.push(fn); this.emit(); };

  Outbox.prototype.emit = function () {
    var self = this;
    if (!this.listeners.length) return;
    this.all().then(function (recs) {
      var state = { waiting: 0, failed: [], done: 0, online: navigator.onLine !== false, syncing: self.syncing,
                    authLost: self.authLost, records: recs };
      recs.forEach(function (r) {
        if (r.state === "failed") state.failed.push(r);
        else if (r.state === "done") state.done++;
        else state.waiting++;
      });
      self.last = state;
      state = Object.assign({}, state, { waiting: state.waiting + self.unsaved });
      self.listeners.forEach(function (fn) { fn(state); });
    });
  };

  Outbox.prototype.update = function (recs) {
    return tx("readwrite", function (s) { recs.forEach(function (r) { s.put(r); }); });
  };

  Outbox.prototype.pickBatch = function (recs) {
    var batch = [], bytes = 0;
    for (var i = 0; i < recs.length && batch.length < this.maxItems; i++) {
      if (recs[i].state !== "waiting") continue;
      if (this.alone(recs[i].item)) { if (!batch.length) batch.push(recs[i]); break; }
      var size = JSON.stringify(recs[i].item).length;
      if (batch.length && bytes + size > this.maxBytes) break;
      batch.push(recs[i]); bytes += size;
    }
    return batch;
  };

  Outbox.prototype.retryLater = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.sync(); }, this.delay);
    this.delay = Math.min(this.delay * 2, 60000);
  };

  Outbox.prototype.sync = function () {
    var self = this;
    if (this.syncing || this.authLost) return Promise.resolve();
    this.syncing = true;
    var batch;
    return this.all().then(function (recs) {
      batch = self.pickBatch(recs);
      if (!batch.length) return null;
      batch.forEach(function (r) { r.state = "sending"; });
      return self.update(batch).then(function () { return self.post(batch); });
    }).then(function (outcome) {
      self.syncing = false;
      if (outcome === null) { self.emit(); return; }
      self.delay = 2000;
      self.emit();
      if (outcome.sent) { self.afterSync(); return self.sync(); }
    }).catch(function () {
      self.syncing = false;
      var back = (batch || []).filter(function (r) { return r.state === "sending"; });
      back.forEach(function (r) { r.state = "waiting"; });
      return self.update(back).then(function () { self.emit(); if (!self.authLost) self.retryLater(); });
    });
  };

  // POST a body (JSON, or FormData as is) with the session's CSRF token; {status, data} for 200 and 4xx, a throw
  // (so: retry later) for network errors, 409, 429 and 5xx; 401/403 stop the outbox until the next sign-in.
  Outbox.prototype.request = function (url, body) {
    var self = this, form = typeof FormData !== "undefined" && body instanceof FormData;
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
    if (!form) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: form ? body : JSON.stringify(body) }).then(function (res) {
      if (res.status === 401 || res.status === 403) { self.authLost = true; throw new Error("signed out"); }
      if (res.status >= 500 || res.status === 429 || res.status === 409) throw new Error("retry " + res.status);
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    });
  };

  Outbox.prototype.post = function (batch) {
    var self = this, items = batch.map(function (r) { return r.item; });
    var sent = this.send ? this.send(items, this) : this.request(this.url, { items: items });
    return sent.then(function (reply) {
      var res = { status: reply.status }, data = reply.data || {};
      return Promise.resolve(data).then(function (data) {
        if (res.status !== 200) {  // the batch itself was refused: show why on each item, do not loop
          batch.forEach(function (r) {
            r.state = "failed"; r.error = { code: data.code || "refused", detail: data.detail || ("HTTP " + res.status) };
          });
        } else {
          var byId = {};
          (data.results || []).forEach(function (x) { byId[x.client_id] = x; });
          batch.forEach(function (r) {
            var x = byId[r.client_id];
            if (!x) { r.state = "waiting"; return; }
            r.result = x;
            if (x.result === "rejected") { r.state = "failed"; r.error = { code: x.code, detail: x.detail }; }
            else r.state = "done";
          });
        }
        return self.update(batch).then(function () { return { sent: true, results: data.results || [] }; });
      });
    });
  };

  // After a sync the cached copy of the page is refreshed, so an offline reload starts from the server's view.
  Outbox.prototype.afterSync = function () {
    var ctl = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (ctl) ctl.postMessage({ type: "offline:refresh-page", page: location.href });
  };

  // --- the page's side ---------------------------------------------------------------------------

  function assetUrls() {
    var urls = [];
    document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (el) {
      var u = new URL(el.src || el.href, location.href);
      if (u.origin === location.origin) urls.push(u.href);
    });
    // fonts referenced by the icon stylesheet
    document.querySelectorAll("[data-offline-asset]").forEach(function (el) {
      urls.push(new URL(el.getAttribute("data-offline-asset"), location.href).href);
    });
    return urls;
  }

  function cachePage() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(false);
    var swUrl = (document.querySelector("meta[name=dsp-sw]") || {}).content || "/sw.js";
    return navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(true); };
        reg.active.postMessage({ type: "offline:cache-page", page: location.href, assets: assetUrls() },
                               [channel.port2]);
        setTimeout(function () { resolve(false); }, 10000);
      });
    }).then(function (ok) {
      document.documentElement.setAttribute("data-offline-ready", ok ? "1" : "0");
      return ok;
    }).catch(function () { return false; });
  }

  // A phone photo shrunk to at most `max` px as a JPEG data: URL, so a day of photos fits on the phone.
  function shrinkImage(file, max, done) {
    if (!file) return done(null);
    var img = new Image(), url = URL.createObjectURL(file);
    img.onload = function () {
      var scale = Math.min(1, (max || 1024) / Math.max(img.width, img.height));
      var c = document.createElement("canvas");
      c.width = Math.max(1, Math.round(img.width * scale)); c.height = Math.max(1, Math.round(img.height * scale));
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url); done(c.toDataURL("image/jpeg", 0.8));
    };
    img.onerror = function () { URL.revokeObjectURL(url); done(null); };
    img.src = url;
  }

  // Renders the status badge and failed list of `_status.html` for one outbox.
  function bindStatus(box, root) {
    root = root || document.querySelector("[data-offline-status]");
    if (!root) return;
    var badge = root.querySelector("[data-offline-badge]"), list = root.querySelector("[data-offline-failed]");
    var t = JSON.parse(root.getAttribute("data-offline-text") || "{}");
    box.onChange(function (s) {
      var parts = [];
      if (s.waiting) parts.push((t.waiting || "%n waiting").replace("%n", s.waiting));
      if (s.failed.length) parts.push((t.failed || "%n failed").replace("%n", s.failed.length));
      if (!s.online) parts.push(t.offline || "offline");
      if (s.authLost) parts.push(t.signin || "sign in again to send");
      badge.textContent = parts.length ? parts.join(" · ") : (t.synced || "All saved");
      badge.className = "badge " + (s.failed.length ? "text-bg-danger" : s.waiting || !s.online ? "text-bg-warning"
                                                                                                  : "text-bg-success");
      root.setAttribute("data-waiting", s.waiting);
      root.setAttribute("data-failed", s.failed.length);
      list.hidden = !s.failed.length;
      list.innerHTML = "";
      s.failed.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "list-group-item list-group-item-danger d-flex justify-content-between align-items-start px-2 py-1 small";
        var span = document.createElement("span");
        span.textContent = r.label + ": " + ((r.error && r.error.detail) || "");
        var btn = document.createElement("button");
        btn.type = "button"; btn.className = "btn-close btn-sm"; btn.setAttribute("aria-label", t.dismiss || "Dismiss");
        btn.addEventListener("click", function () { box.dismiss(r.client_id); });
        li.appendChild(span); li.appendChild(btn); list.appendChild(li);
      });
    });
  }

  global.DspOffline = {
    outbox: function (options) { return new Outbox(options); },
    cachePage: cachePage,
    shrinkImage: shrinkImage,
    bindStatus: bindStatus,
    uuid: uuid,
  };
})(window);
