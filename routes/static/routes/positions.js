/* Position pings from the driver's phone (live dispatch): while the route is started, a fix every ~30 s goes into
 * its own offline outbox (core/static/core/offline/outbox.js; not the taps' queue, so pings never hold up a tap
 * and never show in its "waiting" badge) and is sent in batches to /api/v1/routes/routes/<id>/positions/.
 * The server stores each fix once by the time the phone took it, so a replayed batch adds nothing and the track
 * reads in order. Its answer carries the route's version: when a dispatcher moved stops (a rescue) or handed
 * the route over, a banner asks the driver to reload. */
(function () {
  "use strict";
  var el = document.getElementById("positions-config");
  if (!el || !window.DspOffline || !navigator.geolocation) return;
  var cfg = el.dataset, EVERY = 30000, last = 0, version = cfg.version || "";

  function started() {
    return (document.body.dataset.routeStatus || cfg.status) === "started";
  }

  var box = DspOffline.outbox({
    name: "driver:positions:" + cfg.route, url: cfg.url, maxItems: 500,
    send: function (items, outbox) {
      var points = items.map(function (i) { return { at: i.at, lat: i.lat, lng: i.lng, accuracy: i.accuracy }; });
      return outbox.request(cfg.url, { points: points }).then(function (reply) {
        if (reply.status !== 200) return reply;
        var now = String(reply.data.route_version || "");
        if (now && now !== version) {
          var banner = document.getElementById("route-changed");
          if (banner) banner.classList.remove("d-none");
        }
        return { status: 200, data: { results: items.map(function (i) {
          return { client_id: i.client_id, result: "applied" }; }) } };
      });
    }
  });

  function fix(pos) {
    var now = Date.now();
    if (!started() || now - last < EVERY - 1000) return;
    last = now;
    box.enqueue({ kind: "position", at: new Date(pos.timestamp || now).toISOString(),
                  lat: pos.coords.latitude, lng: pos.coords.longitude,
                  accuracy: Math.round(pos.coords.accuracy || 0) }, { label: "position" });
  }

  navigator.geolocation.watchPosition(fix, function () { /* denied or no fix: the board shows a silent phone */ },
                                      { enableHighAccuracy: true, maximumAge: 15000, timeout: 60000 });
  // watchPosition only calls back on movement: a driver waiting at a door still reports every 30 s
  setInterval(function () {
    if (started()) navigator.geolocation.getCurrentPosition(fix, function () {}, { maximumAge: 25000, timeout: 20000 });
  }, EVERY);
})();
