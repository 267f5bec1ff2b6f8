/* The dashboard's progress charts and an objective's indicator trajectories, drawn by uPlot
   (vendored in api/static/vendor/uplot/ by scripts/vendor) from the figures each chart's figure
   carries as JSON (script.chart-data, written by api/templates/_progress_chart.html and
   _trajectory.html). What the library adds to the server's SVG: a chart as wide as the screen,
   the exact value under the pointer or finger, and, for an indicator, the way on to its 2050
   target. The SVG stays in the page: it is what prints, what a screen reader reads (site.css
   only hides it from the eye once the canvas is drawn) and what a browser without JavaScript
   shows; the tables and CSV downloads beside it hold the same figures. */
(function () {
  "use strict";

  if (typeof uPlot === "undefined" || window.sicCharts || window.sicChartsStarted) return;
  window.sicChartsStarted = true;
  var lang = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var VALUES = "#1f5f8b";
  var TARGET_2030 = "#b35900";
  var TARGET_2050 = "#6b3fa0";
  var drawn = [];

  function format(value) {
    return value == null ? "–" : number.format(value);
  }

  function noLine() {
    return null;
  }

  function width(figure) {
    return Math.max(240, Math.min(figure.clientWidth || 640, 760));
  }

  /* The x axis as years (1 Jan = the year, 31 Dec = nearly the next): indicator dates apart. */
  function yearOf(iso) {
    var year = Number(iso.slice(0, 4));
    var start = Date.UTC(year, 0, 1);
    var day = Date.parse(iso + "T00:00:00Z");
    return year + (day - start) / (Date.UTC(year + 1, 0, 1) - start);
  }

  function axes(x, xValues) {
    var grid = { stroke: "#ddd", width: 1 };
    return [
      { label: x, values: xValues, grid: grid, stroke: "#333" },
      {
        values: function (u, ticks) { return ticks.map(format); },
        size: 56, grid: grid, stroke: "#333",
      },
    ];
  }

  function progress(data) {
    var quarters = data.quarters;
    var steps = [1, 2, 4, 8, 12, 16, 20, 40, 80];
    return {
      data: [quarters.map(function (_, i) { return i; })].concat(
        data.lines.map(function (line) { return line.values; })
      ),
      series: [{
        label: data.x,
        value: function (u, v) { return v == null ? "–" : quarters[v]; },
      }].concat(data.lines.map(function (line) {
        return { label: line.label, stroke: line.colour, width: 2, value: function (u, v) { return format(v); } };
      })),
      scales: {
        x: { time: false },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } },
      },
      axes: (function () {
        var a = axes(data.x, function (u, ticks) {
          return ticks.map(function (i) { return Number.isInteger(i) ? quarters[i] : ""; });
        });
        a[0].incrs = steps;
        a[0].space = 70;
        return a;
      })(),
    };
  }

  function trajectory(data) {
    var labels = data.labels;
    var dates = {};
    data.points.forEach(function (p) { dates[p[0]] = true; });
    if (data.projection) dates[data.projection[0]] = true;
    if (data.projection || data.target_2030 != null) dates["2030-12-31"] = true;
    if (data.target_2050 != null) dates["2050-12-31"] = true;
    var days = Object.keys(dates).sort();
    var xs = days.map(yearOf);
    function column(pairs) {
      var ys = days.map(function () { return null; });
      pairs.forEach(function (pair) { ys[days.indexOf(pair[0])] = pair[1]; });
      return ys;
    }
    function point(label, stroke, fill, size) {
      return {
        label: label, stroke: stroke, width: 2, paths: noLine,
        points: { show: true, size: size, stroke: stroke, fill: fill, width: 2 },
        value: function (u, v) { return format(v); },
      };
    }
    var series = [{
      label: data.x,
      value: function (u, v, s, i) { return i == null ? "–" : days[i]; },
    }, {
      label: labels.values, stroke: VALUES, width: 2, spanGaps: true,
      points: { show: true, size: 7, fill: VALUES },
      value: function (u, v) { return format(v); },
    }];
    var columns = [xs, column(data.points.map(function (p) { return [p[0], p[1]]; }))];
    var baseline = data.points.filter(function (p) { return p[2] === "baseline"; });
    if (baseline.length) {
      series.push(point(labels.baseline, VALUES, "#fff", 11));
      columns.push(column(baseline.map(function (p) { return [p[0], p[1]]; })));
    }
    if (data.projection) {
      series.push({
        label: labels.projection, stroke: VALUES, width: 1.5, dash: [4, 3], spanGaps: true,
        points: { show: false }, value: function (u, v) { return format(v); },
      });
      columns.push(column([
        [data.projection[0], data.projection[1]], ["2030-12-31", data.projection[2]],
      ]));
    }
    if (data.target_2030 != null) {
      series.push(point(labels.target_2030, TARGET_2030, TARGET_2030, 12));
      columns.push(column([["2030-12-31", data.target_2030]]));
    }
    if (data.target_2050 != null) {
      series.push(point(labels.target_2050, TARGET_2050, TARGET_2050, 12));
      columns.push(column([["2050-12-31", data.target_2050]]));
    }
    var first = Math.floor(Math.min.apply(null, xs.concat([2020])));
    var last = data.target_2050 != null ? 2052 : 2032;  // room for the end-of-year targets
    return {
      data: columns,
      series: series,
      scales: {
        x: { time: false, range: function () { return [first, last]; } },
        y: {
          range: function (u, min, max) {
            var low = Math.min(0, min == null ? 0 : min);
            var high = max == null ? 1 : max;
            return [low, high > low ? high + (high - low) * 0.1 : low + 1];
          },
        },
      },
      axes: (function () {
        var a = axes(data.x, function (u, ticks) {
          return ticks.map(function (t) { return Number.isInteger(t) ? String(t) : ""; });
        });
        a[0].incrs = [1, 2, 5, 10];
        a[0].space = 44;
        return a;
      })(),
    };
  }

  function draw(figure) {
    var source = figure.querySelector("script.chart-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var made = data.kind === "trajectory" ? trajectory(data) : progress(data);
    var box = document.createElement("div");
    box.className = "chart-live";
    // the SVG beside it says the same to a screen reader, with its title and description
    box.setAttribute("aria-hidden", "true");
    source.parentNode.insertBefore(box, source.nextSibling);
    var chart = new uPlot({
      width: width(figure),
      height: data.kind === "trajectory" ? 220 : 240,
      series: made.series,
      scales: made.scales,
      axes: made.axes,
      cursor: { drag: { x: false, y: false }, points: { size: 8 } },
      legend: { live: true },
    }, made.data, box);
    figure.chart = chart;
    figure.classList.add("charted");
    drawn.push({ figure: figure, chart: chart });
  }

  function resize() {
    drawn.forEach(function (d) {
      var w = width(d.figure);
      if (w !== d.chart.width) d.chart.setSize({ width: w, height: d.chart.height });
    });
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; resize(); });
  });

  function drawAll() {
    window.sicCharts = drawn;
    Array.prototype.forEach.call(
      document.querySelectorAll("figure.progress-chart, figure.trajectory"), draw
    );
  }

  /* uPlot's stylesheet is asked for here, not by the page: it then holds up no rendering, and
     a browser without JavaScript, or a printout, never fetches it. The charts wait for it. */
  var script = document.currentScript;
  var css = script && script.getAttribute("data-css");
  if (!css || document.querySelector('link[href="' + css + '"]')) {
    drawAll();
    return;
  }
  var link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = css;
  link.onload = link.onerror = drawAll;
  document.head.appendChild(link);
})();
