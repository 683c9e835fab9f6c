// 微信支付党费: open WeChat's payment sheet (WeixinJSBridge, inside WeChat's browser) with the
// parameters the server signed, then show the outcome page (which asks the server, never
// trusts the browser: the payment counts once WeChat Pay's signed callback or query says so).
(function () {
  "use strict";
  function pay() {
    var button = document.getElementById("dues-pay-button");
    var message = document.getElementById("dues-pay-message");
    var params = JSON.parse(document.getElementById("dues-pay-params").textContent);
    if (typeof window.WeixinJSBridge === "undefined") {
      message.textContent = "请在微信中打开本页面完成支付。";
      return;
    }
    button.disabled = true;
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (res) {
      if (res && res.err_msg === "get_brand_wcpay_request:ok") {
        window.location.href = button.getAttribute("data-result");
      } else {
        button.disabled = false;
        message.textContent = res && res.err_msg === "get_brand_wcpay_request:cancel"
          ? "已取消支付。" : "支付未完成，请重试。";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("dues-pay-button");
    if (button) { button.addEventListener("click", pay); }
  });
})();
