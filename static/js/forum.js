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

  // Show the photos chosen for a post before it is sent.
  function showPreviews(input) {
    var list = input.parentNode.querySelector(".forum-previews");
    if (!list) {
      list = document.createElement("ul");
      list.className = "forum-previews";
      input.parentNode.insertBefore(list, input.nextSibling);
    }
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    var max = parseInt(input.getAttribute("data-max") || "4", 10);
    var files = Array.prototype.slice.call(input.files || []);
    files.slice(0, max).forEach(function (file) {
      if (!/^image\//.test(file.type)) {
        return;
      }
      var item = document.createElement("li");
      var img = document.createElement("img");
      img.alt = "已选择的图片：" + file.name;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      item.appendChild(img);
      list.appendChild(item);
    });
    if (files.length > max) {
      var warning = document.createElement("li");
      warning.className = "forum-previews__warning";
      warning.textContent = "最多上传" + max + "张，请重新选择。";
      list.appendChild(warning);
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max]")) {
      showPreviews(input);
    }
  });
})();
