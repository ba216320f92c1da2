// Masonry for pin grids: each card goes under the shortest of N columns. A card's height is known
// before its image arrives (the img width and height give the aspect ratio), so a card is placed
// once and nothing moves while images load. Without this script the grid falls back to CSS columns.
// Other scripts announce new cards with "grid:added" and replaced ones with "grid:changed".
(() => {
  "use strict";
  const COLUMN = 236;
  const GAP = 16;

  function decorate(card) {
    const media = card.querySelector(".card-media");
    if (media && card.dataset.color) media.style.backgroundColor = card.dataset.color;
  }

  function cardsOf(grid) {
    return Array.from(grid.children).filter((child) => child.classList.contains("card"));
  }

  function place(grid, cards) {
    const width = grid.clientWidth;
    let state = grid.masonry;
    if (!cards || !state || state.width !== width) {
      const count = Math.max(2, Math.floor((width + GAP) / (COLUMN + GAP)));
      const column = Math.min(COLUMN, (width - GAP * (count - 1)) / count);
      state = grid.masonry = {
        width,
        column,
        left: (width - count * column - GAP * (count - 1)) / 2,
        heights: new Array(count).fill(0),
      };
      cards = cardsOf(grid);
      grid.style.setProperty("--card-width", `${column}px`);
      grid.classList.add("is-masonry");
    }
    cards.forEach(decorate);
    const heights = cards.map((card) => card.offsetHeight); // one layout pass for all reads
    cards.forEach((card, index) => {
      const target = state.heights.indexOf(Math.min(...state.heights));
      const x = state.left + target * (state.column + GAP);
      card.style.transform = `translate(${x}px, ${state.heights[target]}px)`;
      state.heights[target] += heights[index] + GAP;
    });
    grid.style.height = `${Math.max(0, Math.max(...state.heights) - GAP)}px`;
  }

  const resized = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const grid = entry.target;
      if (grid.masonry && grid.masonry.width !== grid.clientWidth) place(grid);
    }
  });

  document.querySelectorAll("[data-grid]").forEach((grid) => {
    place(grid);
    resized.observe(grid);
  });
  document.addEventListener("grid:added", (event) => {
    const grid = event.target.closest("[data-grid]");
    if (grid) place(grid, event.detail.cards);
  });
  document.addEventListener("grid:changed", (event) => {
    const grid = event.target.closest("[data-grid]");
    if (grid) place(grid);
  });
})();
