/* Sortable tables: a <table class="sortable"> whose <th data-sort="text|num"> headings become buttons.
   A cell's data-value (else its text) is the sort key. Keyboard operable; aria-sort tells the order. */
(function () {
  "use strict";
  function key(cell, numeric) {
    var raw = cell ? (cell.getAttribute("data-value") || cell.textContent.trim()) : "";
    return numeric ? (parseFloat(raw) || 0) : raw;
  }
  function sortBy(table, th, index) {
    var numeric = th.getAttribute("data-sort") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      var order = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang || "zh");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  // A scrolling table box must be reachable by keyboard (arrow keys scroll it once focused).
  document.querySelectorAll(".table-wrap, .ov-scroll").forEach(function (box) {
    if (!box.hasAttribute("tabindex")) { box.tabIndex = 0; }
  });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th[data-sort]").forEach(function (th) {
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, index); });
    });
  });
})();

/* Forms with data-confirm ask before an action that is hard to undo (merge, …). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
