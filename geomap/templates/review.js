/* geomap review page (MIT, part of geomap): filters, a map of each mention's places, and
 * deciding by clicking. Every text reaches the page through textContent; the data comes from
 * the JSON element #review-data (see geomap/review/page.py for what it holds). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  /* The first view is the box geomap.review.page.overview_bounds computed around the listed
   * mentions' places; across the antimeridian the places are drawn around its middle (longitudes
   * beyond 180 included), and the world copy jump, which would pull the view back towards
   * Greenwich, is off. */
  var FIT = {padding: [30, 30], maxZoom: 9};
  var map = L.map("map", {preferCanvas: false, worldCopyJump: !data.across});
  if (data.view) { map.fitBounds(data.view, FIT); } else { map.setView([30, 10], 2); }
  map.attributionControl.addAttribution(data.attribution);
  if (data.tiles) { L.tileLayer(data.tiles.url, data.tiles.options).addTo(map); }
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.item"));
  var overview = L.featureGroup().addTo(map);
  var focus = L.featureGroup().addTo(map);
  var selected = null;

  function tip(text) { var el = document.createElement("span"); el.textContent = text; return el; }

  function draw(pid, role, group, label) {
    var p = data.places[pid];
    if (!p) { return; }
    var chosen = role === "chosen";
    var name = p.desc + (chosen ? " (chosen)" : " (alternative)") + (label ? " for \u201c" + label + "\u201d" : "");
    if (p.geometry) {
      L.geoJSON(p.geometry, {style: {color: chosen ? p.colour : "#555", weight: chosen ? 2.5 : 2,
        dashArray: chosen ? null : "6 5", fillColor: p.colour, fillOpacity: chosen ? 0.12 : 0.0,
        className: "geomap-area geomap-" + role}}).bindTooltip(tip(name)).addTo(group);
    }
    L.circleMarker([p.lat, p.lon], {radius: chosen ? 8 : 6, color: chosen ? "#fff" : p.colour,
      weight: chosen ? 1.5 : 2.5, dashArray: chosen ? null : "3 3", fill: chosen, fillColor: p.colour,
      fillOpacity: chosen ? 0.95 : 0.0, className: "geomap-point geomap-" + role})
      .bindTooltip(tip(name)).addTo(group);
  }

  function visible() { return cards.filter(function (c) { return !c.hidden; }); }

  function drawOverview() {
    overview.clearLayers();
    var seen = {};
    visible().forEach(function (card) {
      var it = data.items[+card.dataset.index];
      if (it.chosen && !seen[it.chosen]) { seen[it.chosen] = true; draw(it.chosen, "chosen", overview, it.label); }
    });
  }

  function fit(group) {
    var b = group.getBounds();
    if (b.isValid()) { map.fitBounds(b, FIT); }
  }

  function select(index) {
    cards.forEach(function (c) { c.classList.toggle("selected", +c.dataset.index === index); });
    selected = index;
    drawFocus(index);
    /* Fit the chosen place and geomap's own answer; far-off namesakes stay drawn but need not
     * shrink the view (fit every place only when neither exists). */
    var it = data.items[index];
    var main = it ? [it.chosen, it.geomap].filter(function (pid) { return pid && data.places[pid]; }) : [];
    if (main.length) {
      var core = L.featureGroup();
      main.forEach(function (pid) { draw(pid, "chosen", core, ""); });
      fit(core);
    } else if (focus.getLayers().length) {
      fit(focus);
    }
    document.body.dataset.selected = String(index);
  }

  function drawFocus(index) {
    focus.clearLayers();
    var it = data.items[index];
    if (!it) { return; }
    it.alternatives.forEach(function (pid) { if (pid) { draw(pid, "alternative", focus, it.label); } });
    if (it.chosen) { draw(it.chosen, "chosen", focus, it.label); }
  }

  function applyFilters() {
    filterCards();
    if (selected === null) { fit(overview); }
  }

  /* Show the cards the filters let through, and draw their places on the overview. */
  function filterCards() {
    var doc = document.getElementById("filter-doc").value;
    var wanted = {};
    document.querySelectorAll("input.filter-flag").forEach(function (b) { wanted[b.value] = b.checked; });
    var showAll = document.getElementById("show-all");
    wanted.unflagged = !!(showAll && showAll.checked);
    var shown = 0;
    cards.forEach(function (card) {
      var reasons = card.dataset.reasons.split(" ");
      var ok = (doc === "" || card.dataset.doc === doc) && reasons.some(function (r) { return wanted[r]; });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("shown").textContent = String(shown);
    if (selected !== null && cards[selected] && cards[selected].hidden) { selected = null; focus.clearLayers();
      cards.forEach(function (c) { c.classList.remove("selected"); }); }
    drawOverview();
  }

  /* -- deciding --------------------------------------------------------------------------------
   * state: entry key -> choice (a place id, "not-a-place", or null for undecided), starting from
   * the decisions file; made: entry key -> the entry the page wrote (name, document, offset). */
  var NOT = data.notAPlace;
  var state = {};
  var made = {};
  var madeBy = {};
  Object.keys(data.decisions.applied).forEach(function (k) { state[k] = data.decisions.applied[k]; });
  data.decisions.entries.forEach(function (e) { state[e.key] = e.choice; });
  var original = {};
  Object.keys(state).forEach(function (k) { original[k] = state[k]; });
  var SCOPES = ["mention", "document", "everywhere"];

  function contradicted(it, choice) {
    if (!it.hint || choice === NOT) { return false; }
    var p = data.places[choice];
    if (!p) { return false; }
    var areas = data.areas;
    return !(it.hint === p.kind || (areas.indexOf(it.hint) >= 0 && areas.indexOf(p.kind) >= 0));
  }

  /* The decision that settles an item, by the rule geomap.review.decisions.apply_decisions uses. */
  function effective(it) {
    for (var s = 0; s < SCOPES.length; s++) {
      var keys = it.keys[SCOPES[s]];
      for (var k = 0; k < keys.length; k++) {
        var choice = state[keys[k]];
        if (choice === undefined || choice === null) { continue; }
        if (SCOPES[s] !== "mention" && contradicted(it, choice)) { continue; }
        return {choice: choice, key: keys[k], scope: SCOPES[s]};
      }
    }
    return null;
  }

  function describe(pid) { return data.places[pid] ? data.places[pid].desc : pid; }

  function card(i) { return cards[i]; }

  function refresh() {
    var count = 0;
    Object.keys(made).forEach(function (k) { if (state[k] !== original[k]) { count += 1; } });
    document.getElementById("decision-count").textContent = String(count);
    data.items.forEach(function (it, i) {
      var eff = effective(it);
      var chosen = eff ? (eff.choice === NOT ? null : eff.choice) : it.geomap;
      it.chosen = chosen;
      var alts = it.offered.filter(function (pid) { return pid && pid !== chosen; });
      if (it.geomap && it.geomap !== chosen && alts.indexOf(it.geomap) < 0) { alts.unshift(it.geomap); }
      it.alternatives = alts;
      var c = card(i);
      var value = eff ? eff.choice : "";
      if (eff && eff.choice !== NOT) { ensureOption(i, eff.choice); }
      c.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = r.value === value; });
      var status = c.querySelector(".decide-status");
      var pageMade = eff && made[eff.key];
      c.classList.toggle("page-decided", !!pageMade);
      if (!eff) {
        status.textContent = "undecided: " + (it.geomap ? "geomap's answer " + describe(it.geomap) + " stays" :
                                                "stays unresolved");
      } else {
        status.textContent = (pageMade ? "decided here" : "decided in the file") + " (" +
          {mention: "this mention", document: "this article", everywhere: "every mention of the name"}[eff.scope] +
          "): " + (eff.choice === NOT ? "not a place" : describe(eff.choice));
      }
    });
    drawOverview();
    if (selected !== null) { drawFocus(selected); }
  }

  function ensureOption(i, pid) {
    var c = card(i);
    var exists = Array.prototype.some.call(c.querySelectorAll("input[type=radio]"),
                                           function (r) { return r.value === pid; });
    if (exists) { return; }
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "radio";
    input.name = "choice-" + i;
    input.value = pid;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + describe(pid)));
    var choices = c.querySelector(".choices");
    choices.insertBefore(label, choices.querySelector("input[value='" + NOT + "']").parentNode);
  }

  var inFile = {};
  data.decisions.entries.forEach(function (e) { inFile[e.key] = true; });

  /* The entry a choice goes to: the file's own entry for the mention at that scope (by its
   * surface or its name), else a new entry under the looked-up name. */
  function keyFor(it, scope) {
    var keys = it.keys[scope];
    for (var k = 0; k < keys.length; k++) { if (inFile[keys[k]]) { return keys[k]; } }
    return keys[keys.length - 1];
  }

  /* Settle item i: choice is a place id, NOT, or "" (undecided); scope as in the decisions file. */
  function choose(i, choice, scope) {
    var it = data.items[i];
    if (scope !== "mention" && choice && contradicted(it, choice)) {
      /* The mention's own qualifier ("the city of X") would override a name-wide choice of
       * another kind, so the choice is written for this mention only. */
      scope = "mention";
      card(i).querySelector(".decide-scope").value = scope;
    }
    var key = keyFor(it, scope);
    var previous = madeBy[i];
    if (previous && previous !== key) {  // the scope changed: the page's earlier entry goes
      state[previous] = original[previous];
      delete made[previous];
    }
    state[key] = choice === "" ? null : choice;
    made[key] = {name: it.name, doc: scope === "everywhere" ? null : it.doc,
                 offset: scope === "mention" ? it.offset : null};
    madeBy[i] = key;
    refresh();
    select(i);  // show the mention's places as they are now
  }

  function findPlace(text) {
    var needle = text.trim().toLowerCase();
    if (!needle) { return null; }
    var ids = Object.keys(data.places);
    var exact = ids.filter(function (pid) { return data.places[pid].desc.toLowerCase() === needle; });
    if (exact.length) { return exact[0]; }
    var byName = ids.filter(function (pid) { return data.places[pid].name.toLowerCase() === needle; });
    if (byName.length === 1) { return byName[0]; }
    var partial = ids.filter(function (pid) { return data.places[pid].desc.toLowerCase().indexOf(needle) >= 0; });
    return partial.length === 1 ? partial[0] : null;
  }

  document.querySelectorAll("fieldset.decide").forEach(function (form) {
    var i = +form.dataset.index;
    var scopeOf = function () { return form.querySelector(".decide-scope").value; };
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (t.type === "radio" && t.checked) {
        choose(i, t.value, scopeOf());
      } else if (t.classList.contains("decide-scope")) {
        var checked = form.querySelector("input[type=radio]:checked");
        if (madeBy[i] !== undefined && checked) { choose(i, checked.value, scopeOf()); }
      } else if (t.classList.contains("decide-other")) {
        var pid = findPlace(t.value);
        if (pid) {
          ensureOption(i, pid);
          choose(i, pid, scopeOf());
          t.value = "";
        } else if (t.value.trim()) {
          form.querySelector(".decide-status").textContent = "no place on this page matches \u201c" + t.value +
            "\u201d: pick one of the names offered";
        }
      }
    });
    form.querySelector(".decide-other").addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); e.target.dispatchEvent(new Event("change", {bubbles: true})); }
    });
  });

  function yamlValue(choice) {
    if (choice === null || choice === undefined) { return ""; }
    return choice === NOT ? NOT : JSON.stringify(choice);
  }

  /* The decisions file: the one geomap review wrote, with the choice lines of the entries
   * decided here replaced and entries for new names appended. */
  function decisionsText() {
    var d = data.decisions;
    var lines = d.text.split("\n");
    var byKey = {};
    d.entries.forEach(function (e) { byKey[e.key] = e; });
    var edits = [];
    var added = [];
    Object.keys(made).forEach(function (key) {
      var choice = state[key];
      var m = made[key];
      var e = byKey[key];
      if (e) {
        if (choice === e.choice) { return; }
        var pad = new Array(e.indent + 1).join(" ");
        var comment = choice === null ? "  # undecided on the review page" : "  # chosen on the review page";
        edits.push({start: e.start, end: e.end, lines: [pad + "choice: " + yamlValue(choice) + comment]});
      } else if (choice !== null) {
        var dash = new Array(d.tail.indent + 1).join(" "), keyPad = dash + "  ";
        var entry = [dash + "- name: " + JSON.stringify(m.name)];
        if (m.doc !== null) { entry.push(keyPad + "document: " + JSON.stringify(m.doc)); }
        if (m.offset !== null) { entry.push(keyPad + "offset: " + m.offset); }
        entry.push(keyPad + "choice: " + yamlValue(choice) + "  # chosen on the review page");
        added = added.concat(entry);
      }
    });
    if (added.length) {
      if (d.tail.missing) { added.unshift("decisions:"); }
      edits.push({start: d.tail.at, end: d.tail.at, lines: added});
    }
    edits.sort(function (a, b) { return b.start - a.start; });
    edits.forEach(function (e) {
      Array.prototype.splice.apply(lines, [e.start, e.end - e.start].concat(e.lines));
    });
    if (added.length && d.tail.empty !== null && d.tail.empty !== undefined) {
      lines[d.tail.empty] = lines[d.tail.empty].replace(/:\s*(\[\s*\]|null|~)?\s*(#.*)?$/, ":");
    }
    var text = lines.join("\n");
    return text.slice(-1) === "\n" ? text : text + "\n";
  }

  document.getElementById("download").addEventListener("click", function () {
    var blob = new Blob([decisionsText()], {type: "application/x-yaml"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = data.decisions.name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  });

  /* Served by geomap review --serve: "Save" writes the file through the local server, which
   * answers with the saved text; the page then starts from it. */
  var save = document.getElementById("save");
  if (data.serve && /^https?:$/.test(window.location.protocol)) {
    save.hidden = false;
    save.addEventListener("click", function () {
      var status = document.getElementById("save-status");
      status.textContent = "saving\u2026";
      fetch("/decisions", {method: "POST", headers: {"Content-Type": "application/json",
                                                     "X-Geomap-Token": data.serve.token},
                           body: JSON.stringify({text: decisionsText()})})
        .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = "not saved: " + res.body.error; return; }
          var d = data.decisions;
          d.text = res.body.text; d.entries = res.body.entries; d.tail = res.body.tail;
          inFile = {};
          d.entries.forEach(function (e) { inFile[e.key] = true; state[e.key] = e.choice; });
          original = {};
          Object.keys(state).forEach(function (k) { original[k] = state[k]; });
          made = {}; madeBy = {};
          refresh();
          status.textContent = "saved " + res.body.saved;
          document.body.dataset.saved = String((+document.body.dataset.saved || 0) + 1);
        })
        .catch(function (e) { status.textContent = "not saved: " + e; });
    });
  }

  cards.forEach(function (c) {
    c.addEventListener("click", function (e) {
      if (selected !== +c.dataset.index || e.target === c) { select(+c.dataset.index); }
    });
    c.addEventListener("keydown", function (e) { if (e.key === "Enter" && e.target === c) { select(+c.dataset.index); } });
  });
  document.getElementById("filter-doc").addEventListener("change", applyFilters);
  document.querySelectorAll("input.filter-flag").forEach(function (b) { b.addEventListener("change", applyFilters); });
  var showAll = document.getElementById("show-all");
  if (showAll) { showAll.addEventListener("change", applyFilters); }
  refresh();
  filterCards();  // the first view is data.view, set above
  window.geomapReview = {map: map, select: select, applyFilters: applyFilters, overview: overview, focus: focus,
                         choose: choose, decisionsText: decisionsText, effective: function (i) {
                           return effective(data.items[i]); }};
  document.body.dataset.ready = "1";
})();
