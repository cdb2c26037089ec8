/* app.js — shared by every page: the API client (Bearer-free: cookie + CSRF), strings, logout,
   the login form and the admin page. Page-specific code lives in page-NAME.js. */
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var DX = window.DX = {};
  DX.csrf = csrfMeta ? csrfMeta.content : '';
  DX.strings = {};

  /* Calls the JSON API; resolves {status, data}; rejects only on network failure. */
  DX.api = function (method, path, body, opts) {
    opts = opts || {};
    var headers = {};
    if (DX.csrf) headers['X-CSRF-Token'] = DX.csrf;
    var init = { method: method, headers: headers, credentials: 'same-origin', keepalive: !!opts.keepalive };
    if (body !== undefined && body !== null) {
      if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer) {
        init.body = body;
        headers['Content-Type'] = opts.type || 'application/octet-stream';
      } else {
        init.body = JSON.stringify(body);
        headers['Content-Type'] = 'application/json';
      }
    }
    return fetch(path, init).then(function (res) {
      var ct = res.headers.get('Content-Type') || '';
      var p = ct.indexOf('application/json') === 0 ? res.json() : res.text();
      return p.then(function (data) { return { status: res.status, data: data }; });
    });
  };
  /* The message of an API error answer, or a generic one. */
  DX.errorText = function (r) {
    return (r && r.data && r.data.error && r.data.error.message) || DX.t('common.error');
  };
  DX.t = function (key, vars) {
    var s = DX.strings[key] || key;
    if (vars) s = s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] !== undefined ? vars[k] : m; });
    return s;
  };
  DX.ready = fetch('/static/i18n/zh-CN.json', { credentials: 'same-origin' })
    .then(function (r) { return r.json(); })
    .then(function (j) { DX.strings = j; })
    .catch(function () {});
  /* Element helper: el('li', {class: 'x'}, ['text', child]) — text is never parsed as HTML. */
  DX.el = function (tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  };
  DX.msg = function (node, text, ok) {
    if (!node) return;
    node.textContent = text;
    node.className = 'msg ' + (ok ? 'ok' : 'err');
  };
  DX.formData = function (form) {
    var o = {};
    Array.prototype.forEach.call(form.elements, function (f) { if (f.name) o[f.name] = f.value; });
    return o;
  };

  /* A quiz question as a member sees it (quiz pages and the bank editor's preview): q is
     {id,type,stem,options,blanks}; given the saved answer (displayed positions, or texts for fill);
     onChange(id, answer) after every change (none: read-only). Returns the <li>. */
  DX.renderQuestion = function (q, index, given, onChange) {
    var li = DX.el('li', { class: 'q', id: 'q-' + q.id, 'data-id': String(q.id) });
    li.appendChild(DX.el('p', { class: 'stem' }, [DX.el('span', { class: 'badge', text: DX.t('quiz.type.' + q.type) }),
      ' ' + (index + 1) + '. ' + q.stem]));
    var box = DX.el('div', { class: 'opts', role: q.type === 'multiple' ? 'group' : 'radiogroup' });
    var name = 'q-' + q.id + '-' + Math.random().toString(36).slice(2, 7);
    given = given || [];
    function read() {
      if (q.type === 'fill') {
        var texts = Array.prototype.map.call(box.querySelectorAll('input'), function (i) { return i.value; });
        return texts.some(function (t) { return t.trim() !== ''; }) ? texts : [];
      }
      return Array.prototype.filter.call(box.querySelectorAll('input'), function (i) { return i.checked; })
        .map(function (i) { return +i.value; });
    }
    if (q.type === 'fill') {
      for (var b = 0; b < (q.blanks || 1); b++) {
        var inp = DX.el('input', { type: 'text', 'data-blank': String(b), autocomplete: 'off' });
        inp.value = given[b] || '';
        if (!onChange) inp.disabled = true;
        box.appendChild(DX.el('label', { class: 'blank' }, [DX.t('quiz.page.blank_n', { n: b + 1 }), inp]));
      }
    } else {
      (q.options || []).forEach(function (text, d) {
        var inp = DX.el('input', { type: q.type === 'multiple' ? 'checkbox' : 'radio', name: name, value: String(d) });
        inp.checked = given.indexOf(d) >= 0;
        if (!onChange) inp.disabled = true;
        box.appendChild(DX.el('label', { class: 'opt' }, [inp, DX.el('span', { class: 'letter', text: String.fromCharCode(65 + d) + '.' }), ' ' + text]));
      });
    }
    if (onChange) {
      box.addEventListener('change', function () { onChange(q.id, read()); });
      box.addEventListener('input', function (ev) { if (ev.target.type === 'text') onChange(q.id, read()); });
    }
    li.appendChild(box);
    return li;
  };

  /* The one confirmation before a destructive action (disable, delete, revoke, unpublish):
     DX.confirm(text, {ok: 'label of the button', title}) resolves true when confirmed, false when
     cancelled (button, Escape, backdrop). One modal <dialog class="confirm" id="dx-confirm">; the
     cancel button has the focus, so Enter alone never destroys anything. */
  var confirmBox = null, confirmPending = null;
  DX.confirm = function (text, opts) {
    opts = opts || {};
    if (!confirmBox) {
      confirmBox = DX.el('dialog', { class: 'confirm', id: 'dx-confirm', 'aria-labelledby': 'dx-confirm-h',
        'aria-describedby': 'dx-confirm-text' }, [
        DX.el('h2', { id: 'dx-confirm-h' }), DX.el('p', { id: 'dx-confirm-text' }),
        DX.el('div', { class: 'actions' }, [DX.el('button', { type: 'button', id: 'dx-confirm-cancel' }),
          DX.el('button', { type: 'button', class: 'primary danger', id: 'dx-confirm-ok' })])]);
      document.body.appendChild(confirmBox);
    }
    if (confirmPending) confirmPending(false, true); /* a question still open is answered "no" */
    var box = confirmBox;
    box.querySelector('#dx-confirm-h').textContent = opts.title || DX.t('confirm.title');
    box.querySelector('#dx-confirm-text').textContent = text;
    var ok = box.querySelector('#dx-confirm-ok'), no = box.querySelector('#dx-confirm-cancel');
    ok.textContent = opts.ok || DX.t('confirm.ok');
    no.textContent = opts.cancel || DX.t('confirm.cancel');
    return new Promise(function (resolve) {
      function finish(v, keepOpen) {
        confirmPending = null;
        ok.removeEventListener('click', yes);
        no.removeEventListener('click', cancel);
        box.removeEventListener('close', closed);
        box.removeEventListener('click', outside);
        if (!keepOpen && box.open) box.close();
        resolve(v);
      }
      function yes() { finish(true); }
      function cancel() { finish(false); }
      /* Escape; a close event of an earlier question arrives after this one opened: ignored. */
      function closed() { if (!box.open) finish(false); }
      function outside(ev) { if (ev.target === box) finish(false); }
      confirmPending = finish;
      ok.addEventListener('click', yes);
      no.addEventListener('click', cancel);
      box.addEventListener('close', closed);
      box.addEventListener('click', outside);
      if (!box.open) { if (box.showModal) box.showModal(); else box.setAttribute('open', ''); }
      no.focus();
    });
  };

  var logout = document.getElementById('logout');
  if (logout) logout.addEventListener('click', function () {
    DX.api('DELETE', '/api/v1/session').then(function () { location.href = '/login'; });
  });

  /* 1 when next is a same-origin path (the server's rule, auth.c login_next_ok): a single "/"
     then anything but "/" or "\\", no backslash, control character or space, also after
     percent-decoding ("/%5Cevil.example" and "/%09/evil.example" leave the site). */
  DX.safeNext = function (next) {
    var cur = next;
    for (var i = 0; i < 4; i++) {
      if (typeof cur !== 'string' || !/^\/(?![\/\\])/.test(cur) || /[\\\u0000-\u0020\u007f]/.test(cur)) return false;
      var d;
      try { d = decodeURIComponent(cur); } catch (e) { return false; }
      if (d === cur) return true;
      cur = d;
    }
    return false;
  };

  /* Login page. */
  var lf = document.getElementById('login-form');
  if (lf) lf.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var err = document.getElementById('login-error');
    var d = DX.formData(lf);
    /* The server trims and lower-cases usernames too; this keeps the field tidy for the next try. */
    var user = d.username.trim();
    lf.username.value = user;
    DX.api('POST', '/api/v1/session', { username: user, password: d.password }).then(function (r) {
      if (r.status === 200) {
        if (r.data && r.data.user && r.data.user.must_change_password) { location.href = '/account'; return; }
        var next = lf.getAttribute('data-next');
        location.href = DX.safeNext(next) ? next : '/';
        return;
      }
      err.hidden = false;
      err.textContent = DX.errorText(r);
    }, function () { err.hidden = false; err.textContent = DX.t('err.network'); });
  });
})();
