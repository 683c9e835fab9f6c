// The printable letter: the toolbar's button prints (no inline script under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
