// Like/dislike without leaving the page: posts to the API; without JavaScript the form posts to /feedback/.
(function () {
  document.querySelectorAll(".feedback-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      const button = event.submitter;
      if (!button || !window.fetch) return;
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      const status = form.querySelector(".vote-status");
      const body = {
        garment_id: Number(data.garment_id), vote: button.value, slot: data.slot, color: data.color,
        rule_id: data.rule_id ? Number(data.rule_id) : null, upload_id: data.upload_id || null,
      };
      let response;
      try {
        response = await fetch("/api/v1/feedback/", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrfmiddlewaretoken },
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
      } catch (error) {
        status.textContent = form.dataset.failed || "!";
        return;
      }
      form.querySelectorAll(".vote").forEach((b) => b.setAttribute("aria-pressed", "false"));
      if (response.status === 201) {
        button.setAttribute("aria-pressed", "true");
        status.textContent = form.dataset.thanks || "✓";
      } else if (response.status === 429) {
        status.textContent = form.dataset.busy || "…";
      } else {
        status.textContent = form.dataset.failed || "!";
      }
    });
  });
})();
