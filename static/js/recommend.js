// Drag-and-drop and a preview for the upload form; the form still works without JavaScript.
(function () {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("id_image");
  const preview = document.getElementById("preview");
  const hint = document.getElementById("drop-hint");
  if (!zone || !input) return;

  function show(file) {
    if (!file || !file.type.startsWith("image/")) { preview.hidden = true; return; }
    const url = URL.createObjectURL(file);
    preview.onload = () => URL.revokeObjectURL(url);
    preview.src = url;
    preview.hidden = false;
    hint.textContent = file.name;
  }

  input.addEventListener("change", () => show(input.files[0]));
  const camera = document.getElementById("id_camera");
  if (camera) {
    // The latest choice wins: a photo from the camera replaces one picked before, and the other way round.
    camera.addEventListener("change", () => { input.value = ""; input.required = false; show(camera.files[0]); });
    input.addEventListener("change", () => { camera.value = ""; });
  }
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show(input.files[0]);
    }
  });
})();
