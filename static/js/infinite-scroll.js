// Infinite scroll: when the "More" link under a grid nears the viewport (or is clicked), fetch the
// next page's cards (the server answers X-Requested-With: fetch with shared/grid_page.html) and
// append them. Without this script the link is an ordinary link to the next page.
(() => {
  "use strict";
  const AHEAD = "0px 0px 1200px 0px";

  function loadMore(paragraph, moveFocus) {
    const link = paragraph.querySelector("[data-more]");
    const grid = paragraph.previousElementSibling;
    if (!link || !grid || !grid.matches("[data-grid]") || paragraph.getAttribute("aria-busy")) return;
    paragraph.setAttribute("aria-busy", "true");
    link.textContent = "Loading…";
    fetch(link.href, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      })
      .then((html) => {
        const template = document.createElement("template");
        template.innerHTML = html;
        // A ranked list (search) pages by position, so a pin added meanwhile can push one already
        // shown onto the next page: show each pin once.
        const href = (card) => card.querySelector("a").getAttribute("href");
        const shown = new Set(Array.from(grid.querySelectorAll(".card"), href));
        const cards = Array.from(template.content.querySelectorAll(".card")).filter(
          (card) => !shown.has(href(card)),
        );
        const next = template.content.querySelector(".more");
        grid.append(...cards);
        grid.dispatchEvent(new CustomEvent("grid:added", { bubbles: true, detail: { cards } }));
        if (next) {
          paragraph.replaceWith(next);
          watch(next);
        } else {
          paragraph.remove();
        }
        if (moveFocus && cards.length) cards[0].querySelector("a").focus();
      })
      .catch(() => {
        // Leave the link for a click rather than retrying on every scroll.
        observer.unobserve(paragraph);
        paragraph.removeAttribute("aria-busy");
        link.textContent = "More";
      });
  }

  const observer = new IntersectionObserver(
    (entries) => entries.forEach((entry) => entry.isIntersecting && loadMore(entry.target, false)),
    { rootMargin: AHEAD },
  );

  function watch(paragraph) {
    observer.observe(paragraph);
  }

  document.querySelectorAll(".more").forEach(watch);
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-more]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    loadMore(link.closest(".more"), true);
  });
})();
