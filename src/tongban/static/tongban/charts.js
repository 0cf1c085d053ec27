// Charts drawn from the data tables beside them (Apache ECharts, from npm). Each
// <figure data-chart data-table="ID" data-columns="1,2"> becomes a bar chart of those
// columns of the table, one bar per row (across the page with data-horizontal); the
// table stays for screen readers and for anyone without JavaScript, who sees the
// server's simple bars instead.
(function () {
  "use strict";

  function number(text) {
    var value = parseFloat(text.replace("%", "").replace(/,/g, ""));
    return isNaN(value) ? null : value;
  }

  function draw(figure) {
    var table = document.getElementById(figure.dataset.table);
    if (!table || !window.echarts) return;
    var columns = figure.dataset.columns.split(",").map(Number);
    var heads = table.tHead.rows[0].cells;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (row) {
      return row.cells.length > Math.max.apply(null, columns);
    });
    if (!rows.length) return;
    var labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    var series = columns.map(function (column) {
      return {
        name: heads[column].textContent.trim(),
        type: "bar",
        data: rows.map(function (row) { return number(row.cells[column].textContent); }),
      };
    });
    var across = "horizontal" in figure.dataset;  // long labels: one bar per line
    var category = { type: "category", data: labels, inverse: across };
    var value = { type: "value" };
    figure.textContent = "";
    figure.classList.add("tb-chart");
    if (across) figure.style.height = Math.max(288, 24 * labels.length + 48) + "px";
    var chart = window.echarts.init(figure, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: false },  // the figure is hidden from screen readers: the table speaks
      color: ["#005ea2", "#e5a000", "#00a91c"],
      legend: { show: series.length > 1, top: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, top: series.length > 1 ? 32 : 8, bottom: 8, containLabel: true },
      xAxis: across ? value : category,
      yAxis: across ? category : value,
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
