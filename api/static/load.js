/* The page GET /load: send a workbook (a zip of its CSV folder, or .xlsx) or an RDF file to
   POST /api/loads with the write token, then poll the load's address (Location) twice a second
   and show its phases (count, rate, time) until it is done, or the problems that refused it. */
(function () {
  "use strict";

  var form = document.getElementById("load");
  if (!form) return;
  var words = JSON.parse(document.getElementById("load-words").textContent);
  var file = document.getElementById("file");
  var source = document.getElementById("source");
  var status = document.getElementById("status");
  var phases = document.getElementById("phases");
  var problems = document.getElementById("problems");
  var send = document.getElementById("send");
  var number = new Intl.NumberFormat(words.lang, { maximumFractionDigits: 1 });
  var TYPES = {
    zip: "application/zip",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ttl: "text/turtle", nt: "application/n-triples", rdf: "application/rdf+xml",
    owl: "application/rdf+xml", jsonld: "application/ld+json", nq: "application/n-quads",
    trig: "application/trig"
  };

  function say(text) { status.textContent = text; }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? values[name] : all;
    });
  }
  function cell(row, text, numeric) {
    var td = document.createElement("td");
    td.textContent = text;
    if (numeric) td.className = "num";
    row.appendChild(td);
  }

  file.addEventListener("change", function () {
    if (!source.value && file.files.length) {
      var stem = file.files[0].name.replace(/\.[^.]*$/, "");
      source.value = stem.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 64);
    }
  });

  function showPhases(shown) {
    var body = phases.tBodies[0];
    body.textContent = "";
    shown.forEach(function (p) {
      var row = document.createElement("tr");
      var unit = words[p.unit] || p.unit;
      var count = number.format(p.done) + (p.total !== null ? " / " + number.format(p.total) : "") + " " + unit;
      cell(row, (words[p.name] || p.name) + (p.finished ? " ✓" : " …"));
      cell(row, count, true);
      cell(row, p.rate ? fill(words.per_second, { n: number.format(Math.round(p.rate)), unit: unit }) : "", true);
      cell(row, fill(words.seconds, { n: number.format(p.elapsed) }), true);
      body.appendChild(row);
    });
    phases.hidden = shown.length === 0;
  }

  /* A SHACL rule's sentence in the page's language when its shape has one (translations),
     else the English message, marked as the pages mark a text in another language. */
  function said(row, p) {
    var text = (p.translations || {})[words.lang];
    var td = document.createElement("td");
    td.textContent = text || p.message;
    td.lang = text ? words.lang : "en";
    if (!text && p.focusNode && words.lang !== "en") {
      var badge = document.createElement("span");
      badge.className = "fallback";
      badge.title = words.fallback;
      badge.textContent = "EN";
      td.appendChild(document.createTextNode(" "));
      td.appendChild(badge);
    }
    row.appendChild(td);
  }

  function showProblems(found, count) {
    var body = problems.tBodies[0];
    body.textContent = "";
    (found || []).forEach(function (p) {
      var row = document.createElement("tr");
      cell(row, (p.whereTranslations || {})[words.lang] || p.where || p.focusNode || "");
      said(row, p);
      body.appendChild(row);
    });
    problems.hidden = !found || found.length === 0;
    if (count && found && count > found.length) {
      say(status.textContent + " " + fill(words.more, { n: number.format(count - found.length) }));
    }
  }

  function show(load) {
    showPhases(load.phases);
    if (load.state === "done") {
      var stored = load.loaded.map(function (s) {
        return fill(words.stored, { source: s.name, n: number.format(s.triples), graph: s.graph });
      }).join(" ");
      say(words.done + " " + stored);
    } else if (load.state === "failed") {
      say(words.failed + " " + (load.detail || ""));
    } else {
      say(words[load.state] + (load.phase ? " " + (words[load.phase] || load.phase) : ""));
    }
    showProblems(load.problems, load.problem_count);
  }

  function poll(url, headers) {
    fetch(url, { headers: headers }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) { say(words.lost + " " + (answer.body.detail || "")); send.disabled = false; return; }
      show(answer.body);
      if (answer.body.state === "done" || answer.body.state === "failed") { send.disabled = false; return; }
      window.setTimeout(function () { poll(url, headers); }, 500);
    }).catch(function (error) { say(words.lost + " " + error); send.disabled = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!file.files.length) return;
    var chosen = file.files[0];
    var extension = (chosen.name.split(".").pop() || "").toLowerCase();
    var type = TYPES[extension] || chosen.type;
    if (!type) { say(words.unknown_type); return; }
    var headers = { "Authorization": "Bearer " + document.getElementById("token").value };
    var query = "?source=" + encodeURIComponent(source.value) +
      (document.getElementById("replace").checked ? "&replace=true" : "");
    send.disabled = true;
    showPhases([]);
    showProblems([], 0);
    say(words.sending);
    fetch(form.getAttribute("data-endpoint") + query, {
      method: "POST",
      headers: Object.assign({ "Content-Type": type }, headers),
      body: chosen
    }).then(function (response) {
      return response.json().then(function (body) {
        return { status: response.status, location: response.headers.get("Location"), body: body };
      });
    }).then(function (answer) {
      if (answer.status !== 202) {
        say(words.failed + " " + (answer.body.detail || answer.status));
        showProblems(answer.body.problems, 0);
        send.disabled = false;
        return;
      }
      show(answer.body);
      poll(answer.location, headers);
    }).catch(function (error) { say(words.lost + " " + error); send.disabled = false; });
  });
})();
