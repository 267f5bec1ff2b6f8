// The header's search box as a combobox (WAI-ARIA 1.2 "list autocomplete"): it asks
// /api/search as the person types (debounced, stale answers dropped), lists the best matches,
// and is driven from the keyboard (Down/Up to move, Enter to open, Escape to close). Without
// this script the box is a plain GET form to /search, which shows the same results.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector("[role=listbox]");
  var status = form.querySelector("[role=status]");
  var api = form.getAttribute("data-api");
  var lang = form.getAttribute("data-lang");
  var DELAY = 180;
  var timer = null;
  var pending = null;
  var active = -1;
  var shown = [];

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    var options = list.querySelectorAll("[role=option]");
    if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
    active = index;
    if (index >= 0 && options[index]) {
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function href(path) {
    var root = api.slice(0, api.length - "/api/search".length);
    var explicit = form.querySelector("input[name=lang]");
    return root + path + (explicit ? "?lang=" + encodeURIComponent(explicit.value) : "");
  }

  function render(results) {
    list.textContent = "";
    shown = results;
    results.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.id = "site-search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = hit.name;
      if (hit.name_language) { name.lang = hit.name_language; }
      li.appendChild(name);
      var what = document.createElement("span");
      what.className = "kind";
      what.textContent = [hit.kind, hit.acronym, hit.code !== hit.name ? hit.code : null]
        .filter(Boolean).join(" · ");
      li.appendChild(what);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { window.location.href = href(hit.path); });
      list.appendChild(li);
    });
    var all = document.createElement("li");
    all.id = "site-search-option-all";
    all.setAttribute("role", "option");
    all.setAttribute("aria-selected", "false");
    all.className = "all";
    all.textContent = form.getAttribute("data-all");
    all.addEventListener("mousedown", function (event) { event.preventDefault(); });
    all.addEventListener("click", function () { form.submit(); });
    list.appendChild(all);
    active = -1;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = results.length + " / " + input.value;
  }

  function ask() {
    var text = input.value.trim();
    if (pending) { pending.abort(); pending = null; }
    if (!text) { close(); status.textContent = ""; return; }
    pending = window.AbortController ? new AbortController() : null;
    var url = api + "?limit=8&lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, signal: pending ? pending.signal : undefined })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && input.value.trim() === text) { render(body.results); }
      })
      .catch(function () { /* aborted, or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });
  input.addEventListener("keydown", function (event) {
    var count = list.querySelectorAll("[role=option]").length;
    if (event.key === "ArrowDown") {
      if (list.hidden) { ask(); return; }
      event.preventDefault();
      choose(active + 1 < count ? active + 1 : 0);
    } else if (event.key === "ArrowUp" && !list.hidden) {
      event.preventDefault();
      choose(active > 0 ? active - 1 : count - 1);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      if (active < shown.length) { window.location.href = href(shown[active].path); }
      else { form.submit(); }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
