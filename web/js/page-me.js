/* page-me.js — my study: the chart's table opens for printing (a closed <details> prints nothing). */
(function () {
  'use strict';
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('.me-chart details').forEach(function (d) { d.open = true; });
  });
})();
