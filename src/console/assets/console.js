// Portico console: small progressive enhancements. Every page works without this script.

document.addEventListener("submit", (event) => {
  // A form with data-confirm asks before it is sent (delete, reset…).
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("click", async (event) => {
  // A button with data-copy copies the text of the element it names.
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const source = document.getElementById(button.getAttribute("data-copy") ?? "");
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent ?? "");
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy the text";
  }
});
document.addEventListener("DOMContentLoaded", () => {
  // Problems above a form take the focus, so that they are read first.
  document.getElementById("errors")?.focus();
});
