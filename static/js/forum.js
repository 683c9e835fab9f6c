// Forum pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  // Ask before destructive actions (forms carrying data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
