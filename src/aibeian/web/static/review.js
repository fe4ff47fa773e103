// Keyboard shortcuts of the corpus review screen (the keys are shown on the page):
// Y qualified + save; N not qualified, then type the reason and press Enter; ←/→ previous/next item.
(function () {
  var form = document.getElementById("verdict-form");
  var reason = document.getElementById("reason");
  function go(id) { var a = document.getElementById(id); if (a) { window.location.href = a.href; } }
  function save() { if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); } }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var typing = e.target && (e.target.tagName === "INPUT" && e.target.type === "text" || e.target.tagName === "TEXTAREA");
    if (typing) {
      if (e.key === "Escape") { e.target.blur(); }
      else if (e.key === "Enter" && form) { e.preventDefault(); save(); }
      return;
    }
    var tag = e.target && e.target.tagName;
    if (e.key === "Enter" && (tag === "A" || tag === "BUTTON")) { return; }  // a focused link or button acts itself
    var key = e.key.toLowerCase();
    if (key === "y" && form) { e.preventDefault(); document.getElementById("q-yes").checked = true; save(); }
    else if (key === "n" && form) { e.preventDefault(); document.getElementById("q-no").checked = true; reason.focus(); reason.select(); }
    else if (key === "enter" && form) { e.preventDefault(); save(); }
    else if (e.key === "ArrowRight" || key === "j") { e.preventDefault(); go("next"); }
    else if (e.key === "ArrowLeft" || key === "k") { e.preventDefault(); go("prev"); }
  });
  if (form && document.querySelector(".field-error") && reason) { reason.focus(); }
})();
