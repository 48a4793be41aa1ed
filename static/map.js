// Maps drawn by Leaflet (served from pb's static files). Every map only helps: the page around it says the
// same in text (coordinates, lists), and a form works with its coordinate fields alone.
(function () {
  "use strict";
  if (!window.L) { return; }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function attribution(tiles) {
    var text = escapeText(tiles.attribution || "");
    return tiles.link ? '<a href="' + encodeURI(tiles.link) + '">' + text + "</a>" : text;
  }

  function popup(item) {
    var link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.title;
    return link;
  }

  function init(element) {
    var settings = JSON.parse(element.dataset.map);
    element.hidden = false;
    var map = L.map(element, {scrollWheelZoom: false, maxZoom: 19});
    if (settings.tiles) {
      L.tileLayer(settings.tiles.template, {maxZoom: 19, attribution: attribution(settings.tiles)}).addTo(map);
    } else {
      element.classList.add("map--plain");
    }
    var areas = null;
    if (settings.districts && settings.districts.features.length) {
      areas = L.geoJSON(settings.districts, {
        style: {color: "#1d4f91", weight: 2, fillOpacity: 0.08},
        onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
      }).addTo(map);
    }
    var markers = settings.cluster && L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
    (settings.markers || []).forEach(function (item) {
      var one = L.marker([item.lat, item.lon], {title: item.title, alt: item.title});
      if (item.url) { one.bindPopup(popup(item)); }
      markers.addLayer(one);
    });
    markers.addTo(map);
    var placed = null;
    if (settings.pick) { placed = picker(map, settings.pick); }

    var target = null;
    if (placed) {
      map.setView(placed.getLatLng(), 16);
    } else if ((settings.markers || []).length === 1) {
      map.setView([settings.markers[0].lat, settings.markers[0].lon], 16);
    } else if ((settings.markers || []).length) {
      target = markers.getBounds();
    } else if (areas) {
      target = areas.getBounds();
    } else if (settings.bounds) {
      target = L.latLngBounds([settings.bounds[1], settings.bounds[0]], [settings.bounds[3], settings.bounds[2]]);
    }
    if (target) {
      map.fitBounds(target.pad(0.1), {maxZoom: 16});
    } else if (!placed && (settings.markers || []).length !== 1) {
      map.setView(settings.center || [0, 0], settings.center ? 13 : 2);
    }
  }

  // Choosing a location: a click puts the marker (or moves it), dragging moves it, and the coordinate fields
  // follow; typing in the fields moves the marker too.
  function picker(map, fields) {
    var lat = document.getElementById(fields.lat);
    var lon = document.getElementById(fields.lon);
    var marker = null;
    function write(position) {
      lat.value = position.lat.toFixed(6);
      lon.value = position.lng.toFixed(6);
    }
    function place(position) {
      if (!marker) {
        marker = L.marker(position, {draggable: true, title: fields.label, alt: fields.label}).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      } else {
        marker.setLatLng(position);
      }
    }
    function read() {
      var a = parseFloat(String(lat.value).replace(",", "."));
      var b = parseFloat(String(lon.value).replace(",", "."));
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place([a, b]);
        return true;
      }
      return false;
    }
    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
    });
    lat.addEventListener("change", read);
    lon.addEventListener("change", read);
    read();
    return marker;
  }

  document.querySelectorAll("[data-map]").forEach(init);
  document.querySelectorAll("[data-map-hint]").forEach(function (hint) { hint.hidden = false; });
}());
