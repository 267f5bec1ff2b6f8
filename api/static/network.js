/* The partner network of /network: organisations as circles, shared projects and alliances as
   lines, brokers ringed. Plain JavaScript, no library: a Fruchterman-Reingold layout started
   from a fixed spiral (so the same data always gives the same drawing), SVG drawing, and
   interactions that work with a mouse, a finger or the keyboard (Tab to a node, Enter to select
   it, Escape to clear). The page's tables hold the same information for readers without it. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var ITERATIONS = 300;
  var GRAVITY = 2.5; // the pull towards the centre that keeps separate groups in view

  var figure = document.getElementById("network");
  // a landscape drawing on a wide screen, a portrait one on a phone
  var narrow = figure.clientWidth < 600;
  var WIDTH = narrow ? 600 : 960;
  var HEIGHT = narrow ? 780 : 640;
  var LABELS = narrow ? 6 : 12; // names written beside the best-connected nodes; others on focus
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

  var index = {};
  data.nodes.forEach(function (n, i) { index[n.id] = i; n.neighbours = []; });
  data.edges.forEach(function (e) {
    data.nodes[index[e.source]].neighbours.push({ id: e.target, edge: e });
    data.nodes[index[e.target]].neighbours.push({ id: e.source, edge: e });
  });

  layout(data.nodes, data.edges);

  var svg = element("svg", {
    viewBox: "0 0 " + WIDTH + " " + HEIGHT,
    role: "group",
    "aria-label": figure.getAttribute("aria-label") || ""
  });
  var edgeLayer = element("g", { "aria-hidden": "true" });
  var nodeLayer = element("g", {});
  svg.appendChild(edgeLayer);
  svg.appendChild(nodeLayer);
  figure.appendChild(svg);
  // sizes in screen pixels whatever the scale: readable text, circles a finger can hit
  var pixel = WIDTH / Math.max(svg.getBoundingClientRect().width, 1);

  var maxBetweenness = Math.max.apply(null, data.nodes.map(function (n) { return n.betweenness; })) || 1;
  var labelled = data.nodes.slice().sort(function (a, b) {
    return b.betweenness - a.betweenness || b.degree - a.degree || (a.id < b.id ? -1 : 1);
  }).slice(0, LABELS).map(function (n) { return n.id; });

  data.edges.forEach(function (e) {
    e.line = element("line", { "class": "edge", "stroke-width": Math.min(1 + e.weight, 5) * pixel });
    edgeLayer.appendChild(e.line);
  });

  data.nodes.forEach(function (n) {
    var radius = (6 + 12 * Math.sqrt(n.betweenness / maxBetweenness)) * pixel;
    var label = n.name + (n.type_label ? ", " + n.type_label : "") + ", " + n.degree + " " +
      words.collaborators + (n.broker ? ", " + words.broker : "");
    n.g = element("g", {
      "class": "node" + (n.broker ? " broker" : ""),
      tabindex: "0",
      role: "button",
      "aria-label": label,
      "data-id": n.id
    });
    n.g.classList.add("t-" + (n.type || "other"));
    n.circle = element("circle", { r: radius.toFixed(1) });
    n.text = element("text", {
      dx: (radius + 3 * pixel).toFixed(1),
      dy: (4 * pixel).toFixed(1),
      "font-size": (12 * pixel).toFixed(1),
      "stroke-width": (3 * pixel).toFixed(1),
      "aria-hidden": "true" // the node's aria-label says it in full
    });
    var short = narrow ? 18 : 30; // long names are shortened on the drawing, whole elsewhere
    n.text.textContent = shorten(n.name, short);
    if (labelled.indexOf(n.id) < 0) n.text.setAttribute("visibility", "hidden");
    var title = element("title", {});
    title.textContent = label;
    n.g.appendChild(title);
    n.g.appendChild(n.circle);
    n.g.appendChild(n.text);
    nodeLayer.appendChild(n.g);
    n.radius = radius;
    attach(n);
  });
  draw();
  placeLabels();

  var selected = null;

  function attach(n) {
    n.g.addEventListener("mouseenter", function () { highlight(n); });
    n.g.addEventListener("mouseleave", function () { highlight(selected); });
    n.g.addEventListener("focus", function () { highlight(n); });
    n.g.addEventListener("blur", function () { highlight(selected); });
    n.g.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(n);
      } else if (event.key === "Escape") {
        choose(null);
      }
    });
    dragging(n);
  }

  function highlight(n) {
    var near = {};
    if (n) {
      near[n.id] = true;
      n.neighbours.forEach(function (m) { near[m.id] = true; });
    }
    figure.classList.toggle("dim", !!n);
    data.nodes.forEach(function (m) {
      m.g.classList.toggle("near", !!near[m.id]);
      var shown = near[m.id] || m.placed;
      m.text.setAttribute("visibility", shown ? "visible" : "hidden");
    });
    data.edges.forEach(function (e) {
      e.line.classList.toggle("near", !!n && (e.source === n.id || e.target === n.id));
    });
  }

  function choose(n) {
    if (selected) selected.g.classList.remove("selected");
    selected = n;
    highlight(n);
    details.textContent = "";
    if (!n) return;
    n.g.classList.add("selected");
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
      var other = data.nodes[index[m.id]];
      var item = document.createElement("li");
      item.textContent = other.name + " (" + m.edge.groups.join(", ") + ")";
      list.appendChild(item);
    });
    details.appendChild(list);
  }

  svg.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest(".node") : null;
    if (target) choose(data.nodes[index[target.getAttribute("data-id")]]);
    else choose(null);
  });

  /* Names are written beside the best-connected nodes, most central first, each where it
     overlaps no name already written and stays inside the drawing: right of its circle, else
     left, above or below; a name with no free place is left to hover and focus (its node's
     title and aria-label say it in full). */
  function placeLabels() {
    var written = [];
    var size = 12 * pixel;
    var gap = 3 * pixel;
    data.nodes.forEach(function (n) { n.placed = false; });
    labelled.forEach(function (id) {
      var n = data.nodes[index[id]];
      var w = n.text.getComputedTextLength();
      var r = n.radius;
      var top = n.y - size * 0.8;
      var places = [
        { anchor: "start", dx: r + gap, dy: 4 * pixel, box: [n.x + r + gap, top, w, size * 1.15] },
        { anchor: "end", dx: -(r + gap), dy: 4 * pixel, box: [n.x - r - gap - w, top, w, size * 1.15] },
        { anchor: "middle", dx: 0, dy: -(r + gap), box: [n.x - w / 2, n.y - r - gap - size, w, size * 1.15] },
        { anchor: "middle", dx: 0, dy: r + gap + size * 0.8, box: [n.x - w / 2, n.y + r + gap, w, size * 1.15] }
      ];
      var place = places.filter(function (p) {
        var b = p.box;
        if (b[0] < 0 || b[1] < 0 || b[0] + b[2] > WIDTH || b[1] + b[3] > HEIGHT) return false;
        return written.every(function (o) {
          return b[0] + b[2] + gap <= o[0] || o[0] + o[2] + gap <= b[0] ||
            b[1] + b[3] <= o[1] || o[1] + o[3] <= b[1];
        });
      })[0];
      if (!place) {
        n.text.setAttribute("visibility", "hidden");
        return;
      }
      n.text.setAttribute("text-anchor", place.anchor);
      n.text.setAttribute("dx", place.dx.toFixed(1));
      n.text.setAttribute("dy", place.dy.toFixed(1));
      n.text.setAttribute("visibility", "visible");
      n.placed = true;
      written.push(place.box);
    });
  }

  function dragging(n) {
    var active = false;
    n.g.addEventListener("pointerdown", function (event) {
      active = true;
      n.g.setPointerCapture(event.pointerId);
    });
    n.g.addEventListener("pointermove", function (event) {
      if (!active) return;
      var point = toSvg(event);
      n.x = Math.max(10, Math.min(WIDTH - 10, point.x));
      n.y = Math.max(10, Math.min(HEIGHT - 10, point.y));
      draw();
    });
    n.g.addEventListener("pointerup", function (event) {
      active = false;
      n.g.releasePointerCapture(event.pointerId);
      placeLabels(); // names find free places again around the moved node
      highlight(selected);
    });
  }

  function toSvg(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function draw() {
    data.edges.forEach(function (e) {
      var a = data.nodes[index[e.source]];
      var b = data.nodes[index[e.target]];
      e.line.setAttribute("x1", a.x.toFixed(1));
      e.line.setAttribute("y1", a.y.toFixed(1));
      e.line.setAttribute("x2", b.x.toFixed(1));
      e.line.setAttribute("y2", b.y.toFixed(1));
    });
    data.nodes.forEach(function (n) {
      n.g.setAttribute("transform", "translate(" + n.x.toFixed(1) + "," + n.y.toFixed(1) + ")");
    });
  }

  /* Fruchterman-Reingold with a pull towards the centre (so separate groups stay in view),
     started from a golden-angle spiral in the server's node order: deterministic. */
  function layout(nodes, edges) {
    var n = nodes.length;
    var area = WIDTH * HEIGHT;
    var k = Math.sqrt(area / n) * 0.7;
    var golden = Math.PI * (3 - Math.sqrt(5));
    nodes.forEach(function (node, i) {
      var r = Math.sqrt((i + 0.5) / n) * Math.min(WIDTH, HEIGHT) * 0.45;
      node.x = WIDTH / 2 + r * Math.cos(i * golden);
      node.y = HEIGHT / 2 + r * Math.sin(i * golden);
    });
    var temperature = WIDTH / 8;
    // weaker along the longer side, so the drawing fills the frame
    var gx = GRAVITY * Math.min(WIDTH, HEIGHT) / WIDTH;
    var gy = GRAVITY * Math.min(WIDTH, HEIGHT) / HEIGHT;
    for (var step = 0; step < ITERATIONS; step++) {
      var dx = new Float64Array(n);
      var dy = new Float64Array(n);
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var x = nodes[i].x - nodes[j].x;
          var y = nodes[i].y - nodes[j].y;
          var d2 = x * x + y * y || 0.01;
          var force = (k * k) / d2;
          dx[i] += x * force; dy[i] += y * force;
          dx[j] -= x * force; dy[j] -= y * force;
        }
      }
      edges.forEach(function (e) {
        var a = index[e.source];
        var b = index[e.target];
        var x = nodes[a].x - nodes[b].x;
        var y = nodes[a].y - nodes[b].y;
        var d = Math.sqrt(x * x + y * y) || 0.1;
        var pull = (d / k) * (1 + Math.log(e.weight));
        dx[a] -= x * pull; dy[a] -= y * pull;
        dx[b] += x * pull; dy[b] += y * pull;
      });
      for (var m = 0; m < n; m++) {
        dx[m] += (WIDTH / 2 - nodes[m].x) * gx;
        dy[m] += (HEIGHT / 2 - nodes[m].y) * gy;
        var length = Math.sqrt(dx[m] * dx[m] + dy[m] * dy[m]) || 1;
        var move = Math.min(length, temperature);
        nodes[m].x = Math.max(20, Math.min(WIDTH - 20, nodes[m].x + (dx[m] / length) * move));
        nodes[m].y = Math.max(20, Math.min(HEIGHT - 20, nodes[m].y + (dy[m] / length) * move));
      }
      temperature *= 0.985;
    }
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

  function element(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }
})();
