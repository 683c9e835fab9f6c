// Study time: counts the seconds the article is visible, reports them every 30 s and when
// the page is hidden (fetch with keepalive, or navigator.sendBeacon), and marks the article
// finished once its end has been reached after a minimum reading time. Progressive
// enhancement: without this file the 我已学完 button still works.
(function () {
  "use strict";
  var root = document.querySelector("[data-study-url]");
  if (!root) return;
  var url = root.getAttribute("data-study-url");
  var minSeconds = parseInt(root.getAttribute("data-finish-min-seconds"), 10) || 10;
  var finished = root.getAttribute("data-finished") === "1";
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = tokenInput ? tokenInput.value : "";
  var status = root.querySelector("[data-study-status]");
  var finishForm = root.querySelector("[data-study-finish-form]");
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var pendingMs = 0;
  var visibleMs = 0;
  var reachedEnd = false;
  var finishTimer = null;

  function accumulate() {
    if (visibleSince !== null) {
      var now = Date.now();
      pendingMs += now - visibleSince;
      visibleMs += now - visibleSince;
      visibleSince = now;
    }
  }

  function body(seconds, finishing) {
    var data = new FormData();
    data.append("seconds", String(seconds));
    if (finishing) data.append("finished", "true");
    data.append("csrfmiddlewaretoken", csrf);
    return data;
  }

  // With app.js, reports go through its outbox: kept on the phone while offline and sent
  // once (with an Idempotency-Key) when the network returns.
  function sendThroughOutbox(outbox, seconds, finishing) {
    var pairs = [["seconds", String(seconds)], ["csrfmiddlewaretoken", csrf]];
    if (finishing) pairs.push(["finished", "true"]);
    var id = outbox.enqueue(url, pairs, { study: seconds, finished: finishing, label: "学习记录" });
    if (!id) return false;
    if (finishing && navigator.onLine === false && status) {
      status.textContent = "已读到结尾，联网后自动记入学习记录";
      if (finishForm) finishForm.hidden = true;
    }
    outbox.flush().then(function () {
      if (finishing && !outbox.has(id)) markFinished();
    });
    return true;
  }

  function send(leaving, finishing) {
    accumulate();
    var seconds = Math.min(Math.floor(pendingMs / 1000), 300);
    if (!seconds && !finishing) return;
    pendingMs -= seconds * 1000;
    if (window.sanyuanOutbox && sendThroughOutbox(window.sanyuanOutbox, seconds, finishing)) return;
    var data = body(seconds, finishing);
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(url, data);
      return;
    }
    var request = fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrf, Accept: "application/json" }
    });
    if (finishing) {
      request.then(function (response) {
        if (response.ok) markFinished();
        else finished = false;
      }).catch(function () { finished = false; });
    }
  }

  function markFinished() {
    if (status) status.textContent = "✓ 已学完，已记入学习记录";
    if (finishForm) finishForm.hidden = true;
    root.setAttribute("data-finished", "1");
  }

  function maybeFinish() {
    finishTimer = null;
    if (finished || !reachedEnd) return;
    accumulate();
    var remaining = minSeconds * 1000 - visibleMs;
    if (remaining > 0) {
      if (status) status.textContent = "再阅读 " + Math.ceil(remaining / 1000) + " 秒即可记为学完";
      finishTimer = window.setTimeout(maybeFinish, Math.min(remaining, 1000) + 50);
      return;
    }
    finished = true;
    send(false, true);
  }

  var end = root.querySelector("[data-study-end]");
  if (end && "IntersectionObserver" in window && !finished) {
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          reachedEnd = true;
          if (!finishTimer) maybeFinish();
        }
      });
    }).observe(end);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      send(true, false);
      visibleSince = null;
    } else {
      visibleSince = Date.now();
    }
  });
  window.addEventListener("pagehide", function () { send(true, false); });
  window.setInterval(function () {
    if (document.visibilityState === "visible") send(false, false);
  }, 30000);
})();
