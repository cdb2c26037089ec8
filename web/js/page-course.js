/* page-course.js — the course page: enrol, then show the progress (the page reloads). */
(function () {
  'use strict';
  var btn = document.getElementById('enroll');
  if (!btn) return;
  btn.addEventListener('click', function () {
    var msg = document.getElementById('enroll-msg');
    btn.disabled = true;
    DX.api('POST', '/api/v1/courses/' + btn.getAttribute('data-id') + '/enroll').then(function (r) {
      if (r.status === 200) {
        DX.ready.then(function () { DX.msg(msg, DX.t('course.enroll_done'), true); });
        location.reload();
        return;
      }
      btn.disabled = false;
      DX.msg(msg, DX.errorText(r), false);
    }, function () { btn.disabled = false; DX.msg(msg, DX.t('err.network'), false); });
  });
})();
