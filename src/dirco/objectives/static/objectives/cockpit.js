/* Cockpit pages: pickers that apply on change, and form parts shown only when they apply.
   Everything works without this file (the pickers have a submit button). */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // Show the manual percentages / manual amounts only when that method is chosen.
  function syncToggles() {
    var toggles = document.querySelectorAll("[data-show-when]");
    toggles.forEach(function (block) {
      var parts = block.getAttribute("data-show-when").split("=");
      var inputs = document.querySelectorAll("[name='" + parts[0] + "']");
      var value = "";
      inputs.forEach(function (input) {
        if ((input.type === "radio" && input.checked) || input.tagName === "SELECT") {
          value = input.value;
        }
      });
      block.hidden = value !== parts[1];
    });
  }
  document.addEventListener("change", syncToggles);
  document.addEventListener("DOMContentLoaded", syncToggles);
})();
