// A section select follows its board select: only the chosen board's sections are offered, and
// the field hides when that board has none. Without this script every board's sections show,
// grouped under their board's name, and the server refuses a mismatch.
(() => {
  "use strict";
  document.querySelectorAll("select[data-board-select]").forEach((select) => {
    const board = document.getElementById(select.dataset.boardSelect);
    if (!board) return;
    const none = select.querySelector('option[value=""]');
    const byBoard = new Map(
      Array.from(select.querySelectorAll("optgroup"), (group) => [group.dataset.board, Array.from(group.children)]),
    );
    const field = select.closest(".field");
    function follow() {
      const chosen = select.value;
      const options = byBoard.get(board.value) || [];
      select.replaceChildren(none, ...options);
      select.value = options.some((option) => option.value === chosen) ? chosen : "";
      field.hidden = options.length === 0;
    }
    board.addEventListener("change", follow);
    follow();
  });
})();
