/* geomap fragment loader (MIT, part of geomap): geomapLoad([[url, guard], ...], done) loads each
 * script once per page, in order, skipping those whose guard global (a dotted path such as
 * "L.MarkerClusterGroup") already exists, then calls done(). Fragments on one page share loads. */
(function (w) {
  "use strict";
  if (w.geomapLoad) { return; }
  var state = {};  // url -> true (loaded) or a list of callbacks waiting for it
  function present(guard) {
    if (!guard) { return false; }
    var node = w, parts = guard.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (node === null || node === undefined) { return false; }
      node = node[parts[i]];
    }
    return node !== null && node !== undefined;
  }
  function load(url, guard, next) {
    var s = state[url];
    if (s === true || (s === undefined && present(guard))) { state[url] = true; next(); return; }
    if (s) { s.push(next); return; }
    state[url] = [next];
    var script = w.document.createElement("script");
    script.src = url;
    script.onload = function () {
      var waiting = state[url];
      state[url] = true;
      waiting.forEach(function (f) { f(); });
    };
    script.onerror = function () {
      if (w.console) { w.console.error("geomap: could not load " + url); }
    };
    w.document.head.appendChild(script);
  }
  w.geomapLoad = function (needs, done) {
    var i = 0;
    (function next() {
      if (i >= needs.length) { done(); return; }
      var item = needs[i++];
      load(item[0], item[1], next);
    })();
  };
})(window);
