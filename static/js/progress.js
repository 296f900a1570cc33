// Polls a background job's progress (an import, a proposal round) and moves on to its page
// when the job ends. The <progress> element says where to ask (data-status-url), which field
// of the answer names the step (data-label-key, shown in #data-label-id), the status while the
// job runs (data-running), and optionally where to write the percentage (data-percent-id).
(function () {
  document.querySelectorAll("progress[data-status-url]").forEach(function (bar) {
    var label = document.getElementById(bar.dataset.labelId);
    var percent = bar.dataset.percentId && document.getElementById(bar.dataset.percentId);
    function poll() {
      fetch(bar.dataset.statusUrl, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (d) {
          bar.value = d.percent; bar.textContent = d.percent + "%";
          if (percent) { percent.textContent = d.percent + "%"; }
          if (label) { label.textContent = d[bar.dataset.labelKey]; }
          if (d.status === bar.dataset.running) { setTimeout(poll, 1500); } else { window.location = d.url; }
        });
    }
    setTimeout(poll, 1500);
  });
})();
