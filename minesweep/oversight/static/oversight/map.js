/* The jurisdiction map (Apache ECharts, boundaries from the project's own static files; no tile server). */
(function () {
  "use strict";
  var node = document.getElementById("map");
  var script = document.getElementById("map-script");
  if (!node || !script || typeof echarts === "undefined") { return; }
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var text = JSON.parse(document.getElementById("map-text").textContent);
  var controls = document.getElementById("map-controls");
  var chart = echarts.init(node, null, { renderer: "canvas" });
  var geo = {};
  var COLORS = { site: "#5b6878", target: "#6a3d9a", lead: "#a15c00", case: "#b3261e" };

  function inScope(feature) { return String(feature.id).indexOf(data.prefix) === 0; }

  function load(level) {
    if (geo[level]) { return Promise.resolve(geo[level]); }
    return fetch(script.getAttribute("data-" + (level === "league" ? "leagues" : "counties")))
      .then(function (r) { return r.json(); })
      .then(function (json) {
        json.features = json.features.filter(inScope);
        // Names are not unique across leagues (two 新城区): key the map by division code.
        json.features.forEach(function (f) { f.properties.label = f.properties.name; f.properties.name = f.id; });
        echarts.registerMap("ms-" + level, json);
        geo[level] = json;
        return json;
      });
  }

  function checked(name) { return controls.querySelector("input[name=" + name + "]:checked").value; }

  function draw() {
    var level = checked("level"), measure = checked("measure");
    load(level).then(function (json) {
      var labels = {};
      var values = json.features.map(function (f) {
        labels[f.id] = f.properties.label;
        var row = data.counts[f.id] || {};
        return { name: f.id, value: row[measure] || 0, figures: row };
      });
      var max = Math.max.apply(null, values.map(function (v) { return v.value; }).concat([1]));
      var kinds = ["site", "target", "lead", "case"].filter(function (k) {
        return k !== "target" || data.points.some(function (p) { return p.kind === k; });
      });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "item", formatter: function (p) {
          if (p.seriesType === "scatter") { return text[p.data.kind] + "<br>" + echarts.format.encodeHTML(p.data.name); }
          var f = (p.data && p.data.figures) || {};
          return echarts.format.encodeHTML(labels[p.name] || p.name) + "<br>" + text.leads + " " + (f.leads || 0) +
            "<br>" + text.cases + " " + (f.cases || 0) + "<br>" + text.closed_mw + " " + (f.closed_mw || 0).toFixed(3);
        } },
        visualMap: { min: 0, max: max, left: 10, bottom: 10, text: [String(Math.round(max * 1000) / 1000), "0"], calculable: false,
          inRange: { color: ["#f4f6f9", "#f3c6b5", "#b3261e"] }, seriesIndex: 0, textStyle: { color: "#1d2733" } },
        legend: { top: 0, data: kinds.map(function (k) { return text[k]; }) },
        geo: { map: "ms-" + level, roam: true, nameProperty: "name", label: { show: false },
          itemStyle: { borderColor: "#5b6878", borderWidth: 0.6 }, emphasis: { label: { show: false } } },
        series: [{ type: "map", geoIndex: 0, data: values }].concat(kinds.map(function (k) {
          return { type: "scatter", coordinateSystem: "geo", name: text[k], symbolSize: k === "site" ? 6 : 10,
            symbol: k === "target" ? "diamond" : "circle",
            itemStyle: { color: COLORS[k], borderColor: "#fff", borderWidth: 1 },
            data: data.points.filter(function (p) { return p.kind === k; }) };
        }))
      }, true);
      document.body.setAttribute("data-map", level + ":" + json.features.length);
    });
  }

  chart.on("click", function (p) {
    if (p.seriesType === "scatter" && p.data && p.data.url) { window.location.href = p.data.url; }
  });
  controls.addEventListener("change", draw);
  window.addEventListener("resize", function () { chart.resize(); });
  draw();
})();
