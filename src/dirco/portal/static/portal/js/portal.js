/* dirco portal: tiny behaviours (no inline scripts: the Content Security Policy forbids them). */
(function () {
  "use strict";

  // Forms marked data-confirm: web/js/confirm.js, loaded beside this file.

  // On phones the navigation scrolls sideways: bring the current section into view.
  var current = document.querySelector(".p-nav [aria-current='page']");
  if (current && current.scrollIntoView) {
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }
})();
