/* page-admin-points.js — the point rules page: fill the form from the rule in force, schedule a
   new version (POST /api/v1/point-rules), list the versions. */
(function () {
  'use strict';
  var el = DX.el, rules = {};
  var form = document.getElementById('rule-form');
  if (!form) return;

  function fill() {
    var r = rules[form.elements.code.value];
    if (!r) return;
    form.elements.points.value = r.points;
    form.elements.daily_cap.value = r.daily_cap;
  }
  function load() {
    return DX.api('GET', '/api/v1/point-rules').then(function (res) {
      if (res.status !== 200) return;
      res.data.rules.forEach(function (r) { rules[r.code] = r; });
      if (!form.dataset.filled) { fill(); form.dataset.filled = '1'; }
      var body = document.querySelector('#versions tbody');
      body.textContent = '';
      res.data.versions.forEach(function (v) {
        body.appendChild(el('tr', {}, [
          el('td', {}, [v.name + (v.pending ? '（' + DX.t('points.pending') + '）' : '')]),
          el('td', { class: 'num', text: String(v.points) }),
          el('td', { class: 'num', text: v.daily_cap ? String(v.daily_cap) : DX.t('points.no_cap') }),
          el('td', { text: v.effective_from }),
          el('td', { text: v.created_by })
        ]));
      });
    });
  }
  form.elements.code.addEventListener('change', fill);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var msg = form.querySelector('.msg');
    var f = DX.formData(form);
    DX.api('POST', '/api/v1/point-rules', {
      code: f.code, points: parseInt(f.points, 10), daily_cap: parseInt(f.daily_cap, 10), effective_from: f.effective_from
    }).then(function (res) {
      if (res.status === 201) {
        DX.msg(msg, DX.t('points.saved'), true);
        load();
      } else DX.msg(msg, DX.errorText(res), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });
  DX.ready.then(load);
})();
