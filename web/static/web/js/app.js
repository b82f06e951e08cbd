// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Capability picker: filter the checkbox list by typed text (names are in the page's language).
  function setupCapabilityFilter(input) {
    const picker = document.getElementById(input.getAttribute("aria-controls"));
    if (!picker) return;
    input.addEventListener("input", function () {
      const q = input.value.trim().toLowerCase();
      picker.querySelectorAll(".cap-group").forEach(function (group) {
        let visible = 0;
        group.querySelectorAll(".cap-item").forEach(function (item) {
          const name = item.querySelector(".cap-name").textContent.toLowerCase();
          const match = !q || name.includes(q) || group.dataset.domain.toLowerCase().includes(q);
          item.hidden = !match;
          if (match) visible += 1;
        });
        group.hidden = visible === 0;
      });
    });
  }

  // Bulk selection: a header checkbox toggles every row checkbox of its table.
  function setupSelectAll(box) {
    const table = box.closest("table");
    box.addEventListener("change", function () {
      table.querySelectorAll("input[name=proposal_ids]").forEach(function (cb) { cb.checked = box.checked; });
    });
  }

  function init(root) {
    root.querySelectorAll("input[data-cap-filter]").forEach(setupCapabilityFilter);
    root.querySelectorAll("input[data-select-all]").forEach(setupSelectAll);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
