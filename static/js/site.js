// Every page: the language menu submits itself when changed (no inline handler, so the CSP can forbid inline script).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
