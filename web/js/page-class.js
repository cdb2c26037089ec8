/* page-class.js — /classes/{id}: join (the page reloads with the progress), an admin's assignment
   to an organisation's subtree. */
(function () {
  'use strict';
  var btn = document.getElementById('join');
  if (btn) btn.addEventListener('click', function () {
    var msg = document.getElementById('join-msg');
    btn.disabled = true;
    DX.api('POST', '/api/v1/classes/' + btn.getAttribute('data-id') + '/join').then(function (r) {
      if (r.status === 200) { location.reload(); return; }
      btn.disabled = false;
      DX.msg(msg, DX.errorText(r), false);
    }, function () { btn.disabled = false; DX.msg(msg, DX.t('err.network'), false); });
  });
  var form = document.getElementById('assign-form');
  if (form) form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = document.getElementById('assign-msg');
    DX.api('POST', '/api/v1/classes/' + form.getAttribute('data-id') + '/assign',
      { org_id: Number(form.elements.org_id.value) }).then(function (r) {
      if (r.status === 201 || r.status === 200) { location.reload(); return; }
      DX.msg(msg, DX.errorText(r), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });
  var cover = document.getElementById('cover-form');
  if (cover) cover.elements.cover.addEventListener('change', function () {
    var file = cover.elements.cover.files[0];
    if (!file) return;
    var msg = document.getElementById('cover-msg');
    DX.api('POST', '/api/v1/classes/' + cover.getAttribute('data-id') + '/cover', file, { type: file.type }).then(function (r) {
      if (r.status === 201) { location.reload(); return; }
      DX.msg(msg, DX.errorText(r), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });
})();
