// Kiosks and boards run unattended: when the network goes, they say so and carry on by
// themselves when it is back. A board keeps polling (htmx) and hides the notice after the
// first answer; a kiosk keeps its page instead of sending a visitor to a browser error,
// and reloads itself once the hall's server answers again.
(function () {
  "use strict";
  // A kiosk page that must not stay on screen (a visitor's ticket, the closed notice) says
  // where to go back to and when: data-return-to, data-return-after (seconds).
  var back = document.querySelector("[data-return-to]");
  if (back) {
    setTimeout(function () {
      window.location.assign(back.dataset.returnTo);
    }, 1000 * Number(back.dataset.returnAfter || 60));
  }
  var notice = document.getElementById("offline");
  if (!notice) return;
  var checking = null;

  function show() {
    notice.hidden = false;
    if (!checking && !document.getElementById("board")) checking = setInterval(check, 5000);
  }

  function hide() {
    notice.hidden = true;
  }

  function check() {
    fetch(window.location.href, { method: "HEAD", cache: "no-store" }).then(function (r) {
      if (r.ok) window.location.reload();
    }, function () {});
  }

  document.body.addEventListener("htmx:sendError", show);
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) hide();
  });
  document.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      show();
    }
  }, true);
  window.addEventListener("offline", show);
  window.addEventListener("online", function () {
    if (!document.getElementById("board")) check();
  });
})();
