/* page-certificates.js — /me/certificates: issue the yearly study-hours certificate, then show it. */
(function () {
  'use strict';
  var form = document.getElementById('year-form');
  if (!form) return;
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = document.getElementById('year-msg');
    DX.api('POST', '/api/v1/me/certificates', { year: Number(form.elements.year.value) }).then(function (r) {
      if (r.status === 201 || r.status === 200) { location.reload(); return; }
      DX.msg(msg, DX.errorText(r), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });
})();
