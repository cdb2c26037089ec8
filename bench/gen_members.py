#!/usr/bin/env python3
"""Members with sessions whose tokens we know, one published course with a ready lecture, and the
members' enrolments, written straight into a seeded database before the server starts (creating
tens of thousands of users through Argon2id would take minutes). Used by bench/heartbeat.sh and
tools/proof/diskfull.sh.

  gen_members.py DB N TOKENS PREFIX NAME COURSE LECTURE DURATION_S [--published-at]

Writes "TOKEN USER_ID" lines to TOKENS and prints the lecture's id."""
import hashlib, secrets, sqlite3, sys, time

db, n, out, prefix, name, course_title, lecture_title, duration = sys.argv[1:9]
n, duration = int(n), int(duration)
published_at = "--published-at" in sys.argv[9:]
c = sqlite3.connect(db)
now = int(time.time())
pw, org = c.execute("SELECT pw_hash, org_id FROM users WHERE username='zhangsan'").fetchone()
teacher = c.execute("SELECT id FROM users WHERE username='teacher'").fetchone()[0]
if published_at:
    c.execute("INSERT INTO courses(owner_id,title,summary,category,credit_hours,status,created_at,updated_at,published_at) VALUES (?,?,?,?,?,?,?,?,?)",
              (teacher, course_title, '', '政治理论', 1, 'published', now, now, now))
else:
    c.execute("INSERT INTO courses(owner_id,title,summary,category,credit_hours,status,created_at,updated_at) VALUES (?,?,?,?,?,?,?,?)",
              (teacher, course_title, '', '政治理论', 1, 'published', now, now))
course = c.execute("SELECT last_insert_rowid()").fetchone()[0]
c.execute("INSERT INTO lectures(course_id,title,status,duration_s,media_version,created_at,updated_at) VALUES (?,?,?,?,?,?,?)",
          (course, lecture_title, 'ready', duration, 1, now, now))
lecture = c.execute("SELECT last_insert_rowid()").fetchone()[0]
with open(out, "w") as f:
    for i in range(n):
        c.execute("INSERT INTO users(username,name,role,org_id,pw_hash,created_at,updated_at) VALUES (?,?,?,?,?,?,?)",
                  (f"{prefix}{i}", f"{name}{i}", "member", org, pw, now, now))
        uid = c.execute("SELECT last_insert_rowid()").fetchone()[0]
        tok = secrets.token_hex(32)
        c.execute("INSERT INTO sessions(token_hash,user_id,csrf,created_at,expires_at) VALUES (?,?,?,?,?)",
                  (hashlib.sha256(tok.encode()).hexdigest(), uid, secrets.token_hex(32), now, now + 86400))
        c.execute("INSERT INTO enrollments(user_id,course_id,enrolled_at) VALUES (?,?,?)", (uid, course, now))
        f.write(f"{tok} {uid}\n")
c.commit()
print(lecture)
