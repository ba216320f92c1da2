// Live fill-in: a pin whose image is still queued or processing asks /pin/<id>/card/ every 1.5 s
// and replaces itself once the image is ready (or has failed). On a pin's own page the article is
// refreshed from the page itself. Polling stops after a minute; a reload starts it again.
(() => {
  "use strict";
  const INTERVAL_MS = 1500;
  const MAX_TRIES = 40;
  const AT_ONCE = 6;
  const PENDING = '[data-status="queued"], [data-status="processing"]';
  const tries = new WeakMap();
  let timer = null;

  function pinId(element) {
    if (element.dataset.pin) return element.dataset.pin;
    const link = element.querySelector('a[href^="/pin/"]');
    const match = link && link.getAttribute("href").match(/^\/pin\/(\d+)\//);
    return match ? match[1] : null;
  }

  function fetchHtml(url) {
    return fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" }).then(
      (response) => {
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      },
    );
  }

  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function replaceDetail(article) {
    return fetchHtml(window.location.href).then((html) => {
      const fresh = html && parse(html).querySelector(".pin-detail");
      if (fresh) article.replaceWith(fresh);
    });
  }

  function check(element) {
    tries.set(element, (tries.get(element) || 0) + 1);
    const id = pinId(element);
    if (!id) {
      tries.set(element, MAX_TRIES);
      return Promise.resolve();
    }
    return fetchHtml(`/pin/${id}/card/`)
      .then((html) => {
        if (html === null) {
          tries.set(element, MAX_TRIES); // deleted meanwhile
          return null;
        }
        const card = parse(html).querySelector(".card");
        if (!card || card.matches(PENDING) || !element.isConnected) return null;
        if (!element.classList.contains("card")) return replaceDetail(element);
        element.replaceWith(card);
        card.dispatchEvent(new CustomEvent("grid:changed", { bubbles: true }));
        return null;
      })
      .catch(() => null);
  }

  function tick() {
    timer = null;
    const pending = Array.from(document.querySelectorAll(PENDING))
      .filter((element) => (tries.get(element) || 0) < MAX_TRIES)
      .sort((a, b) => (tries.get(a) || 0) - (tries.get(b) || 0));
    if (!pending.length) return;
    if (document.hidden) {
      schedule();
      return;
    }
    Promise.all(pending.slice(0, AT_ONCE).map(check)).then(schedule);
  }

  function schedule() {
    if (timer === null) timer = window.setTimeout(tick, INTERVAL_MS);
  }

  schedule();
  document.addEventListener("grid:added", schedule);
})();
