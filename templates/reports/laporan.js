/* sop-sync laporan: charts (Chart.js, vendored above) and sortable tables. No network. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data-laporan").textContent);
  var eager = document.body.getAttribute("data-eager") === "1";
  var COLORS = {
    rencana: "rgba(120, 144, 156, 0.55)",
    selesai: "#2e7d32",
    terbuka: "#f9a825",
    terlambat: "#c62828",
    perkiraan: "rgba(106, 27, 154, 0.45)"
  };

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function day(ms) {
    var d = new Date(ms);
    return pad(d.getUTCDate()) + "-" + pad(d.getUTCMonth() + 1) + "-" + d.getUTCFullYear();
  }
  function moment(ms) {
    var d = new Date(ms);
    return day(ms) + " " + pad(d.getUTCHours()) + "." + pad(d.getUTCMinutes());
  }

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.devicePixelRatio = Math.max(window.devicePixelRatio || 1, 2);
  Chart.defaults.font.family = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

  var nowLine = {
    id: "hariIni",
    afterDatasetsDraw: function (chart) {
      var x = chart.scales.x;
      if (!x || data.now < x.min || data.now > x.max) { return; }
      var px = x.getPixelForValue(data.now), area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#37474f";
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      ctx.restore();
    }
  };

  function timeAxis(rows, keys, withNow) {
    var low = withNow ? data.now : Infinity, high = withNow ? data.now : -Infinity;
    rows.forEach(function (row) {
      keys.forEach(function (key) {
        if (row[key]) { low = Math.min(low, row[key][0]); high = Math.max(high, row[key][1]); }
      });
    });
    if (low > high) { low = high = data.now; }
    var margin = Math.max((high - low) * 0.02, 3600000);
    return {
      type: "linear",
      beginAtZero: false,
      min: low - margin,
      max: high + margin,
      ticks: { maxTicksLimit: 8, callback: function (v) { return day(v); } }
    };
  }

  function spanTooltip(items) {
    var raw = items.raw;
    if (!raw) { return ""; }
    return items.dataset.label + ": " + moment(raw[0]) + " – " + moment(raw[1]);
  }

  function size(canvas, rows) {
    canvas.parentNode.style.height = Math.max(140, 60 + rows * 26) + "px";
  }

  function gantt(canvas, spec) {
    size(canvas, spec.rows.length);
    return new Chart(canvas, {
      type: "bar",
      plugins: [nowLine],
      data: {
        labels: spec.rows.map(function (r) { return r.label; }),
        datasets: [
          { label: "Rencana", data: spec.rows.map(function (r) { return r.planned; }),
            backgroundColor: COLORS.rencana, barPercentage: 0.9, categoryPercentage: 0.8 },
          { label: "Realisasi", data: spec.rows.map(function (r) { return r.actual; }),
            backgroundColor: spec.rows.map(function (r) { return COLORS[r.state] || COLORS.terbuka; }),
            barPercentage: 0.9, categoryPercentage: 0.8 }
        ]
      },
      options: {
        indexAxis: "y",
        scales: { x: timeAxis(spec.rows, ["planned", "actual"], spec.open), y: { ticks: { autoSkip: false } } },
        plugins: { tooltip: { callbacks: { label: spanTooltip } } }
      }
    });
  }

  function timeline(canvas, spec) {
    size(canvas, spec.rows.length);
    return new Chart(canvas, {
      type: "bar",
      plugins: [nowLine],
      data: {
        labels: spec.rows.map(function (r) { return r.label; }),
        datasets: [
          { label: "Rencana", data: spec.rows.map(function (r) { return r.planned; }),
            backgroundColor: COLORS.rencana, grouped: true },
          { label: "Realisasi", data: spec.rows.map(function (r) { return r.actual; }),
            backgroundColor: spec.rows.map(function (r) {
              return r.late ? COLORS.terlambat : COLORS.selesai; }) },
          { label: "Perkiraan", data: spec.rows.map(function (r) { return r.forecast; }),
            backgroundColor: COLORS.perkiraan }
        ]
      },
      options: {
        indexAxis: "y",
        scales: {
          x: timeAxis(spec.rows, ["planned", "actual", "forecast"], true),
          y: { ticks: { autoSkip: false } }
        },
        plugins: { tooltip: { callbacks: { label: spanTooltip } } }
      }
    });
  }

  function sla(canvas, spec) {
    return new Chart(canvas, {
      data: {
        labels: spec.labels,
        datasets: [
          { type: "bar", label: "Median", data: spec.median, backgroundColor: "#1565c0" },
          { type: "bar", label: "P90", data: spec.p90, backgroundColor: "#90caf9" },
          { type: "line", label: "Mutu Baku (100%)", data: spec.labels.map(function () { return 100; }),
            borderColor: "#c62828", borderDash: [6, 4], pointRadius: 0, borderWidth: 2 }
        ]
      },
      options: {
        scales: { y: { beginAtZero: true, title: { display: true, text: "% dari Mutu Baku" } } },
        plugins: { tooltip: { callbacks: {
          title: function (items) { return spec.names[items[0].dataIndex]; },
          label: function (item) { return item.dataset.label + ": " + item.formattedValue + "%"; }
        } } }
      }
    });
  }

  var drawn = {};
  function drawGantt(details) {
    var key = details.getAttribute("data-kunci");
    if (drawn[key] || !data.gantt[key]) { return; }
    drawn[key] = gantt(details.querySelector("canvas.gantt"), data.gantt[key]);
  }

  var timelineCanvas = document.getElementById("grafik-linimasa");
  if (timelineCanvas) { timeline(timelineCanvas, data.timeline); }
  data.sla.forEach(function (spec) {
    var canvas = document.getElementById("grafik-sla-" + spec.id);
    if (canvas && spec.labels.length) { sla(canvas, spec); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("details.permohonan"), function (d) {
    if (eager || d.open) { drawGantt(d); }
    d.addEventListener("toggle", function () { if (d.open) { drawGantt(d); } });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.permohonan"), function (d) {
      d.open = true;
      drawGantt(d);
    });
  });

  function sortValue(cell) {
    var raw = cell.getAttribute("data-sort");
    var text = raw === null ? cell.textContent.trim() : raw;
    var number = Number(text);
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  }
  function sortBy(table, th, index) {
    var up = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a.cells[index]), y = sortValue(b.cells[index]);
      var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0)
        : (typeof x === "number" ? -1 : 1);
      return up ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.urut"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.tabIndex = 0;
      th.title = "Urutkan";
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, th, index);
        }
      });
    });
  });
  document.body.setAttribute("data-siap", "1");
})();
