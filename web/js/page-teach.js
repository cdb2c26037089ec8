/* page-teach.js — the instructor's course list: a new course opens in the editor. */
(function () {
  'use strict';
  var form = document.getElementById('new-course');
  if (!form) return;
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var d = DX.formData(form), msg = form.querySelector('.msg');
    var btn = form.querySelector('button');
    btn.disabled = true;
    DX.api('POST', '/api/v1/courses', { title: d.title, category: d.category }).then(function (r) {
      if (r.status === 201) { location.href = '/teach/courses/' + r.data.id; return; }
      btn.disabled = false;
      DX.msg(msg, DX.errorText(r), false);
    }, function () { btn.disabled = false; DX.msg(msg, DX.t('err.network'), false); });
  });
})();
