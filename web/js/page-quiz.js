/* page-quiz.js — taking an exam (/quizzes/{id}) or the daily quiz (/daily): start or resume the
   attempt, save every answer as it is given (a reload resumes with them), count down from the
   server's deadline, mark what is unanswered, confirm, submit, then show the result page. */
(function () {
  'use strict';
  var take = document.getElementById('quiz-take');
  var startBtn = document.getElementById('quiz-start');
  if (!take || !startBtn) return;
  var daily = startBtn.getAttribute('data-daily') === '1';
  var quizId = take.getAttribute('data-quiz');
  var openId = +take.getAttribute('data-attempt');
  var list = document.getElementById('quiz-questions');
  var savedEl = document.getElementById('quiz-saved');
  var timerEl = document.getElementById('quiz-timer');
  var answeredEl = document.getElementById('quiz-answered');
  var unansweredEl = document.getElementById('quiz-unanswered');
  var msg = document.getElementById('quiz-msg');
  var dialog = document.getElementById('quiz-confirm');
  var att = null, answers = {}, pending = {}, saveTimer = null, inFlight = false, endAt = 0, tick = null, done = false;

  function isAnswered(a) { return Array.isArray(a) && a.length > 0; }
  function unanswered() {
    return att.questions.filter(function (q) { return !isAnswered(answers[q.id]); });
  }
  function counts() {
    var left = unanswered().length, n = att.questions.length;
    answeredEl.textContent = DX.t('quiz.page.answered', { a: n - left, n: n });
    unansweredEl.textContent = left ? DX.t('quiz.page.unanswered_n', { n: left }) : DX.t('quiz.page.all_answered');
    att.questions.forEach(function (q) {
      var li = document.getElementById('q-' + q.id);
      if (li && isAnswered(answers[q.id])) li.classList.remove('unanswered');
    });
  }
  function setSaved(key, ok) {
    savedEl.textContent = DX.t(key);
    savedEl.className = 'save-state ' + (ok === true ? 'ok' : ok === false ? 'err' : '');
  }

  /* Saving: changes are collected and sent together, at most one request at a time. */
  function flush() {
    saveTimer = null;
    if (inFlight || done || !Object.keys(pending).length) return;
    var body = pending;
    pending = {};
    inFlight = true;
    setSaved('quiz.page.saving');
    DX.api('PUT', '/api/v1/attempts/' + att.id + '/answers', { answers: body }).then(function (r) {
      inFlight = false;
      if (r.status === 200) {
        if (!Object.keys(pending).length) setSaved('quiz.page.saved', true);
        else schedule(0);
        return;
      }
      if (r.status === 409) { submit(true); return; } /* the deadline passed or it was submitted elsewhere */
      DX.msg(msg, DX.errorText(r), false);
      setSaved('quiz.page.save_failed', false);
    }, function () {
      inFlight = false;
      Object.keys(body).forEach(function (k) { if (!(k in pending)) pending[k] = body[k]; });
      setSaved('quiz.page.save_failed', false);
      schedule(3000);
    });
  }
  function schedule(ms) {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(flush, ms);
  }
  function onChange(id, a) {
    answers[id] = a;
    pending[id] = a;
    setSaved('quiz.page.saving');
    counts();
    schedule(400);
  }

  function fmt(s) {
    var m = Math.floor(s / 60), ss = s % 60;
    return (m < 10 ? '0' : '') + m + ':' + (ss < 10 ? '0' : '') + ss;
  }
  function countdown() {
    var left = Math.max(0, Math.round((endAt - Date.now()) / 1000));
    timerEl.textContent = DX.t('quiz.page.remaining', { t: fmt(left) });
    timerEl.classList.toggle('low', left <= 60);
    if (left <= 0) {
      clearInterval(tick);
      timerEl.textContent = DX.t('quiz.page.time_up');
      submit(true);
    }
  }

  function show(a) {
    if (a.submitted) { location.href = '/attempts/' + a.id; return; }
    att = a;
    answers = a.answers || {};
    startBtn.hidden = true;
    take.hidden = false;
    list.textContent = '';
    a.questions.forEach(function (q, i) { list.appendChild(DX.renderQuestion(q, i, answers[q.id], onChange)); });
    if (a.remaining_s !== null && a.remaining_s !== undefined) {
      endAt = Date.now() + a.remaining_s * 1000;
      countdown();
      tick = setInterval(countdown, 1000);
    } else {
      timerEl.textContent = DX.t('quiz.page.no_deadline');
    }
    if (Object.keys(answers).length) setSaved('quiz.page.saved', true);
    counts();
  }

  function submit(force) {
    if (done) return;
    if (!force) {
      var left = unanswered();
      left.forEach(function (q) { document.getElementById('q-' + q.id).classList.add('unanswered'); });
      document.getElementById('quiz-confirm-text').textContent = left.length
        ? DX.t('quiz.page.confirm_some', { n: left.length }) : DX.t('quiz.page.confirm_all');
      dialog.showModal();
      return;
    }
    done = true;
    if (saveTimer) clearTimeout(saveTimer);
    var btn = document.getElementById('quiz-submit');
    btn.disabled = true;
    DX.api('POST', '/api/v1/attempts/' + att.id + '/submit', { answers: answers }).then(function (r) {
      if (r.status === 200 || r.status === 409) { location.href = '/attempts/' + att.id; return; }
      done = false;
      btn.disabled = false;
      DX.msg(msg, DX.errorText(r), false);
    }, function () {
      done = false;
      btn.disabled = false;
      DX.msg(msg, DX.t('err.network'), false);
    });
  }

  function start() {
    startBtn.disabled = true;
    var p = daily ? DX.api('POST', '/api/v1/daily-quiz') : DX.api('POST', '/api/v1/quizzes/' + quizId + '/attempts');
    p.then(function (r) {
      startBtn.disabled = false;
      if (r.status === 200 || r.status === 201) { show(r.data); return; }
      DX.msg(document.getElementById('quiz-start-msg'), DX.errorText(r), false);
    }, function () {
      startBtn.disabled = false;
      DX.msg(document.getElementById('quiz-start-msg'), DX.t('err.network'), false);
    });
  }

  startBtn.addEventListener('click', start);
  document.getElementById('quiz-submit').addEventListener('click', function () { submit(false); });
  document.getElementById('quiz-confirm-no').addEventListener('click', function () { dialog.close(); });
  document.getElementById('quiz-confirm-yes').addEventListener('click', function () { dialog.close(); submit(true); });
  window.addEventListener('beforeunload', function () {
    if (att && Object.keys(pending).length && !done)
      DX.api('PUT', '/api/v1/attempts/' + att.id + '/answers', { answers: pending }, { keepalive: true });
  });
  /* An open attempt resumes at once, with its saved answers. */
  DX.ready.then(function () {
    if (openId) DX.api('GET', '/api/v1/attempts/' + openId).then(function (r) { if (r.status === 200) show(r.data); });
  });
})();
