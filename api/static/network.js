/* The partner network of /network on cytoscape (vendored in api/static/vendor/cytoscape/ by
   scripts/vendor): organisations as circles sized by their broker score, shared projects and
   alliances as lines, brokers ringed. Cytoscape lays the graph out (its force-directed "cose",
   started from a fixed spiral in the server's order, so the same data gives the same drawing),
   draws it and lets a mouse or a finger drag a circle. What this file adds:
   - names written beside the best-connected circles where they overlap no other name (right,
     else left, above or below; measured by cytoscape's own label boxes), the others shown on
     hover and focus with the neighbours';
   - a button over every circle, in the page's tab order: Tab to a circle, Enter to select it,
     Escape to clear; its label says the name, type, collaborators and broker in full;
   - the selected organisation in the side panel, with a link to its page.
   The page's tables hold the same information for readers without JavaScript. */
(function () {
  "use strict";

  var figure = document.getElementById("network");
  var dataNode = document.getElementById("network-data");
  if (!figure || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var words = JSON.parse(document.getElementById("network-words").textContent);
  var details = document.getElementById("network-details");

  var select = document.getElementById("n-objective");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  if (!data.nodes.length) {
    var empty = document.createElement("p");
    empty.textContent = figure.getAttribute("data-empty");
    figure.appendChild(empty);
    return;
  }
  if (typeof cytoscape === "undefined") return; // the tables below say it all

  var narrow = figure.clientWidth < 600;
  var LABELS = narrow ? 6 : 12; // names written beside the best-connected circles
  var SHORT = narrow ? 18 : 30; // long names shortened on the drawing, whole elsewhere
  var style = getComputedStyle(document.documentElement);
  var FOCUS = style.getPropertyValue("--focus").trim() || "#1849a9";
  var BROKER = style.getPropertyValue("--broker").trim() || "#a4420b";
  var TEXT = style.getPropertyValue("--text").trim() || "#1b1f1c";

  var stage = document.createElement("div");
  stage.className = "network-stage";
  var canvas = document.createElement("div");
  canvas.className = "network-cy";
  canvas.setAttribute("aria-hidden", "true"); // the buttons below speak for it
  var keys = document.createElement("div");
  keys.className = "network-keys";
  keys.setAttribute("role", "group");
  if (document.getElementById("network-summary")) {
    keys.setAttribute("aria-labelledby", "network-summary");
  }
  stage.appendChild(canvas);
  stage.appendChild(keys);
  figure.appendChild(stage);

  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; n.neighbours = []; });
  data.edges.forEach(function (e) {
    byId[e.source].neighbours.push({ id: e.target, edge: e });
    byId[e.target].neighbours.push({ id: e.source, edge: e });
  });
  var maxBetweenness = Math.max.apply(null, data.nodes.map(function (n) { return n.betweenness; })) || 1;
  var ranked = data.nodes.slice().sort(function (a, b) {
    return b.betweenness - a.betweenness || b.degree - a.degree || (a.id < b.id ? -1 : 1);
  });

  // start from a golden-angle spiral in the server's order: the layout is then deterministic
  var golden = Math.PI * (3 - Math.sqrt(5));
  var elements = data.nodes.map(function (n, i) {
    var r = Math.sqrt((i + 0.5) / data.nodes.length) * 300;
    return {
      group: "nodes",
      data: {
        id: n.id,
        short: shorten(n.name, SHORT),
        size: 12 + 24 * Math.sqrt(n.betweenness / maxBetweenness),
        colour: colourOf(n.type || "other")
      },
      classes: n.broker ? "broker" : "",
      position: { x: r * Math.cos(i * golden), y: r * Math.sin(i * golden) }
    };
  }).concat(data.edges.map(function (e, i) {
    return {
      group: "edges",
      data: { id: "e" + i, source: e.source, target: e.target, width: Math.min(1 + e.weight, 5) }
    };
  }));

  var cy = cytoscape({
    container: canvas,
    elements: elements,
    userZoomingEnabled: false, // the page scrolls under a wheel or a finger, as it should
    userPanningEnabled: false,
    boxSelectionEnabled: false,
    autounselectify: true,
    style: look(1),
    layout: {
      name: "cose",
      animate: false,
      randomize: false,
      fit: true,
      padding: 24,
      nodeRepulsion: function () { return 4096; },
      idealEdgeLength: function () { return 32; },
      componentSpacing: 24,
      gravity: 1,
      numIter: 600
    }
  });
  // the drawing is fitted to its frame; circles, lines and names keep their size on screen
  cy.style(look(1 / cy.zoom()));
  figure.network = cy; // for the page's tests: the drawing's own label boxes

  var buttons = {};
  data.nodes.forEach(function (n) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "node t-" + (n.type || "other") + (n.broker ? " broker" : "");
    button.setAttribute("data-id", n.id);
    button.setAttribute("aria-label", n.name + (n.type_label ? ", " + n.type_label : "") + ", " +
      n.degree + " " + words.collaborators + (n.broker ? ", " + words.broker : ""));
    button.addEventListener("focus", function () { cy.getElementById(n.id).addClass("focused"); highlight(n); });
    button.addEventListener("blur", function () { cy.getElementById(n.id).removeClass("focused"); highlight(selected); });
    button.addEventListener("click", function () { choose(n); });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Escape") choose(null);
    });
    keys.appendChild(button);
    buttons[n.id] = button;
  });

  var selected = null;
  var placed = {};

  cy.on("tap", "node", function (event) { choose(byId[event.target.id()]); });
  cy.on("tap", function (event) { if (event.target === cy) choose(null); });
  cy.on("mouseover", "node", function (event) { highlight(byId[event.target.id()]); });
  cy.on("mouseout", "node", function () { highlight(selected); });
  cy.on("position", "node", follow);
  cy.on("dragfree", "node", function () { placeLabels(); highlight(selected); });
  window.addEventListener("resize", function () {
    cy.resize();
    cy.fit(undefined, 24);
    cy.style(look(1 / cy.zoom()));
    placeLabels();
    follow();
  });

  placeLabels();
  follow();

  /* The drawing's style, its sizes in screen pixels whatever the zoom `1 / scale`. */
  function look(scale) {
    function px(value) { return value * scale; }
    return [
      { selector: "node", style: {
        width: function (node) { return px(node.data("size")); },
        height: function (node) { return px(node.data("size")); },
        "background-color": "data(colour)", "border-width": px(1.5), "border-color": "#fff",
        label: "", "font-size": px(12), color: TEXT,
        "font-family": style.getPropertyValue("font-family") || "sans-serif",
        "text-outline-color": "#fff", "text-outline-width": px(2.5), "min-zoomed-font-size": 0
      } },
      { selector: "node.broker", style: { "border-width": px(4), "border-color": BROKER } },
      { selector: "node.labelled", style: { label: "data(short)" } },
      { selector: "node.l-right", style: { "text-halign": "right", "text-valign": "center", "text-margin-x": px(4) } },
      { selector: "node.l-left", style: { "text-halign": "left", "text-valign": "center", "text-margin-x": px(-4) } },
      { selector: "node.l-top", style: { "text-halign": "center", "text-valign": "top", "text-margin-y": px(-3) } },
      { selector: "node.l-bottom", style: { "text-halign": "center", "text-valign": "bottom", "text-margin-y": px(3) } },
      { selector: "node.faded", style: { opacity: 0.3 } },
      { selector: "node.chosen, node.focused", style: { "border-width": px(5), "border-color": FOCUS } },
      { selector: "edge", style: {
        width: function (edge) { return px(edge.data("width")); },
        "line-color": "#9aa59e", opacity: 0.7, "curve-style": "haystack"
      } },
      { selector: "edge.faded", style: { opacity: 0.12 } },
      { selector: "edge.near", style: { "line-color": FOCUS, opacity: 0.9 } }
    ];
  }

  /* The buttons sit over their circles (they follow a drag and a resize). */
  var pending = false;
  function follow() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      cy.nodes().forEach(function (node) {
        var button = buttons[node.id()];
        var at = node.renderedPosition();
        var size = Math.max(node.renderedWidth(), 24); // a finger's width at least
        button.style.left = at.x + "px";
        button.style.top = at.y + "px";
        button.style.width = size + "px";
        button.style.height = size + "px";
      });
    });
  }

  /* Names are written beside the best-connected circles, most central first, each where it
     overlaps no name already written and stays inside the drawing: right of its circle, else
     left, above or below, a place that covers no other circle first; a name with no free
     place is left to hover and focus. */
  function placeLabels() {
    var written = [];
    var frame = cy.extent();
    var circles = cy.nodes().map(function (node) {
      return { id: node.id(), box: node.boundingBox({ includeLabels: false }) };
    });
    placed = {};
    cy.nodes().removeClass("labelled l-right l-left l-top l-bottom");
    ranked.slice(0, LABELS).forEach(function (n) {
      var node = cy.getElementById(n.id);
      var places = ["l-right", "l-left", "l-top", "l-bottom"];
      var boxes = places.map(function (place) {
        node.addClass("labelled " + place);
        var b = labelBox(node);
        node.removeClass("labelled " + place);
        var inside = b.x1 >= frame.x1 && b.y1 >= frame.y1 && b.x2 <= frame.x2 && b.y2 <= frame.y2;
        var free = inside && written.every(function (o) { return apart(b, o, 3); });
        var clear = free && circles.every(function (c) { return c.id === n.id || apart(b, c.box, 0); });
        return { place: place, box: b, free: free, clear: clear };
      });
      var chosen = boxes.filter(function (p) { return p.clear; })[0] ||
        boxes.filter(function (p) { return p.free; })[0];
      if (!chosen) return;
      node.addClass("labelled " + chosen.place);
      written.push(chosen.box);
      placed[n.id] = chosen.place;
    });
  }

  function apart(a, b, gap) {
    return a.x2 + gap <= b.x1 || b.x2 + gap <= a.x1 || a.y2 + 1 <= b.y1 || b.y2 + 1 <= a.y1;
  }

  function labelBox(node) {
    return node.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
  }

  function highlight(n) {
    var near = {};
    if (n) {
      near[n.id] = true;
      n.neighbours.forEach(function (m) { near[m.id] = true; });
    }
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var id = node.id();
        node.toggleClass("faded", !!n && !near[id]);
        // the placed names stay; a hovered or focused circle's neighbours are named too
        var place = placed[id] || (near[id] ? "l-right" : null);
        node.removeClass("labelled l-right l-left l-top l-bottom");
        if (place) node.addClass("labelled " + place);
      });
      cy.edges().forEach(function (edge) {
        var touches = !!n && (edge.data("source") === n.id || edge.data("target") === n.id);
        edge.toggleClass("near", touches);
        edge.toggleClass("faded", !!n && !touches);
      });
    });
  }

  function choose(n) {
    if (selected) {
      cy.getElementById(selected.id).removeClass("chosen");
      buttons[selected.id].removeAttribute("aria-pressed");
    }
    selected = n;
    highlight(n);
    details.textContent = "";
    if (!n) return;
    cy.getElementById(n.id).addClass("chosen");
    buttons[n.id].setAttribute("aria-pressed", "true");
    var link = document.createElement("a");
    link.href = n.href;
    link.textContent = n.name;
    var head = document.createElement("p");
    head.appendChild(link);
    details.appendChild(head);
    var facts = document.createElement("p");
    facts.textContent = (n.type_label ? n.type_label + " · " : "") + n.degree + " " +
      words.collaborators + " · " + words.betweenness + " " + n.betweenness.toFixed(3) +
      (n.broker ? " · " + words.broker : "");
    details.appendChild(facts);
    var list = document.createElement("ul");
    n.neighbours.slice().sort(function (a, b) { return a.id < b.id ? -1 : 1; }).forEach(function (m) {
      var item = document.createElement("li");
      item.textContent = byId[m.id].name + " (" + m.edge.groups.join(", ") + ")";
      list.appendChild(item);
    });
    details.appendChild(list);
  }

  /* a type's colour is its legend swatch's (site.css): one place to change it */
  function colourOf(type) {
    var probe = document.createElement("span");
    probe.className = "swatch t-" + type;
    probe.hidden = true;
    document.body.appendChild(probe);
    var colour = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return colour && colour !== "rgba(0, 0, 0, 0)" ? colour : "#8a8f8c";
  }

  /* whole words up to `limit` characters, then an ellipsis (the full name is the label) */
  function shorten(name, limit) {
    if (name.length <= limit) return name;
    var kept = "";
    name.split(" ").some(function (word) {
      if ((kept + " " + word).trim().length > limit) return true;
      kept = (kept + " " + word).trim();
      return false;
    });
    return (kept || name.slice(0, limit)) + "…";
  }
})();
