/* page-assess.js — /assess: send a reminder now; the admins' reminder and default settings.
   Everything else on the page is plain links and GET forms. */
(function () {
  'use strict';
  var send = document.getElementById('remind-send');
  if (send) send.addEventListener('click', function () {
    var msg = document.getElementById('remind-msg'), pre = document.getElementById('remind-content');
    send.disabled = true;
    DX.api('POST', '/api/v1/reminders?org_id=' + encodeURIComponent(send.getAttribute('data-org')),
      { year: Number(send.getAttribute('data-year')) }).then(function (r) {
      send.disabled = false;
      if (r.status === 202) {
        DX.msg(msg, DX.t('assess.remind_queued'), true);
        pre.textContent = r.data.content;
        pre.hidden = false;
      } else DX.msg(msg, DX.errorText(r), false);
    }, function () { send.disabled = false; DX.msg(msg, DX.t('err.network'), false); });
  });
  var form = document.getElementById('remind-settings');
  if (form) form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var d = DX.formData(form), out = form.querySelector('.msg');
    DX.api('PUT', '/api/v1/scoring/settings', {
      webhook_url: d.webhook_url.trim(), remind_weekday: Number(d.remind_weekday), remind_hour: Number(d.remind_hour),
      default_total_hours: Number(d.default_total_hours), default_required_hours: Number(d.default_required_hours)
    }).then(function (r) {
      if (r.status === 200) { DX.msg(out, DX.t('assess.saved'), true); setTimeout(function () { location.reload(); }, 600); }
      else DX.msg(out, DX.errorText(r), false);
    }, function () { DX.msg(out, DX.t('err.network'), false); });
  });
})();
