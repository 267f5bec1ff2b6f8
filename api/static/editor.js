/* The query editor of GET /sparql (for people), on YASGUI (@zazuko/yasgui, vendored in
   api/static/vendor/yasgui/ by scripts/vendor): completion, syntax checking, result tables,
   tabs. What this file adds is only this service's setting of it:
   - the endpoint is this service's /sparql, and nothing else is ever asked: no endpoint
     catalogue, no prefix.cc, no Linked Open Vocabularies (the class and property completers
     are left off), no URL shortener, nothing kept in the browser's storage;
   - the service's prefixes are declared in the example and folded (the fold's marker shows
     them on demand); completing a prefix offers the service's own, from the page itself;
   - results compact IRIs with those prefixes, and this service's IRIs link to their pages,
     named in the page's language beside their path (POST /api/names, see `nameRows`);
   - an error shows the service's plain sentence with the query line and its caret, in the
     page's language (the queries say it in Accept-Language);
   - the share button gives a /sparql?query= link (a results page in a browser), and a link to
     /sparql#query= opens its query here;
   - on a French or Spanish page YASGUI's own labels, tooltips and sentences are in that
     language (the words come from the page: api/locales/editor2.*.json), see `inLanguage`.
   Without JavaScript the plain form below it still works: it GETs /sparql?query=... and the
   service answers with a results page. */
(function () {
  "use strict";

  var holder = document.getElementById("yasgui");
  if (!holder || typeof Yasgui === "undefined") return; // the plain form stays
  var form = document.getElementById("editor");
  var picker = document.getElementById("example");
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var prefixes = JSON.parse(document.getElementById("prefixes").textContent);
  var words = JSON.parse(document.getElementById("editor-words").textContent);
  var endpoint = new URL(holder.getAttribute("data-endpoint"), location.href).href;
  var base = holder.getAttribute("data-base");
  var root = holder.getAttribute("data-root");
  var example = document.getElementById("query").value;

  // the prefix completer reads "a prefix.cc-like JSON": given from the page, never fetched
  var prefixList = URL.createObjectURL(new Blob([JSON.stringify(prefixes)], { type: "application/json" }));

  // this service's IRIs link to their page here, named by their path (as the results page does)
  var Table = Yasgui.Yasr.plugins.table;
  var link = Table.prototype.getUriLinkFromBinding;
  Table.prototype.getUriLinkFromBinding = function (binding, known) {
    var html = link.call(this, binding, known);
    var value = binding.value;
    if (value.indexOf(base + "id/") !== 0) return html;
    var local = value.slice(base.length);
    var anchor = document.createElement("a");
    anchor.className = "iri";
    anchor.href = root + "/" + local;
    anchor.title = value;
    anchor.textContent = local;
    return anchor.outerHTML;
  };

  // a shared query is a link to its results page on this service (/sparql?query=...), which a
  // browser opens as a page and a program as SPARQL results
  Yasgui.Tab.prototype.getShareableLink = function () {
    return endpoint + "?query=" + encodeURIComponent(this.getQuery());
  };

  // the service's sentence and caret for a bad query (Tab puts its CORS check before these)
  Yasgui.Yasr.defaults.errorRenderers = [explain];

  var told = document.getElementById("yasgui-words");
  var own = JSON.parse(told.textContent);
  var speaks = told.getAttribute("data-lang");
  if (speaks !== "en") inLanguage(own, speaks);
  // the page's language goes with each query, so that a bad one is explained in it too
  var spoken = { "Accept-Language": speaks };
  // where the names of this service's IRIs in the table are asked for (see `nameRows`)
  var namesAt = new URL(root + "/api/names", location.href).href;

  var yasgui = new Yasgui(holder, {
    persistenceId: null,
    tabName: own.tab,
    // a link to /sparql#query=... (the results page's "Open in the editor") opens its query
    // here; whatever else the link says (another endpoint, headers), only this service is asked
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = endpoint;
      tab.requestConfig.method = "POST";
      tab.requestConfig.headers = spoken;
      tab.requestConfig.args = [];
      tab.requestConfig.namedGraphs = [];
      tab.requestConfig.defaultGraphs = [];
      return tab;
    },
    copyEndpointOnNewTab: true,
    autofocus: false,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
      headers: spoken
    },
    yasqe: {
      value: example,
      collapsePrefixesOnLoad: true,
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: prefixList,
      createShortLink: undefined,
      editorHeight: "22rem"
    },
    yasr: {
      prefixes: prefixes,
      defaultPlugin: "table",
      pluginOrder: ["table", "response"]
    }
  });
  form.hidden = true;
  label(yasgui.getTab());
  yasgui.on("tabAdd", function () { label(yasgui.getTab()); });
  document.getElementById("example-bar").hidden = false;

  picker.addEventListener("change", function () {
    var chosen = examples.filter(function (e) { return e.name === picker.value; })[0];
    if (!chosen) return;
    var yasqe = yasgui.getTab().getYasqe();
    yasqe.setValue(chosen.text);
    yasqe.collapsePrefixes(true);
    yasqe.focus();
  });

  /* CodeMirror's hidden textarea is where the keys go: named like the plain form's field */
  function label(tab) {
    if (!tab || !tab.getYasqe()) return;
    var yasqe = tab.getYasqe();
    yasqe.getInputField().setAttribute("aria-label", words.query);
    // the scrolling area of a long query is reached by keyboard too
    yasqe.getWrapperElement().querySelector(".CodeMirror-scroll").setAttribute("tabindex", "0");
    tab.getYasr().on("drawn", function (yasr, plugin) {
      holder.querySelectorAll("select.tableSizer").forEach(function (select) {
        select.setAttribute("aria-label", words.page_size);
      });
      // each page of the table, as DataTables draws it (paging, sorting, filtering)
      if (plugin && plugin.dataTable && plugin.tableEl) {
        var table = plugin.tableEl;
        nameRows(table);
        plugin.dataTable.on("draw", function () { nameRows(table); });
      }
    });
  }

  /* This service's IRIs in the rows shown get their name beside their path, as on the results
     page of a /sparql?query= link: the names of the page's language (English marked as a
     stand-in, like every page's fallback badge), asked of POST /api/names once per page of the
     table drawn. The table is drawn first and never waits; if the names do not come, it stays
     as it was. */
  function nameRows(table) {
    var links = Array.prototype.filter.call(
      table.querySelectorAll("tbody a.iri"),
      function (a) { return !a.hasAttribute("data-named"); }
    );
    var asked = [];
    links.forEach(function (a) {
      a.setAttribute("data-named", "");
      if (asked.indexOf(a.title) < 0 && asked.length < 500) asked.push(a.title);
    });
    if (!asked.length) return;
    fetch(namesAt + "?lang=" + encodeURIComponent(speaks), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(asked),
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (found) {
      links.forEach(function (a) {
        var named = Object.prototype.hasOwnProperty.call(found, a.title) && found[a.title];
        if (!named || !a.parentNode) return;
        var name = document.createElement("span");
        name.className = "iri-name";
        name.lang = named.lang;
        name.textContent = named.name;
        a.parentNode.insertBefore(name, a);
        if (named.fallback) a.parentNode.insertBefore(fallbackBadge(named), a);
        a.parentNode.insertBefore(document.createTextNode(" "), a);
      });
    }).catch(function () { /* no names: the paths stay, as before */ });
  }

  /* The badge every page puts after a name shown in English for want of the page's language
     (the fallback macro of api/templates/_macros.html), with the service's sentence. */
  function fallbackBadge(named) {
    var badge = document.createElement("span");
    badge.className = "fallback";
    badge.lang = speaks;
    badge.title = named.note || "";
    var code = document.createElement("span");
    code.setAttribute("aria-hidden", "true");
    code.lang = named.lang;
    code.textContent = named.lang.toUpperCase();
    var told = document.createElement("span");
    told.className = "visually-hidden";
    told.textContent = "(" + (named.note || "") + ")";
    badge.appendChild(code);
    badge.appendChild(told);
    return badge;
  }

  /* YASGUI 4.6 has no translations and no option for its labels: they are English strings in
     its code. The result table's sentences are DataTables' and go through its `language`
     option; every other label, tooltip and placeholder YASGUI draws (buttons, tabs, the
     settings, the "N results in S seconds" chip) is swapped for the page's word as it appears,
     by a MutationObserver on the editor. Never inside the query, the rows or the column names
     (a variable may well be called ?table). */
  function inLanguage(own, lang) {
    var ENGLISH = {
      "Close tab": "close_tab", "Add tab": "add_tab", "Add a new tab": "add_new_tab",
      "Open settings": "open_settings", "Settings": "settings",
      "Request method": "request_method", "Accept Headers": "accept_headers",
      "Ask / Select": "ask_select", "Construct / Describe": "construct_describe",
      "Arguments": "arguments", "Header Arguments": "header_arguments",
      "Default Graphs": "default_graphs", "Named Graphs": "named_graphs",
      "Clear endpoint": "clear_endpoint", "Share query": "share_query", "Run query": "run_query",
      "Table": "table", "Shows Table view": "shows_table",
      "Response": "response", "Shows Response view": "shows_response",
      "Simple view": "simple_view", "Ellipse": "ellipse", "Filter query results": "filter",
      "Page size:": "page_size_label", "All": "all", "Download result": "download_result",
      "Download Results": "download_results", "Show all": "show_all",
      "pagination": "pagination", "First": "first", "Previous": "previous", "Next": "next",
      "Last": "last", "Download not supported": "download_not_supported"
    };
    var SKIP = ".CodeMirror-lines, .CodeMirror-measure, .CodeMirror-hints, table.dataTable thead, "
      + "table.dataTable tbody";
    var ATTRIBUTES = ["title", "aria-label", "placeholder"];
    var number = function (n) { return Number(n).toLocaleString(lang); };
    var fill = function (template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
    };

    var table = Table.defaults.tableConfig;
    table.language = Object.assign({}, table.language, {
      info: own.info, infoEmpty: own.info_empty, infoFiltered: own.info_filtered,
      emptyTable: own.empty_table, zeroRecords: own.zero_records,
      aria: {
        orderable: own.orderable, orderableReverse: own.orderable_reverse,
        orderableRemove: own.orderable_remove,
        paginate: { first: own.first, previous: own.previous, next: own.next, last: own.last }
      }
    });

    function said(text) {
      if (Object.prototype.hasOwnProperty.call(ENGLISH, text)) return own[ENGLISH[text]] || null;
      var m = /^(?:(\d+) results?|Response)(?: in ([\d.]+) seconds?)?$/.exec(text);
      if (m) {
        var what = m[1] === undefined ? own.response
          : fill(m[1] === "1" ? own.results_one : own.results, { n: number(m[1]) });
        return m[2] === undefined ? what : fill(own.took, { what: what, s: number(m[2]) });
      }
      m = /^View documentation of (.+)$/.exec(text);
      if (m) return fill(own.documentation, { name: said(m[1]) || m[1] });
      return null;
    }

    function swapAttributes(element) {
      ATTRIBUTES.forEach(function (name) {
        var value = element.getAttribute(name);
        var word = value && said(value);
        if (word && word !== value) element.setAttribute(name, word);
      });
    }

    function swap(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        var parent = node.parentElement;
        var text = node.textContent.trim();
        if (!text || !parent || parent.closest(SKIP)) return;
        var word = said(text);
        if (word && word !== text) node.textContent = node.textContent.replace(text, word);
      } else if (node.nodeType === Node.ELEMENT_NODE && !node.closest(SKIP)) {
        swapAttributes(node);
        Array.prototype.forEach.call(node.childNodes, swap);
      }
    }

    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "childList") change.addedNodes.forEach(swap);
        else if (change.type === "characterData") swap(change.target);
        else if (!change.target.closest(SKIP)) swapAttributes(change.target);
      });
    }).observe(holder, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ATTRIBUTES
    });
  }

  /* The service answers a bad query with {"detail": "..."}: a plain sentence, the query's line
     and a caret under the place (graph/syntax_hint.py); shown as it is, monospaced. The same
     sentence in the page's language, when the service has it (`translated`), is preferred. */
  function explain(error) {
    var text = error && (error.text || error.message) || "";
    try {
      var body = JSON.parse(text);
      text = (body.translated && body.translated.lang === speaks && body.translated.detail) ||
        body.detail || text;
    } catch (ignored) { /* plain text */ }
    // no answer at all: YASGUI passes on fetch's message, which is the browser's (Chromium,
    // Firefox, Safari), in English whatever the page; the page's sentence says it instead
    var network = /^(Failed to fetch|NetworkError when attempting to fetch resource\.|Load failed)$/;
    if (network.test(text)) text = own.no_answer;
    var box = document.createElement("div");
    box.className = "query-error-box";
    var head = document.createElement("p");
    head.textContent = words.error + (error && error.status ? " (" + error.status + ")" : "");
    var detail = document.createElement("pre");
    detail.className = "query-error";
    detail.tabIndex = 0; // long lines scroll: reachable by keyboard
    detail.textContent = text;
    box.appendChild(head);
    box.appendChild(detail);
    return Promise.resolve(box);
  }
})();
