/* page-teach-edit.js — the course editor: save, live preview (the server's renderer), images for
   the body and the cover, publish and unpublish. */
(function () {
  'use strict';
  var form = document.getElementById('course-form');
  if (!form) return;
  var id = form.getAttribute('data-id');
  var base = '/api/v1/courses/' + id;
  var md = document.getElementById('body-md');
  var preview = document.getElementById('preview');
  var msg = document.getElementById('editor-msg');
  var dirty = false, timer = null, seq = 0;

  function say(text, ok) { DX.msg(msg, text, ok); }
  function fields() {
    var d = DX.formData(form);
    return { title: d.title, summary: d.summary, category: d.category,
      credit_hours: parseFloat(d.credit_hours || '0') || 0, body_md: d.body_md };
  }
  function save() {
    return DX.api('PATCH', base, fields()).then(function (r) {
      if (r.status === 200) { dirty = false; say(DX.t('editor.saved'), true); return true; }
      say(DX.errorText(r), false);
      return false;
    }, function () { say(DX.t('err.network'), false); return false; });
  }
  /* The preview is the server's sanitised rendering, the same as what is stored on save. */
  function renderPreview() {
    var mine = ++seq;
    DX.api('POST', '/api/v1/markdown/preview', { body_md: md.value }).then(function (r) {
      if (mine !== seq) return;
      if (r.status === 200) preview.innerHTML = r.data.html;
      else say(DX.errorText(r), false);
    });
  }
  function upload(file) {
    say(DX.t('editor.uploading'), true);
    return DX.api('POST', base + '/images', file, { type: file.type || 'application/octet-stream' }).then(function (r) {
      if (r.status === 201) return r.data;
      say(DX.errorText(r), false);
      return null;
    }, function () { say(DX.t('err.network'), false); return null; });
  }
  function insertAtCursor(text) {
    var s = md.selectionStart, e = md.selectionEnd, v = md.value;
    var before = v.slice(0, s), after = v.slice(e);
    if (before && !/\n$/.test(before)) text = '\n' + text;
    if (!/^\n/.test(after)) text = text + '\n';
    md.value = before + text + after;
    md.selectionStart = md.selectionEnd = before.length + text.length;
    md.focus();
  }
  function setStatus(published) {
    form.setAttribute('data-status', published ? 'published' : 'draft');
    document.getElementById('publish').hidden = published;
    document.getElementById('unpublish').hidden = !published;
    var badge = document.getElementById('status-badge');
    badge.textContent = DX.t(published ? 'course.status_published' : 'course.status_draft');
    badge.className = 'badge ' + (published ? 'ok' : 'warn');
  }

  form.addEventListener('input', function (ev) {
    dirty = true;
    if (ev.target === md) { clearTimeout(timer); timer = setTimeout(renderPreview, 350); }
  });
  form.addEventListener('submit', function (ev) { ev.preventDefault(); save(); });
  window.addEventListener('beforeunload', function (ev) {
    if (dirty) { ev.preventDefault(); ev.returnValue = DX.t('editor.unsaved'); }
  });

  document.getElementById('image-file').addEventListener('change', function (ev) {
    var f = ev.target.files[0];
    if (!f) return;
    upload(f).then(function (img) {
      ev.target.value = '';
      if (!img) return;
      insertAtCursor('![](' + img.url + ')');
      dirty = true;
      say(DX.t('editor.image_inserted'), true);
      renderPreview();
    });
  });
  var coverImg = document.getElementById('cover-preview');
  var coverClear = document.getElementById('cover-clear');
  document.getElementById('cover-file').addEventListener('change', function (ev) {
    var f = ev.target.files[0];
    if (!f) return;
    upload(f).then(function (img) {
      ev.target.value = '';
      if (!img) return;
      DX.api('PATCH', base, { cover_image_id: img.id }).then(function (r) {
        if (r.status !== 200) { say(DX.errorText(r), false); return; }
        coverImg.src = img.url;
        coverImg.hidden = false;
        coverClear.hidden = false;
        say(DX.t('editor.saved'), true);
      });
    });
  });
  coverClear.addEventListener('click', function () {
    DX.api('PATCH', base, { cover_image_id: null }).then(function (r) {
      if (r.status !== 200) { say(DX.errorText(r), false); return; }
      coverImg.removeAttribute('src');
      coverImg.hidden = true;
      coverClear.hidden = true;
      say(DX.t('editor.saved'), true);
    });
  });
  function publish(on) {
    save().then(function (ok) {
      if (!ok) return;
      DX.api('POST', base + (on ? '/publish' : '/unpublish')).then(function (r) {
        if (r.status !== 200) { say(DX.errorText(r), false); return; }
        setStatus(r.data.status === 'published');
        say(DX.t(on ? 'editor.published' : 'editor.unpublished'), true);
      });
    });
  }
  document.getElementById('publish').addEventListener('click', function () { publish(true); });
  document.getElementById('unpublish').addEventListener('click', function () {
    DX.confirm(DX.t('confirm.unpublish'), { ok: DX.t('confirm.unpublish_ok') }).then(function (yes) { if (yes) publish(false); });
  });
})();
