// Live progress for background jobs: every element with data-job-status-url is polled (plain fetch, no
// library) until the job finishes. On success or cancellation the page goes to data-done-url if given;
// otherwise the bar just shows the end state. Failure shows the job's bilingual error. The cancel
// button hides once the job is asked to stop.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function update(box, data) {
    var bar = box.querySelector("progress");
    var percent = box.querySelector(".job-percent");
    var badge = box.querySelector(".job-status");
    var message = box.querySelector(".job-message");
    var error = box.querySelector(".job-error");
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (percent) { percent.textContent = data.percent + "%"; }
    if (badge) { badge.textContent = data.status_display; badge.className = "badge job-status job-" + data.status; }
    if (message) { message.textContent = data.message; }
    if (error) { error.textContent = data.error || ""; error.hidden = !data.error; }
    var cancel = box.querySelector(".job-cancel");
    if (cancel && (data.finished || data.cancel_requested)) { cancel.hidden = true; }
    box.setAttribute("data-status", data.status);
  }

  function poll(box) {
    var url = box.getAttribute("data-job-status-url");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        update(box, data);
        if (!data.finished) { setTimeout(function () { poll(box); }, POLL_MS); return; }
        var done = box.getAttribute("data-done-url");
        if ((data.status === "succeeded" || data.status === "cancelled") && done) { window.location.assign(done); }
      })
      .catch(function () { setTimeout(function () { poll(box); }, POLL_MS * 3); });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-job-status-url]");
    for (var i = 0; i < boxes.length; i++) {
      var state = boxes[i].getAttribute("data-status");
      if (state === "queued" || state === "running") { poll(boxes[i]); }
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
