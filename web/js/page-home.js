/* page-home.js — the catalog: a changed filter applies at once (the form also works without this). */
(function () {
  'use strict';
  var form = document.getElementById('catalog-form');
  if (!form) return;
  Array.prototype.forEach.call(form.querySelectorAll('select'), function (s) {
    s.addEventListener('change', function () {
      /* Drop empty fields so the address stays short and shareable. */
      Array.prototype.forEach.call(form.elements, function (f) { if (f.name && !f.value) f.disabled = true; });
      form.submit();
    });
  });
  form.addEventListener('submit', function () {
    Array.prototype.forEach.call(form.elements, function (f) {
      if (f.name && (!f.value || (f.name === 'sort' && f.value === 'newest'))) f.disabled = true;
    });
  });
  /* Back/forward restores the form from the cache with fields still disabled. */
  window.addEventListener('pageshow', function () {
    Array.prototype.forEach.call(form.elements, function (f) { f.disabled = false; });
  });
})();
