// The display board's spoken call: the browser reads each new call aloud in Chinese
// (Web Speech API); nothing is sent to the server. Browsers allow sound only after a tap,
// so the board shows a button to switch it on.
(function () {
  "use strict";
  var button = document.getElementById("voice");
  if (!button || !("speechSynthesis" in window)) return;
  button.hidden = false;
  var on = false;
  var last = null;

  function latest() {
    var row = document.querySelector("#board tr[data-call]");
    return row ? row.getAttribute("data-call") : null;
  }

  function speak(call) {
    var parts = call.split("|");
    var words = "请 " + parts[0].split("").join(" ") + " 号，到 " + parts[1] + " 号窗口办理";
    var utterance = new SpeechSynthesisUtterance(words);
    utterance.lang = "zh-CN";
    window.speechSynthesis.speak(utterance);
  }

  button.addEventListener("click", function () {
    on = !on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    last = latest();
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    var call = latest();
    if (on && call && call !== last) speak(call);
    last = call;
  });
})();
