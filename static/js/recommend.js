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
      input.dispatchEvent(new Event("change"));
    }
  });
})();

// Optional crop: drag a box on the chosen photo (mouse or finger); the box goes to the server as fractions of the
// photo ("x0,y0,x1,y1") in the hidden `box` field. Without JavaScript, or without a box, the whole photo is read.
(function () {
  const input = document.getElementById("id_image");
  const camera = document.getElementById("id_camera");
  const crop = document.getElementById("crop");
  const area = document.getElementById("crop-area");
  const image = document.getElementById("crop-image");
  const box = document.getElementById("crop-box");
  const clear = document.getElementById("crop-clear");
  const field = document.getElementById("id_box");
  if (!crop || !area || !image || !box || !field) return;
  const MIN = 0.05;
  let start = null;

  function reset() {
    field.value = "";
    box.hidden = true;
    if (clear) clear.hidden = true;
  }
  function load(file) {
    reset();
    if (!file || !file.type.startsWith("image/")) {
      crop.hidden = true;
      const zone = document.getElementById("dropzone");
      if (zone) zone.classList.remove("chosen");
      return;
    }
    const url = URL.createObjectURL(file);
    image.onload = () => URL.revokeObjectURL(url);
    image.src = url;
    crop.hidden = false;
    // The photo to draw on is the preview: the form shows it once, not twice (a phone's screen held two copies).
    const preview = document.getElementById("preview");
    if (preview) preview.hidden = true;
    const zone = document.getElementById("dropzone");
    if (zone) zone.classList.add("chosen");
  }
  function point(event) {
    const rect = image.getBoundingClientRect();
    return {
      x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)),
      y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)),
    };
  }
  function draw(a, b) {
    const x0 = Math.min(a.x, b.x), y0 = Math.min(a.y, b.y), x1 = Math.max(a.x, b.x), y1 = Math.max(a.y, b.y);
    box.style.left = x0 * 100 + "%";
    box.style.top = y0 * 100 + "%";
    box.style.width = (x1 - x0) * 100 + "%";
    box.style.height = (y1 - y0) * 100 + "%";
    box.hidden = false;
    return [x0, y0, x1, y1];
  }
  area.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    area.setPointerCapture(event.pointerId);
    start = point(event);
  });
  area.addEventListener("pointermove", (event) => { if (start) draw(start, point(event)); });
  area.addEventListener("pointerup", (event) => {
    if (!start) return;
    const [x0, y0, x1, y1] = draw(start, point(event));
    start = null;
    if (x1 - x0 < MIN || y1 - y0 < MIN) { reset(); return; }  // a tap, not a box
    field.value = [x0, y0, x1, y1].map((v) => v.toFixed(4)).join(",");
    if (clear) clear.hidden = false;
  });
  if (clear) clear.addEventListener("click", reset);
  if (input) input.addEventListener("change", () => load(input.files[0]));
  if (camera) camera.addEventListener("change", () => load(camera.files[0]));
})();
