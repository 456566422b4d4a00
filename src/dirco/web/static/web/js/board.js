/* The pipeline board: drag a card onto a column (or use its "Move to" menu) to move the deal.
   Both paths POST the same form to the deal's move URL; the server answers the two columns
   the deal left and entered, with their tabs, which htmx swaps in by id (out of band: the
   rest of the board stays). Dropping on Lost asks for a reason first. */
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

  // After the server answers, focus goes back to the moved card (or to the toast's Undo
  // when the card left the board): the keyboard user keeps their place.
  var lastMove = null;

  function send(url, stageId, lostReason) {
    var values = filterValues();
    values.stage = stageId;
    values.lost_reason = lostReason || "";
    var board = document.getElementById("board");
    board.setAttribute("aria-busy", "true");
    lastMove = null;
    return htmx.ajax("POST", url, {
      source: board, target: "#board", swap: "none", values: values,
    }).finally(function () {
      var current = document.getElementById("board");
      if (current) current.removeAttribute("aria-busy");
      if (!lastMove) return;
      var moved = lastMove;
      lastMove = null;
      // Phones show one stage: the one chosen before (else the server's first holding deals,
      // which the move may have changed), then the moved card's own, below.
      var saved = savedStage();
      showStage(saved || String(moved.current_stage), Boolean(saved));
      var undo = window.dircoToast && window.dircoToast(moved.message, moved.undo_label, function () {
        send(moved.url, String(moved.undo_stage), "");
      });
      var card = document.querySelector('[data-deal-id="' + moved.deal_id + '"]');
      if (card) {
        showStage(card.closest("[data-drop-stage]").dataset.dropStage);
        var link = card.querySelector(".deal-card__name");
        if (link) link.focus();
      } else if (undo) {
        undo.focus();
      }
    });
  }

  document.addEventListener("dirco:deal-moved", function (event) {
    lastMove = event.detail && event.detail.value !== undefined ? event.detail.value : event.detail;
  });

  // Phones: one column at a time, chosen with the stage switcher (remembered across moves).
  var STAGE_KEY = "dirco-board-stage";
  function showStage(stageId, remember) {
    var board = document.getElementById("board");
    if (!board || !stageId) return;
    var column = board.querySelector('.board__column[data-drop-stage="' + stageId + '"]');
    if (!column) return;
    board.querySelectorAll(".board__column").forEach(function (c) {
      c.classList.toggle("is-current", c === column);
    });
    board.querySelectorAll("[data-stage-tab]").forEach(function (tab) {
      var on = tab.dataset.stageTab === String(stageId);
      tab.classList.toggle("is-current", on);
      tab.setAttribute("aria-pressed", on ? "true" : "false");
    });
    if (remember === false) return;
    try { window.sessionStorage.setItem(STAGE_KEY, String(stageId)); } catch (e) { /* private mode */ }
  }
  function savedStage() {
    try { return window.sessionStorage.getItem(STAGE_KEY); } catch (e) { return null; /* private mode */ }
  }
  function restoreStage() {
    var saved = savedStage();
    if (saved) showStage(saved);
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("[data-stage-tab]");
    if (tab) showStage(tab.dataset.stageTab);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "board") restoreStage();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreStage);
  } else {
    restoreStage();
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
    dragged = null;
    // The drop handler has let go of the card already: a refused drop leaves it in place,
    // and it must not stay dimmed.
    document.querySelectorAll(".is-dragging, .is-drop-target").forEach(function (el) {
      el.classList.remove("is-dragging", "is-drop-target");
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
