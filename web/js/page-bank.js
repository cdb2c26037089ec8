/* page-bank.js — the instructor's bank editor (/teach/courses/{id}/quiz): the exam's settings, the
   questions (add, edit, delete, preview as a member sees them) and the CSV / Markdown import with
   its preview and per-line errors. Everything goes through the API. */
(function () {
  'use strict';
  var listEl = document.getElementById('bank-list');
  if (!listEl) return;
  var course = listEl.getAttribute('data-course');
  var settings = document.getElementById('quiz-settings');
  var form = document.getElementById('question-form');
  var qmsg = document.getElementById('question-msg');
  var bank = [];
  var LETTERS = 'ABCDEFGHIJ';

  /* ---- settings ---- */
  settings.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var d = DX.formData(settings);
    var body = { num_questions: +d.num_questions, pass_score: +d.pass_score, time_limit_s: +d.time_limit_min * 60,
      max_attempts: +d.max_attempts };
    var m = document.getElementById('settings-msg');
    DX.api('PUT', '/api/v1/courses/' + course + '/quiz', body).then(function (r) {
      if (r.status !== 200) { DX.msg(m, DX.errorText(r), false); return; }
      if (settings.getAttribute('data-quiz') === '0') { location.reload(); return; }
      DX.msg(m, DX.t('quiz.bank.saved'), true);
    }, function () { DX.msg(m, DX.t('err.network'), false); });
  });

  /* ---- the question form ---- */
  function splitList(s, re) { return s.split(re).map(function (x) { return x.trim(); }).filter(function (x) { return x; }); }
  /* The form as an API question, or null (with a message) when the answer cannot be read. */
  function fromForm() {
    var d = DX.formData(form);
    var q = { type: d.type, stem: d.stem, explanation: d.explanation, tags: splitList(d.tags, /[,，、;；|]/) };
    var ans = d.answer.trim();
    if (d.type === 'fill') {
      q.options = [];
      q.answer = splitList(ans, /[;；]/).map(function (b) { return splitList(b, /[|｜]/); });
      return q;
    }
    q.options = d.type === 'truefalse' && !d.options.trim() ? [] : splitList(d.options, /\n/);
    if (d.type === 'truefalse' && /^(对|正确|√|true|a)$/i.test(ans)) q.answer = [0];
    else if (d.type === 'truefalse' && /^(错|错误|×|false|b)$/i.test(ans)) q.answer = [1];
    else {
      var letters = ans.toUpperCase().replace(/[\s,，、|]/g, '');
      if (!/^[A-J]+$/.test(letters)) return null;
      q.answer = letters.split('').map(function (c) { return LETTERS.indexOf(c); });
    }
    return q;
  }
  function toForm(q) {
    form.elements.id.value = q ? q.id : '';
    form.elements.type.value = q ? q.type : 'single';
    form.elements.stem.value = q ? q.stem : '';
    form.elements.options.value = q ? (q.options || []).join('\n') : '';
    form.elements.explanation.value = q ? q.explanation || '' : '';
    form.elements.tags.value = q ? (q.tags || []).join('，') : '';
    var a = '';
    if (q && q.type === 'fill') a = q.answer.map(function (b) { return b.join('|'); }).join('；');
    else if (q && q.type === 'truefalse' && !(q.options || []).length) a = q.answer[0] === 0 ? '对' : '错';
    else if (q) a = q.answer.map(function (i) { return LETTERS[i]; }).join('');
    form.elements.answer.value = a;
    document.getElementById('qform-title').textContent = DX.t(q ? 'quiz.bank.edit' : 'quiz.bank.add');
    typeChanged();
  }
  function typeChanged() {
    form.querySelector('.opt-field').hidden = form.elements.type.value === 'fill';
  }
  form.elements.type.addEventListener('change', typeChanged);
  document.getElementById('qform-reset').addEventListener('click', function () { toForm(null); DX.msg(qmsg, '', true); });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var q = fromForm();
    if (!q) { DX.msg(qmsg, DX.t('quiz.bank.bad_answer'), false); return; }
    var id = form.elements.id.value;
    var p = id ? DX.api('PUT', '/api/v1/questions/' + id, q) : DX.api('POST', '/api/v1/courses/' + course + '/questions', q);
    p.then(function (r) {
      if (r.status !== 200 && r.status !== 201) { DX.msg(qmsg, DX.errorText(r), false); return; }
      DX.msg(qmsg, DX.t('quiz.bank.saved'), true);
      toForm(null);
      load();
    }, function () { DX.msg(qmsg, DX.t('err.network'), false); });
  });

  /* A member's view: the options in stored order (members get them shuffled), no answer. */
  function memberView(q, i) {
    var shown = { id: 'p' + i + '-' + (q.id || 0), type: q.type, stem: q.stem, options: q.options,
      blanks: q.type === 'fill' ? (q.blanks || q.answer.length) : 0 };
    if (q.type === 'truefalse' && !(q.options || []).length) shown.options = ['对', '错'];
    return DX.renderQuestion(shown, i, null, null);
  }
  function preview(box, qs) {
    var ol = box.querySelector('ol');
    ol.textContent = '';
    qs.forEach(function (q, i) { ol.appendChild(memberView(q, i)); });
    box.hidden = !qs.length;
  }
  document.getElementById('qform-preview').addEventListener('click', function () {
    var q = fromForm();
    if (!q) { DX.msg(qmsg, DX.t('quiz.bank.bad_answer'), false); return; }
    preview(document.getElementById('qform-preview-box'), [q]);
  });

  /* ---- the bank ---- */
  function item(q, i) {
    var li = DX.el('li', { class: 'bank-item' + (q.used ? ' used' : ''), 'data-id': String(q.id) });
    li.appendChild(DX.el('p', { class: 'stem' }, [DX.el('span', { class: 'badge', text: DX.t('quiz.type.' + q.type) }),
      ' ' + (i + 1) + '. ' + q.stem]));
    if (q.type === 'fill') {
      li.appendChild(DX.el('p', { class: 'right', text: DX.t('quiz.page.right_answer') + '：' +
        q.answer.map(function (b) { return b.join(' / '); }).join('；') }));
    } else {
      var opts = q.options.length ? q.options : ['对', '错'];
      var ul = DX.el('ul', { class: 'opts' });
      opts.forEach(function (o, k) {
        ul.appendChild(DX.el('li', { class: q.answer.indexOf(k) >= 0 ? 'right' : '' }, [LETTERS[k] + '. ' + o +
          (q.answer.indexOf(k) >= 0 ? ' ✓' : '')]));
      });
      li.appendChild(ul);
    }
    if (q.explanation) li.appendChild(DX.el('p', { class: 'expl', text: DX.t('quiz.page.explanation') + q.explanation }));
    if (q.used) li.appendChild(DX.el('p', { class: 'help', text: DX.t('quiz.bank.used') }));
    var edit = DX.el('button', { type: 'button', text: DX.t('quiz.bank.edit') });
    var del = DX.el('button', { type: 'button', text: DX.t('quiz.bank.delete') });
    var pv = DX.el('button', { type: 'button', text: DX.t('quiz.bank.preview') });
    var box = DX.el('div', { class: 'preview-box', hidden: '' }, [DX.el('ol', { class: 'quiz-questions' })]);
    edit.addEventListener('click', function () { toForm(q); form.scrollIntoView(); });
    pv.addEventListener('click', function () { if (box.hidden) preview(box, [q]); else box.hidden = true; });
    del.addEventListener('click', function () {
      DX.confirm(DX.t('quiz.bank.delete_confirm')).then(function (yes) {
        if (!yes) return;
        DX.api('DELETE', '/api/v1/questions/' + q.id).then(function (r) {
          if (r.status === 200) load();
          else DX.msg(qmsg, DX.errorText(r), false);
        });
      });
    });
    li.appendChild(DX.el('div', { class: 'actions' }, [edit, ' ', pv, ' ', del]));
    li.appendChild(box);
    return li;
  }
  function load() {
    DX.api('GET', '/api/v1/courses/' + course + '/questions').then(function (r) {
      if (r.status !== 200) return;
      bank = r.data.questions;
      listEl.textContent = '';
      bank.forEach(function (q, i) { listEl.appendChild(item(q, i)); });
      document.getElementById('bank-count').textContent = DX.t('quiz.bank.count', { n: bank.length });
      if (!bank.length) listEl.appendChild(DX.el('li', { class: 'muted', text: DX.t('quiz.bank.empty') }));
    });
  }

  /* ---- import ---- */
  var imp = document.getElementById('import-form');
  var impText = document.getElementById('import-text');
  var impFmt = document.getElementById('import-format');
  var impMsg = document.getElementById('import-msg');
  var impErrs = document.getElementById('import-errors');
  document.getElementById('import-file').addEventListener('change', function (ev) {
    var f = ev.target.files[0];
    if (!f) return;
    impFmt.value = /\.csv$/i.test(f.name) ? 'text/csv' : 'text/markdown';
    var rd = new FileReader();
    rd.onload = function () { impText.value = rd.result; };
    rd.readAsText(f, 'utf-8');
  });
  function send(dry) {
    impErrs.textContent = '';
    var path = '/api/v1/courses/' + course + '/questions/import' + (dry ? '?dry_run=1' : '');
    DX.api('POST', path, impText.value, { type: impFmt.value + '; charset=utf-8' }).then(function (r) {
      var errs = (r.data && r.data.errors) || [];
      errs.forEach(function (e) {
        impErrs.appendChild(DX.el('li', { text: DX.t('quiz.bank.line', { n: e.line }) + e.message }));
      });
      if (r.status !== 200) { DX.msg(impMsg, DX.errorText(r), false); return; }
      var n = dry ? r.data.questions.length : r.data.created;
      var text = DX.t(dry ? 'quiz.bank.previewed' : 'quiz.bank.imported', { n: n });
      if (errs.length) text += '；' + DX.t('quiz.bank.errors', { n: errs.length });
      DX.msg(impMsg, text, !errs.length);
      preview(document.getElementById('import-preview-box'), dry ? r.data.questions : []);
      if (!dry) load();
    }, function () { DX.msg(impMsg, DX.t('err.network'), false); });
  }
  document.getElementById('import-preview').addEventListener('click', function () { send(true); });
  imp.addEventListener('submit', function (ev) { ev.preventDefault(); send(false); });

  DX.ready.then(function () { typeChanged(); load(); });
})();
