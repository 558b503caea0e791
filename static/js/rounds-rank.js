// Rank lists: drag and drop, and Up/Down buttons that re-order in place instead of posting.
// Without this file the same buttons post and the server re-orders; the numbers are the truth
// either way, so every change here renumbers the ranked rows (blank rows stay blank, at the end).
(function () {
  "use strict";

  function renumber(list) {
    var n = 0;
    list.querySelectorAll("[data-rank-row]").forEach(function (row) {
      var input = row.querySelector(".rank-position");
      if (input.value.trim() !== "" || row.dataset.touched === "1") { n += 1; input.value = String(n); }
    });
  }

  function announce(form, text) {
    var status = form.querySelector("[data-rank-status]");
    if (status) { status.textContent = text; }
  }

  function nameOf(row) { return row.querySelector(".rank-name").textContent; }

  function position(list, row) {
    return Array.prototype.indexOf.call(list.querySelectorAll("[data-rank-row]"), row) + 1;
  }

  function setUp(form) {
    var list = form.querySelector(".rank-list");
    var dragged = null;

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) { return; }
      event.preventDefault();
      var row = button.closest("[data-rank-row]");
      row.dataset.touched = "1";
      if (button.dataset.move === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.move === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber(list);
      button.focus();
      announce(form, nameOf(row) + " is now at position " + position(list, row) + ". Not saved yet.");
    });

    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-rank-row]");
      if (!dragged) { return; }
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", nameOf(dragged));
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("[data-rank-row]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      list.querySelectorAll(".is-over").forEach(function (r) { r.classList.remove("is-over"); });
      over.classList.add("is-over");
    });
    list.addEventListener("drop", function (event) {
      var over = event.target.closest("[data-rank-row]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var after = position(list, dragged) < position(list, over);
      list.insertBefore(dragged, after ? over.nextElementSibling : over);
      dragged.dataset.touched = "1";
      renumber(list);
      announce(form, nameOf(dragged) + " is now at position " + position(list, dragged) + ". Not saved yet.");
    });
    list.addEventListener("dragend", function () {
      list.querySelectorAll(".is-over, .is-dragging").forEach(function (r) { r.classList.remove("is-over", "is-dragging"); });
      dragged = null;
    });
  }

  document.querySelectorAll("form[data-rank-list]").forEach(setUp);
})();
