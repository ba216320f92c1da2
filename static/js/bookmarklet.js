// The bookmarklet is meant to be dragged to the bookmarks bar; clicked here it would only trip
// our own Content-Security-Policy, so explain instead.
(() => {
  "use strict";
  const hint = document.querySelector("[data-bookmarklet-hint]");
  document.querySelectorAll("[data-bookmarklet]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      if (hint) hint.textContent = "Drag the button to your bookmarks bar, then click it there while on another site.";
    });
  });
})();
