// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary (or the duplicate warning) so it is read out first.
  var first = document.getElementById("error-summary") || document.getElementById("duplicates");
  if (first) { first.focus(); }
  // One submission per click: slow links must not create the same record twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () { form.dataset.sent = ""; }, 10000);
  });
})();
