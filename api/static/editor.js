/* The query editor of GET /sparql (for people): a textarea with the catalogue's SPARQL questions
   as examples and the service's prefixes preloaded. Run (or Ctrl+Enter) POSTs the query to
   /sparql and shows SELECT rows as a table, ASK as yes or no, CONSTRUCT and DESCRIBE as
   Turtle; data IRIs link to their pages on this service. Without JavaScript the form still
   works: it GETs /sparql?query=... and the browser shows the raw answer. */
(function () {
  "use strict";

  var form = document.getElementById("editor");
  if (!form) return;
  var textarea = document.getElementById("query");
  var picker = document.getElementById("example");
  var status = document.getElementById("status");
  var table = document.getElementById("results");
  var graph = document.getElementById("graph-result");
  var download = document.getElementById("download");
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var words = JSON.parse(document.getElementById("editor-words").textContent);
  var endpoint = form.getAttribute("data-endpoint");
  var base = form.getAttribute("data-base");
  var root = form.getAttribute("data-root");
  var lastCsv = null;

  picker.addEventListener("change", function () {
    var chosen = examples.filter(function (e) { return e.name === picker.value; })[0];
    if (chosen) {
      textarea.value = chosen.text;
      textarea.focus();
    }
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  download.addEventListener("click", function () {
    if (!lastCsv) return;
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([lastCsv], { type: "text/csv" }));
    link.download = "results.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  function run() {
    var query = textarea.value;
    var started = performance.now();
    status.textContent = words.running;
    table.hidden = true;
    graph.hidden = true;
    download.disabled = true;
    lastCsv = null;
    fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query })
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      var truncated = response.headers.get("SIC-Result-Truncated");
      var elapsed = Math.round(performance.now() - started);
      if (!response.ok) {
        return response.text().then(function (text) {
          var detail = text;
          try { detail = JSON.parse(text).detail || text; } catch (ignored) { /* plain text */ }
          status.textContent = words.error + " (" + response.status + "): " + detail;
        });
      }
      if (type.indexOf("json") >= 0) {
        return response.json().then(function (answer) {
          show(answer);
          var count = answer.results ? answer.results.bindings.length : null;
          status.textContent = (count === null ? "" : count + " " + words.rows + " · ") +
            elapsed + " " + words.ms + (truncated ? " · " + words.truncated : "");
        });
      }
      return response.text().then(function (text) {
        graph.textContent = text;
        graph.hidden = false;
        status.textContent = elapsed + " " + words.ms + (truncated ? " · " + words.truncated : "");
      });
    }).catch(function (error) {
      status.textContent = words.error + ": " + error;
    });
  }

  function show(answer) {
    var head = table.tHead;
    var body = table.tBodies[0];
    head.textContent = "";
    body.textContent = "";
    if (typeof answer.boolean === "boolean") {
      graph.textContent = answer.boolean ? words.yes : words.no;
      graph.hidden = false;
      return;
    }
    var columns = answer.head.vars;
    var row = head.insertRow();
    columns.forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      row.appendChild(th);
    });
    var csv = [columns.join(",")];
    answer.results.bindings.forEach(function (binding) {
      var tr = body.insertRow();
      csv.push(columns.map(function (name) {
        var term = binding[name];
        cell(tr.insertCell(), term);
        return term ? '"' + String(term.value).replace(/"/g, '""') + '"' : "";
      }).join(","));
    });
    lastCsv = csv.join("\r\n") + "\r\n";
    download.disabled = false;
    table.hidden = false;
  }

  function cell(td, term) {
    if (!term) return;
    if (term.type === "uri") {
      var link = document.createElement("a");
      link.textContent = term.value;
      link.href = term.value.indexOf(base + "id/") === 0 ? root + "/" + term.value.slice(base.length) : term.value;
      td.appendChild(link);
      return;
    }
    td.textContent = term.value;
    if (term["xml:lang"]) td.lang = term["xml:lang"];
  }
})();
