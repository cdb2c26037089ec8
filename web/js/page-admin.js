/* page-admin.js — the admin page: users (search, sort, pages, edit, disable, password reset, moving
   many at once), the organisation tree (rename, move, delete), the CSV import with its preview, the
   audit log, the required-course assignments and the organisations' yearly requirements. Destructive actions ask first (DX.confirm). */
(function () {
  'use strict';
  var el = DX.el, orgs = [], orgById = {};
  var ROLES = ['member', 'instructor', 'assessor', 'admin'];
  var PER_PAGE = 20;

  function depthOf(o) { return Math.max((o.path.match(/\//g) || []).length - 2, 0); }
  /* What lists and drop-downs show: the name, or the path where another organisation has the same name. */
  function orgText(id) { var o = orgById[id]; return o ? (o.label || o.name) : ''; }
  function roleText(r) { return ROLES.indexOf(r) >= 0 ? DX.t('role.' + r) : r; }
  function fillOrgSelect(sel, exclude) {
    var keep = sel.value;
    sel.textContent = '';
    if (sel.getAttribute('data-root')) sel.appendChild(el('option', { value: sel.classList.contains('org-root-zero') ? '0' : '', text: sel.getAttribute('data-root') }));
    orgs.forEach(function (o) {
      if (exclude && o.path.indexOf(exclude) === 0) return;
      sel.appendChild(el('option', { value: o.id, text: '\u3000'.repeat(depthOf(o)) + (o.label || o.name) }));
    });
    if (keep) sel.value = keep;
  }

  /* ---- organisations ---- */
  var orgMsg = document.getElementById('org-msg');
  function orgItem(o, byParent) {
    var counts = DX.t('admin.org_counts', { members: o.members, children: o.children });
    if (o.members_disabled) counts += ' · ' + DX.t('admin.org_disabled', { n: o.members_disabled });
    var edit = el('button', { type: 'button', class: 'link', text: DX.t('admin.rename_move'), 'aria-label': DX.t('admin.rename_move') + ' ' + o.name });
    edit.addEventListener('click', function () { openOrgEdit(o); });
    var del = el('button', { type: 'button', class: 'link danger', text: DX.t('admin.delete'), 'aria-label': DX.t('admin.delete') + ' ' + o.name });
    del.addEventListener('click', function () {
      DX.confirm(DX.t('admin.confirm_org_delete', { name: o.label || o.name }), { ok: DX.t('admin.delete') }).then(function (yes) {
        if (!yes) return;
        DX.api('DELETE', '/api/v1/orgs/' + o.id + '?version=' + o.version).then(function (r) {
          if (r.status === 204) { DX.msg(orgMsg, DX.t('admin.org_deleted', { name: o.name }), true); loadOrgs(); loadAudit(); }
          else { DX.msg(orgMsg, DX.errorText(r), false); if (r.status === 409) loadOrgs(); }
        });
      });
    });
    var li = el('li', { 'data-org': String(o.id) }, [el('span', { class: 'org-name', text: o.name }),
      el('span', { class: 'count', text: counts }), el('span', { class: 'org-actions' }, [edit, ' ', del])]);
    if (byParent[o.id]) {
      var ul = el('ul');
      byParent[o.id].forEach(function (c) { ul.appendChild(orgItem(c, byParent)); });
      li.appendChild(ul);
    }
    return li;
  }
  function renderOrgs() {
    var byParent = {};
    orgById = {};
    orgs.forEach(function (o) { orgById[o.id] = o; });
    orgs.forEach(function (o) {
      var p = o.parent_id && orgById[o.parent_id] ? o.parent_id : 0;
      (byParent[p] = byParent[p] || []).push(o);
    });
    var tree = document.getElementById('org-tree');
    tree.textContent = '';
    (byParent[0] || []).forEach(function (o) { tree.appendChild(orgItem(o, byParent)); });
    document.querySelectorAll('select.org-select').forEach(function (sel) { if (sel.id !== 'org-edit-parent') fillOrgSelect(sel); });
  }
  function loadOrgs() {
    return DX.api('GET', '/api/v1/orgs').then(function (r) { if (r.status === 200) { orgs = r.data.orgs; renderOrgs(); } });
  }
  var orgDlg = document.getElementById('org-edit'), orgForm = document.getElementById('org-edit-form'), editingOrg = null;
  orgForm.parent_id.id = 'org-edit-parent';
  orgForm.parent_id.classList.add('org-root-zero');
  function openOrgEdit(o) {
    editingOrg = o;
    orgForm.name.value = o.name;
    fillOrgSelect(orgForm.parent_id, o.path); /* not under itself or its own subtree */
    orgForm.parent_id.value = String(o.parent_id && orgById[o.parent_id] ? o.parent_id : 0);
    DX.msg(orgForm.querySelector('.msg'), '', true);
    orgDlg.showModal();
    orgForm.name.focus();
  }
  orgForm.querySelector('.cancel').addEventListener('click', function () { orgDlg.close(); });
  orgForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var o = editingOrg, msg = orgForm.querySelector('.msg'), body = { version: o.version };
    var name = orgForm.name.value.trim(), parent = parseInt(orgForm.parent_id.value, 10) || 0;
    if (name !== o.name) body.name = name;
    if (parent !== (o.parent_id || 0)) body.parent_id = parent;
    if (body.name === undefined && body.parent_id === undefined) { orgDlg.close(); return; }
    DX.api('PATCH', '/api/v1/orgs/' + o.id, body).then(function (r) {
      if (r.status === 200) { orgDlg.close(); DX.msg(orgMsg, DX.t('common.saved'), true); loadOrgs(); loadUsers(); loadAudit(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });
  document.getElementById('org-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, d = DX.formData(f), msg = f.querySelector('.msg');
    var body = { name: d.name.trim() };
    if (d.parent_id) body.parent_id = parseInt(d.parent_id, 10);
    DX.api('POST', '/api/v1/orgs', body).then(function (r) {
      if (r.status === 201) { DX.msg(msg, DX.t('common.saved'), true); f.name.value = ''; loadOrgs(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });

  /* ---- users ---- */
  var us = { sort: 'name', order: 'asc', page: 1, total: 0 }, rows = {}, selected = {};
  var moveForm = document.getElementById('move-form'), moveMsg = moveForm.querySelector('.msg');
  function selectedIds() { return Object.keys(selected).map(Number); }
  function renderSelection() {
    var n = selectedIds().length;
    document.getElementById('move-count').textContent = n ? DX.t('admin.selected', { n: n }) : DX.t('admin.selected_none');
    moveForm.querySelector('button').disabled = n === 0;
    var boxes = document.querySelectorAll('#user-list tbody input[type=checkbox]');
    var all = document.getElementById('user-all');
    all.checked = boxes.length > 0 && Array.prototype.every.call(boxes, function (b) { return b.checked; });
  }
  function userRow(u) {
    var box = el('input', { type: 'checkbox', 'aria-label': DX.t('admin.select_user', { name: u.name }) });
    box.checked = !!selected[u.id];
    box.addEventListener('change', function () { if (box.checked) selected[u.id] = true; else delete selected[u.id]; renderSelection(); });
    var status = el('td', {}, [el('span', { class: 'badge ' + (u.active ? 'ok' : 'bad'), text: DX.t(u.active ? 'admin.active' : 'admin.disabled') })]);
    if (u.must_change_password) status.appendChild(el('span', { class: 'badge warn', text: DX.t('admin.must_change') }));
    function btn(key, fn, cls) {
      var b = el('button', { type: 'button', class: 'small' + (cls ? ' ' + cls : ''), text: DX.t(key), 'data-act': key.split('.')[1],
        'aria-label': DX.t(key) + ' ' + u.name });
      b.addEventListener('click', fn);
      return b;
    }
    var acts = el('td', { class: 'acts' }, [btn('admin.edit', function () { openUserEdit(u); }),
      u.active ? btn('admin.disable', function () { disableUser(u); }, 'danger') : btn('admin.enable', function () { setActive(u, true); }),
      btn('admin.reset', function () { resetPassword(u); }),
      btn('admin.audit_of', function () { auditFor(u.username); })]);
    return el('tr', { 'data-user': u.username, class: u.active ? '' : 'inactive' }, [el('td', {}, [box]), el('td', { text: u.name }),
      el('td', { text: u.username }), el('td', { class: 'role', text: roleText(u.role) }),
      el('td', { class: 'org', text: u.org_label || u.org_name }), status, acts]);
  }
  function loadUsers() {
    var q = document.getElementById('user-q').value.trim();
    var qs = '?q=' + encodeURIComponent(q) + '&sort=' + us.sort + '&order=' + us.order + '&page=' + us.page + '&per_page=' + PER_PAGE;
    var role = document.getElementById('user-role').value, active = document.getElementById('user-active').value;
    if (role) qs += '&role=' + role;
    if (active) qs += '&active=' + active;
    document.querySelectorAll('#user-list th[data-sort]').forEach(function (th) {
      th.setAttribute('aria-sort', th.getAttribute('data-sort') === us.sort ? (us.order === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    return DX.api('GET', '/api/v1/users' + qs).then(function (r) {
      var tb = document.querySelector('#user-list tbody');
      tb.textContent = '';
      if (r.status !== 200) { tb.appendChild(el('tr', {}, [el('td', { colspan: '7', class: 'error', text: DX.errorText(r) })])); return; }
      rows = {};
      us.total = r.data.total;
      var pages = Math.max(1, Math.ceil(r.data.total / PER_PAGE));
      if (!r.data.users.length) tb.appendChild(el('tr', {}, [el('td', { colspan: '7', class: 'muted', text: DX.t('admin.no_users') })]));
      r.data.users.forEach(function (u) { rows[u.id] = u; tb.appendChild(userRow(u)); });
      document.getElementById('user-page').textContent = DX.t('admin.page_of', { total: r.data.total, page: us.page, pages: pages });
      document.getElementById('user-prev').disabled = us.page <= 1;
      document.getElementById('user-next').disabled = us.page >= pages;
      renderSelection();
    });
  }
  function reloadFirst() { us.page = 1; loadUsers(); }
  var qt;
  document.getElementById('user-q').addEventListener('input', function () { clearTimeout(qt); qt = setTimeout(reloadFirst, 250); });
  document.getElementById('user-search').addEventListener('submit', function (ev) { ev.preventDefault(); clearTimeout(qt); reloadFirst(); });
  document.getElementById('user-role').addEventListener('change', reloadFirst);
  document.getElementById('user-active').addEventListener('change', reloadFirst);
  document.getElementById('user-prev').addEventListener('click', function () { if (us.page > 1) { us.page--; loadUsers(); } });
  document.getElementById('user-next').addEventListener('click', function () { us.page++; loadUsers(); });
  document.querySelectorAll('#user-list th[data-sort] button').forEach(function (b) {
    b.addEventListener('click', function () {
      var s = b.parentNode.getAttribute('data-sort');
      if (us.sort === s) us.order = us.order === 'asc' ? 'desc' : 'asc';
      else { us.sort = s; us.order = 'asc'; }
      reloadFirst();
    });
  });
  document.getElementById('user-all').addEventListener('change', function (ev) {
    Object.keys(rows).forEach(function (id) { if (ev.target.checked) selected[id] = true; else delete selected[id]; });
    document.querySelectorAll('#user-list tbody input[type=checkbox]').forEach(function (b) { b.checked = ev.target.checked; });
    renderSelection();
  });
  moveForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var ids = selectedIds(), org = parseInt(moveForm.org_id.value, 10);
    if (!ids.length || !org) return;
    DX.api('POST', '/api/v1/users/move', { user_ids: ids, org_id: org }).then(function (r) {
      if (r.status === 200) { DX.msg(moveMsg, DX.t('admin.moved', r.data), true); selected = {}; loadUsers(); loadOrgs(); loadAudit(); }
      else DX.msg(moveMsg, DX.errorText(r), false);
    });
  });
  var userMsg = document.getElementById('user-msg');
  function patchUser(u, body) {
    body.version = u.version;
    return DX.api('PATCH', '/api/v1/users/' + u.id, body);
  }
  function setActive(u, on) {
    patchUser(u, { active: on }).then(function (r) {
      if (r.status === 200) { DX.msg(userMsg, DX.t(on ? 'admin.enabled_done' : 'admin.disabled_done', { name: u.name }), true); loadUsers(); loadOrgs(); loadAudit(); }
      else { DX.msg(userMsg, DX.errorText(r), false); loadUsers(); }
    });
  }
  function disableUser(u) {
    DX.confirm(DX.t('admin.confirm_disable', u), { ok: DX.t('admin.disable') }).then(function (yes) { if (yes) setActive(u, false); });
  }
  var pwDlg = document.getElementById('pw-dialog');
  /* Shown once: gone from the page as soon as the dialog closes (the button, or Escape). */
  function forgetPassword() { document.getElementById('pw-value').textContent = ''; }
  document.getElementById('pw-done').addEventListener('click', function () { forgetPassword(); pwDlg.close(); });
  pwDlg.addEventListener('close', forgetPassword);
  function resetPassword(u) {
    DX.confirm(DX.t('admin.confirm_reset', u), { ok: DX.t('admin.reset') }).then(function (yes) {
      if (!yes) return;
      DX.api('POST', '/api/v1/users/' + u.id + '/password-reset?version=' + u.version).then(function (r) {
        if (r.status !== 200) { DX.msg(userMsg, DX.errorText(r), false); loadUsers(); return; }
        document.getElementById('pw-who').textContent = DX.t('admin.reset_for', u);
        document.getElementById('pw-value').textContent = r.data.password;
        pwDlg.showModal();
        loadUsers(); loadAudit();
      });
    });
  }
  var userDlg = document.getElementById('user-edit'), userForm = document.getElementById('user-edit-form'), editingUser = null;
  function openUserEdit(u) {
    editingUser = u;
    document.getElementById('user-edit-who').textContent = u.username;
    userForm.name.value = u.name;
    fillOrgSelect(userForm.org_id);
    userForm.org_id.value = String(u.org_id);
    userForm.role.value = u.role;
    DX.msg(userForm.querySelector('.msg'), '', true);
    userDlg.showModal();
    userForm.name.focus();
  }
  userForm.querySelector('.cancel').addEventListener('click', function () { userDlg.close(); });
  userForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var u = editingUser, body = {}, msg = userForm.querySelector('.msg');
    var name = userForm.name.value.trim(), org = parseInt(userForm.org_id.value, 10), role = userForm.role.value;
    if (name !== u.name) body.name = name;
    if (org !== u.org_id) body.org_id = org;
    if (role !== u.role) body.role = role;
    if (!Object.keys(body).length) { userDlg.close(); return; }
    patchUser(u, body).then(function (r) {
      if (r.status === 200) { userDlg.close(); DX.msg(userMsg, DX.t('common.saved'), true); loadUsers(); loadOrgs(); loadAudit(); }
      else { DX.msg(msg, DX.errorText(r), false); if (r.status === 409) loadUsers(); /* the row as it is now */ }
    });
  });
  document.getElementById('user-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, d = DX.formData(f), msg = f.querySelector('.msg');
    d.org_id = parseInt(d.org_id, 10);
    d.username = d.username.trim();
    DX.api('POST', '/api/v1/users', d).then(function (r) {
      if (r.status === 201) { DX.msg(msg, DX.t('common.saved'), true); f.reset(); loadOrgs(); loadUsers(); loadAudit(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });

  /* ---- CSV import: preview, then confirm ---- */
  var imf = document.getElementById('import-form'), pv = document.getElementById('import-preview'),
    out = document.getElementById('import-result'), pending = null;
  function isCsv(file) { return /\.csv$/i.test(file.name) || file.type === 'text/csv'; }
  function describeLine(l) {
    var parts = [];
    if (l.action === 'error') return l.message;
    if (l.action === 'create') {
      parts.push(DX.t('import.field.name') + '：' + l.name, DX.t('import.field.org') + '：' + l.org, DX.t('import.field.role') + '：' + roleText(l.role));
    }
    Object.keys(l.changes || {}).forEach(function (k) {
      var c = l.changes[k];
      if (k === 'password') { parts.push(DX.t('import.password_set')); return; }
      var f = k === 'role' ? roleText : String;
      parts.push((DX.strings['import.field.' + k] ? DX.t('import.field.' + k) : k) + '：' + f(c[0]) + ' → ' + f(c[1]));
    });
    (l.notes || []).forEach(function (n) {
      if (n.code === 'role_kept') parts.push(DX.t('import.role_kept', { from: roleText(n.from), to: roleText(n.to) }));
      else if (n.code === 'disabled') parts.push(DX.t('import.disabled'));
    });
    if (l.new_org) parts.push(DX.t('import.new_org'));
    return parts.join('；');
  }
  function clearPreview() { pending = null; pv.textContent = ''; }
  function preview() {
    var file = imf.file.files[0];
    out.textContent = '';
    clearPreview();
    if (!file) return;
    if (!isCsv(file)) { pv.appendChild(el('p', { class: 'msg err', text: DX.t('admin.import_not_csv') })); return; }
    var allow = document.getElementById('import-roles').checked;
    var btn = imf.querySelector('button');
    btn.disabled = true;
    pv.appendChild(el('p', { class: 'help', text: DX.t('common.loading') }));
    DX.api('POST', '/api/v1/users/import/preview' + (allow ? '?allow_role_changes=1' : ''), file, { type: 'text/csv' }).then(function (r) {
      btn.disabled = false;
      pv.textContent = '';
      if (r.status !== 200) { pv.appendChild(el('p', { class: 'msg err', text: DX.errorText(r) })); return; }
      var s = r.data.summary;
      pending = { file: file, allow: allow, digest: r.data.digest };
      pv.appendChild(el('h3', { id: 'import-preview-h', text: DX.t('admin.import_preview_h') }));
      pv.appendChild(el('p', { class: 'summary', text: DX.t('admin.import_summary', s) }));
      if (r.data.new_orgs && r.data.new_orgs.length)
        pv.appendChild(el('p', { class: 'help', text: DX.t('admin.import_new_orgs', { orgs: r.data.new_orgs.join('、') }) }));
      var tb = el('tbody');
      r.data.lines.forEach(function (l) {
        var badge = { create: 'ok', update: 'warn', unchanged: '', error: 'bad' }[l.action] || '';
        tb.appendChild(el('tr', { 'data-line': String(l.line), 'data-action': l.action, class: 'imp-' + l.action }, [
          el('td', { text: DX.t('admin.import_line_no', { line: l.line }) }), el('td', {}, [el('span', { class: 'badge ' + badge, text: DX.t('import.action.' + l.action) })]),
          el('td', { text: l.username ? l.username + (l.name ? '（' + l.name + '）' : '') : '' }), el('td', { class: 'wrap', text: describeLine(l) })]));
      });
      pv.appendChild(el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'import-preview-h' }, [
        el('table', { class: 'list stack-sm' }, [el('thead', {}, [el('tr', {}, [el('th', { text: DX.t('admin.import_col_line') }),
          el('th', { text: DX.t('admin.import_col_action') }), el('th', { text: DX.t('admin.import_col_user') }),
          el('th', { text: DX.t('admin.import_col_what') })])]), tb])]));
      var go = el('button', { type: 'button', class: 'primary', id: 'import-confirm', text: DX.t('admin.import_confirm') });
      var drop = el('button', { type: 'button', id: 'import-cancel', text: DX.t('admin.import_cancel') });
      if (s.create + s.update === 0) { go.disabled = true; pv.appendChild(el('p', { class: 'help', text: DX.t('admin.import_nothing') })); }
      go.addEventListener('click', confirmImport);
      drop.addEventListener('click', function () { clearPreview(); imf.reset(); });
      pv.appendChild(el('p', { class: 'actions' }, [go, ' ', drop]));
    }, function () { btn.disabled = false; pv.textContent = DX.t('err.network'); });
  }
  function confirmImport() {
    if (!pending) return;
    var p = pending, go = document.getElementById('import-confirm');
    go.disabled = true;
    var qs = '?confirm=' + encodeURIComponent(p.digest) + (p.allow ? '&allow_role_changes=1' : '');
    DX.api('POST', '/api/v1/users/import' + qs, p.file, { type: 'text/csv' }).then(function (r) {
      out.textContent = '';
      if (r.status !== 200) { go.disabled = false; out.appendChild(el('p', { class: 'msg err', text: DX.errorText(r) })); if (r.status === 409) clearPreview(); return; }
      clearPreview();
      imf.reset();
      out.appendChild(el('p', { class: 'msg ok', text: DX.t('admin.import_done',
        { created: r.data.created, updated: r.data.updated, unchanged: r.data.unchanged, errors: r.data.errors.length }) }));
      if (r.data.errors.length) {
        var ul = el('ul', { class: 'import-errors' });
        r.data.errors.forEach(function (e) { ul.appendChild(el('li', { text: DX.t('admin.import_line', e) })); });
        out.appendChild(ul);
      }
      loadOrgs(); loadUsers(); loadAudit();
    }, function () { go.disabled = false; out.textContent = DX.t('err.network'); });
  }
  imf.addEventListener('submit', function (ev) { ev.preventDefault(); preview(); });
  imf.file.addEventListener('change', function () { clearPreview(); out.textContent = ''; });
  document.getElementById('import-roles').addEventListener('change', function () { if (pending) preview(); });

  /* ---- audit log ---- */
  var af0 = document.getElementById('audit-form'), auditMsg = af0.querySelector('.msg'), au = { page: 1, userId: 0, per: 20 };
  function detailText(e) {
    var d = e.detail, parts = [];
    if (!d || typeof d !== 'object') return d ? String(d) : '';
    Object.keys(d).forEach(function (k) {
      var v = d[k], label = DX.strings['audit.field.' + k] ? DX.t('audit.field.' + k) : k;
      function show(x) {
        if (x === null || x === undefined) return '—';
        if (k === 'role') return roleText(x);
        if ((k === 'org_id' || k === 'parent_id') && orgById[x]) return orgText(x);
        if (k === 'active' || typeof x === 'boolean') return DX.t(x ? 'admin.active' : 'admin.disabled');
        return typeof x === 'object' ? JSON.stringify(x) : String(x);
      }
      if (Array.isArray(v) && v.length === 2) parts.push(label + '：' + show(v[0]) + ' → ' + show(v[1]));
      else parts.push(label + '：' + show(v));
    });
    return parts.join('；');
  }
  function loadAudit() {
    var qs = '?page=' + au.page + '&per_page=' + au.per;
    if (au.userId) qs += '&user_id=' + au.userId;
    if (af0.from.value) qs += '&from=' + af0.from.value;
    if (af0.to.value) qs += '&to=' + af0.to.value;
    return DX.api('GET', '/api/v1/audit' + qs).then(function (r) {
      var tb = document.querySelector('#audit-list tbody');
      tb.textContent = '';
      if (r.status !== 200) { DX.msg(auditMsg, DX.errorText(r), false); return; }
      var pages = Math.max(1, Math.ceil(r.data.total / au.per));
      if (!r.data.entries.length) tb.appendChild(el('tr', {}, [el('td', { colspan: '5', class: 'muted', text: DX.t('audit.none') })]));
      r.data.entries.forEach(function (e) {
        var at = new Date(e.at), when = isNaN(at) ? e.at : at.toLocaleString('zh-CN', { hour12: false });
        var actor = e.actor ? e.actor.name + '（' + e.actor.username + '）' : DX.t('audit.system');
        var kind = DX.strings['audit.kind.' + e.target_kind] ? DX.t('audit.kind.' + e.target_kind) : (e.target_kind || '');
        var act = DX.strings['audit.action.' + e.action] ? DX.t('audit.action.' + e.action) : e.action;
        tb.appendChild(el('tr', { 'data-action': e.action }, [el('td', { text: when }), el('td', { text: actor }), el('td', { text: act }),
          el('td', { text: kind + ' ' + (e.target_label || (e.target_id ? '#' + e.target_id : '')) }), el('td', { class: 'wrap', text: detailText(e) })]));
      });
      document.getElementById('audit-page').textContent = DX.t('audit.page_of', { total: r.data.total, page: au.page, pages: pages });
      document.getElementById('audit-prev').disabled = au.page <= 1;
      document.getElementById('audit-next').disabled = au.page >= pages;
    });
  }
  /* The username typed in the filter, as a user id (0: everyone); null when there is no such user. */
  function resolveUser(name) {
    name = name.trim().toLowerCase();
    if (!name) return Promise.resolve(0);
    return DX.api('GET', '/api/v1/users?per_page=200&q=' + encodeURIComponent(name)).then(function (r) {
      if (r.status !== 200) return null;
      var u = r.data.users.filter(function (x) { return x.username === name; })[0];
      return u ? u.id : null;
    });
  }
  function searchAudit() {
    DX.msg(auditMsg, '', true);
    resolveUser(af0.user.value).then(function (id) {
      if (id === null) { DX.msg(auditMsg, DX.t('audit.no_user', { username: af0.user.value.trim() }), false); return; }
      au.userId = id; au.page = 1;
      loadAudit();
    });
  }
  function auditFor(username) {
    af0.user.value = username;
    searchAudit();
    document.getElementById('audit').scrollIntoView();
  }
  af0.addEventListener('submit', function (ev) { ev.preventDefault(); searchAudit(); });
  document.getElementById('audit-prev').addEventListener('click', function () { if (au.page > 1) { au.page--; loadAudit(); } });
  document.getElementById('audit-next').addEventListener('click', function () { au.page++; loadAudit(); });

  /* ---- required-course assignments: a course for an organisation's subtree in a year ---- */
  var af = document.getElementById('assign-form');
  function loadAssignments() {
    var year = af.year.value;
    DX.api('GET', '/api/v1/assignments?year=' + encodeURIComponent(year)).then(function (r) {
      var ul = document.getElementById('assign-list');
      ul.textContent = '';
      if (r.status !== 200) return;
      if (!r.data.assignments.length) ul.appendChild(el('li', { class: 'muted', text: DX.t('assign.none') }));
      r.data.assignments.forEach(function (a) {
        var del = el('button', { type: 'button', class: 'link danger', text: DX.t('assign.remove') });
        del.addEventListener('click', function () {
          DX.confirm(DX.t('confirm.revoke_assignment', { course: a.course_title, org: a.org_name, year: a.year }),
            { ok: DX.t('assign.remove') }).then(function (yes) {
            if (yes) DX.api('DELETE', '/api/v1/assignments/' + a.id).then(function () { loadAssignments(); loadAudit(); });
          });
        });
        ul.appendChild(el('li', {}, [el('span', { class: 'badge required', text: a.year }), ' ', a.course_title, ' → ', a.org_name, ' ', del]));
      });
    });
  }
  function loadCourses() {
    DX.api('GET', '/api/v1/teach/courses').then(function (r) {
      var sel = document.getElementById('assign-course');
      sel.textContent = '';
      if (r.status !== 200) return;
      r.data.courses.forEach(function (c) {
        sel.appendChild(el('option', { value: c.id, text: c.title + (c.status === 'published' ? '' : '（' + DX.t('course.status_draft') + '）') }));
      });
    });
  }
  af.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var d = DX.formData(af), msg = af.querySelector('.msg');
    DX.api('POST', '/api/v1/assignments', { course_id: parseInt(d.course_id, 10), org_id: parseInt(d.org_id, 10),
      year: parseInt(d.year, 10) }).then(function (r) {
      if (r.status === 201 || r.status === 200) { DX.msg(msg, DX.t(r.status === 201 ? 'assign.done' : 'assign.exists'), true); loadAssignments(); loadAudit(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });
  af.year.addEventListener('change', loadAssignments);

  /* ---- yearly requirements of an organisation: what applies now, and a form to set its own ---- */
  var rf = document.getElementById('require-form'), rcur = document.getElementById('require-current');
  function loadRequirement() {
    var org = rf.org_id.value, year = rf.year.value;
    rcur.textContent = '';
    if (!org || !year) return;
    DX.api('GET', '/api/v1/requirements?org_id=' + encodeURIComponent(org) + '&year=' + encodeURIComponent(year)).then(function (r) {
      if (r.status !== 200 || rf.org_id.value !== org || rf.year.value !== year) return;
      var o = (r.data.orgs || []).filter(function (x) { return String(x.org_id) === org; })[0];
      if (!o) return;
      var e = o.own || o.effective;
      rcur.textContent = DX.t(o.own ? 'require.own' : 'require.inherited', { year: r.data.year, total: e.total_hours, required: e.required_hours });
      rf.total_hours.value = e.total_hours;
      rf.required_hours.value = e.required_hours;
    });
  }
  rf.org_id.addEventListener('change', loadRequirement);
  rf.year.addEventListener('change', loadRequirement);
  rf.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var d = DX.formData(rf), msg = rf.querySelector('.msg');
    DX.api('PUT', '/api/v1/requirements', { org_id: parseInt(d.org_id, 10), year: parseInt(d.year, 10),
      total_hours: Number(d.total_hours), required_hours: Number(d.required_hours) }).then(function (r) {
      if (r.status === 200) { DX.msg(msg, DX.t('common.saved'), true); loadRequirement(); loadAudit(); }
      else DX.msg(msg, DX.errorText(r), false);
    }, function () { DX.msg(msg, DX.t('err.network'), false); });
  });

  DX.ready.then(function () {
    loadOrgs().then(function () { loadUsers(); loadAudit(); loadRequirement(); });
    loadCourses(); loadAssignments();
  });
})();
