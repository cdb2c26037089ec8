/* page-account.js — my account: change my password (the current one required), my sessions and
   ending them. */
(function () {
  'use strict';
  var el = DX.el;
  var pf = document.getElementById('pw-form'), list = document.getElementById('session-list'),
    smsg = document.getElementById('session-msg');

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString('zh-CN', { hour12: false });
  }
  /* A short name of the browser and system from the User-Agent header. */
  function agent(ua) {
    if (!ua) return DX.t('account.unknown_agent');
    var b = /Edg\//.test(ua) ? 'Edge' : /MicroMessenger/.test(ua) ? '微信' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox'
      : /Safari\//.test(ua) ? 'Safari' : '';
    var os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS'
      : /Linux/.test(ua) ? 'Linux' : '';
    var s = [b, os].filter(Boolean).join(' · ');
    return s || ua.slice(0, 60);
  }
  function loadSessions() {
    return DX.api('GET', '/api/v1/me/sessions').then(function (r) {
      list.textContent = '';
      if (r.status !== 200) { DX.msg(smsg, DX.errorText(r), false); return; }
      var others = 0;
      r.data.sessions.forEach(function (s) {
        if (!s.current) others++;
        var end = el('button', { type: 'button', class: 'small' + (s.current ? '' : ' danger'), text: DX.t('account.end') });
        end.addEventListener('click', function () { endSession(s); });
        var head = el('p', { class: 'sess-head' }, [el('strong', { text: agent(s.user_agent) })]);
        if (s.current) head.appendChild(el('span', { class: 'badge ok', text: DX.t('account.current_session') }));
        list.appendChild(el('li', { 'data-sid': s.id, class: s.current ? 'current' : '' }, [head,
          el('p', { class: 'help', text: DX.t('account.since', { at: when(s.created_at), expires: when(s.expires_at) }) +
            (s.ip ? ' · ' + DX.t('account.ip', { ip: s.ip }) : '') }), end]));
      });
      document.getElementById('end-others').disabled = others === 0;
    });
  }
  function endSession(s) {
    var ask = s.current ? DX.confirm(DX.t('account.confirm_end_current'), { ok: DX.t('account.end') }) : Promise.resolve(true);
    ask.then(function (yes) {
      if (!yes) return;
      DX.api('DELETE', '/api/v1/me/sessions/' + encodeURIComponent(s.id)).then(function (r) {
        if (r.status !== 204) { DX.msg(smsg, DX.errorText(r), false); loadSessions(); return; }
        if (s.current) { location.href = '/login'; return; }
        DX.msg(smsg, DX.t('account.ended', { n: 1 }), true);
        loadSessions();
      });
    });
  }
  document.getElementById('end-others').addEventListener('click', function () {
    DX.api('DELETE', '/api/v1/me/sessions').then(function (r) {
      if (r.status === 200) DX.msg(smsg, r.data.ended ? DX.t('account.ended', { n: r.data.ended }) : DX.t('account.no_others'), true);
      else DX.msg(smsg, DX.errorText(r), false);
      loadSessions();
    });
  });
  pf.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var d = DX.formData(pf), msg = pf.querySelector('.msg');
    if (d.new_password !== d.confirm_password) { DX.msg(msg, DX.t('account.mismatch'), false); pf.confirm_password.focus(); return; }
    DX.api('POST', '/api/v1/me/password', { current_password: d.current_password, new_password: d.new_password }).then(function (r) {
      if (r.status === 200) {
        pf.reset();
        DX.msg(msg, r.data.sessions_ended ? DX.t('account.changed', { n: r.data.sessions_ended }) : DX.t('account.changed_alone'), true);
        var must = document.getElementById('must-change');
        if (must) must.hidden = true;
        loadSessions();
      } else DX.msg(msg, DX.errorText(r), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });
  DX.ready.then(loadSessions);
})();
