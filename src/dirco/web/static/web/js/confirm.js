/* dirco: forms marked data-confirm ask before they are sent (deleting a saved mapping,
   deactivating a user). Loaded by the staff pages and the portal alike; a file, not an
   inline handler, because the Content Security Policy forbids inline scripts. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
