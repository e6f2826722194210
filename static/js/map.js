// Maps of places (docs/maps.md): each .place-map box is filled from its GeoJSON
// source (/places.geojson) with one marker per place that has coordinates, the
// number on it the testimonies the visitor can read there. Leaflet, its styles and
// the outline of the countries are our own static files, loaded only when a box
// comes into view (or its "Show on a map" opens), so nothing blocks reading. The
// tiles come from the tile server the site names, if any; else the points sit on
// the outline. Without this script the boxes stay hidden and the pages' lists of
// places serve alone. Loaded with `defer`; no inline script or style
// (Content-Security-Policy).
(function () {
  "use strict";

  var loading = {};

  // A script or stylesheet, once per page however many maps ask for it.
  function load(url, stylesheet) {
    if (!loading[url]) {
      loading[url] = new Promise(function (resolve, reject) {
        var element;
        if (stylesheet) {
          element = document.createElement("link");
          element.rel = "stylesheet";
          element.href = url;
          // Before the site's own styles, so that ours win where both speak.
          var first = document.querySelector('link[rel="stylesheet"]');
          document.head.insertBefore(element, first);
        } else {
          element = document.createElement("script");
          element.src = url;
          document.head.appendChild(element);
        }
        element.addEventListener("load", resolve);
        element.addEventListener("error", reject);
      });
    }
    return loading[url];
  }

  function json(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return name in values ? String(values[name]) : match;
    });
  }

  function escaped(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // Settlements above districts above regions: the smaller place stays clickable.
  var LAYER = { country: 0, region: 100, district: 200, settlement: 300 };

  function addMarker(map, box, feature) {
    var place = feature.properties;
    var count = String(place.count);
    var size = 24 + 6 * Math.min(count.length, 4);
    // A real link: Tab reaches it, Enter follows it, a screen reader reads its
    // name; the list beside or below the map names the same places.
    var link = document.createElement("a");
    link.className = "place-marker__link";
    link.href = place.url;
    link.textContent = count;
    link.setAttribute(
      "aria-label",
      format(box.dataset.markerLabel, { name: place.name, count: place.count })
    );
    var marker = L.marker(
      [feature.geometry.coordinates[1], feature.geometry.coordinates[0]],
      {
        icon: L.divIcon({
          className: "place-marker place-marker--" + place.kind,
          html: link,
          iconSize: [size, size],
        }),
        keyboard: false,
        riseOnHover: true,
        zIndexOffset: LAYER[place.kind] || 0,
      }
    );
    var tip = document.createElement("span");
    tip.textContent = place.name;
    marker.bindTooltip(tip, { direction: "top", offset: [0, -size / 2] });
    marker.addTo(map);
    link.addEventListener("focus", function () {
      marker.openTooltip();
    });
    link.addEventListener("blur", function () {
      marker.closeTooltip();
    });
    return marker.getLatLng();
  }

  function draw(box, data, outline) {
    var canvas = box.querySelector(".place-map__canvas");
    var large = box.classList.contains("place-map--large");
    var map = L.map(canvas, {
      zoomControl: false,
      attributionControl: false,
      // The page scrolls under the wheel and a finger; the buttons zoom.
      scrollWheelZoom: false,
      dragging: large || !L.Browser.mobile,
      zoomSnap: 0.5,
    });
    L.control
      .zoom({ zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut })
      .addTo(map);
    var credits = L.control
      .attribution({ prefix: '<a href="https://leafletjs.com">Leaflet</a>' })
      .addTo(map);
    if (box.dataset.tiles) {
      // The operator's own credit line, as the tile server's licence words it.
      // Tile servers ask for a Referer (OpenStreetMap's does); the site's policy
      // sends none elsewhere, so the tiles send our origin, never the page.
      L.tileLayer(box.dataset.tiles, {
        attribution: box.dataset.attribution,
        maxZoom: 18,
        referrerPolicy: "strict-origin",
      }).addTo(map);
    } else if (outline) {
      L.geoJSON(topojson.feature(outline, outline.objects.countries), {
        interactive: false,
        style: { className: "place-map__country" },
      }).addTo(map);
      credits.addAttribution(escaped(box.dataset.outlineCredit));
    }
    var points = [];
    data.features.forEach(function (feature) {
      if (feature.geometry && feature.geometry.type === "Point") {
        points.push(addMarker(map, box, feature));
      }
    });
    if (!points.length) {
      map.remove();
      box.hidden = true;
      return;
    }
    if (points.length === 1) {
      map.setView(points[0], 8);
    } else {
      map.fitBounds(L.latLngBounds(points), { padding: [36, 36], maxZoom: 9 });
    }
    box.classList.add("place-map--ready");
  }

  function failed(box) {
    var canvas = box.querySelector(".place-map__canvas");
    var message = document.createElement("p");
    message.className = "place-map__failed";
    message.textContent = box.dataset.failed;
    canvas.replaceChildren(message);
  }

  function start(box) {
    var tiles = box.dataset.tiles;
    var outline = tiles
      ? Promise.resolve(null)
      : load(box.dataset.topojson).then(function () {
          return json(box.dataset.outline);
        });
    Promise.all([
      load(box.dataset.leafletCss, true),
      load(box.dataset.leaflet),
      json(box.dataset.source),
      outline,
    ])
      .then(function (results) {
        draw(box, results[2], results[3]);
      })
      .catch(function () {
        failed(box);
      });
  }

  function whenSeen(box, callback) {
    if (!("IntersectionObserver" in window)) {
      callback();
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          callback();
        }
      },
      { rootMargin: "200px" }
    );
    observer.observe(box);
  }

  function prepare(box) {
    if (box.dataset.prepared) {
      return;
    }
    box.dataset.prepared = "true";
    var started = false;
    function once() {
      if (!started) {
        started = true;
        start(box);
      }
    }
    box.hidden = false;
    var toggle = box.closest("details.place-map-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("toggle", function () {
        if (toggle.open) {
          once();
        }
      });
      if (toggle.open) {
        once();
      }
    } else {
      whenSeen(box, once);
    }
  }

  function setup() {
    document.querySelectorAll(".place-map[data-source]").forEach(prepare);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
