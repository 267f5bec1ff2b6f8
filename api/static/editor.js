/* The query editor of GET /sparql (for people), on YASGUI (@zazuko/yasgui, vendored in
   api/static/vendor/yasgui/ by scripts/vendor): completion, syntax checking, result tables,
   tabs. What this file adds is only this service's setting of it:
   - the endpoint is this service's /sparql, and nothing else is ever asked: no endpoint
     catalogue, no prefix.cc, no Linked Open Vocabularies (the class and property completers
     are left off), no URL shortener, nothing kept in the browser's storage;
   - the service's prefixes are declared in the example and folded (the fold's marker shows
     them on demand); completing a prefix offers the service's own, from the page itself;
   - results compact IRIs with those prefixes, and this service's IRIs link to their pages;
   - an error shows the service's plain sentence with the query line and its caret;
   - the share button gives a /sparql?query= link (a results page in a browser), and a link to
     /sparql#query= opens its query here.
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

  var yasgui = new Yasgui(holder, {
    persistenceId: null,
    // a link to /sparql#query=... (the results page's "Open in the editor") opens its query
    // here; whatever else the link says (another endpoint, headers), only this service is asked
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = endpoint;
      tab.requestConfig.method = "POST";
      tab.requestConfig.headers = {};
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
      acceptHeaderGraph: "text/turtle"
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
    tab.getYasr().on("drawn", function () {
      holder.querySelectorAll("select.tableSizer").forEach(function (select) {
        select.setAttribute("aria-label", words.page_size);
      });
    });
  }

  /* The service answers a bad query with {"detail": "..."}: a plain sentence, the query's line
     and a caret under the place (graph/syntax_hint.py); shown as it is, monospaced. */
  function explain(error) {
    var text = error && (error.text || error.message) || "";
    try { text = JSON.parse(text).detail || text; } catch (ignored) { /* plain text */ }
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
