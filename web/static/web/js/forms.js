// Forms: the error summary and the "Selected:" list of the capability picker. Every page works without it.
(function () {
  "use strict";

  // After a failed submit, focus moves to the summary (screen readers read it out, keyboards start
  // there). Its links lead to the field; a group of boxes gets its first box focused.
  function setupErrorSummary(summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      if (!link) return;
      const target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!target) return;
      const field = target.matches("input, select, textarea, button")
        ? target
        : target.querySelector("input:not([type=hidden]):not([type=search]), select, textarea");
      if (!field) return;
      event.preventDefault();
      target.scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }

  // "Selected: ..." above a capability picker: one button per picked capability; pressing it unticks it.
  function setupSelected(box) {
    const picker = document.getElementById(box.dataset.capSelected);
    const list = box.querySelector(".cap-selected-list");
    const none = box.querySelector(".cap-selected-none");
    if (!picker || !list) return;

    function render(focusIndex) {
      list.replaceChildren();
      const checked = Array.from(picker.querySelectorAll("input.cap-check:checked"));
      checked.forEach(function (input) {
        const label = picker.querySelector("label[for='" + CSS.escape(input.id) + "']");
        const name = label ? label.textContent.trim() : input.value;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cap-chip";
        button.textContent = name;
        button.setAttribute("aria-label", box.dataset.removeLabel.replace("{name}", name));
        button.addEventListener("click", function () {
          const index = Array.from(list.querySelectorAll("button")).indexOf(button);
          input.checked = false;
          input.dispatchEvent(new Event("change", { bubbles: true }));
          render(index);
        });
        const item = document.createElement("li");
        item.appendChild(button);
        list.appendChild(item);
      });
      if (none) none.hidden = checked.length > 0;
      if (focusIndex !== undefined) {
        const buttons = list.querySelectorAll("button");
        const next = buttons[Math.min(focusIndex, buttons.length - 1)];
        (next || box.closest("fieldset").querySelector("input[type=search]") || picker).focus();
      }
    }

    picker.addEventListener("change", function (event) {
      if (event.target.matches("input.cap-check") && event.isTrusted) render();
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    const summary = document.querySelector("[data-error-summary]");
    if (summary) setupErrorSummary(summary);
    document.querySelectorAll("[data-cap-selected]").forEach(setupSelected);
  });
})();
