// Create pin: drag and drop or choose a file with an instant local preview, or pick one of the
// images the bookmarklet found; upload with a progress bar and show the server's refusals next to
// their fields. On success go to the board, where the new pin fills in as soon as it is ready.
// Without this script the form posts normally and the server redisplays it with its errors.
(() => {
  "use strict";
  const form = document.querySelector("form[data-builder]");
  if (!form) return;
  const file = form.elements.image;
  const address = form.elements.image_url;
  const zone = form.querySelector("[data-dropzone]");
  const preview = zone.querySelector(".builder-preview");
  const progress = form.querySelector(".upload-progress");
  const bar = progress.querySelector("progress");
  const progressText = progress.querySelector("[data-progress-text]");
  const status = form.querySelector("[data-form-status]");
  const submit = form.querySelector("button[type=submit]");
  let previewUrl = null;
  form.classList.add("is-enhanced");

  function showPreview() {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    const chosen = file.files[0];
    previewUrl = chosen ? URL.createObjectURL(chosen) : null;
    preview.hidden = !previewUrl;
    zone.classList.toggle("has-preview", Boolean(previewUrl));
    if (previewUrl) {
      preview.src = previewUrl;
      address.value = "";
      markSuggestion(null);
    } else {
      preview.removeAttribute("src");
    }
  }
  // Not something a browser can show (or not an image at all): the server will say which.
  preview.addEventListener("error", () => {
    preview.hidden = true;
    zone.classList.remove("has-preview");
  });

  file.addEventListener("change", showPreview);
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("is-dragover");
  });
  for (const type of ["dragleave", "dragend", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("is-dragover"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer.files.length) return;
    file.files = event.dataTransfer.files;
    showPreview();
  });
  address.addEventListener("input", () => {
    if (address.value && file.value) {
      file.value = "";
      showPreview();
    }
    markSuggestion(null);
  });

  function markSuggestion(chosen) {
    form.querySelectorAll("[data-image-url]").forEach((link) => {
      if (link === chosen) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  }
  form.querySelectorAll("[data-image-url]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      address.value = link.dataset.imageUrl;
      if (file.value) {
        file.value = "";
        showPreview();
      }
      markSuggestion(link);
    });
  });

  function clearErrors() {
    form.querySelectorAll(".field .error").forEach((error) => error.remove());
    form.querySelectorAll(".has-error").forEach((field) => field.classList.remove("has-error"));
    form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
    const general = form.querySelector("[data-errors]");
    general.replaceChildren();
    general.hidden = true;
  }

  function showErrors(errors) {
    let first = null;
    for (const [name, list] of Object.entries(errors)) {
      const field = form.querySelector(`.field[data-field="${name}"]`);
      const holder = field || form.querySelector("[data-errors]");
      if (field) {
        field.classList.add("has-error");
        const input = form.elements[name];
        if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
        first = first || input;
      } else {
        holder.hidden = false;
      }
      for (const { message } of list) {
        const error = document.createElement("p");
        error.className = "error";
        error.setAttribute("role", "alert");
        error.textContent = message;
        holder.append(error);
      }
    }
    if (first && first.focus) first.focus();
  }

  function finish(message) {
    submit.disabled = false;
    progress.hidden = true;
    status.textContent = message || "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "fetch");
    request.responseType = "json";
    request.upload.addEventListener("progress", (progressEvent) => {
      if (!progressEvent.lengthComputable) return;
      const percent = Math.round((progressEvent.loaded / progressEvent.total) * 100);
      bar.value = percent;
      progressText.textContent = `Uploading… ${percent} %`;
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      progressText.textContent = address.value ? "Uploaded. The server is fetching it…" : "Uploaded. Checking the file…";
    });
    request.addEventListener("load", () => {
      const answer = request.response || {};
      if (request.status === 201 && answer.board_url) {
        status.textContent = "Pin created. Opening its board…";
        window.location.assign(answer.board_url);
        return;
      }
      finish();
      if (request.status === 400 && answer.errors) showErrors(answer.errors);
      else showErrors({ __all__: [{ message: `The pin could not be created (error ${request.status}). Try again.` }] });
    });
    request.addEventListener("error", () => finish("The upload failed: check your connection and try again."));
    submit.disabled = true;
    bar.value = 0;
    progressText.textContent = "Uploading…";
    progress.hidden = false;
    status.textContent = "";
    request.send(new FormData(form));
  });
})();
