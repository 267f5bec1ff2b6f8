// The edit links of a resource page (_edit_links.html): asked of /edit/links, which answers
// with the forms the signed-in person may open; nothing is shown to anyone else.
(function () {
  "use strict";
  function rowOf(link) {
    for (const tr of document.querySelectorAll("tr[data-funding]")) {
      const named = tr.dataset.funding;
      if (link.form.startsWith("funding") && (named === link.row || named.endsWith("/funding/" + link.row))) return tr;
    }
    return null;
  }
  // the column of the rows' forms gets its heading once (the table's other columns keep theirs)
  function heading(row, nav) {
    const head = row.closest("table") && row.closest("table").querySelector("thead tr");
    if (!head || head.querySelector("th.row-forms")) return;
    const th = document.createElement("th");
    th.scope = "col";
    th.className = "row-forms";
    const words = nav.querySelector('template[data-form="rows"]');
    th.textContent = words ? words.content.textContent : "";
    head.appendChild(th);
  }
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
          if (link.row) a.textContent = a.textContent.replace("{name}", link.row);
          // a funding line's forms go in its own row of the page's table (data-funding)
          const row = link.row ? rowOf(link) : null;
          if (row) {
            let cell = row.querySelector("td.row-forms");
            if (!cell) {
              cell = document.createElement("td");
              cell.className = "row-forms";
              row.appendChild(cell);
              heading(row, nav);
            }
            if (cell.childNodes.length) cell.appendChild(document.createTextNode(" · "));
            cell.appendChild(a);
            continue;
          }
          item.appendChild(a);
          list.appendChild(item);
        }
        if (body.links && body.links.length) nav.hidden = false;
      })
      .catch(() => {});
  }
})();
