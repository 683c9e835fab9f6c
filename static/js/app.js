// Progressive enhancement only: every page works without this file (and without service
// workers, as in WeChat's in-app browser).
//  - registers the service worker (/sw.js) that keeps pages for offline reading;
//  - tells it who is signed in, and to forget everybody once nobody is (logout);
//  - the outbox: replies and study time made offline are kept on the phone (per person)
//    and sent when the network returns, each with an Idempotency-Key so that a resend after
//    a lost answer is not counted twice;
//  - shows a line at the top while offline, and what is waiting to be sent.
(function () {
  "use strict";

  var ANONYMOUS = "anon";
  var STORE_PREFIX = "sanyuan-outbox:";
  var LARGE_TEXT = "sanyuan-large-text";
  var CHECKIN_PREFIX = "sanyuan-checkin:";
  var MAX_STUDY_SECONDS = 300;

  function meta(name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    return tag ? tag.getAttribute("content") : null;
  }

  var person = meta("offline-key"); // null on pages that belong to nobody (offline page)
  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem("sanyuan-probe", "1");
    storage.removeItem("sanyuan-probe");
  } catch (err) {
    storage = null;
  }

  // ---- who is here -----------------------------------------------------------------------
  function forgetEverybody() {
    if (!storage) return;
    for (var i = storage.length - 1; i >= 0; i--) {
      var name = storage.key(i);
      if (name && (name.indexOf(STORE_PREFIX) === 0 || name === LARGE_TEXT ||
          name.indexOf(CHECKIN_PREFIX) === 0)) storage.removeItem(name);
    }
  }

  // The 报到码 secret (js/checkin.js) belongs to one person: another's goes.
  function forgetOthersCheckin(key) {
    for (var i = storage.length - 1; i >= 0; i--) {
      var name = storage.key(i);
      if (name && name.indexOf(CHECKIN_PREFIX) === 0 && name !== CHECKIN_PREFIX + key &&
          name !== CHECKIN_PREFIX + "who") storage.removeItem(name);
    }
    if (storage.getItem(CHECKIN_PREFIX + "who") !== null) storage.setItem(CHECKIN_PREFIX + "who", key);
  }

  if (person === ANONYMOUS) {
    forgetEverybody();
  } else if (person && storage) {
    forgetOthersCheckin(person);
    // Remembered for the offline page (which is the same for everybody).
    if (document.body.classList.contains("large-text")) storage.setItem(LARGE_TEXT, "1");
    else storage.removeItem(LARGE_TEXT);
  } else if (!person && storage && storage.getItem(LARGE_TEXT) === "1") {
    document.documentElement.classList.add("large-text");
    document.body.classList.add("large-text");
  }

  // ---- the outbox ------------------------------------------------------------------------
  function storeName() {
    return person && person !== ANONYMOUS ? STORE_PREFIX + person : null;
  }

  function load() {
    var name = storeName();
    if (!storage || !name) return [];
    try {
      return JSON.parse(storage.getItem(name) || "[]");
    } catch (err) {
      return [];
    }
  }

  function save(items) {
    var name = storeName();
    if (!storage || !name) return;
    if (items.length) storage.setItem(name, JSON.stringify(items));
    else storage.removeItem(name);
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function csrfToken() {
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function pairsOf(form) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "submit") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  var sending = false;
  // Only what was kept on the phone for lack of a network is announced: study time sent
  // online also goes through the outbox, and must not claim to have been offline.
  var sentThisPage = 0;
  var failedThisPage = 0;

  // Queue one POST. `study` items for the same address are added together (up to the most
  // the server accepts in one report) so that time read offline is not capped per report.
  function enqueue(url, pairs, options) {
    options = options || {};
    var items = load();
    if (!storeName()) return null;
    if (options.study) {
      var seconds = Number(options.study) || 0;
      for (var i = 0; i < items.length && seconds > 0; i++) {
        var item = items[i];
        // Never into one already tried: its key may have been counted with the old figure.
        if (item.study && item.url === url && !item.tried && item.study < MAX_STUDY_SECONDS) {
          var add = Math.min(seconds, MAX_STUDY_SECONDS - item.study);
          item.study += add;
          if (navigator.onLine === false) item.offline = true;
          seconds -= add;
          item.pairs = item.pairs.map(function (pair) {
            return pair[0] === "seconds" ? ["seconds", String(item.study)] : pair;
          });
        }
      }
      if (seconds <= 0 && !options.finished) {
        save(items);
        showStatus();
        return "merged";
      }
      pairs = pairs.map(function (pair) {
        return pair[0] === "seconds" ? ["seconds", String(seconds)] : pair;
      });
      options.study = seconds;
    }
    var id = newKey();
    items.push({
      id: id,
      url: url,
      pairs: pairs,
      label: options.label || "",
      study: options.study || 0,
      offline: navigator.onLine === false,
      at: Date.now()
    });
    save(items);
    showStatus();
    return id;
  }

  function markTried(id, offline) {
    save(load().map(function (item) {
      if (item.id === id) {
        item.tried = true;
        if (offline) item.offline = true;
      }
      return item;
    }));
  }

  function sendOne(item) {
    var body = new URLSearchParams();
    var token = csrfToken();
    item.pairs.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" ? token : pair[1]);
    });
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      keepalive: true,
      headers: { "Idempotency-Key": item.id, "X-CSRFToken": token, Accept: "application/json" }
    }).then(function (response) {
      // An answer (a redirect after a form counts): done. 409 = still running elsewhere,
      // 429/5xx = try later. Other refusals (400, 403, 404) will not change: drop it.
      var status = response.status;
      if (response.type === "opaqueredirect" || (status >= 200 && status < 400)) return "sent";
      if (status === 409 || status === 429 || status >= 500) return "later";
      return "refused";
    }, function () {
      return "offline";
    });
  }

  function fromThisPage(url) {
    return Array.prototype.some.call(
      document.querySelectorAll("form[data-offline-queue]"),
      function (form) { return form.action === url; }
    );
  }

  function drop(id) {
    save(load().filter(function (item) { return item.id !== id; }));
  }

  function flushNow() {
    if (sending) return Promise.resolve();
    var items = load();
    if (!items.length) return Promise.resolve();
    sending = true;
    var sentHere = false;
    var next = function (index) {
      var queue = load();
      if (index >= queue.length) return Promise.resolve();
      var item = queue[index];
      markTried(item.id);
      return sendOne(item).then(function (outcome) {
        if (outcome === "sent" || outcome === "refused") {
          drop(item.id);
          if (outcome === "sent" && item.offline) sentThisPage += 1;
          else if (outcome === "refused") failedThisPage += 1;
          if (outcome === "sent" && fromThisPage(item.url)) sentHere = true;
          return next(index);
        }
        if (outcome === "offline") markTried(item.id, true); // it waits for the network
        return undefined; // offline or later: keep the rest for the next try
      });
    };
    return next(0).then(function () {
      sending = false;
      showStatus();
      // A reply made on this page went through: show the page as the server now has it.
      if (sentHere) window.location.reload();
    }, function () {
      sending = false;
    });
  }

  // One tab at a time sends (the key makes a second send harmless, this makes it rare).
  function flush() {
    if (!storeName() || navigator.onLine === false) return Promise.resolve();
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("sanyuan-outbox", flushNow);
    }
    return flushNow();
  }

  // ---- the line at the top -----------------------------------------------------------------
  var bar = document.querySelector("[data-netbar]");
  function showStatus() {
    if (!bar) return;
    var items = load();
    var waiting = items.length;
    var waitingOffline = items.filter(function (item) { return item.offline; }).length;
    var text = "";
    if (navigator.onLine === false) {
      text = "当前没有网络：显示的是手机上保存的内容。";
      if (waiting) text += "有 " + waiting + " 条记录待发送，联网后自动提交。";
    } else if (waitingOffline) {
      text = "有 " + waitingOffline + " 条离线记录正在发送……";
    } else if (sentThisPage) {
      text = "离线时的 " + sentThisPage + " 条记录已发送。";
    }
    if (failedThisPage) text += " 有 " + failedThisPage + " 条记录未被接受，请重新操作。";
    bar.textContent = text;
    bar.hidden = !text;
    bar.classList.toggle("netbar--offline", navigator.onLine === false);
  }

  // Forms marked data-offline-queue are kept in the outbox when submitted offline.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-offline-queue")) return;
    if (navigator.onLine !== false || event.defaultPrevented || !storeName()) return;
    event.preventDefault();
    var label = form.getAttribute("data-offline-queue") || "";
    enqueue(form.action, pairsOf(form), { label: label });
    var note = form.parentNode.querySelector("[data-offline-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "offline-note";
      note.setAttribute("data-offline-note", "");
      note.setAttribute("role", "status");
      form.parentNode.insertBefore(note, form);
    }
    note.textContent = "已保存" + (label ? "“" + label + "”" : "") + "，联网后自动提交。";
  });

  window.addEventListener("online", function () {
    // The offline page stands in for a page the phone did not have: fetch the real one.
    if (document.querySelector("[data-offline-list]")) window.location.reload();
    flush();
    showStatus();
  });
  window.addEventListener("offline", showStatus);
  window.setInterval(function () { if (load().length) flush(); }, 30000);

  window.sanyuanOutbox = {
    enqueue: enqueue,
    flush: flush,
    pending: function () { return load().length; },
    has: function (id) {
      return load().some(function (item) { return item.id === id; });
    }
  };

  // ---- the service worker ------------------------------------------------------------------
  function tellWorker(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  function renderOfflineList(list) {
    var target = document.querySelector("[data-offline-list]");
    if (!target || !("serviceWorker" in navigator)) return;
    tellWorker({ type: "list" }).then(function (items) {
      items = (items || []).filter(function (item) { return item.url !== "/offline/"; });
      if (!items.length) return;
      target.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "list__item";
        var a = document.createElement("a");
        a.className = "list__link";
        a.href = item.url;
        a.textContent = item.title.replace(/ · 同心三原 流动e家$/, "");
        li.appendChild(a);
        target.appendChild(li);
      });
      var empty = document.querySelector("[data-offline-empty]");
      if (empty) empty.hidden = true;
      target.hidden = false;
    });
  }

  // 省流量 (Data Saver): no fetching ahead; pages read are still kept.
  function saveData() {
    return !!(navigator.connection && navigator.connection.saveData);
  }

  var swUrl = meta("sw-url");
  if ("serviceWorker" in navigator && swUrl) {
    navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () {
      if (person === ANONYMOUS) {
        tellWorker({ type: "logout" });
      } else if (person && navigator.onLine !== false && !saveData()) {
        tellWorker({ type: "warm" });
      }
      renderOfflineList();
    }).catch(function () { /* pages still work online */ });
  }

  // ---- form errors ---------------------------------------------------------------------------
  // A form answered with errors: the cursor goes to the first field to change (the summary at
  // the top lists them all); the browser scrolls it into view below the fixed top bar.
  function focusFirstError(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (!summary) return;
    var field = root.querySelector('[aria-invalid="true"], .field--error input, .field--error select, .field--error textarea');
    (field || summary).focus();
  }
  window.sanyuanFocusFirstError = focusFirstError;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); });
  } else {
    focusFirstError(document);
  }

  showStatus();
  if (document.readyState === "complete") flush();
  else window.addEventListener("load", function () { flush(); });
})();
