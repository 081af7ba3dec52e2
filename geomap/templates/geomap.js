/* geomap map runtime (MIT, part of geomap).
 *
 * geomapRender(map, data, tiles) draws the places of a geomap data blob on a Leaflet map:
 * circle markers (clustered or not), region outlines, a country-outline base layer, one
 * toggle per article in the layer control, a legend of kinds and a panel listing the places.
 *
 * Safety: every string that comes from an article or a gazetteer (titles, ids, excerpts, names)
 * reaches the page through textContent or createTextNode (popups and tooltips get DOM nodes,
 * not HTML strings), never through innerHTML; the only exception is the layer control, which
 * takes HTML labels, so those are escaped with escapeHtml first.
 * The script defines one global function, geomapRender, and one registry, geomapMaps
 * (container id -> {map, places, layers, goTo}); it is safe to include more than once on a page.
 */
(function (w) {
  "use strict";
  if (w.geomapRender) { return; }

  var doc = w.document;

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"'`]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  /* Rings and lines are flat arrays of integer deltas [dx0, dy0, dx1, dy1, ...] in units of 1/q degree. */
  function decodeLine(flat, q) {
    var out = new Array(flat.length / 2), x = 0, y = 0, j = 0;
    for (var i = 0; i < flat.length; i += 2) {
      x += flat[i];
      y += flat[i + 1];
      out[j++] = [y / q, x / q];
    }
    return out;
  }

  function decodePolygons(polys, q) {  // [[ring, hole, ...], ...] -> Leaflet multipolygon latlngs
    return polys.map(function (poly) { return poly.map(function (ring) { return decodeLine(ring, q); }); });
  }

  function decodeLines(lines, q) {
    return lines.map(function (line) { return decodeLine(line, q); });
  }

  /* leaflet.markercluster animates L.Marker with setOpacity; circle markers need the same hooks. */
  function patchCircleMarkers(L) {
    if (L.CircleMarker.prototype.clusterHide) { return; }
    L.CircleMarker.include({
      clusterHide: function () {
        this._geomapStyle = this._geomapStyle || { opacity: this.options.opacity, fillOpacity: this.options.fillOpacity };
        return this.setStyle({ opacity: 0, fillOpacity: 0 });
      },
      clusterShow: function () {
        if (this._geomapStyle) { this.setStyle(this._geomapStyle); this._geomapStyle = null; }
        return this;
      }
    });
  }

  function radius(p) {
    var base = p.k === "country" ? 8 : 6;
    return base + Math.min(5, 1.5 * Math.log(p.c) / Math.LN2);
  }

  function kindColour(data, kind) {
    for (var i = 0; i < data.kinds.length; i++) {
      if (data.kinds[i][0] === kind) { return data.kinds[i][1]; }
    }
    return "#000000";
  }

  function popupNode(data, p) {
    var root = el("div", "geomap-popup");
    root.appendChild(el("div", "geomap-popup-name", p.n));
    var meta = [p.k];
    if (p.w) { meta.push(p.w); }
    meta.push(p.i);
    root.appendChild(el("div", "geomap-popup-meta", meta.join(" · ")));
    root.appendChild(el("div", "geomap-popup-found", "found as " + p.s.join(", ")));
    var counts = p.c + (p.c === 1 ? " mention" : " mentions");
    if (data.docs.length > 1) {
      counts += " in " + p.d.length + (p.d.length === 1 ? " article" : " articles");
    }
    root.appendChild(el("div", "geomap-popup-meta", counts));
    if (p.a) {
      root.appendChild(el("div", "geomap-popup-ambiguous", "ambiguous · confidence " + p.f.toFixed(2)));
    }
    var grouped = data.docs.length > 1, list = null, current = -1;
    for (var i = 0; i < p.e.length; i++) {
      var e = p.e[i];
      if (list === null || (grouped && e[0] !== current)) {
        var d = data.docs[e[0]];
        if (grouped || d.dt || d.st || d.u) {
          root.appendChild(el("div", "geomap-popup-article", d.t || d.id));
          var source = sourceNode(d);
          if (source) { root.appendChild(source); }
        }
        list = el("ol", "geomap-excerpts");
        root.appendChild(list);
        current = e[0];
      }
      var item = el("li", "geomap-excerpt");
      item.appendChild(doc.createTextNode(e[1]));
      item.appendChild(el("mark", null, e[2]));
      item.appendChild(doc.createTextNode(e[3]));
      list.appendChild(item);
    }
    if (p.m) {
      root.appendChild(el("div", "geomap-popup-more", "… and " + p.m + " more " + (p.m === 1 ? "excerpt" : "excerpts")));
    }
    if (p.o && p.o.length && grouped) {
      var names = p.o.map(function (j) { return data.docs[j].t || data.docs[j].id; });
      root.appendChild(el("div", "geomap-popup-more", "also in: " + names.join("; ")));
    }
    return root;
  }

  /* The date, site and link of an article ("2024-03-05 · The Ledger · link"), or null. The
   * link is an http(s) address only (never javascript:), opened without access to this page. */
  function sourceNode(d) {
    var bits = [];
    if (d.dt) { bits.push(String(d.dt).slice(0, 10)); }
    if (d.st) { bits.push(d.st); }
    var url = d.u && /^https?:\/\//i.test(d.u) ? String(d.u) : null;
    if (!bits.length && !url) { return null; }
    var node = el("div", "geomap-popup-source", bits.join(" · "));
    if (url) {
      if (bits.length) { node.appendChild(doc.createTextNode(" · ")); }
      var link = el("a", "geomap-popup-link", "link");
      link.href = url;
      link.title = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer nofollow";
      node.appendChild(link);
    }
    return node;
  }

  function tooltipText(p) {
    return p.n + " (" + p.k + ") · " + p.c + "×";
  }

  function baseLayer(L, map, base, pane) {
    var group = L.featureGroup();
    var admin1 = L.featureGroup();
    var landStyle = { stroke: false, fill: true, fillColor: "#f5f3ee", fillOpacity: 1, interactive: false, pane: pane };
    var borderStyle = { color: "#8f8f8f", weight: 0.8, opacity: 1, fill: false, interactive: false, pane: pane };
    var adminStyle = { color: "#b9b4a8", weight: 0.6, opacity: 1, dashArray: "3 3", fill: false, interactive: false, pane: pane };
    base.countries.forEach(function (c) {
      var polys = decodePolygons(c[1], base.q[0]).concat(decodePolygons(c[2], base.q[1]));
      if (polys.length) {
        group.addLayer(L.polygon(polys, L.extend({ className: "geomap-country" }, landStyle)));
      }
    });
    base.countries.forEach(function (c) {
      var lines = decodeLines(c[3], base.q[0]).concat(decodeLines(c[4], base.q[1]));
      if (lines.length) {
        group.addLayer(L.polyline(lines, L.extend({ className: "geomap-border" }, borderStyle)));
      }
    });
    base.admin1.forEach(function (a) {
      var lines = decodeLines(a[1], base.q[1]);
      if (lines.length) {
        admin1.addLayer(L.polyline(lines, L.extend({ className: "geomap-admin1-line" }, adminStyle)));
      }
    });
    function zoomed() {
      var show = map.getZoom() >= base.admin1Zoom;
      if (show && map.hasLayer(group) && !group.hasLayer(admin1)) { group.addLayer(admin1); }
      if (!show && group.hasLayer(admin1)) { group.removeLayer(admin1); }
    }
    map.on("zoomend", zoomed);
    group.on("add", zoomed);
    return group;
  }

  function legendControl(L, data) {
    var Legend = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        var div = el("div", "geomap-legend leaflet-bar");
        data.kinds.forEach(function (k) {
          var row = el("div", "geomap-legend-row");
          var dot = el("span", "geomap-dot");
          dot.style.background = k[1];
          row.appendChild(dot);
          row.appendChild(el("span", null, k[2] + " (" + k[3] + ")"));
          div.appendChild(row);
        });
        L.DomEvent.disableClickPropagation(div);
        return div;
      }
    });
    return new Legend();
  }

  function panelControl(L, map, data, places, goTo) {
    var LIMIT = 300;
    var Panel = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var div = el("div", "geomap-panel leaflet-bar");
        var head = el("button", "geomap-panel-head", "Places (" + places.length + ")");
        head.type = "button";
        head.setAttribute("aria-expanded", "true");
        div.appendChild(head);
        var body = el("div", "geomap-panel-body");
        div.appendChild(body);
        var filter = null;
        if (places.length > 12) {
          filter = el("input", "geomap-panel-filter");
          filter.type = "search";
          filter.placeholder = "Filter places";
          filter.setAttribute("aria-label", "Filter places");
          body.appendChild(filter);
        }
        var list = el("ol", "geomap-panel-list");
        body.appendChild(list);
        var note = el("div", "geomap-panel-note");
        body.appendChild(note);
        function fill() {
          var needle = filter ? filter.value.trim().toLowerCase() : "";
          while (list.firstChild) { list.removeChild(list.firstChild); }
          var shown = 0, matching = 0;
          places.forEach(function (entry) {
            var p = entry.p;
            if (needle && p.n.toLowerCase().indexOf(needle) < 0 && p.s.join(" ").toLowerCase().indexOf(needle) < 0) { return; }
            matching++;
            if (shown >= LIMIT) { return; }
            shown++;
            var li = el("li", "geomap-row" + (entry.visible ? "" : " geomap-hidden"));
            var button = el("button", "geomap-row-button");
            button.type = "button";
            var dot = el("span", "geomap-dot");
            dot.style.background = kindColour(data, p.k);
            button.appendChild(dot);
            button.appendChild(el("span", "geomap-row-name", p.n));
            button.appendChild(el("span", "geomap-row-count", String(p.c)));
            button.title = tooltipText(p);
            L.DomEvent.on(button, "click", function (ev) { L.DomEvent.stop(ev); goTo(entry); });
            li.appendChild(button);
            entry.row = li;
            list.appendChild(li);
          });
          note.textContent = matching > shown ? (matching - shown) + " more: type to filter" : "";
        }
        function size() { body.style.maxHeight = Math.max(120, map.getSize().y - 140) + "px"; }
        fill();
        size();
        map.on("resize", size);
        if (filter) { L.DomEvent.on(filter, "input", fill); }
        var collapsed = map.getSize().x < 640 || map.getSize().y < 400 || places.length === 0;  // small maps: a button
        function setCollapsed(value) {
          collapsed = value;
          body.style.display = collapsed ? "none" : "";
          div.classList.toggle("geomap-collapsed", collapsed);
          head.setAttribute("aria-expanded", collapsed ? "false" : "true");
        }
        setCollapsed(collapsed);
        L.DomEvent.on(head, "click", function (ev) { L.DomEvent.stop(ev); setCollapsed(!collapsed); });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Panel();
  }

  /* Permanent labels of a static map: most mentioned first, each label goes right, left, above
   * or below its marker, wherever it covers no other label, marker or map control; a label that
   * fits nowhere is hidden rather than drawn over another. */
  function declutterLabels(L, map, places) {
    var box = map.getContainer().getBoundingClientRect();
    function rectOf(node) {
      var r = node.getBoundingClientRect();
      return { l: r.left - box.left, t: r.top - box.top, r: r.right - box.left, b: r.bottom - box.top };
    }
    function overlaps(a, b) { return a.l < b.r - 1 && b.l < a.r - 1 && a.t < b.b - 1 && b.t < a.b - 1; }
    var taken = [];
    var controls = map.getContainer().querySelectorAll(".leaflet-control");
    for (var c = 0; c < controls.length; c++) { taken.push({ rect: rectOf(controls[c]), owner: null }); }
    places.forEach(function (entry) {
      if (!map.hasLayer(entry.marker)) { return; }
      var pt = map.latLngToContainerPoint(entry.marker.getLatLng()), r = radius(entry.p);
      taken.push({ rect: { l: pt.x - r, t: pt.y - r, r: pt.x + r, b: pt.y + r }, owner: entry });
    });
    var size = map.getSize();
    places.forEach(function (entry) {
      var tip = entry.marker.getTooltip();
      if (!tip || !tip.options.permanent || !map.hasLayer(entry.marker)) { return; }
      var node = tip.getElement();
      if (!node) { return; }
      var r = radius(entry.p);
      var tries = [["right", [r, 0]], ["left", [-r, 0]], ["top", [0, -r]], ["bottom", [0, r]]];
      for (var i = 0; i < tries.length; i++) {
        tip.options.direction = tries[i][0];
        tip.options.offset = L.point(tries[i][1]);
        tip.update();
        var rect = rectOf(node);
        if (rect.l < 0 || rect.t < 0 || rect.r > size.x || rect.b > size.y) { continue; }
        var free = taken.every(function (t) { return t.owner === entry || !overlaps(rect, t.rect); });
        if (free) {
          taken.push({ rect: rect, owner: entry });
          return;
        }
      }
      node.style.display = "none";
      node.classList.add("geomap-label-hidden");
    });
  }

  /* Popups pan the map into view and stay narrow enough to leave most of the map visible. */
  function popupOptions(map) {
    var size = map.getSize();
    return { maxWidth: Math.max(200, Math.min(340, size.x - 100)), minWidth: Math.min(220, Math.max(160, size.x - 120)),
             autoPan: true,
             autoPanPaddingTopLeft: L_point(60, 60), autoPanPaddingBottomRight: L_point(60, 40),
             className: "geomap-popup-wrap" };
  }

  function L_point(x, y) { return w.L.point(x, y); }

  /* A search box over the mapped places (leaflet-search): names and the spellings the articles
   * used ("Kiev -> Kyiv"); choosing one flies there and opens its popup. The tips are built with
   * textContent (the plugin's default would put the text through innerHTML). */
  function searchControl(L, map, places, goTo) {
    var byKey = {};
    var records = {};
    places.forEach(function (entry) {
      var p = entry.p;
      var keys = [p.n];
      p.s.forEach(function (s) { if (s !== p.n) { keys.push(s + " \u2192 " + p.n); } });
      keys.forEach(function (k) {
        if (byKey[k]) { k = k + " (" + p.k + (p.w ? ", " + p.w : "") + ")"; }
        if (byKey[k]) { return; }
        byKey[k] = entry;
        records[k] = L.latLng(p.y, p.x);
      });
    });
    var control = new L.Control.Search({
      position: "topleft", initial: false, marker: false, collapsed: true, autoCollapse: true,
      textPlaceholder: "Find a place\u2026", textErr: "No such place on this map", textCancel: "Clear",
      firstTipSubmit: true, autoType: false, tipAutoSubmit: true,
      sourceData: function (text, callback) { callback(records); return { abort: function () {} }; },
      formatData: function (json) { return json; },
      filterData: function (text, all) {
        var needle = text.trim().toLowerCase(), out = {};
        Object.keys(all).forEach(function (k) { if (k.toLowerCase().indexOf(needle) >= 0) { out[k] = all[k]; } });
        return out;
      },
      buildTip: function (text) { var a = el("a", "geomap-search-tip", text); a.href = "#"; return a; },
      moveToLocation: function (latlng, title) { var entry = byKey[title]; if (entry) { goTo(entry); } }
    });
    return control;
  }

  /* A heat layer of the mentions (Leaflet.heat), for maps of many articles; it follows the
   * article toggles. */
  function heatLayer(L, data, places) {
    var most = 1;
    places.forEach(function (e) { most = Math.max(most, e.p.c); });
    var layer = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 8, max: Math.sqrt(most), minOpacity: 0.3 });
    function refresh() {
      layer.setLatLngs(places.filter(function (e) { return e.visible; })
        .map(function (e) { return [e.p.y, e.p.x, Math.sqrt(e.p.c)]; }));
    }
    refresh();
    return { layer: layer, refresh: refresh };
  }

  function geomapRender(map, data, tiles) {
    var L = w.L;
    patchCircleMarkers(L);
    var opt = data.opt;
    var container = map.getContainer();
    container.classList.add("geomap-map");
    if (!tiles) { container.classList.add("geomap-no-tiles"); }
    map.attributionControl.addAttribution(opt.attribution);

    /* Set the final view before any layer is added, so that nothing is drawn (or clustered) twice. */
    var view = data.view || data.bounds;  // the places that carry the story (geomap.outputs.framing), else all
    if (view) {
      map.fitBounds(view, { padding: [opt.padding, opt.padding], maxZoom: opt.fitZoom, animate: false });
    }

    var baseGroup = null;
    if (data.base) {
      map.createPane("geomapBase");
      map.getPane("geomapBase").style.zIndex = 250;
      baseGroup = baseLayer(L, map, data.base, "geomapBase");
      baseGroup.addTo(map);
    }

    var renderer = opt.canvas ? L.canvas({ padding: 0.5 }) : undefined;
    var target = opt.cluster
      /* animate: false, because markercluster's zoom animation hides and shows markers through
       * their _icon, which circle markers do not have: animated, unclustered circle markers stayed
       * invisible after a zoom. */
      ? L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
                               removeOutsideVisibleBounds: true, animate: false })
      : L.featureGroup();
    var regions = L.featureGroup();

    var docToggles = data.docs.map(function (d, i) {
      var toggle = L.layerGroup();
      toggle._geomapDoc = i;
      return toggle;
    });

    var order = { country: 0, continent: 0, region: 1, admin1: 2, admin2: 3, physical: 4, other: 5, city: 6 };
    var places = data.p.map(function (p, index) {
      var colour = kindColour(data, p.k);
      var marker = L.circleMarker([p.y, p.x], {
        radius: radius(p), color: "#ffffff", weight: 1.5, fill: true, fillColor: colour, fillOpacity: 0.95,
        className: "geomap-marker geomap-kind-" + p.k, renderer: renderer
      });
      var entry = { p: p, index: index, marker: marker, outline: null, visible: true, row: null };
      var content = function () { return popupNode(data, p); };
      marker.bindPopup(content, popupOptions(map));
      if (opt.static && index < opt.labels) {
        marker.bindTooltip(el("span", null, p.n), { permanent: true, direction: "right", offset: [radius(p), 0],
                                  className: "geomap-label", interactive: false });
      } else {
        marker.bindTooltip(el("span", null, tooltipText(p)), { direction: "top", offset: [0, -radius(p)] });
      }
      if (p.g !== undefined) {
        var outline = L.polygon(decodePolygons(data.shapes[p.g], 100), {
          color: colour, weight: 2, fillColor: colour, fillOpacity: 0.08, className: "geomap-region"
        });
        outline.bindPopup(content, popupOptions(map));
        outline.bindTooltip(el("span", null, p.n), { sticky: true });
        outline.on("mouseover", function () { outline.setStyle({ weight: 3, fillOpacity: 0.2 }); });
        outline.on("mouseout", function () { outline.setStyle({ weight: 2, fillOpacity: 0.08 }); });
        entry.outline = outline;
        regions.addLayer(outline);
      }
      return entry;
    });
    var drawOrder = places.slice().sort(function (a, b) {
      return (order[a.p.k] || 0) - (order[b.p.k] || 0) || b.p.c - a.p.c;
    });
    var markers = drawOrder.map(function (e) { return e.marker; });
    if (opt.cluster) { target.addLayers(markers); } else { markers.forEach(function (m) { target.addLayer(m); }); }

    regions.addTo(map);
    target.addTo(map);
    docToggles.forEach(function (t) { t.addTo(map); });

    var heatRefresh = null;
    function refresh() {
      var on = docToggles.map(function (t) { return map.hasLayer(t); });
      var add = [], remove = [];
      places.forEach(function (entry) {
        var visible = entry.p.d.some(function (i) { return on[i]; });
        if (visible === entry.visible) { return; }
        entry.visible = visible;
        (visible ? add : remove).push(entry.marker);
        if (entry.outline) {
          if (visible) { regions.addLayer(entry.outline); } else { regions.removeLayer(entry.outline); }
        }
        if (entry.row) { entry.row.classList.toggle("geomap-hidden", !visible); }
      });
      if (heatRefresh) { heatRefresh(); }
      if (opt.cluster) {
        if (remove.length) { target.removeLayers(remove); }
        if (add.length) { target.addLayers(add); }
      } else {
        remove.forEach(function (m) { target.removeLayer(m); });
        add.forEach(function (m) { target.addLayer(m); });
      }
    }
    map.on("layeradd layerremove", function (e) {
      if (e.layer && e.layer._geomapDoc !== undefined) { refresh(); }
    });

    /* The marker, or the cluster that holds it, that is on the map now (markercluster's own
     * getVisibleParent and zoomToShowLayer look for an _icon, which circle markers lack). */
    function visibleParent(marker) {
      var layer = marker;
      while (layer && !target._featureGroup.hasLayer(layer)) { layer = layer.__parent; }
      return layer || null;
    }

    function openPlace(entry) {
      if (!entry.visible) { return; }
      var marker = entry.marker;
      if (!opt.cluster) { marker.openPopup(); return; }
      var parent = visibleParent(marker);
      if (parent === marker) { marker.openPopup(); return; }
      if (parent && parent.spiderfy) {  // still clustered at the deepest zoom: fan the cluster out
        target.once("spiderfied", function () { marker.openPopup(); });
        parent.spiderfy();
      }
    }

    /* The view that shows a place: its outline, or its point at a zoom where it is not clustered. */
    function viewOf(entry) {
      var p = entry.p;
      var centre = L.latLng(p.y, p.x);
      var zoom = Math.max(map.getZoom(), p.k === "country" ? 5 : p.k === "city" ? 8 : 6);
      if (entry.outline) {
        var bounds = entry.outline.getBounds();
        zoom = Math.min(map.getBoundsZoom(bounds, false, L.point(40, 40)), opt.maxZoom);
        centre = bounds.getCenter();
      }
      if (opt.cluster) {
        centre = L.latLng(p.y, p.x);
        var parent = entry.marker.__parent;
        if (parent && parent._zoom !== undefined) { zoom = Math.max(zoom, parent._zoom + 1); }
        zoom = Math.min(zoom, map.getMaxZoom());
      }
      return { centre: centre, zoom: zoom };
    }

    function goTo(entry) {
      if (!entry.visible) { return; }
      var view = viewOf(entry);
      var done = function () { openPlace(entry); };
      var here = map.latLngToContainerPoint(view.centre).distanceTo(map.latLngToContainerPoint(map.getCenter()));
      if (map.getZoom() === view.zoom && here < 2) {
        done();
      } else {
        map.once("moveend", done);
        map.flyTo(view.centre, view.zoom, { duration: 0.6 });
      }
    }

    if (!opt.static) {
      var control = L.control.layers(null, null, { collapsed: true, position: "topright" });
      if (tiles) { control.addBaseLayer(tiles, "Base map"); }
      data.docs.forEach(function (d, i) {
        var label = (d.dt ? String(d.dt).slice(0, 10) + " · " : "") + (d.t || d.id);
        control.addOverlay(docToggles[i], '<span class="geomap-layer-article">' + escapeHtml(label) + "</span>");
      });
      if (data.shapes.length) { control.addOverlay(regions, "Region outlines"); }
      if (baseGroup) { control.addOverlay(baseGroup, "Country outlines"); }
      var heat = opt.heat && L.heatLayer ? heatLayer(L, data, places) : null;
      if (heat) { control.addOverlay(heat.layer, "Heat map (mentions)"); heat.layer.addTo(map); heatRefresh = heat.refresh; }
      control.addTo(map);
      if (opt.fullscreen && L.Control.FullScreen) {
        L.control.fullscreen({ position: "topleft", title: "Full screen", titleCancel: "Exit full screen",
                               forceSeparateButton: true }).addTo(map);
      }
      if (opt.search && L.Control.Search && places.length) {
        var search = searchControl(L, map, places, goTo).addTo(map);
        var input = search._input, label = input && input.previousSibling;
        if (input) {  // the plugin names every input "searchtext13": give each map its own id
          input.id = container.id + "-search";
          input.setAttribute("aria-label", "Find a place on the map");
          if (label && label.tagName === "LABEL") { label.htmlFor = input.id; }
        }
      }
      if (opt.panel) { panelControl(L, map, data, places, goTo).addTo(map); }
    }
    if (data.kinds.length) { legendControl(L, data).addTo(map); }

    function find(name) {
      for (var i = 0; i < places.length; i++) {
        if (places[i].p.n === name || places[i].p.i === name) { return places[i]; }
      }
      return null;
    }
    var api = {
      map: map,
      places: places,
      layers: { places: target, regions: regions, base: baseGroup, articles: docToggles },
      /* Fly to a place (by name or id) and open its popup, as a click on its panel row does. */
      goTo: function (name) { var entry = find(name); if (entry) { goTo(entry); } return !!entry; }
    };
    w.geomapMaps = w.geomapMaps || {};
    w.geomapMaps[container.id] = api;
    if (opt.open) {
      var first = find(opt.open);
      if (first) { if (opt.cluster) { goTo(first); } else { openPlace(first); } }
    }
    if (opt.static && opt.labels) { declutterLabels(L, map, places); }
    container.setAttribute("data-geomap-ready", "1");
    return api;
  }

  w.geomapRender = geomapRender;
})(window);
