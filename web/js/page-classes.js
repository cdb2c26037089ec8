/* page-classes.js — /classes: join a class from the list; the admin's new class form with a
   course picker (each published course: not in the class, required or elective). */
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('button.join'), function (btn) {
    btn.addEventListener('click', function () {
      var msg = btn.parentNode.nextElementSibling;
      btn.disabled = true;
      DX.api('POST', '/api/v1/classes/' + btn.getAttribute('data-id') + '/join').then(function (r) {
        if (r.status === 200) { location.href = '/classes/' + btn.getAttribute('data-id'); return; }
        btn.disabled = false;
        DX.msg(msg, DX.errorText(r), false);
      }, function () { btn.disabled = false; DX.msg(msg, DX.t('err.network'), false); });
    });
  });

  var form = document.getElementById('class-form');
  if (!form) return;
  var pick = document.getElementById('course-pick');
  DX.ready.then(function () {
    return DX.api('GET', '/api/v1/courses?per_page=100');
  }).then(function (r) {
    ((r.data && r.data.courses) || []).forEach(function (c) {
      var sel = DX.el('select', { 'data-id': String(c.id), 'aria-label': c.title }, [
        DX.el('option', { value: '' }, [DX.t('classes.page.not_in')]),
        DX.el('option', { value: 'required' }, [DX.t('course.required')]),
        DX.el('option', { value: 'elective' }, [DX.t('course.elective')])]);
      pick.appendChild(DX.el('li', {}, [DX.el('span', {}, [c.title + '（' + c.credit_hours + ' ' + DX.t('course.hours_unit') + '）']), sel]));
    });
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = document.getElementById('class-msg');
    var f = form.elements, req = [], ele = [];
    Array.prototype.forEach.call(pick.querySelectorAll('select'), function (s) {
      if (s.value === 'required') req.push(Number(s.getAttribute('data-id')));
      if (s.value === 'elective') ele.push(Number(s.getAttribute('data-id')));
    });
    /* The window from the first chosen day's local midnight to the end of the last chosen day. */
    function at(day, plus) {
      if (!day) return '';
      var d = new Date(day + 'T00:00:00');
      d.setDate(d.getDate() + plus);
      return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    var body = {
      title: f.title.value, summary: f.summary.value, mode: f.mode.value,
      opens_at: at(f.opens.value, 0), closes_at: at(f.closes.value, 1),
      capacity: Number(f.capacity.value || 0), min_hours: Number(f.min_hours.value || 0),
      course_ids: req, elective_ids: ele
    };
    DX.api('POST', '/api/v1/classes', body).then(function (r) {
      if (r.status === 201) { location.href = '/classes/' + r.data.id; return; }
      DX.msg(msg, DX.errorText(r), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });
})();
