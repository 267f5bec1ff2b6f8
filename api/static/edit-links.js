// The edit links of a resource page (_edit_links.html): asked of /edit/links, which answers
// with the forms the signed-in person may open; nothing is shown to anyone else.
(function () {
  "use strict";
  for (const nav of document.querySelectorAll("nav.edit-links[data-api]")) {
    const params = new URLSearchParams({ kind: nav.dataset.kind, key: nav.dataset.key });
    fetch(nav.dataset.api + "?" + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : { links: [] }))
      .then((body) => {
        const list = nav.querySelector("ul");
        for (const link of body.links || []) {
          const words = nav.querySelector('template[data-form="' + link.form + '"]');
          const item = document.createElement("li");
          const a = document.createElement("a");
          let url = new URL(link.url, window.location.href);
          if (nav.dataset.explicit) url.searchParams.set("lang", nav.dataset.lang);
          a.href = url.pathname + url.search;
          a.textContent = words ? words.content.textContent : link.form;
          item.appendChild(a);
          list.appendChild(item);
        }
        if (body.links && body.links.length) nav.hidden = false;
      })
      .catch(() => {});
  }
})();
