{% comment %}The "Save to catalog" bookmarklet. It runs on other people's pages, so it stands alone: no
page script of ours, no comments (some browsers join a bookmark's lines), every statement ended.{% endcomment %}(function () {
  var found = [], seen = {}, images = document.images;
  for (var i = 0; i < images.length && found.length < 12; i++) {
    var image = images[i], src = image.currentSrc || image.src;
    if (image.naturalWidth >= 200 && image.naturalHeight >= 200 && /^https?:/i.test(src) && !seen[src]) {
      seen[src] = true;
      found.push("&image=" + encodeURIComponent(src));
    }
  }
  window.open("{{ request.scheme|escapejs }}://{{ request.get_host|escapejs }}/pin-builder/?url=" + encodeURIComponent(location.href) + "&title=" + encodeURIComponent(document.title) + found.join(""), "_blank", "noopener");
})();
