/* page-teach-edit.js — the course editor: save, live preview (the server's renderer), images for
   the body and the cover, publish and unpublish (asked first, with the number of members enrolled),
   archive and restore, PDF attachments (upload, delete), and the lectures: rename, reorder with
   up/down buttons, delete. Inserted images ask for their alt text. */
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
  /* The version of the course this page last saw: sent with every save, so a colleague's change in
     between is refused (409 stale) instead of overwritten; every course answer moves it on. */
  var seen = form.getAttribute('data-updated-at') || '';
  function courseApi(method, path, body) {
    return DX.api(method, path, body).then(function (r) {
      if (r.status === 200 && r.data && String(r.data.id) === id && r.data.updated_at) seen = r.data.updated_at;
      return r;
    });
  }

  function say(text, ok) { DX.msg(msg, text, ok); }
  function fields() {
    var d = DX.formData(form);
    return { title: d.title, summary: d.summary, category: d.category,
      credit_hours: parseFloat(d.credit_hours || '0') || 0, body_md: d.body_md };
  }
  function save() {
    var f = fields();
    if (seen) f.updated_at = seen;
    return courseApi('PATCH', base, f).then(function (r) {
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

  /* Alt text (说明文字) of an inserted image: asked in a small dialog; an empty answer still inserts
     the image, and the warning under the editor counts the images that have none. */
  var altBox = null;
  function askAlt() {
    if (!altBox) {
      altBox = DX.el('dialog', { class: 'confirm', id: 'alt-dialog', 'aria-labelledby': 'alt-dialog-h' }, [
        DX.el('h2', { id: 'alt-dialog-h', text: DX.t('editor.alt_title') }),
        DX.el('label', {}, [DX.t('editor.alt_label'), DX.el('input', { id: 'alt-input', maxlength: '200', autocomplete: 'off' })]),
        DX.el('p', { class: 'help', text: DX.t('editor.alt_help') }),
        DX.el('div', { class: 'actions' }, [DX.el('button', { type: 'button', id: 'alt-skip', text: DX.t('editor.alt_skip') }),
          DX.el('button', { type: 'button', class: 'primary', id: 'alt-ok', text: DX.t('editor.alt_ok') })])]);
      document.body.appendChild(altBox);
    }
    var box = altBox, input = box.querySelector('#alt-input');
    input.value = '';
    return new Promise(function (resolve) {
      function finish(v) {
        box.querySelector('#alt-ok').removeEventListener('click', ok);
        box.querySelector('#alt-skip').removeEventListener('click', skip);
        input.removeEventListener('keydown', key);
        box.removeEventListener('close', closed);
        if (box.open) box.close();
        resolve(v);
      }
      function ok() { finish(input.value.trim()); }
      function skip() { finish(''); }
      function key(ev) { if (ev.key === 'Enter') { ev.preventDefault(); ok(); } }
      function closed() { finish(''); }
      box.querySelector('#alt-ok').addEventListener('click', ok);
      box.querySelector('#alt-skip').addEventListener('click', skip);
      input.addEventListener('keydown', key);
      box.addEventListener('close', closed);
      if (box.showModal) box.showModal(); else box.setAttribute('open', '');
      input.focus();
    });
  }
  /* Alt text as Markdown link text: brackets and backslashes escaped, one line. */
  function mdAlt(t) { return String(t || '').replace(/\s+/g, ' ').replace(/([\\\[\]])/g, '\\$1'); }
  var altWarn = document.getElementById('alt-warn');
  function checkAlt() {
    if (!altWarn) return;
    var n = (md.value.match(/!\[\s*\]\(/g) || []).length;
    altWarn.hidden = !n;
    altWarn.textContent = n ? DX.t('editor.alt_missing', { n: n }) : '';
  }
  DX.ready.then(checkAlt);

  form.addEventListener('input', function (ev) {
    dirty = true;
    if (ev.target === md) { clearTimeout(timer); timer = setTimeout(renderPreview, 350); checkAlt(); }
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
      askAlt().then(function (alt) {
        insertAtCursor('![' + mdAlt(alt) + '](' + img.url + ')');
        dirty = true;
        say(DX.t(alt ? 'editor.image_inserted' : 'editor.image_inserted_no_alt'), !!alt);
        checkAlt();
        renderPreview();
      });
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
      courseApi('PATCH', base, { cover_image_id: img.id }).then(function (r) {
        if (r.status !== 200) { say(DX.errorText(r), false); return; }
        coverImg.src = img.url;
        coverImg.hidden = false;
        coverClear.hidden = false;
        say(DX.t('editor.saved'), true);
      });
    });
  });
  coverClear.addEventListener('click', function () {
    courseApi('PATCH', base, { cover_image_id: null }).then(function (r) {
      if (r.status !== 200) { say(DX.errorText(r), false); return; }
      coverImg.src = 'data:,';
      coverImg.hidden = true;
      coverClear.hidden = true;
      say(DX.t('editor.saved'), true);
    });
  });
  var archiveBtn = document.getElementById('archive'), restoreBtn = document.getElementById('restore');
  function setArchived(on) {
    form.setAttribute('data-archived', on ? '1' : '0');
    archiveBtn.hidden = on;
    restoreBtn.hidden = !on;
    if (on) {
      document.getElementById('publish').hidden = true;
      document.getElementById('unpublish').hidden = true;
      var badge = document.getElementById('status-badge');
      badge.textContent = DX.t('course.status_archived');
      badge.className = 'badge';
    } else setStatus(false);
  }
  /* Unpublishing and archiving tell how many members are enrolled and ask first (the count is read
     again, so it is the current one). */
  function enrolledNow() {
    return DX.api('GET', base).then(function (r) {
      return r.status === 200 ? r.data.enrolled_count : +form.getAttribute('data-enrolled');
    }, function () { return +form.getAttribute('data-enrolled'); });
  }
  function publish(on) {
    save().then(function (ok) {
      if (!ok) return;
      (on ? Promise.resolve(true) : enrolledNow().then(function (n) {
        return DX.confirm(DX.t('editor.unpublish_confirm', { n: n }), { ok: DX.t('confirm.unpublish_ok') });
      })).then(function (go) {
        if (!go) return;
        courseApi('POST', base + (on ? '/publish' : '/unpublish')).then(function (r) {
          if (r.status !== 200) { say(DX.errorText(r), false); return; }
          setStatus(r.data.status === 'published');
          say(on ? DX.t('editor.published') : DX.t('editor.unpublished_n', { n: r.data.enrolled_members }), true);
        }, function () { say(DX.t('err.network'), false); });
      });
    });
  }
  document.getElementById('publish').addEventListener('click', function () { publish(true); });
  document.getElementById('unpublish').addEventListener('click', function () { publish(false); });
  archiveBtn.addEventListener('click', function () {
    enrolledNow().then(function (n) {
      return DX.confirm(DX.t('editor.archive_confirm', { n: n }));
    }).then(function (yes) {
      if (!yes) return;
      courseApi('POST', base + '/archive').then(function (r) {
        if (r.status !== 200) { say(DX.errorText(r), false); return; }
        setArchived(true);
        say(DX.t('editor.archived'), true);
      }, function () { say(DX.t('err.network'), false); });
    });
  });
  restoreBtn.addEventListener('click', function () {
    courseApi('POST', base + '/restore').then(function (r) {
      if (r.status !== 200) { say(DX.errorText(r), false); return; }
      setArchived(false);
      say(DX.t('editor.restored'), true);
    }, function () { say(DX.t('err.network'), false); });
  });

  /* Attachments (课件, PDF): upload with the file's name, delete after a confirmation. */
  var attachBox = document.getElementById('attach-edit');
  if (attachBox) {
    var attachList = document.getElementById('attach-items'), attachMsg = document.getElementById('attach-msg');
    var attachNone = document.getElementById('attach-none'), attachMax = +attachBox.getAttribute('data-max');
    var showNone = function () { attachNone.hidden = attachList.children.length > 0; };
    var sizeText = function (n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.ceil(n / 1024) + ' KB'; };
    document.getElementById('attach-file').addEventListener('change', function (ev) {
      var f = ev.target.files[0];
      if (!f) return;
      ev.target.value = '';
      if (attachMax && f.size > attachMax) {
        DX.msg(attachMsg, DX.t('attach.too_big', { mb: Math.floor(attachMax / 1048576) }), false);
        return;
      }
      DX.msg(attachMsg, DX.t('editor.uploading'), true);
      DX.api('POST', base + '/attachments?name=' + encodeURIComponent(f.name), f, { type: 'application/pdf' }).then(function (r) {
        if (r.status !== 201) { DX.msg(attachMsg, DX.errorText(r), false); return; }
        var a = r.data;
        attachList.appendChild(DX.el('li', { 'data-id': a.id, 'data-name': a.name }, [
          DX.el('a', { href: a.url, download: '', text: a.name }), ' ',
          DX.el('span', { class: 'attach-meta', text: 'PDF · ' + sizeText(a.size) }), ' ',
          DX.el('button', { type: 'button', class: 'link attach-del' }, [DX.t('attach.delete'),
            DX.el('span', { class: 'sr-only', text: '「' + a.name + '」' })])]));
        showNone();
        DX.msg(attachMsg, DX.t('attach.uploaded', { name: a.name }), true);
      }, function () { DX.msg(attachMsg, DX.t('err.network'), false); });
    });
    attachList.addEventListener('click', function (ev) {
      var btn = ev.target.closest('.attach-del');
      if (!btn) return;
      var li = btn.closest('li');
      DX.confirm(DX.t('attach.delete_confirm', { name: li.getAttribute('data-name') }), { ok: DX.t('attach.delete') }).then(function (yes) {
        if (!yes) return;
        DX.api('DELETE', base + '/attachments/' + li.getAttribute('data-id')).then(function (r) {
          if (r.status !== 204) { DX.msg(attachMsg, DX.errorText(r), false); return; }
          li.remove();
          showNone();
          DX.msg(attachMsg, DX.t('attach.deleted'), true);
        }, function () { DX.msg(attachMsg, DX.t('err.network'), false); });
      });
    });
  }

  /* Lectures: up and down are buttons (Tab and Enter or Space move a lecture; focus stays on the
     button pressed), rename with the revision read, delete after a confirmation. */
  var list = document.getElementById('lecture-order');
  var orderMsg = document.getElementById('order-msg');
  function items() { return Array.prototype.slice.call(list.children); }
  function titleOf(li) { return li.querySelector('.lo-name').value; }
  function refreshButtons() {
    var all = items();
    all.forEach(function (li, i) {
      li.querySelector('.lo-up').disabled = i === 0;
      li.querySelector('.lo-down').disabled = i === all.length - 1;
    });
  }
  function move(li, delta, button) {
    var all = items(), i = all.indexOf(li), j = i + delta;
    if (j < 0 || j >= all.length) return;
    if (delta < 0) list.insertBefore(li, all[j]); else list.insertBefore(all[j], li);
    var ids = items().map(function (x) { return +x.getAttribute('data-id'); });
    refreshButtons();
    if (button.disabled) (delta < 0 ? li.querySelector('.lo-down') : li.querySelector('.lo-up')).focus();
    else button.focus();
    DX.api('PUT', base + '/lectures/order', { lecture_ids: ids }).then(function (r) {
      if (r.status === 200) {
        DX.msg(orderMsg, DX.t('editor.order_saved', { title: titleOf(li), n: ids.indexOf(+li.getAttribute('data-id')) + 1 }), true);
        return;
      }
      /* Refused: put it back where it was. */
      var now = items(), k = now.indexOf(li);
      if (delta < 0) list.insertBefore(now[k + 1], li); else list.insertBefore(li, now[k - 1]);
      refreshButtons();
      DX.msg(orderMsg, DX.errorText(r), false);
    }, function () { DX.msg(orderMsg, DX.t('err.network'), false); });
  }
  if (list) {
    refreshButtons();
    list.addEventListener('click', function (ev) {
      var btn = ev.target.closest('button');
      if (!btn) return;
      var li = btn.closest('li'), lid = li.getAttribute('data-id');
      if (btn.classList.contains('lo-up')) move(li, -1, btn);
      else if (btn.classList.contains('lo-down')) move(li, 1, btn);
      else if (btn.classList.contains('lo-rename')) {
        DX.api('PATCH', '/api/v1/lectures/' + lid, { title: titleOf(li), revision: +li.getAttribute('data-revision') }).then(function (r) {
          if (r.status !== 200) { DX.msg(orderMsg, DX.errorText(r), false); return; }
          li.setAttribute('data-revision', r.data.revision);
          /* The buttons name the lecture for screen readers. */
          Array.prototype.forEach.call(li.querySelectorAll('.lo-tools .sr-only'), function (s) { s.textContent = '「' + r.data.title + '」'; });
          DX.msg(orderMsg, DX.t('editor.renamed'), true);
        }, function () { DX.msg(orderMsg, DX.t('err.network'), false); });
      } else if (btn.classList.contains('lo-delete')) {
        DX.confirm(DX.t('editor.delete_confirm', { title: titleOf(li) })).then(function (yes) {
          if (!yes) return;
          DX.api('DELETE', '/api/v1/lectures/' + lid).then(function (r) {
            if (r.status !== 200) { DX.msg(orderMsg, DX.errorText(r), false); return; }
            var next = li.nextElementSibling || li.previousElementSibling;
            li.remove();
            refreshButtons();
            if (next) next.querySelector('.lo-name').focus();
            DX.msg(orderMsg, DX.t(r.data.result === 'archived' ? 'editor.lecture_archived' : 'editor.lecture_deleted'), true);
          }, function () { DX.msg(orderMsg, DX.t('err.network'), false); });
        });
      }
    });
    list.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && ev.target.classList.contains('lo-name')) {
        ev.preventDefault();
        ev.target.closest('li').querySelector('.lo-rename').click();
      }
    });
  }
})();
