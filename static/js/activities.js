// Activity page, progressive enhancement only: 请假 in the reply bar opens the leave form
// and puts the cursor in the reason; an answer with an error puts it there too.
(function () {
  "use strict";
  var excuse = document.querySelector("[data-excuse]");
  if (!excuse) return;
  var reason = excuse.querySelector("textarea, input[name=reason]");

  function openExcuse() {
    excuse.open = true;
    excuse.scrollIntoView({ block: "start" });
    if (reason) reason.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-open-excuse]");
    if (!link) return;
    event.preventDefault();
    openExcuse();
  });

  // After load, so that nothing the browser does while loading moves it away again.
  if (excuse.querySelector(".field__error")) {
    if (document.readyState === "complete") openExcuse();
    else window.addEventListener("load", function () { window.setTimeout(openExcuse, 0); });
  }
})();
