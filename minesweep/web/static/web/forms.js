/* Keep what a person typed when the server refuses a form. Pages that answer a refused post with a redirect
   and an error message (the case page) would otherwise come back empty: each post form's fields are kept
   in this tab's sessionStorage on submit and put back only when the next page shows an error. Files cannot
   be put back; the form then says plainly that they must be chosen again. Passwords are never kept. */
(function () {
  "use strict";
  var PREFIX = "minesweep.form:";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }
  var lang = (document.documentElement.lang || "").indexOf("en") === 0;
  var AGAIN = lang ? "Not saved: choose the file(s) again." : "未保存：请重新选择文件。";

  function keyOf(form) { return PREFIX + (form.getAttribute("action") || window.location.pathname) + "#" + (form.id || ""); }
  function keepable(el) {
    var type = (el.type || "").toLowerCase();
    return el.name && el.name !== "csrfmiddlewaretoken" && type !== "password" && type !== "hidden" && type !== "file" &&
      type !== "submit" && type !== "button";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || (form.method || "").toLowerCase() !== "post") { return; }
    var saved = { fields: {}, files: [] };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "file" && el.files && el.files.length) { saved.files.push(el.name); return; }
      if (!keepable(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) { (saved.fields[el.name] = saved.fields[el.name] || []).push(el.value); } return; }
      saved.fields[el.name] = [el.value];
    });
    store.setItem(keyOf(form), JSON.stringify(saved));
  }, true);

  var refused = document.querySelector(".messages li.error, .error-box[role=alert], [role=alert].error");
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post], form[method=POST]"), function (form) {
    var key = keyOf(form), raw = store.getItem(key);
    if (!raw) { return; }
    store.removeItem(key);
    if (!refused) { return; }
    var saved = JSON.parse(raw);
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = saved.fields[el.name];
      if (el.type === "file" && saved.files.indexOf(el.name) >= 0) {
        var note = document.createElement("div");
        note.className = "error";
        note.setAttribute("role", "alert");
        note.textContent = AGAIN;
        el.insertAdjacentElement("afterend", note);
        return;
      }
      if (!values || !keepable(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values.indexOf(el.value) >= 0; return; }
      el.value = values[0];
    });
    var details = form.closest("details");
    if (details) { details.open = true; }
    form.setAttribute("data-restored", "1");
  });
})();
