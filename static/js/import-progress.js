// Polls the progress of a running import and moves on to its report when it ends.
(function () {
  var bar = document.getElementById("import-progress");
  if (!bar) { return; }
  function poll() {
    fetch(bar.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        bar.value = d.percent; bar.textContent = d.percent + "%";
        document.getElementById("import-status").textContent = d.status_label;
        if (d.status === "running") { setTimeout(poll, 1500); } else { window.location = d.url; }
      });
  }
  setTimeout(poll, 1500);
})();
