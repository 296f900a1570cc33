// Polls the progress of a round being prepared and shows the round when it is ready.
(function () {
  var bar = document.getElementById("round-progress");
  if (!bar) { return; }
  function poll() {
    fetch(bar.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        bar.value = d.percent; bar.textContent = d.percent + "%";
        document.getElementById("round-percent").textContent = d.percent + "%";
        document.getElementById("round-stage").textContent = d.stage_label;
        if (d.status === "preparing") { setTimeout(poll, 1500); } else { window.location = d.url; }
      });
  }
  setTimeout(poll, 1500);
})();
