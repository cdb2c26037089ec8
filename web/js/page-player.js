/* page-player.js — the lecture player: HLS through hls.js where Media Source Extensions exist,
   native HLS otherwise (iOS Safari); rate menu, captions, resume; a playback session with a
   heartbeat every 15 s while playing and on pause, seek, end and page hide; pause when hidden;
   "still studying?" after idle minutes. The study figures shown are always the server's answers:
   the page never counts study time itself. Nothing of the stream (not even hls.js) is fetched
   before the member presses play: the page shows the poster (preload="none"), so opening a lecture
   on a phone costs no segments. */
(function () {
  'use strict';
  var root = document.getElementById('player');
  if (!root) return;
  var video = document.getElementById('video');
  var lectureId = root.getAttribute('data-lecture');
  var src = root.getAttribute('data-hls');
  var track = root.getAttribute('data-track') === '1';
  var idleMs = (parseFloat(root.getAttribute('data-idle-s')) || 1200) * 1000;
  var maxRate = parseFloat(root.getAttribute('data-max-rate')) || 1;
  var duration = parseFloat(root.getAttribute('data-duration')) || 1;
  var msgEl = document.getElementById('player-msg');
  var api = '/api/v1/lectures/' + lectureId;

  var HB_EVERY = 15000;   /* ms between heartbeats while playing */
  var HB_SPACING = 5300;  /* the server refuses heartbeats closer than 5 s to the last accepted one */

  function say(text, ok) { DX.msg(msgEl, text || '', ok); }

  /* ---- completion (stays until dismissed) and the move to the next lecture ---- */
  var nextHref = root.getAttribute('data-next') || '', nextTitle = root.getAttribute('data-next-title') || '';
  var doneBanner = document.getElementById('done-banner'), nextBanner = document.getElementById('next-banner');
  var courseDone = false, wasCompleted = null, nextTimer = null;
  function showDone(text) {
    document.getElementById('done-text').textContent = text;
    doneBanner.hidden = false;
  }
  document.getElementById('done-close').addEventListener('click', function () { doneBanner.hidden = true; });
  function cancelNext() {
    if (nextTimer) clearInterval(nextTimer);
    nextTimer = null;
    nextBanner.hidden = true;
  }
  document.getElementById('next-stay').addEventListener('click', cancelNext);
  function moveOn() {
    if (!nextHref || courseDone || nextTimer) return;   /* a finished course keeps its message on screen */
    var left = 5;
    var text = document.getElementById('next-text');
    function tick() {
      /* The strings may still be loading when a short lecture ends: written once they are. */
      var s = left;
      DX.ready.then(function () { text.textContent = DX.t('player.next_in', { s: s, title: nextTitle }); });
      if (left-- <= 0) { cancelNext(); location.href = nextHref; }
    }
    nextBanner.hidden = false;
    tick();
    nextTimer = setInterval(tick, 1000);
  }
  function now() { return performance.now(); }

  /* ---- what the server credited ---- */
  function fmtDur(s) {
    s = Math.floor(s || 0);
    if (s >= 3600) return DX.t('player.h_m', { h: Math.floor(s / 3600), m: Math.floor(s / 60) % 60 });
    if (s >= 60) return DX.t('player.m_s', { m: Math.floor(s / 60), s: s % 60 });
    return DX.t('player.s', { s: s });
  }
  function show(d) {
    if (!track || !d) return;
    var pct = Math.floor((d.coverage || 0) * 1000) / 10;
    document.getElementById('cov-bar').value = d.coverage || 0;
    document.getElementById('cov-pct').textContent = pct + '%';
    document.getElementById('today-s').textContent = fmtDur(d.today_study_s);
    document.getElementById('lecture-s').textContent = fmtDur(d.lecture_study_s);
    document.getElementById('done').hidden = !d.completed;
    var strip = document.getElementById('cov-strip'), dur = duration;
    if (d.intervals) {
      strip.textContent = '';
      d.intervals.forEach(function (iv) {
        var span = document.createElement('span');   /* CSSOM, allowed by the CSP */
        span.style.left = (iv[0] / dur * 100) + '%';
        span.style.width = ((iv[1] - iv[0]) / dur * 100) + '%';
        strip.appendChild(span);
      });
    }
  }

  /* ---- playback session and heartbeats ---- */
  var session = null, opening = false;
  var lastAck = 0;      /* when the last accepted heartbeat (or play) was answered */
  var lastSent = 0;     /* when the last heartbeat was sent */
  var queue = [];       /* heartbeats waiting for the 5 s spacing */
  var inflight = false, pumpTimer = null;
  var played = false;   /* the video played since the last heartbeat */
  var lastPos = 0;      /* the position before a seek */
  var hiding = false, idleOpen = false, lastInput = Date.now();

  function body(entry) {
    return {
      session: session,
      position: entry.position !== undefined ? entry.position : video.currentTime,
      playing: entry.reanchor ? false : (entry.playing !== undefined ? entry.playing : (played || !video.paused)),
      rate: video.playbackRate
    };
  }
  function answered(r, entry) {
    if (r.status === 200) {
      lastAck = now();
      played = !video.paused;
      show(r.data);
      if (r.data.result === 'seek' && !entry.reanchor) say(video.playbackRate > maxRate ? DX.t('player.rate_note', { max: maxRate }) : DX.t('player.seek'), false);
      else if (r.data.result === 'gap') say(DX.t('player.gap'), false);
      else if (r.data.result === 'credited' && r.data.credited_s === 0 && r.data.today_study_s >= duration - 0.5) say(DX.t('player.cap'), false);
      else if (r.data.result === 'credited') say(DX.t('player.credited', { s: fmtDur(r.data.credited_s) }), true);
      if (r.data.course_completed) { courseDone = true; cancelNext(); showDone(DX.t('player.course_done')); }
      else if (r.data.completed && wasCompleted === false) showDone(DX.t('player.lecture_done'));
      if (r.data.completed !== undefined) wasCompleted = !!r.data.completed;
      if (entry.ending) moveOn();
    } else if (r.status === 429) {
      lastAck = now();              /* wait one more spacing, then try again */
      if (!entry.keepalive) queue.unshift(entry);
    } else if (r.status === 409) {
      /* media_changed: the video was replaced since play (the page's duration is the old one). */
      var code = r.data && r.data.error && r.data.error.code;
      lostSession(code === 'media_changed' ? DX.errorText(r) : DX.t('player.session_lost'));
    } else if (r.status === 401) {
      lostSession(DX.t('player.login_expired'));
    } else {
      say(DX.errorText(r), false);
    }
  }
  function lostSession(text) {
    session = null;
    queue = [];
    video.pause();
    say(text, false);
  }
  function send(entry) {
    if (!session) return;
    inflight = true;
    lastSent = now();
    var b = body(entry);
    if (!entry.reanchor) entry.playing = b.playing;  /* kept should it be sent again after a 429 */
    played = !video.paused;
    DX.api('POST', api + '/heartbeat', b).then(function (r) {
      inflight = false;
      answered(r, entry);
      pump();
    }, function () { inflight = false; say(DX.t('err.network'), false); });
  }
  /* Sends the next queued heartbeat once the server's spacing allows it. */
  function pump() {
    if (inflight || !queue.length || !session || pumpTimer) return;
    var wait = lastAck + HB_SPACING - now();
    if (wait > 0) { pumpTimer = setTimeout(function () { pumpTimer = null; pump(); }, wait); return; }
    send(queue.shift());
  }
  function beat(entry) { if (!session) return; queue.push(entry || {}); pump(); }
  /* On page hide: at once, with keepalive, whatever the spacing (a refusal costs nothing). */
  function beatNow(wasPlaying) {
    if (!session) return;
    var b = body({ playing: wasPlaying || played });
    DX.api('POST', api + '/heartbeat', b, { keepalive: true }).then(function (r) { answered(r, { keepalive: true }); }, function () {});
  }
  function openSession() {
    if (!track || session || opening) return;
    opening = true;
    DX.api('POST', api + '/play').then(function (r) {
      opening = false;
      if (r.status !== 201) { video.pause(); say(DX.errorText(r), false); return; }
      session = r.data.session;
      lastAck = lastSent = now();
      played = !video.paused;
      say('', true);
      /* Started elsewhere than where the server anchored the session: re-anchor first. */
      if (Math.abs(video.currentTime - r.data.resume_position) > 3) beat({ reanchor: true });
    }, function () { opening = false; say(DX.t('err.network'), false); });
  }

  if (track) {
    video.addEventListener('play', function () {
      if (idleOpen) { video.pause(); return; }
      if (!session) openSession();
      else if (now() - lastAck > 45000) beat({ reanchor: true });  /* after a long pause: a fresh anchor */
    });
    video.addEventListener('pause', function () {
      if (hiding || video.ended || !session) return;
      beat({});
    });
    video.addEventListener('ended', function () {
      if (session) beat({ position: video.duration || video.currentTime, playing: true, ending: true });
      else moveOn();
    });
    video.addEventListener('timeupdate', function () { if (!video.seeking) lastPos = video.currentTime; });
    video.addEventListener('seeking', function () {
      if (!session || Math.abs(video.currentTime - lastPos) < 2) return;
      if (queue.some(function (q) { return q.reanchor; })) return;
      if (played) queue.push({ position: lastPos, playing: true });  /* credit what was watched */
      queue.push({ reanchor: true });                                  /* then anchor at the new place */
      pump();
    });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') {
        var was = !video.paused;
        hiding = true;
        if (was) { video.pause(); say(DX.t('player.hidden'), false); }
        beatNow(was);
      } else {
        hiding = false;
      }
    });
    window.addEventListener('pagehide', function () { if (!document.hidden) beatNow(!video.paused); });

    /* "Still studying?" after idle minutes without any input: pause until answered. */
    ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'].forEach(function (ev) {
      window.addEventListener(ev, function () { if (!idleOpen) lastInput = Date.now(); }, { passive: true, capture: true });
    });
    var dlg = document.getElementById('idle');
    document.getElementById('idle-yes').addEventListener('click', function () {
      idleOpen = false;
      lastInput = Date.now();
      dlg.close();
      video.play().catch(function () {});
    });
    dlg.addEventListener('cancel', function (ev) { ev.preventDefault(); });

    setInterval(function () {
      if (!video.paused && !idleOpen && Date.now() - lastInput >= idleMs) {
        idleOpen = true;
        video.pause();
        if (dlg.showModal) dlg.showModal(); else dlg.setAttribute('open', '');
        return;
      }
      if (session && !video.paused && !inflight && !queue.length && now() - lastSent >= HB_EVERY) beat({});
    }, 1000);
  }

  /* ---- rate and captions ---- */
  var rateSel = document.getElementById('rate'), rateNote = document.getElementById('rate-note');
  function rateHint() {
    var over = video.playbackRate > maxRate + 1e-9;
    rateNote.hidden = !(over && track);
    rateNote.textContent = DX.t('player.rate_note', { max: maxRate });
  }
  rateSel.addEventListener('change', function () { video.playbackRate = parseFloat(rateSel.value) || 1; });
  video.addEventListener('ratechange', function () { rateSel.value = String(video.playbackRate); rateHint(); });

  var cc = document.getElementById('cc'), ccOn = false, hls = null;
  function subtitleTracks() {
    return Array.prototype.filter.call(video.textTracks, function (t) { return t.kind === 'subtitles' || t.kind === 'captions'; });
  }
  function applyCc() {
    if (hls && hls.subtitleTracks && hls.subtitleTracks.length) {
      hls.subtitleDisplay = ccOn;
      hls.subtitleTrack = ccOn ? 0 : -1;
    }
    subtitleTracks().forEach(function (t, i) { t.mode = ccOn && i === 0 ? 'showing' : 'hidden'; });
    cc.setAttribute('aria-pressed', ccOn ? 'true' : 'false');
    cc.classList.toggle('on', ccOn);
  }
  function ccAvailable() {
    cc.hidden = !(subtitleTracks().length || (hls && hls.subtitleTracks && hls.subtitleTracks.length));
  }
  cc.addEventListener('click', function () { ccOn = !ccOn; applyCc(); });
  if (video.textTracks && video.textTracks.addEventListener) video.textTracks.addEventListener('addtrack', function () { ccAvailable(); applyCc(); });

  /* ---- the stream ---- */
  function withHls(cb) {
    if (window.Hls) return cb();
    var s = document.createElement('script');
    s.src = '/static/vendor/hls.min.js';
    s.onload = cb;
    s.onerror = function () { say(DX.t('player.no_hls'), false); };
    document.head.appendChild(s);
  }
  function start(resume) {
    var mse = window.MediaSource || window.ManagedMediaSource || window.WebKitMediaSource;
    if (mse) {
      withHls(function () {
        if (!window.Hls || !window.Hls.isSupported()) return native(resume);
        hls = new window.Hls({ startPosition: resume > 0 ? resume : -1, capLevelToPlayerSize: true });
        /* Pressed play before there was a stream: play once there is one. */
        hls.on(window.Hls.Events.MANIFEST_PARSED, function () { video.play().catch(function () {}); });
        hls.on(window.Hls.Events.SUBTITLE_TRACKS_UPDATED, function () { ccAvailable(); applyCc(); });
        hls.on(window.Hls.Events.ERROR, function (ev, data) {
          if (!data.fatal) return;
          if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
          else if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) { say(DX.t('player.media_error'), false); hls.startLoad(); }
          else say(DX.t('player.media_error'), false);
        });
        hls.loadSource(src);
        hls.attachMedia(video);
      });
    } else {
      native(resume);
    }
  }
  function native(resume) {
    if (!video.canPlayType('application/vnd.apple.mpegurl')) { say(DX.t('player.no_hls'), false); return; }
    video.src = src;
    video.addEventListener('loadedmetadata', function () { if (resume > 0) video.currentTime = resume; }, { once: true });
    video.addEventListener('error', function () { say(DX.t('player.media_error'), false); });
    video.play().catch(function () {});  /* inside the press that asked for it (iOS) */
  }

  /* The stream is attached on the first press of play (the big button or the video's own). */
  var startBtn = document.getElementById('play-start'), started = false, resumeAt = 0;
  function load() {
    if (started) return;
    started = true;
    if (startBtn) startBtn.hidden = true;
    start(resumeAt);
  }
  if (startBtn) startBtn.addEventListener('click', function () { load(); });
  if (!track) video.addEventListener('ended', moveOn);
  video.addEventListener('play', function () { if (!started) { video.pause(); load(); } });

  DX.ready.then(function () {
    rateHint();
    ccAvailable();
    if (!track) return;
    var autoplay = /[?&]autoplay=1(&|$)/.test(location.search);
    DX.api('GET', api + '/progress').then(function (r) {
      if (r.status === 200) {
        show(r.data);
        lastPos = r.data.resume_position || 0;
        resumeAt = r.data.resume_position || 0;
        wasCompleted = !!r.data.completed;
        if (autoplay) load();   /* arrived from the previous lecture's end */
      } else say(DX.errorText(r), false);
    }, function () { say(DX.t('err.network'), false); });
  });
})();
