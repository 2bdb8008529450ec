/* Oversight dashboard charts (Apache ECharts, served locally). Data comes from the page's JSON block. */
(function () {
  "use strict";
  var el = document.getElementById("dashboard-data");
  if (!el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var en = (document.documentElement.lang || "").indexOf("en") === 0;
  var T = function (zh, e) { return en ? e : zh; };
  var FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif";
  var charts = [];
  // ``option`` is an object, or a function of the chart's node returning one (laid out for its width and
  // laid out again when the window is resized).
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var c = echarts.init(node, null, { renderer: "svg" });
    var build = typeof option === "function" ? option : function () { return option; };
    var apply = function () {
      c.setOption(Object.assign({ animation: false, tooltip: { trigger: "item" }, textStyle: { fontFamily: FONT } },
        build(node)), true);
    };
    apply();
    charts.push({ chart: c, apply: apply });
  }
  // How many rows a top legend wraps onto in ``node`` (ECharts' defaults: 25 px symbol, 5 px to the text,
  // 10 px between entries, 12 px text, 5 px padding). A phone needs two or three.
  var measure = document.createElement("canvas").getContext("2d");
  function legendRows(node, names) {
    measure.font = "12px " + FONT;
    var room = node.clientWidth - 10, used = 0, rows = 1;
    names.forEach(function (name) {
      var w = 25 + 5 + measure.measureText(name).width + 10;
      if (used && used + w > room) { rows += 1; used = 0; }
      used += w;
    });
    return rows;
  }
  var LEGEND_ROW = 24;  // px: a 14 px symbol row and the 10 px gap
  var sources = Object.keys(d.leads_by_source).map(function (k) {
    return { name: d.labels.source[k] || k, value: d.leads_by_source[k] };
  });
  // Names in the legend (with the count), counts inside the ring: no label is ever cut at the edge. The
  // legend on top, the ring in the room below its last row (on a phone the legend wraps onto three rows and,
  // at the bottom, ran over the ring).
  var counts = {};
  sources.forEach(function (s) { counts[s.name] = s.value; });
  chart("chart-sources", function (node) {
    var legend = legendRows(node, sources.map(function (s) { return s.name + " " + s.value; })) * LEGEND_ROW;
    var free = Math.max(60, node.clientHeight - legend - 10);
    var outer = Math.min(node.clientWidth, free) / 2 - 6;
    return { legend: { top: 0, formatter: function (name) { return name + " " + counts[name]; } },
      series: [{ type: "pie", radius: [outer * 0.56, outer], center: ["50%", legend + 10 + free / 2], data: sources,
        label: { position: "inside", formatter: function (p) { return p.value ? String(p.value) : ""; }, color: "#fff", fontWeight: 600 } }] };
  });
  var stages = Object.keys(d.cases_by_stage);
  // Horizontal bars: every stage name on its own line, however long.
  chart("chart-stages", { tooltip: { trigger: "axis" }, grid: { left: 10, right: 30, top: 10, bottom: 20, containLabel: true },
    yAxis: { type: "category", inverse: true, data: stages.map(function (k) { return d.labels.stage[k] || k; }), axisLabel: { interval: 0 } },
    xAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: stages.map(function (k) { return d.cases_by_stage[k]; }), itemStyle: { color: "#b3261e" },
      label: { show: true, position: "right" } }] });
  var t = d.trend;
  var trendSeries = [
    { name: T("新增线索", "Leads"), type: "line", data: t.leads },
    { name: T("立案", "Cases filed"), type: "line", data: t.cases },
    { name: T("处罚决定", "Decisions"), type: "line", data: t.decisions },
    { name: T("列入失信名单", "Blacklisted"), type: "line", data: t.listings },
    { name: T("查扣矿机（台）", "Rigs seized"), type: "bar", yAxisIndex: 1, data: t.rigs_seized, itemStyle: { opacity: 0.5 } }
  ];
  // The plot starts below the legend's last row and leaves room for the right axis' name above it.
  chart("chart-trend", function (node) {
    var legend = legendRows(node, trendSeries.map(function (s) { return s.name; })) * LEGEND_ROW;
    return { tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 40, top: legend + 30, bottom: 30 },
      xAxis: { type: "category", data: t.weeks }, yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, name: T("矿机", "rigs") }],
      series: trendSeries };
  });
  var rows = d.by_league;
  var leagueSeries = [
    { name: T("线索", "Leads"), type: "bar", data: rows.map(function (r) { return r.leads; }) },
    { name: T("案件", "Cases"), type: "bar", data: rows.map(function (r) { return r.cases; }) },
    { name: T("逾期任务", "Overdue tasks"), type: "bar", data: rows.map(function (r) { return r.overdue_tasks; }) },
    { name: T("移送", "Referrals"), type: "bar", data: rows.map(function (r) { return r.referrals; }) },
    { name: T("失信名单", "Blacklisted"), type: "bar", data: rows.map(function (r) { return r.listed; }) }
  ];
  // League names lie flat when each has room, slant when that clears them, and stand upright on a phone
  // (slanted at 30°, the twelve names of the region ran into one another at 390 px).
  chart("chart-leagues", function (node) {
    var legend = legendRows(node, leagueSeries.map(function (s) { return s.name; })) * LEGEND_ROW;
    var each = (node.clientWidth - 50) / Math.max(1, rows.length);
    measure.font = "12px " + FONT;
    var longest = Math.max.apply(null, rows.map(function (r) { return measure.measureText(r.name).width; }).concat([0]));
    // Slanted names are parallel lines ``each`` apart horizontally: sin(30°) of that must clear a line of text.
    var rotate = longest + 6 <= each ? 0 : (each * 0.5 >= 16 ? 30 : 90);
    return { tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 10, right: 10, top: legend + 16, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: rotate } },
      yAxis: { type: "value", minInterval: 1 },
      series: leagueSeries };
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.chart.resize(); c.apply(); }); });
  document.body.setAttribute("data-charts", String(charts.length));
})();
