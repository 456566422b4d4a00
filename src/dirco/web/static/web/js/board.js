/* The pipeline board: drag a card onto a column (or use its "Move to" menu) to move the deal.
   Both paths POST the same form to the deal's move URL and swap in the columns the server
   answers. Dropping on Lost asks for a reason first. */
(function () {
  "use strict";
  var dragged = null;

  function filterValues() {
    var values = {};
    var form = document.getElementById("board-filters");
    if (form) {
      new FormData(form).forEach(function (value, key) { values[key] = value; });
    }
    return values;
  }

  function askLostReason(onConfirm) {
    var dialog = document.getElementById("lost-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      onConfirm("");
      return;
    }
    dialog.returnValue = "";
    dialog.addEventListener("close", function handler() {
      dialog.removeEventListener("close", handler);
      if (dialog.returnValue === "confirm") {
        onConfirm(dialog.querySelector("[name=lost_reason]").value);
      }
    });
    dialog.showModal();
  }

  function send(url, stageId, lostReason) {
    var values = filterValues();
    values.stage = stageId;
    values.lost_reason = lostReason || "";
    var board = document.getElementById("board");
    board.setAttribute("aria-busy", "true");
    return htmx.ajax("POST", url, {
      source: board, target: "#board", swap: "outerHTML", values: values,
    }).finally(function () {
      var current = document.getElementById("board");
      if (current) current.removeAttribute("aria-busy");
    });
  }

  function move(url, stageId, isLost) {
    if (isLost) {
      askLostReason(function (reason) { send(url, stageId, reason); });
    } else {
      send(url, stageId, "");
    }
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-deal-card]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    document.querySelectorAll(".is-drop-target").forEach(function (el) {
      el.classList.remove("is-drop-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-stage]");
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("is-drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-stage]");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-stage]");
    if (!zone || !dragged) return;
    event.preventDefault();
    zone.classList.remove("is-drop-target");
    var card = dragged;
    dragged = null;
    if (zone.dataset.dropStage === card.dataset.stage) return;
    move(card.dataset.moveUrl, zone.dataset.dropStage, zone.hasAttribute("data-lost"));
  });

  // The keyboard path: the card's "Move to" form, submitted without a page load.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("[data-move-form]");
    if (!form || typeof htmx === "undefined") return;
    event.preventDefault();
    var select = form.querySelector("select[name=stage]");
    if (!select.value) {
      select.focus();
      return;
    }
    var option = select.options[select.selectedIndex];
    move(form.action, select.value, option.hasAttribute("data-lost"));
  });
})();
