/* Import progress: poll the job's status and update the page while the job runs.
 *
 * Progressive enhancement: without JavaScript the page has a "Refresh" link. With it, the
 * status (in an aria-live="polite" region) and the progress log update every few seconds,
 * and when the job finishes the link to its report appears.
 */
(function () {
  "use strict";

  var TAGS = {
    queued: "govuk-tag--grey",
    running: "govuk-tag--blue",
    succeeded: "govuk-tag--green",
    failed: "govuk-tag--red"
  };
  var INTERVAL = 2000;
  var MAX_INTERVAL = 30000;

  function init(root) {
    var url = root.getAttribute("data-status-url");
    if (!url || root.getAttribute("data-finished") === "true" || !window.fetch) {
      return;
    }
    var tag = root.querySelector("[data-job-status-tag]");
    var summary = root.querySelector("[data-job-summary]");
    var list = root.querySelector("[data-job-messages]");
    var report = root.querySelector("[data-job-report]");
    var refresh = root.querySelector("[data-job-refresh]");
    var auto = root.querySelector("[data-job-auto]");
    var delay = INTERVAL;
    var lastStatus = null;

    if (refresh) { refresh.hidden = true; }
    if (auto) { auto.hidden = false; }

    function render(data) {
      if (tag && data.status !== lastStatus) {
        Object.keys(TAGS).forEach(function (k) { tag.classList.remove(TAGS[k]); });
        tag.classList.add(TAGS[data.status] || "govuk-tag--grey");
        tag.textContent = data.status_label;
        lastStatus = data.status;
      }
      if (list && data.messages.length !== list.children.length) {
        var items = document.createDocumentFragment();
        data.messages.forEach(function (m) {
          var li = document.createElement("li");
          var time = document.createElement("time");
          time.setAttribute("datetime", m.at);
          time.textContent = m.time;
          li.appendChild(time);
          li.appendChild(document.createTextNode(" " + m.message));
          items.appendChild(li);
        });
        list.replaceChildren(items);
      }
      if (summary) {
        var text = data.finished ? data.summary :
          (data.messages.length ? data.messages[data.messages.length - 1].message : "");
        if (summary.textContent !== text) { summary.textContent = text; }
      }
      if (data.finished) {
        document.title = document.title.replace(/: [a-z]+ –/, ": " + data.status_label.toLowerCase() + " –");
        if (report) {
          var link = report.querySelector("a");
          if (link && data.report_url) { link.setAttribute("href", data.report_url); }
          report.hidden = false;
        }
        if (auto) { auto.hidden = true; }
      }
    }

    function poll() {
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (data) {
          delay = INTERVAL;
          render(data);
          if (!data.finished) { window.setTimeout(poll, delay); }
        })
        .catch(function () {
          // keep trying, less often; the Refresh link is there if it never comes back
          delay = Math.min(delay * 2, MAX_INTERVAL);
          if (refresh) { refresh.hidden = false; }
          window.setTimeout(poll, delay);
        });
    }

    window.setTimeout(poll, delay);
  }

  document.querySelectorAll("[data-dsvb-import-progress]").forEach(init);
})();
