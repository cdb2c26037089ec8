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

  /* Required-course assignments: a course for an organisation's subtree in a year. */
  var af = document.getElementById('assign-form');
  function loadAssignments() {
    var year = af.year.value;
    DX.api('GET', '/api/v1/assignments?year=' + encodeURIComponent(year)).then(function (r) {
      var ul = document.getElementById('assign-list');
      ul.textContent = '';
      if (r.status !== 200) return;
      if (!r.data.assignments.length) ul.appendChild(el('li', { class: 'muted', text: DX.t('assign.none') }));
      r.data.assignments.forEach(function (a) {
        var del = el('button', { type: 'button', class: 'link', text: DX.t('assign.remove') });
        del.addEventListener('click', function () {
          DX.api('DELETE', '/api/v1/assignments/' + a.id).then(loadAssignments);
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
      if (r.status === 201 || r.status === 200) { DX.msg(msg, DX.t(r.status === 201 ? 'assign.done' : 'assign.exists'), true); loadAssignments(); }
      else DX.msg(msg, DX.errorText(r), false);
    });
  });
  af.year.addEventListener('change', loadAssignments);

  DX.ready.then(function () { loadOrgs(); loadUsers(); loadCourses(); loadAssignments(); });
})();
