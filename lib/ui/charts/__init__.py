"""Plotly figure builders (DataFrame in, Figure out), by subject: `basic` holds the chart kinds
every page uses (bars, trends, Pareto, rates, Gantt); `capacity` the load heatmap and the promise
charts; `sales`, `purchasing`, `quality`, `engineering` and `meeting` the figures and table views
that a section page and presenter mode both show, built once so the meeting sees what the page
shows."""
