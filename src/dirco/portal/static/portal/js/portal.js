/* dirco portal: tiny behaviours (no inline scripts: the Content Security Policy forbids them). */
(function () {
  "use strict";

  // Forms marked data-confirm ask before they are sent (e.g. deactivating a user).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // On phones the navigation scrolls sideways: bring the current section into view.
  var current = document.querySelector(".p-nav [aria-current='page']");
  if (current && current.scrollIntoView) {
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }
})();
