// Pins whose images are still being processed show a placeholder; reload the page a few times
// until the worker has made their renditions, so a new pin fills in without a manual refresh.
(function () {
  "use strict";
  var MAX_RELOADS = 15;
  var pending = document.querySelector('[data-status="queued"], [data-status="processing"]');
  if (!pending) {
    sessionStorage.removeItem("catalog-reloads");
    return;
  }
  var reloads = Number(sessionStorage.getItem("catalog-reloads") || "0");
  if (reloads >= MAX_RELOADS) {
    return;
  }
  window.setTimeout(function () {
    sessionStorage.setItem("catalog-reloads", String(reloads + 1));
    window.location.reload();
  }, 2000);
})();
