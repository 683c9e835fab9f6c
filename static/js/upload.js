// Photos on mobile data. Forms with large 添加照片 tiles (templates/includes/photo_field.html):
//  - shows the chosen photos as tiles before anything is sent;
//  - makes each photo smaller on the phone (long side at most 1600 px, JPEG of about 300 KB)
//    instead of sending a 6 MB original over a slow line; the server still checks and
//    re-encodes whatever arrives;
//  - sends the form with a progress bar and the send button disabled until the answer;
//  - on an error page keeps what was typed and the chosen photos, shows the new errors.
// Progressive enhancement: without this file the form posts the originals as before.
(function () {
  "use strict";

  var MAX_SIDE = 1600;
  var TARGET_BYTES = 300 * 1024;
  var QUALITIES = [0.82, 0.72, 0.62, 0.52];
  var RESIZABLE = /^image\/(jpeg|png|webp)$/;

  // ---- tiles -------------------------------------------------------------------------------
  function fieldOf(input) {
    return input.closest ? input.closest("[data-photo-field]") : null;
  }

  function tilesOf(input) {
    var field = fieldOf(input);
    return field ? field.querySelector("[data-photo-tiles]") : null;
  }

  function showTiles(input) {
    var list = tilesOf(input);
    if (!list) return;
    Array.prototype.slice.call(list.querySelectorAll("[data-chosen]")).forEach(function (li) {
      list.removeChild(li);
    });
    var add = list.querySelector(".photo-tiles__add");
    var max = parseInt(input.getAttribute("data-max") || "4", 10);
    var files = Array.prototype.slice.call(input.files || []);
    files.slice(0, max).forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "photo-tiles__item";
      item.setAttribute("data-chosen", "");
      if (/^image\//.test(file.type)) {
        var img = document.createElement("img");
        img.alt = "已选择的第" + (index + 1) + "张：" + file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        item.appendChild(img);
      } else {
        var name = document.createElement("span");
        name.className = "photo-tiles__file";
        name.textContent = file.name;
        item.appendChild(name);
      }
      list.insertBefore(item, add);
    });
    if (files.length > max) {
      var warning = document.createElement("li");
      warning.className = "photo-tiles__warning";
      warning.setAttribute("data-chosen", "");
      warning.setAttribute("role", "alert");
      warning.textContent = "最多" + max + "个，请重新选择。";
      list.appendChild(warning);
    }
    var label = add && add.querySelector("label");
    if (label) {
      var text = label.getAttribute("data-text") || "";
      label.lastChild.textContent = files.length ? text.replace(/^添加/, "换") : text;
    }
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-photo-field]"), function (field) {
      field.classList.add("photo-field--enhanced");
      var label = field.querySelector(".photo-tiles__add label");
      if (label && !label.hasAttribute("data-text")) label.setAttribute("data-text", label.lastChild.textContent);
      var input = field.querySelector("input[type=file]");
      if (input && input.files && input.files.length) showTiles(input);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "file" && fieldOf(input)) showTiles(input);
  });

  // ---- making photos smaller ---------------------------------------------------------------
  function decode(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url; // browsers draw it the right way up (EXIF orientation)
    });
  }

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function draw(img, side) {
    var width = img.naturalWidth;
    var height = img.naturalHeight;
    var scale = Math.min(1, side / Math.max(width, height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // transparent PNG areas become white, not black
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  // Lower the quality first, then the size, until the photo is about TARGET_BYTES.
  function shrink(img, side, round) {
    var canvas = draw(img, side);
    var attempt = function (index) {
      return toBlob(canvas, QUALITIES[index]).then(function (blob) {
        if (!blob) throw new Error("encode");
        if (blob.size <= TARGET_BYTES) return blob;
        if (index + 1 < QUALITIES.length) return attempt(index + 1);
        if (round < 4) return shrink(img, Math.round(side * 0.8), round + 1);
        return blob;
      });
    };
    return attempt(0);
  }

  function smaller(file) {
    if (!RESIZABLE.test(file.type)) return Promise.resolve(file);
    return decode(file).then(function (img) {
      var big = Math.max(img.naturalWidth, img.naturalHeight) > MAX_SIDE;
      if (!big && file.size <= TARGET_BYTES) return file;
      return shrink(img, MAX_SIDE, 0).then(function (blob) {
        if (!big && blob.size >= file.size) return file;
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      });
    }, function () {
      return file; // a format this browser cannot read: the server decides
    });
  }

  // ---- sending -----------------------------------------------------------------------------
  function statusOf(form) {
    var box = form.querySelector("[data-upload-status]");
    if (!box) {
      box = document.createElement("div");
      box.className = "upload-status";
      box.setAttribute("data-upload-status", "");
      box.setAttribute("role", "status");
      var text = document.createElement("p");
      text.className = "upload-status__text";
      var bar = document.createElement("progress");
      bar.className = "upload-status__bar";
      bar.max = 100;
      bar.setAttribute("aria-label", "上传进度");
      box.appendChild(text);
      box.appendChild(bar);
      var button = form.querySelector("button[type=submit], button:not([type])");
      form.insertBefore(box, button);
    }
    return box;
  }

  function say(form, text, percent, failed) {
    var box = statusOf(form);
    box.hidden = false;
    box.classList.toggle("upload-status--error", !!failed);
    box.querySelector(".upload-status__text").textContent = text;
    var bar = box.querySelector("progress");
    bar.hidden = percent === null;
    if (percent !== null) bar.value = percent;
  }

  function setBusy(form, busy) {
    form.toggleAttribute("data-sending", busy);
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type])"), function (button) {
      button.disabled = busy;
      if (busy) {
        button.setAttribute("data-label", button.textContent);
        button.textContent = "正在发送……";
      } else if (button.hasAttribute("data-label")) {
        button.textContent = button.getAttribute("data-label");
      }
    });
  }

  // The server answered with the form again (errors): put its form in place of ours, keep
  // the photos already chosen, and bring the first error into view.
  function showErrors(form, html, chosen) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var selector = form.id ? "#" + form.id : "form[data-upload]";
    var fresh = doc.querySelector(selector);
    if (!fresh) return false;
    fresh = document.importNode(fresh, true);
    form.parentNode.replaceChild(fresh, form);
    Object.keys(chosen).forEach(function (name) {
      var input = fresh.querySelector('input[type=file][name="' + name + '"]');
      if (!input || !window.DataTransfer) return;
      var transfer = new DataTransfer();
      chosen[name].forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    });
    enhance(fresh);
    var summary = fresh.querySelector("[data-error-summary]");
    if (summary) summary.scrollIntoView({ block: "start" });
    if (window.sanyuanFocusFirstError) window.sanyuanFocusFirstError(fresh);
    return true;
  }

  function send(form, data, chosen) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Upload", "1");
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) return;
      var percent = Math.round((event.loaded / event.total) * 100);
      var kb = Math.round(event.total / 1024);
      say(form, "正在上传（共 " + kb + " KB）" + percent + "%，请不要离开本页", percent);
    };
    xhr.onload = function () {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (xhr.status === 200 && type.indexOf("application/json") === 0) {
        say(form, "已发送，正在打开……", 100);
        window.location.assign(JSON.parse(xhr.responseText).location);
        return;
      }
      if (type.indexOf("text/html") === 0 && xhr.status < 500 && showErrors(form, xhr.responseText, chosen)) return;
      setBusy(form, false);
      say(form, xhr.status === 413 ? "照片太大，请少选几张再发送。" : "发送没有成功，请稍后再试。", null, true);
    };
    xhr.onerror = xhr.ontimeout = function () {
      setBusy(form, false);
      say(form, "网络不好，没有发出去。填写的内容还在，请稍后再点一次。", null, true);
    };
    xhr.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload") || event.defaultPrevented) return;
    if (!window.FormData || !window.XMLHttpRequest || !window.Promise) return;
    event.preventDefault();
    if (form.hasAttribute("data-sending")) return;
    var data = new FormData(form);
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    var chosen = {};
    var hasFiles = inputs.some(function (input) { return input.files && input.files.length; });
    setBusy(form, true);
    say(form, hasFiles ? "正在压缩照片……" : "正在发送……", hasFiles ? null : 0);
    var jobs = inputs.map(function (input) {
      var files = Array.prototype.slice.call(input.files || []);
      chosen[input.name] = files;
      return Promise.all(files.map(smaller)).then(function (ready) {
        data.delete(input.name);
        ready.forEach(function (file) { data.append(input.name, file, file.name); });
      });
    });
    Promise.all(jobs).then(function () {
      send(form, data, chosen);
    }, function () {
      send(form, new FormData(form), chosen);
    });
  });

  enhance(document);
})();
