/* page-admin.js — organisation tree, user creation, CSV import and the user list. */
(function () {
  'use strict';
  var el = DX.el, orgs = [];

  function renderTree() {
    var byParent = {};
    orgs.forEach(function (o) { (byParent[o.parent_id || 0] = byParent[o.parent_id || 0] || []).push(o); });
    function build(pid) {
      var ul = el('ul');
      (byParent[pid] || []).forEach(function (o) {
        var li = el('li', {}, [o.name, el('span', { class: 'count', text: DX.t('admin.members_count') + ' ' + o.members })]);
        if (byParent[o.id]) li.appendChild(build(o.id));
        ul.appendChild(li);
      });
      return ul;
    }
    var tree = document.getElementById('org-tree');
    tree.textContent = '';
    var roots = orgs.filter(function (o) { return !o.parent_id || !orgs.some(function (p) { return p.id === o.parent_id; }); });
    roots.forEach(function (o) {
      var li = el('li', {}, [o.name, el('span', { class: 'count', text: DX.t('admin.members_count') + ' ' + o.members })]);
      if (byParent[o.id]) li.appendChild(build(o.id));
      tree.appendChild(li);
    });
    document.querySelectorAll('select.org-select').forEach(function (sel) {
      var keep = sel.value;
      sel.textContent = '';
      if (sel.getAttribute('data-root')) sel.appendChild(el('option', { value: '', text: sel.getAttribute('data-root') }));
      orgs.forEach(function (o) {
        var depth = (o.path.match(/\//g) || []).length - 2;
        sel.appendChild(el('option', { value: o.id, text: '\u3000'.repeat(Math.max(depth, 0)) + o.name }));
      });
      if (keep) sel.value = keep;
    });
  }
  function loadOrgs() {
    return DX.api('GET', '/api/v1/orgs').then(function (r) { if (r.status === 200) { orgs = r.data.orgs; renderTree(); } });
  }
  function loadUsers() {
    var q = document.getElementById('user-q').value;
    DX.api('GET', '/api/v1/users?q=' + encodeURIComponent(q)).then(function (r) {
      var tb = document.querySelector('#user-list tbody');
      tb.textContent = '';
      if (r.status !== 200) return;
      r.data.users.forEach(function (u) {
        tb.appendChild(el('tr', {}, [el('td', { text: u.name }), el('td', { text: u.username }),
          el('td', { text: DX.t('role.' + u.role) }), el('td', { text: u.org_name })]));
      });
    });
  }

  document.getElementById('org-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, d = DX.formData(f), msg = f.querySelector('.msg');
    var body = { name: d.name };
    if (d.parent_id) body.parent_id = parseInt(d.parent_id, 10);
    DX.api('POST', '/api/v1/orgs', body).then(function (r) {
      if (r.status === 201) { DX.msg(msg, DX.t('common.saved'), true); f.name.value = ''; loadOrgs(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });
  document.getElementById('user-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, d = DX.formData(f), msg = f.querySelector('.msg');
    d.org_id = parseInt(d.org_id, 10);
    DX.api('POST', '/api/v1/users', d).then(function (r) {
      if (r.status === 201) { DX.msg(msg, DX.t('common.saved'), true); f.reset(); loadOrgs(); loadUsers(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });
  document.getElementById('import-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = ev.target.file.files[0], out = document.getElementById('import-result');
    if (!file) return;
    var btn = ev.target.querySelector('button');
    btn.disabled = true;
    out.textContent = DX.t('common.loading');
    DX.api('POST', '/api/v1/users/import', file, { type: 'text/csv' }).then(function (r) {
      btn.disabled = false;
      out.textContent = '';
      if (r.status !== 200) { out.appendChild(el('p', { class: 'error', text: DX.errorText(r) })); return; }
      out.appendChild(el('p', { class: 'msg ok', text: DX.t('admin.import_result',
        { created: r.data.created, updated: r.data.updated, errors: r.data.errors.length }) }));
      if (r.data.errors.length) {
        var ul = el('ul', { class: 'import-errors' });
        r.data.errors.forEach(function (e) { ul.appendChild(el('li', { text: DX.t('admin.import_line', e) })); });
        out.appendChild(ul);
      }
      loadOrgs(); loadUsers();
    }, function () { btn.disabled = false; out.textContent = DX.t('err.network'); });
  });
  var qt;
  document.getElementById('user-q').addEventListener('input', function () { clearTimeout(qt); qt = setTimeout(loadUsers, 250); });
  DX.ready.then(function () { loadOrgs(); loadUsers(); });
})();
