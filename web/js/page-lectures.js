/* page-lectures.js — the instructor's lectures of one course: create, upload with tus (resumable,
   progress bar, speed, time left), import from a URL, captions, cancel, and the transcoding status
   polled every 2 s (GET /api/v1/lectures/{id}) without a reload. */
(function () {
  'use strict';
  var el = DX.el, root = document.getElementById('lectures');
  if (!root) return;
  var courseId = root.getAttribute('data-course-id');
  var uploadMax = +root.getAttribute('data-upload-max');
  var cards = {};      // lecture id → card state
  var POLL_MS = 2000;
  var CHUNK = 32 * 1024 * 1024;

  function fmtBytes(n) {
    if (n >= 1 << 30) return (n / (1 << 30)).toFixed(2) + ' GB';
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + ' MB';
    return Math.max(0, Math.round(n / 1024)) + ' KB';
  }
  function fmtTime(s) {
    if (!isFinite(s) || s < 0) return '--:--';
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    return (h ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + (x < 10 ? '0' : '') + x;
  }
  function busy(l) {
    return l.status === 'queued' || l.status === 'transcoding' || (l.import && l.import.state === 'downloading');
  }
  function fingerprint(id, file) {
    return ['dx-lec', id, file.name, file.size, file.lastModified].join('-');
  }
  function errText(err) {
    var res = err && err.originalResponse;
    if (res) {
      try { var j = JSON.parse(res.getBody()); if (j && j.error && j.error.message) return j.error.message; } catch (e) { /* not JSON */ }
      return DX.t('common.error') + ' (HTTP ' + res.getStatus() + ')';
    }
    return DX.t('err.network');
  }

  /* Rate over the last few seconds of progress samples (bytes/s). */
  function Meter() { this.s = []; }
  Meter.prototype.add = function (bytes) {
    var now = Date.now();
    this.s.push([now, bytes]);
    while (this.s.length > 2 && now - this.s[0][0] > 8000) this.s.shift();
  };
  Meter.prototype.rate = function () {
    if (this.s.length < 2) return 0;
    var a = this.s[0], b = this.s[this.s.length - 1];
    return b[0] > a[0] ? (b[1] - a[1]) * 1000 / (b[0] - a[0]) : 0;
  };

  function build(l) {
    var c = { id: l.id, meter: new Meter(), importMeter: new Meter(), upload: null, timer: null };
    c.poster = el('img', { class: 'lec-poster', alt: '', hidden: '' });
    c.title = el('h2', { class: 'lec-title' });
    c.meta = el('p', { class: 'lec-meta muted' });
    c.badge = el('span', { class: 'badge' });
    c.state = el('div', { class: 'progress-row lec-state', hidden: '' }, [el('progress', { max: '1' }), el('span', { class: 'pct' })]);
    c.note = el('p', { class: 'lec-note muted', hidden: '' });
    c.error = el('p', { class: 'msg err lec-error', hidden: '' });
    c.file = el('input', { type: 'file', accept: 'video/*,audio/*,.mp4,.mov,.mkv,.m4v,.webm,.mp3,.m4a,.wav', class: 'lec-file' });
    c.fileLabel = el('label', { class: 'button file primary' }, [DX.t('lec.choose_file'), c.file]);
    c.resume = el('p', { class: 'help lec-resume', hidden: '' });
    c.upBar = el('progress', { max: '1', value: '0' });
    c.upText = el('span', { class: 'up-text' });
    c.pause = el('button', { type: 'button', class: 'lec-pause', text: DX.t('lec.pause') });
    c.abort = el('button', { type: 'button', class: 'lec-abort', text: DX.t('lec.abort_upload') });
    c.up = el('div', { class: 'lec-upload', hidden: '' }, [c.upBar, el('div', { class: 'up-row' }, [c.upText, c.pause, c.abort])]);
    c.url = el('input', { type: 'url', name: 'url', placeholder: 'https://…/lecture.mp4', maxlength: '2048', required: '' });
    c.importForm = el('form', { class: 'lec-import' }, [c.url, el('button', { type: 'submit', text: DX.t('lec.import') })]);
    c.vtt = el('input', { type: 'file', accept: '.vtt,text/vtt', class: 'lec-vtt' });
    c.cancel = el('button', { type: 'button', class: 'lec-cancel', hidden: '', text: DX.t('lec.cancel_job') });
    c.preview = el('a', { class: 'button lec-preview', href: '/lectures/' + l.id, hidden: '', text: DX.t('lec.preview') });
    c.msg = el('p', { class: 'msg', role: 'status' });
    c.node = el('article', { class: 'card lecture', id: 'lec-' + l.id }, [
      el('div', { class: 'lec-head' }, [c.poster, el('div', { class: 'lec-info' }, [c.title, c.meta]), c.badge]),
      c.state, c.note, c.error,
      c.source = el('div', { class: 'lec-source' }, [c.fileLabel, el('span', { class: 'muted or', text: DX.t('lec.or') }), c.importForm]),
      c.resume, c.up,
      el('div', { class: 'lec-tools' }, [el('label', { class: 'button file' }, [DX.t('lec.captions'), c.vtt]), c.cancel, c.preview]),
      c.msg,
    ]);
    c.file.addEventListener('change', function () {
      var f = c.file.files[0];
      c.file.value = '';
      if (f) startUpload(c, f);
    });
    c.pause.addEventListener('click', function () {
      if (!c.upload) return;
      if (c.paused) { c.paused = false; c.pause.textContent = DX.t('lec.pause'); c.meter = new Meter(); c.upload.start(); }
      else { c.paused = true; c.pause.textContent = DX.t('lec.resume'); c.upload.abort(); c.upText.textContent = DX.t('lec.paused'); }
    });
    c.abort.addEventListener('click', function () {
      if (!c.upload) return;
      var u = c.upload;
      c.upload = null;
      u.abort(true).catch(function () {});
      c.up.hidden = true;
      c.source.hidden = false;
      DX.msg(c.msg, DX.t('lec.upload_aborted'), false);
    });
    c.importForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      DX.api('POST', '/api/v1/lectures/' + c.id + '/import', { url: c.url.value.trim() }).then(function (r) {
        if (r.status === 202) { DX.msg(c.msg, DX.t('lec.import_started'), true); c.url.value = ''; refresh(c); }
        else DX.msg(c.msg, DX.errorText(r), false);
      }, function () { DX.msg(c.msg, DX.t('err.network'), false); });
    });
    c.vtt.addEventListener('change', function () {
      var f = c.vtt.files[0];
      c.vtt.value = '';
      if (!f) return;
      DX.api('PUT', '/api/v1/lectures/' + c.id + '/captions', f, { type: 'text/vtt' }).then(function (r) {
        if (r.status === 200) { DX.msg(c.msg, DX.t('lec.captions_saved'), true); update(c, r.data); }
        else DX.msg(c.msg, DX.errorText(r), false);
      }, function () { DX.msg(c.msg, DX.t('err.network'), false); });
    });
    c.cancel.addEventListener('click', function () {
      DX.api('POST', '/api/v1/lectures/' + c.id + '/cancel').then(function (r) {
        if (r.status === 200) { DX.msg(c.msg, DX.t('lec.cancelled'), true); update(c, r.data); }
        else DX.msg(c.msg, DX.errorText(r), false);
      });
    });
    cards[l.id] = c;
    return c;
  }

  /* Shows a lecture's state; keeps polling while it is busy. */
  function update(c, l) {
    c.l = l;
    c.title.textContent = l.title;
    var meta = [];
    if (l.duration_s > 0) meta.push(DX.t('lec.duration') + ' ' + fmtTime(l.duration_s));
    if (l.renditions && l.renditions.length)
      meta.push(l.renditions.map(function (x) { return x.height ? x.height + 'p' : DX.t('lec.audio_only'); }).join(' · '));
    if (l.has_captions) meta.push(DX.t('lec.has_captions'));
    c.meta.textContent = meta.join('　');
    c.badge.textContent = DX.t('lec.status.' + l.status);
    c.badge.className = 'badge st-' + l.status + (l.status === 'ready' ? ' ok' : l.status === 'failed' ? ' bad' : l.status === 'empty' ? '' : ' warn');
    if (l.poster_url) { c.poster.src = l.poster_url; c.poster.hidden = false; } else c.poster.hidden = true;
    var bar = c.state.querySelector('progress'), pct = c.state.querySelector('.pct');
    var imp = l.import;
    if (imp && imp.state === 'downloading') {
      c.importMeter.add(imp.received);
      c.state.hidden = false;
      if (imp.total > 0) bar.value = imp.received / imp.total; else bar.removeAttribute('value');
      var rate = c.importMeter.rate();
      pct.textContent = DX.t('lec.downloading', { got: fmtBytes(imp.received), total: imp.total > 0 ? fmtBytes(imp.total) : '?' }) +
        (rate > 0 ? ' · ' + fmtBytes(rate) + '/s' + (imp.total > 0 ? ' · ' + DX.t('lec.left') + ' ' + fmtTime((imp.total - imp.received) / rate) : '') : '');
    } else if (l.status === 'transcoding' || l.status === 'queued') {
      c.state.hidden = false;
      if (l.status === 'queued') { bar.removeAttribute('value'); pct.textContent = DX.t('lec.waiting'); }
      else { bar.value = l.progress; pct.textContent = DX.t('lec.transcoding', { pct: Math.round(l.progress * 100) }); }
    } else {
      c.state.hidden = true;
    }
    var err = l.status === 'failed' && l.error ? DX.t('lec.failed') + l.error : '';
    if (imp && imp.state === 'failed' && imp.error) err = DX.t('lec.import_failed') + imp.error;
    c.error.textContent = err;
    c.error.hidden = !err;
    c.note.hidden = !(l.hls_url && busy(l));
    c.note.textContent = DX.t('lec.old_version');
    c.cancel.hidden = !busy(l);
    c.preview.hidden = !l.hls_url;
    /* With a video served, uploading again replaces it: the button says so. */
    c.fileLabel.firstChild.textContent = DX.t(l.hls_url ? 'lec.replace_video' : 'lec.choose_file');
    if (c.wasBusy && !busy(l) && l.status === 'ready') DX.msg(c.msg, DX.t('lec.now_ready'), true);
    c.wasBusy = busy(l);
    clearTimeout(c.timer);
    if (busy(l)) c.timer = setTimeout(function () { refresh(c); }, POLL_MS);
  }

  function refresh(c) {
    DX.api('GET', '/api/v1/lectures/' + c.id).then(function (r) {
      if (r.status === 200) update(c, r.data);
      else c.timer = setTimeout(function () { refresh(c); }, POLL_MS * 2);
    }, function () { c.timer = setTimeout(function () { refresh(c); }, POLL_MS * 2); });
  }

  function showUpload(c, sent, total) {
    c.meter.add(sent);
    var rate = c.meter.rate();
    c.upBar.value = total ? sent / total : 0;
    c.upText.textContent = DX.t('lec.uploaded', { got: fmtBytes(sent), total: fmtBytes(total), pct: total ? Math.floor(sent * 100 / total) : 0 }) +
      (rate > 0 ? ' · ' + fmtBytes(rate) + '/s · ' + DX.t('lec.left') + ' ' + fmtTime((total - sent) / rate) : '');
  }

  function startUpload(c, file) {
    if (c.upload) return;
    if (file.size === 0) { DX.msg(c.msg, DX.t('err.media_empty'), false); return; }
    if (uploadMax && file.size > uploadMax) { DX.msg(c.msg, DX.t('err.upload_too_large') + '（' + fmtBytes(uploadMax) + '）', false); return; }
    if (typeof tus === 'undefined' || !tus.isSupported) { DX.msg(c.msg, DX.t('lec.no_tus'), false); return; }
    DX.msg(c.msg, '', true);
    c.meter = new Meter();
    c.paused = false;
    c.pause.textContent = DX.t('lec.pause');
    c.up.hidden = false;
    c.source.hidden = true;
    c.resume.hidden = true;
    c.upText.textContent = DX.t('lec.starting');
    var up = new tus.Upload(file, {
      endpoint: '/api/v1/uploads',
      chunkSize: CHUNK,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      metadata: { lecture_id: String(c.id), filename: file.name, filetype: file.type || '' },
      headers: { 'X-CSRF-Token': DX.csrf },
      fingerprint: function (f) { return Promise.resolve(fingerprint(c.id, f)); },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) { if (!c.paused) showUpload(c, sent, total); },
      onError: function (err) {
        c.upload = null;
        c.up.hidden = true;
        c.source.hidden = false;
        DX.msg(c.msg, DX.t('lec.upload_failed') + errText(err), false);
      },
      onSuccess: function () {
        c.upload = null;
        c.up.hidden = true;
        c.source.hidden = false;
        DX.msg(c.msg, DX.t('lec.upload_done'), true);
        refresh(c);
      },
    });
    c.upload = up;
    up.findPreviousUploads().then(function (prev) {
      if (prev.length) {
        up.resumeFromPreviousUpload(prev[0]);
        DX.msg(c.msg, DX.t('lec.resuming'), true);
      }
      if (c.upload === up) up.start();
    });
  }

  /* After a reload: tell about unfinished uploads of each lecture (same file → resumes). */
  function showUnfinished() {
    var st = typeof tus !== 'undefined' && tus.defaultOptions && tus.defaultOptions.urlStorage;
    if (!st || !st.findAllUploads) return;
    st.findAllUploads().then(function (all) {
      all.forEach(function (p) {
        var m = /^tus::dx-lec-(\d+)-/.exec(p.urlStorageKey || '');
        var c = m && cards[m[1]];
        if (!c || c.upload || !p.uploadUrl) return;
        DX.api('GET', p.uploadUrl).then(function (r) {
          if (r.status !== 200) { st.removeUpload(p.urlStorageKey); return; }
          c.resume.textContent = DX.t('lec.unfinished', { name: (p.metadata && p.metadata.filename) || '', pct: Math.floor(r.data.offset * 100 / r.data.length) });
          c.resume.hidden = false;
        });
      });
    }).catch(function () {});
  }

  function load() {
    return DX.api('GET', '/api/v1/courses/' + courseId + '/lectures').then(function (r) {
      if (r.status !== 200) { root.textContent = DX.errorText(r); return; }
      root.textContent = '';
      if (!r.data.lectures.length) root.appendChild(el('p', { class: 'muted empty-note', text: DX.t('lec.none') }));
      r.data.lectures.forEach(function (l) {
        var c = cards[l.id] || build(l);
        root.appendChild(c.node);
        update(c, l);
      });
      showUnfinished();
    });
  }

  document.getElementById('lecture-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, msg = f.querySelector('.msg');
    DX.api('POST', '/api/v1/courses/' + courseId + '/lectures', { title: f.elements.title.value.trim() }).then(function (r) {
      if (r.status !== 201) { DX.msg(msg, DX.errorText(r), false); return; }
      DX.msg(msg, DX.t('common.saved'), true);
      f.reset();
      load().then(function () { var c = cards[r.data.id]; if (c) c.node.scrollIntoView({ block: 'center' }); });
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });

  DX.ready.then(load);
})();
