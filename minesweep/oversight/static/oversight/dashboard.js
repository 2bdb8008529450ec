/* Oversight dashboard charts (Apache ECharts, served locally). Data comes from the page's JSON block. */
(function () {
  "use strict";
  var el = document.getElementById("dashboard-data");
  if (!el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var en = (document.documentElement.lang || "").indexOf("en") === 0;
  var T = function (zh, e) { return en ? e : zh; };
  var charts = [];
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var c = echarts.init(node, null, { renderer: "svg" });
    c.setOption(Object.assign({ animation: false, tooltip: { trigger: "item" },
      textStyle: { fontFamily: "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" } }, option));
    charts.push(c);
  }
  var sources = Object.keys(d.leads_by_source).map(function (k) {
    return { name: d.labels.source[k] || k, value: d.leads_by_source[k] };
  });
  // Names in the legend (with the count), counts inside the ring: no label is ever cut at the edge.
  var counts = {};
  sources.forEach(function (s) { counts[s.name] = s.value; });
  chart("chart-sources", { legend: { bottom: 0, formatter: function (name) { return name + " " + counts[name]; } },
    series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "42%"], data: sources,
      label: { position: "inside", formatter: function (p) { return p.value ? String(p.value) : ""; }, color: "#fff", fontWeight: 600 } }] });
  var stages = Object.keys(d.cases_by_stage);
  // Horizontal bars: every stage name on its own line, however long.
  chart("chart-stages", { tooltip: { trigger: "axis" }, grid: { left: 10, right: 30, top: 10, bottom: 20, containLabel: true },
    yAxis: { type: "category", inverse: true, data: stages.map(function (k) { return d.labels.stage[k] || k; }), axisLabel: { interval: 0 } },
    xAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: stages.map(function (k) { return d.cases_by_stage[k]; }), itemStyle: { color: "#b3261e" },
      label: { show: true, position: "right" } }] });
  var t = d.trend;
  chart("chart-trend", { tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 40, top: 40, bottom: 30 },
    xAxis: { type: "category", data: t.weeks }, yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, name: T("矿机", "rigs") }],
    series: [
      { name: T("新增线索", "Leads"), type: "line", data: t.leads },
      { name: T("立案", "Cases filed"), type: "line", data: t.cases },
      { name: T("处罚决定", "Decisions"), type: "line", data: t.decisions },
      { name: T("列入失信名单", "Blacklisted"), type: "line", data: t.listings },
      { name: T("查扣矿机（台）", "Rigs seized"), type: "bar", yAxisIndex: 1, data: t.rigs_seized, itemStyle: { opacity: 0.5 } }
    ] });
  var rows = d.by_league;
  chart("chart-leagues", { tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 60 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: T("线索", "Leads"), type: "bar", data: rows.map(function (r) { return r.leads; }) },
      { name: T("案件", "Cases"), type: "bar", data: rows.map(function (r) { return r.cases; }) },
      { name: T("逾期任务", "Overdue tasks"), type: "bar", data: rows.map(function (r) { return r.overdue_tasks; }) },
      { name: T("移送", "Referrals"), type: "bar", data: rows.map(function (r) { return r.referrals; }) },
      { name: T("失信名单", "Blacklisted"), type: "bar", data: rows.map(function (r) { return r.listed; }) }
    ] });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute("data-charts", String(charts.length));
})();
