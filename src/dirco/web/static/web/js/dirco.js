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

  // A table wider than its box scrolls inside it: say so above it ("Scroll sideways").
  function markScrollingTables(root) {
    var hint = document.body.dataset.msgScroll;
    (root || document).querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      var prev = wrap.previousElementSibling;
      var has = prev && prev.classList.contains("scroll-hint");
      if (scrolls && !has && hint) {
        var p = document.createElement("p");
        p.className = "scroll-hint";
        p.textContent = hint;
        wrap.parentNode.insertBefore(p, wrap);
      } else if (!scrolls && has) {
        prev.remove();
      }
      wrap.classList.toggle("table-wrap--scrolls", scrolls);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markScrollingTables(); });
  document.addEventListener("htmx:afterSettle", function () { markScrollingTables(); });
  var resizeTimer;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(markScrollingTables, 150);
  });

  // A short confirmation at the bottom of the screen, with an optional action button
  // ("Moved X to Qualification. Undo"). Announced to screen readers (role=status).
  function showToast(text, actionLabel, onAction) {
    var toast = document.getElementById("toast");
    if (!toast) return null;
    toast.replaceChildren();
    var span = document.createElement("span");
    span.textContent = text;
    toast.appendChild(span);
    var button = null;
    if (actionLabel && onAction) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small toast__action";
      button.textContent = actionLabel;
      button.addEventListener("click", function () {
        toast.hidden = true;
        onAction();
      });
      toast.appendChild(button);
    }
    toast.hidden = false;
    window.clearTimeout(showToast.timer);
    showToast.timer = window.setTimeout(function () { toast.hidden = true; }, 10000);
    return button;
  }
  window.dircoToast = showToast;

  // The account picker (web/_autocomplete.html): the server answers the options (htmx);
  // here, choosing one with the mouse or the keyboard fills the hidden id.
  function acParts(el) {
    var box = el.closest && el.closest("[data-autocomplete]");
    if (!box) return null;
    return {
      box: box,
      input: box.querySelector("[data-autocomplete-input]"),
      value: box.querySelector("[data-autocomplete-value]"),
      list: box.querySelector("[data-autocomplete-list]"),
    };
  }
  function acOptions(parts) {
    return Array.prototype.slice.call(parts.list.querySelectorAll("[role=option]"));
  }
  function acOpen(parts, open) {
    parts.list.classList.toggle("is-open", open);
    parts.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) parts.input.removeAttribute("aria-activedescendant");
  }
  function acChoose(parts, option) {
    parts.value.value = option.dataset.value;
    parts.input.value = option.dataset.label;
    acOpen(parts, false);
    parts.value.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function acActivate(parts, step) {
    var options = acOptions(parts);
    if (!options.length) return;
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = Math.max(0, Math.min(options.length - 1, current + step));
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    parts.input.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var parts = acParts(event.target);
    if (parts && event.target === parts.list) acOpen(parts, parts.list.children.length > 0);
  });
  document.addEventListener("input", function (event) {
    var parts = event.target.matches && event.target.matches("[data-autocomplete-input]") && acParts(event.target);
    if (parts) parts.value.value = "";  // typed, not chosen: nothing is picked yet
  });
  document.addEventListener("keydown", function (event) {
    var parts = event.target.matches && event.target.matches("[data-autocomplete-input]") && acParts(event.target);
    if (!parts) return;
    var open = parts.list.classList.contains("is-open");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) acOpen(parts, acOptions(parts).length > 0);
      acActivate(parts, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open) {
      event.preventDefault();  // choosing, not submitting the form
      var active = parts.list.querySelector('[aria-selected="true"]') || acOptions(parts)[0];
      if (active) acChoose(parts, active);
    } else if (event.key === "Escape" && open) {
      acOpen(parts, false);
    }
  });
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-autocomplete] [role=option]");
    if (!option) return;
    event.preventDefault();
    acChoose(acParts(option), option);
  });
  document.addEventListener("focusout", function (event) {
    var parts = event.target.matches && event.target.matches("[data-autocomplete-input]") && acParts(event.target);
    if (parts) window.setTimeout(function () { acOpen(parts, false); }, 150);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-autocomplete-new]");
    if (!link) return;
    // "+ New account": take the typed name along, and come back to this form afterwards.
    var parts = acParts(link);
    var url = new URL(link.href, window.location.href);
    if (parts && parts.input.value) url.searchParams.set("name", parts.input.value);
    url.searchParams.set("next", window.location.pathname);
    link.href = url.toString();
  });

  // The deal form: the close date and the lost reason only when the stage needs them.
  function syncStageFields(select) {
    var form = select.form;
    if (!form) return;
    var option = select.options[select.selectedIndex];
    var closed = option ? option.dataset.closed || "" : "";
    [["close_date", closed !== ""], ["lost_reason", closed === "lost"]].forEach(function (pair) {
      var field = form.querySelector('[data-field="' + pair[0] + '"]');
      if (field) field.hidden = !pair[1] && !field.classList.contains("field--error");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-stage-select]")) syncStageFields(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-stage-select]").forEach(syncStageFields);
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
