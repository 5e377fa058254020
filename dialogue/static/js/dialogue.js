// Enhancements only: every task works without this file.
(function () {
  "use strict";

  // Print buttons are hidden until a script can make them work.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // A second click while the form is being sent does nothing (the server also stores one).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "language") { return; }
      if (form.dataset.submitting === "true") { event.preventDefault(); return; }
      form.dataset.submitting = "true";
      window.setTimeout(function () { form.dataset.submitting = "false"; }, 10000);
    });
  });
})();
