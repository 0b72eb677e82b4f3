// Kyosei: start loading plotly.js while the app itself loads. Solara includes this file
// (/static/assets/custom.js) in every page before require.js; without it the 3.6 MB
// bundle was fetched and compiled only once the first chart was on the page, seconds
// after the app had appeared. plotly.min.js sets window.Plotly and registers no AMD
// module, so it may load beside require.js. plotly_chart.vue waits for this promise.
(function () {
  var root = (window.solara && window.solara.rootPath) || "";
  var script = document.createElement("script");
  script.src = root + "/static/assets/plotly.min.js";
  script.async = true;
  window.kyoseiPlotlyScript = new Promise(function (resolve, reject) {
    script.onload = function () { resolve(window.Plotly); };
    script.onerror = reject;
  });
  document.head.appendChild(script);
})();
