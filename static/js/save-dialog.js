// "Save to board": a Save control on a card or a pin page opens a modal dialog holding my boards
// and their sections (fetched from /boards/picker/) and a create-board form. Saving posts to the
// pin's save URL and reports in a toast. Without this script, a card's Save leads to the pin's page,
// whose plain form posts the same fields.
(() => {
  "use strict";
  const PICKER_URL = "/boards/picker/";
  const FROM_SCRIPT = { "X-Requested-With": "fetch" };
  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";
  const TOAST_MS = 6000;
  let dialog = null;
  let body = null;
  let opener = null;
  let toastTimer = null;

  const toast = document.createElement("div");
  toast.className = "toast";
  toast.setAttribute("role", "status");
  document.body.append(toast);

  function csrfToken() {
    const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, data) {
    if (!data.has("csrfmiddlewaretoken")) data.append("csrfmiddlewaretoken", csrfToken());
    return fetch(url, { method: "POST", body: data, headers: FROM_SCRIPT, credentials: "same-origin" })
      .then((response) => response.json().catch(() => ({})).then((json) => ({ status: response.status, json })));
  }

  function firstMessage(errors) {
    for (const list of Object.values(errors || {})) {
      if (list.length) return list[0].message;
    }
    return "";
  }

  function say(text, isError) {
    const status = body.querySelector("[data-picker-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function showToast(result) {
    const link = document.createElement("a");
    link.href = result.board.url;
    link.textContent = result.board.name;
    toast.replaceChildren("Saved to ", link, result.created ? "" : " (it was already there)");
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function hide() {
      if (toast.matches(":hover, :focus-within")) toastTimer = window.setTimeout(hide, TOAST_MS);
      else toast.replaceChildren();
    }, TOAST_MS);
  }

  function visibleFocusable() {
    return Array.from(dialog.querySelectorAll(FOCUSABLE)).filter(
      (element) => !element.disabled && element.getClientRects().length > 0,
    );
  }

  // A modal <dialog> keeps focus off the page, but Tab can still leave for the browser's own UI;
  // keep it cycling inside.
  function trapFocus(event) {
    if (event.key !== "Tab") return;
    const focusable = visibleFocusable();
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const inside = focusable.includes(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  function saveTo(button) {
    const picker = body.querySelector(".picker");
    const data = new FormData();
    data.append("board", button.dataset.board);
    if (button.dataset.section) data.append("section", button.dataset.section);
    button.disabled = true;
    say("Saving…");
    post(picker.dataset.saveUrl, data)
      .then(({ status, json }) => {
        if ((status === 200 || status === 201) && json.board) {
          dialog.close();
          showToast(json);
        } else {
          say(firstMessage(json.errors) || "That did not work. Reload the page and try again.", true);
        }
      })
      .catch(() => say("Could not reach the server. Check your connection and try again.", true))
      .finally(() => {
        button.disabled = false;
      });
  }

  function addBoard(board) {
    let list = body.querySelector(".picker-boards");
    if (!list) {
      list = document.createElement("ul");
      list.className = "picker-boards";
      list.setAttribute("aria-label", "Your boards");
      const none = body.querySelector("[data-no-boards]");
      if (none) none.replaceWith(list);
      else body.querySelector(".picker").prepend(list);
    }
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.board = board.id;
    button.textContent = board.name;
    item.append(button);
    list.prepend(item);
    return button;
  }

  function createBoard(form) {
    form.querySelectorAll(".error").forEach((error) => error.remove());
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    post(form.action, new FormData(form))
      .then(({ status, json }) => {
        if (status === 201 && json.id) {
          form.reset();
          const button = addBoard(json);
          button.focus();
          say(`Created “${json.name}”. Choose it to save this pin there.`);
          return;
        }
        const errors = json.errors || { __all__: [{ message: "The board could not be created." }] };
        for (const [field, list] of Object.entries(errors)) {
          const holder = form.querySelector(`[data-field="${field}"]`) || form;
          for (const { message } of list) {
            const error = document.createElement("p");
            error.className = "error";
            error.setAttribute("role", "alert");
            error.textContent = message;
            holder.append(error);
          }
        }
        const name = form.elements.name;
        if (errors.name) name.focus();
      })
      .catch(() => say("Could not reach the server. Check your connection and try again.", true))
      .finally(() => {
        submit.disabled = false;
      });
  }

  function filterBoards(input) {
    const query = input.value.trim().toLocaleLowerCase();
    body.querySelectorAll(".picker-boards > li").forEach((item) => {
      item.hidden = Boolean(query) && !item.textContent.toLocaleLowerCase().includes(query);
    });
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "save-dialog";
    dialog.setAttribute("aria-labelledby", "save-dialog-title");
    const head = document.createElement("div");
    head.className = "dialog-head";
    const title = document.createElement("h2");
    title.id = "save-dialog-title";
    title.textContent = "Save to board";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    head.append(title, close);
    body = document.createElement("div");
    body.className = "dialog-body";
    dialog.append(head, body);
    document.body.append(dialog);

    dialog.addEventListener("keydown", trapFocus);
    dialog.addEventListener("close", () => {
      if (opener && opener.isConnected) {
        // A card's Save is hidden unless the card is hovered or holds focus, and a hidden
        // element cannot take focus: show it for the moment it takes focus back.
        const holder = opener.closest(".card-save");
        if (holder) holder.style.cssText = "visibility: visible; transition: none";
        opener.focus();
        if (holder) holder.style.cssText = "";
      }
      opener = null;
    });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) {
        dialog.close(); // a click on the backdrop
        return;
      }
      const button = event.target.closest("[data-board]");
      if (button) saveTo(button);
    });
    dialog.addEventListener("input", (event) => {
      if (event.target.matches(".picker-filter input")) filterBoards(event.target);
    });
    dialog.addEventListener("submit", (event) => {
      const form = event.target.closest(".picker-create");
      if (!form) return;
      event.preventDefault();
      createBoard(form);
    });
  }

  function open(pin, trigger) {
    if (!dialog) build();
    opener = trigger;
    body.replaceChildren();
    const loading = document.createElement("p");
    loading.className = "picker-status";
    loading.textContent = "Loading your boards…";
    body.append(loading);
    dialog.showModal();
    fetch(`${PICKER_URL}?pin=${encodeURIComponent(pin)}`, { headers: FROM_SCRIPT, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      })
      .then((html) => {
        if (!dialog.open || opener !== trigger) return;
        body.innerHTML = html;
        const first = body.querySelector(".picker-filter input, .picker-boards button, .picker-create input");
        if (first) first.focus();
      })
      .catch(() => {
        loading.textContent = "Your boards could not be loaded. Close this and try again.";
        loading.classList.add("error");
      });
  }

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest(".card-save button, [data-save-pin]");
    if (!trigger) return;
    const fromForm = ((trigger.form && trigger.form.getAttribute("action")) || "").match(/\/pin\/(\d+)\//);
    const pin = trigger.dataset.savePin || (fromForm && fromForm[1]);
    if (!pin) return;
    event.preventDefault();
    open(pin, trigger);
  });
  document.querySelectorAll(".save-form").forEach((form) => form.classList.add("is-enhanced"));
})();
