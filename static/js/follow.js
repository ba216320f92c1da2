// Follow and Unfollow without leaving the page: the form posts as usual (X-Requested-With:
// fetch), the answer says whether we now follow and the new follower count, and the button and
// count follow suit. Without this script the form posts and the page comes back.
(() => {
  "use strict";

  function describe(count) {
    return `${count} follower${count === 1 ? "" : "s"}`;
  }

  function show(form, following, count) {
    const button = form.querySelector("button");
    const verb = following ? "Unfollow" : "Follow";
    form.action = following ? form.dataset.unfollowUrl : form.dataset.followUrl;
    button.textContent = verb;
    button.setAttribute("aria-label", `${verb} ${button.dataset.followName}`);
    button.classList.toggle("primary", !following);
    const counter = document.querySelector("[data-follower-count]");
    if (counter && typeof count === "number") counter.textContent = describe(count);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-follow")) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then((response) => response.json().then((json) => ({ ok: response.ok, json })))
      .then(({ ok, json }) => {
        // A refusal is shown by the plain form's answer: the page again, with its message.
        if (ok) show(form, json.following, json.follower_count);
        else form.submit();
      })
      .catch(() => form.submit())
      .finally(() => {
        button.disabled = false;
      });
  });
})();
