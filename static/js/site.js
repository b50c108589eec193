// Every page: menus marked data-autosubmit (language, "Other…" corrections) submit their form when changed. No inline
// handlers, so the Content-Security-Policy can forbid inline script.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => {
    if (!select.value) return;
    if (select.form.requestSubmit) select.form.requestSubmit();
    else select.form.submit();
  });
});
