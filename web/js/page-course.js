/* page-course.js — the course page: enrol, then show the progress (the page reloads); start the
   exam (the attempt is started here, then the exam page resumes it); rate the course. */
(function () {
  'use strict';
  var btn = document.getElementById('enroll');
  if (btn) btn.addEventListener('click', function () {
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

  /* 开始考试: POST …/attempts (an open attempt answers itself, so a second click burns nothing),
     then the exam page, which shows the open attempt at once. Without this script the link opens
     the exam page, which has its own start button. */
  var go = document.getElementById('exam-go');
  if (go && go.getAttribute('data-start')) go.addEventListener('click', function (ev) {
    ev.preventDefault();
    var msg = document.getElementById('exam-msg');
    if (go.getAttribute('aria-disabled') === 'true') return;
    go.setAttribute('aria-disabled', 'true');
    DX.api('POST', '/api/v1/quizzes/' + go.getAttribute('data-start') + '/attempts').then(function (r) {
      if (r.status === 200 || r.status === 201) { location.href = go.getAttribute('href'); return; }
      go.removeAttribute('aria-disabled');
      DX.msg(msg, DX.errorText(r), false);
    }, function () { go.removeAttribute('aria-disabled'); DX.msg(msg, DX.t('err.network'), false); });
  });

  var form = document.getElementById('rating-form');
  if (form) form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = document.getElementById('rating-msg');
    var star = form.querySelector('input[name=stars]:checked');
    if (!star) { DX.msg(msg, DX.t('course.rating.pick'), false); return; }
    var submit = form.querySelector('button');
    submit.disabled = true;
    var id = form.getAttribute('data-id');
    DX.api('POST', '/api/v1/courses/' + id + '/rating', { stars: +star.value, comment: form.elements.comment.value })
      .then(function (r) {
        submit.disabled = false;
        if (r.status !== 201) { DX.msg(msg, DX.errorText(r), false); return; }
        DX.msg(msg, DX.t(r.data.replaced ? 'course.rating.replaced' : 'course.rating.thanks'), true);
        document.getElementById('rating-mine').textContent = DX.t('course.rating.replace');
        submit.textContent = DX.t('course.rating.update');
        return DX.api('GET', '/api/v1/courses/' + id + '/rating').then(function (g) {
          if (g.status !== 200 || !g.data.count) return;
          var avg = document.getElementById('rating-avg');
          avg.className = 'rating-avg';
          avg.textContent = DX.t('course.rating.summary_line', { avg: g.data.average.toFixed(1), n: g.data.count });
        });
      }, function () { submit.disabled = false; DX.msg(msg, DX.t('err.network'), false); });
  });
})();
