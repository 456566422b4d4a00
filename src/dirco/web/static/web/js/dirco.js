/* dirco: small behaviours shared by every page (no framework, htmx does the rest). */
(function () {
  "use strict";

  function showNotice(text) {
    var notice = document.getElementById("notice");
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
    window.clearTimeout(showNotice.timer);
    showNotice.timer = window.setTimeout(function () { notice.hidden = true; }, 8000);
  }
  window.dircoNotice = showNotice;

  // Errors from htmx calls: short plain-text answers are shown as they are, anything
  // else (an HTML error page) as a generic, translated message.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var body = document.body;
    if (type.indexOf("text/plain") === 0 && xhr.responseText) {
      showNotice(xhr.responseText);
    } else if (xhr.status === 403) {
      showNotice(body.dataset.msgForbidden);
    } else {
      showNotice(body.dataset.msgError);
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showNotice(document.body.dataset.msgError);
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    if (nav) nav.classList.toggle("nav--open", !open);
  });
})();
