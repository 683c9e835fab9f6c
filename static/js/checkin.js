// The arrival card (我的 → 报到二维码): progressive enhancement of templates/members/my_qr.html
// and of the offline page.
//  - online: a visible clock for the QR code, and a fresh code fetched before it lapses;
//  - the first time, the phone asks for its own 报到码 secret (handed over once) and keeps it
//    under the member's offline key; app.js forgets it when nobody is signed in;
//  - offline (no network, or the page shown for /me/qr/ by the service worker): the 6-digit
//    报到码 (RFC 6238 TOTP, HMAC-SHA1, ten-minute steps) computed here, with its own clock.
(function () {
  "use strict";

  var PREFIX = "sanyuan-checkin:";
  var WHO = "sanyuan-checkin:who";
  var REFRESH_BEFORE = 30; // seconds before the QR code lapses

  var storage = null;
  try { storage = window.localStorage; } catch (err) { storage = null; }

  function meta(name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    return tag ? tag.getAttribute("content") : null;
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function spoken(seconds) {
    var m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
    return (m ? m + "分" : "") + s + "秒";
  }

  // ---- TOTP ------------------------------------------------------------------------------
  function base32(text) {
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    var bits = 0, value = 0, out = [];
    text.replace(/=+$/, "").toUpperCase().split("").forEach(function (ch) {
      value = (value << 5) | alphabet.indexOf(ch);
      bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    });
    return new Uint8Array(out);
  }

  function totp(secret, step, digits) {
    var counter = new Uint8Array(8);
    var high = Math.floor(step / 4294967296), low = step >>> 0;
    new DataView(counter.buffer).setUint32(0, high);
    new DataView(counter.buffer).setUint32(4, low);
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) return Promise.reject(new Error("no SubtleCrypto"));
    return subtle.importKey("raw", base32(secret), { name: "HMAC", hash: "SHA-1" }, false, ["sign"])
      .then(function (key) { return subtle.sign("HMAC", key, counter); })
      .then(function (signature) {
        var h = new Uint8Array(signature);
        var offset = h[h.length - 1] & 15;
        var number = ((h[offset] & 127) << 24) | (h[offset + 1] << 16) | (h[offset + 2] << 8) | h[offset + 3];
        var code = String(number % Math.pow(10, digits));
        while (code.length < digits) code = "0" + code;
        return code;
      });
  }

  // ---- the phone's secret ----------------------------------------------------------------
  function load(key) {
    if (!storage || !key) return null;
    try { return JSON.parse(storage.getItem(PREFIX + key) || "null"); } catch (err) { return null; }
  }

  function csrfToken() {
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function ensureSecret(card, key) {
    var kept = load(key);
    if (kept || !storage || !key || key === "anon") return Promise.resolve(kept);
    return fetch(card.getAttribute("data-secret-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (!response.ok) return null;
      return response.json().then(function (data) {
        var entry = {
          secret: data.secret, step: data.step, digits: data.digits,
          name: card.getAttribute("data-name") || ""
        };
        storage.setItem(PREFIX + key, JSON.stringify(entry));
        storage.setItem(WHO, key);
        return entry;
      });
    }).catch(function () { return null; });
  }

  // ---- the offline 报到码 ----------------------------------------------------------------
  function showCode(box, entry) {
    if (!box || !entry) return;
    box.hidden = false;
    var codeEl = box.querySelector("[data-checkin-code]");
    var clockEl = box.querySelector("[data-checkin-clock]");
    var nameEl = box.querySelector("[data-checkin-name]");
    if (nameEl && entry.name) nameEl.textContent = entry.name;
    var shownStep = null;
    function tick() {
      var now = Date.now() / 1000;
      var step = Math.floor(now / entry.step);
      var left = entry.step - (now % entry.step);
      clockEl.textContent = clock(left);
      clockEl.setAttribute("aria-label", "还剩" + spoken(left));
      if (step === shownStep) return;
      shownStep = step;
      totp(entry.secret, step, entry.digits).then(function (code) {
        codeEl.textContent = code.slice(0, 3) + " " + code.slice(3);
        codeEl.setAttribute("aria-label", "报到码 " + code.split("").join(" "));
      }, function () {
        codeEl.textContent = "此手机无法显示报到码，请联网后出示二维码。";
      });
    }
    tick();
    if (!box.hasAttribute("data-ticking")) {
      box.setAttribute("data-ticking", "");
      window.setInterval(tick, 1000);
    }
  }

  // ---- the online card -------------------------------------------------------------------
  function runCard(card) {
    var key = meta("offline-key");
    var box = document.querySelector("[data-checkin]");
    var clockEl = card.querySelector("[data-qr-clock]");
    var codeEl = card.querySelector("[data-qr-code]");
    var seconds = Number(card.getAttribute("data-seconds")) || 600;
    var expiresAt = Date.now() + seconds * 1000;
    var fetching = false;
    var entryPromise = ensureSecret(card, key);
    if (key && storage) storage.setItem(WHO, key);

    function goneOffline() {
      entryPromise.then(function (entry) { showCode(box, entry); });
    }

    function refresh() {
      if (fetching) return;
      fetching = true;
      fetch(card.getAttribute("data-card-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          codeEl.innerHTML = data.svg; // our own server's SVG of the QR code
          expiresAt = Date.now() + data.seconds * 1000;
          card.classList.remove("qr-card--expired");
          if (box && navigator.onLine !== false) box.hidden = true;
        }, goneOffline)
        .then(function () { fetching = false; });
    }

    function tick() {
      var left = (expiresAt - Date.now()) / 1000;
      clockEl.textContent = clock(left);
      clockEl.setAttribute("aria-label", "还剩" + spoken(Math.max(0, left)));
      if (left <= 0) card.classList.add("qr-card--expired");
      if (left <= REFRESH_BEFORE) refresh();
    }
    tick();
    window.setInterval(tick, 1000);
    window.addEventListener("offline", goneOffline);
    if (navigator.onLine === false) goneOffline();
  }

  // ---- the offline page standing in for /me/qr/ -----------------------------------------
  function runOffline() {
    var box = document.querySelector("[data-checkin]");
    if (!box || !storage || window.location.pathname !== box.getAttribute("data-path")) return;
    var entry = load(storage.getItem(WHO));
    if (!entry) return;
    var missing = document.querySelector("[data-offline-missing]");
    if (missing) missing.hidden = true;
    showCode(box, entry);
  }

  function start() {
    var card = document.querySelector("[data-qr-card]");
    if (card) runCard(card);
    else runOffline();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
