/* test_faults.c — what the server survives, under load (issue 14 "Faults"):
 *   - kill -9 while members post heartbeats: every heartbeat answered 200 is in the database (each
 *     load client records the lecture_study_s of its acknowledgements; the test compares them with
 *     the rows after the restart), and the open sessions go on;
 *   - kill -9 in the middle of a tus PATCH: the bytes received are kept, HEAD says where to resume,
 *     the upload finishes and the lecture transcodes;
 *   - `backup` taken while members keep studying is consistent, and a server restored from it serves
 *     them on;
 *   - kill -9 while members save exam answers and submit: every acknowledged save and submit is
 *     kept, the acknowledged passes have their award in the ledger, `dangxiao verify` passes;
 *   - the reminders' webhook receiver down for an hour of the test clock: retried with growing
 *     waits, never given up, each delivered once after.
 * kill -9 during a transcode is tests/e2e/test_lectures.c lectures_restart_mid_transcode_ends_ready.
 * The load is real threads posting over HTTP; study time moves by the test clock, which a clock
 * thread advances in steps of STEP_S (never sleep for domain time).
 */
#include "e2e.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#define NCLIENTS 16
#define STEP_S 6.0 /* the clock's step: more than the 5 s the server wants between heartbeats */

static char *sql_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sql_text(const char *fmt, ...)
{
	char sql[2048], cmd[3000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\"", e2e_data, sql);
	FILE *p = popen(cmd, "r");
	if (!p)
		return strdup("");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = 0;
	pclose(p);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return strdup(buf);
}

static double sql_num(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double sql_num(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	char *s = sql_text("%s", sql);
	double v = *s ? atof(s) : -1;
	free(s);
	return v;
}

/* ---- heartbeat load ---- */

typedef struct client {
	long long uid, session;
	char *tok;
	double acked;                  /* the largest lecture_study_s of a 200 answer */
	int ok, credited, other, lost; /* 200s, 200s that credited, other statuses, no answer */
	long other_status;             /* the last other status */
	pthread_t th;
} client;

static struct {
	long long lecture;
	client c[NCLIENTS];
	volatile int stop; /* set by the test: clients and clock end their loops */
	volatile int tick; /* clock steps taken */
	volatile int inflight; /* heartbeats sent and not yet answered */
	char *admin;
	pthread_t clock;
	char now_iso[40]; /* the server clock's last reading, to put it back after a restart */
	double now_s;
} L;

static void *clock_main(void *arg)
{
	(void)arg;
	char body[64];
	snprintf(body, sizeof body, "{\"advance_s\":%.1f}", STEP_S);
	while (!L.stop) {
		resp r = e2e_req("POST", "/api/v1/test/clock", L.admin, body, NULL);
		if (r.status == 200) {
			snprintf(L.now_iso, sizeof L.now_iso, "%s", jstr(r.json, "now") ? jstr(r.json, "now") : "");
			L.now_s = jnum(r.json, "now_s");
			__atomic_add_fetch(&L.tick, 1, __ATOMIC_SEQ_CST);
		}
		resp_free(&r);
		usleep(80 * 1000);
	}
	return NULL;
}

static void *client_main(void *arg)
{
	client *c = arg;
	char path[96], body[160];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", L.lecture);
	int seen = __atomic_load_n(&L.tick, __ATOMIC_SEQ_CST);
	double pos = 0;
	while (!L.stop) {
		int now = __atomic_load_n(&L.tick, __ATOMIC_SEQ_CST);
		if (now == seen) {
			usleep(5000);
			continue;
		}
		pos += STEP_S * (now - seen);
		seen = now;
		snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.1f,\"playing\":true,\"rate\":1}",
			 c->session, pos);
		__atomic_add_fetch(&L.inflight, 1, __ATOMIC_SEQ_CST);
		resp r = e2e_req("POST", path, c->tok, body, NULL);
		__atomic_sub_fetch(&L.inflight, 1, __ATOMIC_SEQ_CST);
		if (r.status == 200) {
			c->ok++;
			if (jnum(r.json, "credited_s") > 0)
				c->credited++;
			double s = jnum(r.json, "lecture_study_s");
			if (s > c->acked)
				c->acked = s;
		} else if (r.status < 0) {
			c->lost++;
		} else {
			c->other++;
			c->other_status = r.status;
		}
		resp_free(&r);
	}
	return NULL;
}

/* A published course of teacher's with one ready lecture (20,000 s) written into the database,
   NCLIENTS members imported, enrolled, logged in, each with an open playback session. */
static int load_setup(int round)
{
	long long course = 9100 + round, lec = 91000 + round;
	char *s = sql_text("INSERT INTO courses(id, owner_id, title, category, status, created_at, updated_at, published_at) "
			   "VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '故障测试课%d', '测试', 'published', "
			   "strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'));"
			   "INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, "
			   "created_at, updated_at) VALUES (%lld, %lld, '故障测试讲', 0, 'ready', 20000, 1, "
			   "strftime('%%s','now'), strftime('%%s','now'))",
			   course, round, lec, course);
	free(s);
	L.lecture = lec;
	char *adm = e2e_login("admin", E2E_PW);
	char csv[NCLIENTS * 160] = "";
	size_t n = 0;
	for (int i = 0; i < NCLIENTS; i++)
		n += (size_t)snprintf(csv + n, sizeof csv - n,
				      "fault%d_%02d,故障%d成员%02d,故障测试/一支部,member,password7\n", round, i, round,
				      i);
	resp r = e2e_import(adm, csv, n, NULL);
	CHECK(r.status == 200 && jint(r.json, "created") == NCLIENTS, "members imported: %s", r.body ? r.body : "");
	resp_free(&r);
	free(adm);
	int ready = 0;
	for (int i = 0; i < NCLIENTS; i++) {
		client *c = &L.c[i];
		memset(c, 0, sizeof *c);
		char user[32], path[96];
		snprintf(user, sizeof user, "fault%d_%02d", round, i);
		c->uid = (long long)sql_num("SELECT id FROM users WHERE username='%s'", user);
		free(sql_text("INSERT INTO enrollments(user_id, course_id, enrolled_at) VALUES (%lld, %lld, strftime('%%s','now'))",
			      c->uid, course));
		c->tok = e2e_login(user, "password7");
		snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", lec);
		r = e2e_req("POST", path, c->tok, NULL, NULL);
		c->session = r.status == 201 ? jint(r.json, "session") : 0;
		resp_free(&r);
		ready += c->tok && c->session > 0;
	}
	CHECK(ready == NCLIENTS, "every member has a session: %d of %d", ready, NCLIENTS);
	return ready == NCLIENTS ? 0 : -1;
}

static void load_start(void)
{
	L.stop = 0;
	L.tick = 0;
	free(L.admin);
	L.admin = e2e_login("admin", E2E_PW);
	e2e_transport_failure_ok = 1; /* the kill leaves requests unanswered: counted, not failures */
	pthread_create(&L.clock, NULL, clock_main, NULL);
	for (int i = 0; i < NCLIENTS; i++)
		pthread_create(&L.c[i].th, NULL, client_main, &L.c[i]);
}

static void load_stop(void)
{
	L.stop = 1;
	pthread_join(L.clock, NULL);
	for (int i = 0; i < NCLIENTS; i++)
		pthread_join(L.c[i].th, NULL);
	e2e_transport_failure_ok = 0;
}

/* Runs the load until at least `beats` heartbeats were answered 200 (at most 60 s). */
static int load_until(int beats)
{
	for (int w = 0; w < 600; w++) {
		int ok = 0;
		for (int i = 0; i < NCLIENTS; i++)
			ok += L.c[i].ok;
		if (ok >= beats)
			return ok;
		usleep(100 * 1000);
	}
	return 0;
}

static void load_free(void)
{
	for (int i = 0; i < NCLIENTS; i++)
		free(L.c[i].tok), L.c[i].tok = NULL;
	free(L.admin);
	L.admin = NULL;
}

/* A restarted server's test clock starts at real time: put it back where the load left it (the
   sessions' anchors are there), then one step on. */
static void clock_back(void)
{
	e2e_clock_set(L.now_iso);
	e2e_clock_advance(L.now_s - floor(L.now_s) + STEP_S);
}

static double db_study(const client *c)
{
	return sql_num("SELECT study_s FROM lecture_progress WHERE user_id=%lld AND lecture_id=%lld", c->uid, L.lecture);
}

/* Every (user, lecture) row's study time equals the sum of its days: written in one transaction. */
static int db_consistent(const char *db, char *why, size_t n)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd,
		 "sqlite3 '%s' \"PRAGMA integrity_check; PRAGMA foreign_key_check; "
		 "SELECT 'mismatch', p.user_id, p.study_s, (SELECT total(study_s) FROM study_daily d WHERE "
		 "d.user_id=p.user_id AND d.lecture_id=p.lecture_id) AS s FROM lecture_progress p WHERE abs(p.study_s - s) > 0.01;\"",
		 db);
	FILE *p = popen(cmd, "r");
	char out[1024] = "";
	size_t k = p ? fread(out, 1, sizeof out - 1, p) : 0;
	out[k] = 0;
	if (p)
		pclose(p);
	snprintf(why, n, "%s", out);
	return !strcmp(out, "ok\n"); /* integrity "ok", no foreign key violation, no mismatch */
}

E2E_TEST(faults_kill9_under_heartbeat_load)
{
	if (load_setup(1))
		return;
	load_start();
	int before = load_until(NCLIENTS * 4);
	CHECK(before >= NCLIENTS * 4, "load ran: %d heartbeats answered 200", before);
	/* Right after a clock step, when every client posts: as soon as half of them wait for their
	   answer (a loaded machine may answer a whole round before a fixed delay is over). */
	int t0 = __atomic_load_n(&L.tick, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&L.tick, __ATOMIC_SEQ_CST) == t0)
		usleep(200);
	for (int w = 0; w < 20000 && __atomic_load_n(&L.inflight, __ATOMIC_SEQ_CST) < NCLIENTS / 2; w++)
		usleep(50);
	int at_kill = __atomic_load_n(&L.inflight, __ATOMIC_SEQ_CST);
	e2e_kill9();
	usleep(200 * 1000);
	load_stop();
	int ok = 0, credited = 0, lost = 0, other = 0;
	long other_status = 0;
	for (int i = 0; i < NCLIENTS; i++) {
		ok += L.c[i].ok, credited += L.c[i].credited, lost += L.c[i].lost, other += L.c[i].other;
		if (L.c[i].other)
			other_status = L.c[i].other_status;
	}
	fprintf(stderr,
		"    kill -9 under load: %d heartbeats answered 200 (%d credited), %d other answers (e.g. %ld), %d unanswered\n",
		ok, credited, other, other_status, lost);
	CHECK(credited >= NCLIENTS * 2, "heartbeats credited before the kill: %d", credited);
	CHECK(at_kill >= 1, "the kill hit the load: %d heartbeats in flight (%d left unanswered)", at_kill, lost);
	CHECK(e2e_start_again() == 0, "restart after kill -9");
	/* Every acknowledged heartbeat is in the database. An unanswered one may have been committed
	   too (the answer was lost on the way), at most one per client, at most STEP_S × steps missed. */
	int missing = 0;
	for (int i = 0; i < NCLIENTS; i++) {
		double db = db_study(&L.c[i]);
		if (db + 0.01 < L.c[i].acked) {
			missing++;
			CHECK(0, "member %lld: %.3f s acknowledged, %.3f s in the database", L.c[i].uid, L.c[i].acked,
			      db);
		}
		CHECK(db <= L.c[i].acked + 60 + 0.01, "member %lld: %.3f s in the database, only %.3f acknowledged",
		      L.c[i].uid, db, L.c[i].acked);
	}
	CHECK(missing == 0, "acknowledged heartbeats lost for %d members", missing);
	char why[1024], db[600];
	snprintf(db, sizeof db, "%s/dangxiao.db", e2e_data);
	CHECK(db_consistent(db, why, sizeof why), "database consistent after kill -9: %s", why);
	/* The sessions go on after the restart: a heartbeat after a step is answered 200. */
	clock_back();
	for (int i = 0; i < 3; i++) {
		char path[96], body[160];
		snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", L.lecture);
		snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.1f,\"playing\":true,\"rate\":1}",
			 L.c[i].session, L.c[i].acked + 1);
		resp r = e2e_req("POST", path, L.c[i].tok, body, NULL);
		CHECK_STATUS(r, 200);
		resp_free(&r);
	}
	load_free();
}

E2E_TEST(faults_backup_while_studying_is_consistent)
{
	if (load_setup(2))
		return;
	char out[600], why[1024], db[600];
	snprintf(out, sizeof out, "%s/../backup-%d.db", e2e_data, rand());
	snprintf(db, sizeof db, "%s/dangxiao.db", e2e_data);
	load_start();
	load_until(NCLIENTS * 2);
	/* The backup is taken while the clients keep posting; then they post more. */
	int rc = e2e_sh("bin/dangxiao-san backup --data %s %s >/dev/null 2>&1", e2e_data, out);
	int at_backup = load_until(0);
	int after = load_until(at_backup + NCLIENTS * 2);
	load_stop();
	CHECK(rc == 0, "backup under load exits 0");
	CHECK(after > at_backup, "members studied on after the backup: %d → %d answered", at_backup, after);
	CHECK(db_consistent(out, why, sizeof why), "the backup is consistent: %s", why);
	double live_total = sql_num("SELECT total(study_s) FROM lecture_progress WHERE lecture_id=%lld", L.lecture);
	/* Restore: stop, put the backup in place, start; the members go on studying. */
	e2e_stop();
	CHECK(e2e_sh("cp %s %s && rm -f %s-wal %s-shm", out, db, db, db) == 0, "restore the backup");
	CHECK(e2e_start_again() == 0, "start on the restored database");
	double restored_total = sql_num("SELECT total(study_s) FROM lecture_progress WHERE lecture_id=%lld", L.lecture);
	CHECK(restored_total > 0 && restored_total <= live_total + 0.01,
	      "restored study time %.1f s: what the backup held, not more than the live %.1f s", restored_total,
	      live_total);
	clock_back();
	for (int i = 0; i < NCLIENTS; i++)
		L.c[i].ok = L.c[i].credited = 0, L.c[i].acked = 0;
	load_start();
	int again = load_until(NCLIENTS * 2);
	load_stop();
	CHECK(again >= NCLIENTS * 2, "after the restore members' heartbeats are answered 200: %d", again);
	int behind = 0;
	for (int i = 0; i < NCLIENTS; i++)
		behind += db_study(&L.c[i]) + 0.01 < L.c[i].acked;
	CHECK(behind == 0, "every acknowledgement after the restore is in the database (%d behind)", behind);
	CHECK(db_consistent(db, why, sizeof why), "the restored database stays consistent: %s", why);
	e2e_sh("rm -f %s", out);
	load_free();
}

/* ---- kill -9 in the middle of a tus upload ---- */

static char *sh_text(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return strdup("");
	char buf[1024];
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = 0;
	pclose(p);
	buf[strcspn(buf, "\n")] = 0;
	return strdup(buf);
}

E2E_TEST(faults_kill9_during_tus_upload_resumes)
{
	char clip[600], cmd[2400];
	snprintf(clip, sizeof clip, "%s/fault-clip.mp4", e2e_tmp);
	CHECK(e2e_sh("ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=6 "
		     "-f lavfi -i sine=frequency=440:duration=6 -c:v libx264 -preset ultrafast -b:v 1500k -pix_fmt yuv420p "
		     "-c:a aac %s",
		     clip) == 0,
	      "make a clip");
	char *sz = sh_text((snprintf(cmd, sizeof cmd, "stat -c %%s %s", clip), cmd));
	long long size = atoll(sz);
	free(sz);
	char *t = e2e_login("teacher", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/courses/1/lectures", t, "{\"title\":\"断电续传\"}", NULL);
	long long lec = jint(r.json, "id");
	CHECK(r.status / 100 == 2 && lec > 0, "new lecture: %ld %s", r.status, r.body ? r.body : "");
	resp_free(&r);
	char meta[160], len[64], b64[64];
	snprintf(cmd, sizeof cmd, "printf %%s %lld | base64", lec);
	char *o = sh_text(cmd);
	snprintf(b64, sizeof b64, "%s", o);
	free(o);
	snprintf(meta, sizeof meta, "Upload-Metadata: lecture_id %s,filename ZmF1bHQubXA0", b64);
	snprintf(len, sizeof len, "Upload-Length: %lld", size);
	const char *h[] = {"Tus-Resumable: 1.0.0", len, meta, NULL};
	r = e2e_req_h("POST", "/api/v1/uploads", t, NULL, 0, NULL, h);
	CHECK_STATUS(r, 201);
	char *loc = resp_header(&r, "Location");
	resp_free(&r);
	if (!loc) {
		free(t);
		return;
	}
	/* The PATCH of the whole file at 100 KB/s in the background; the server is killed in the middle. */
	snprintf(cmd, sizeof cmd,
		 "curl -s -o /dev/null --limit-rate 100k -X PATCH -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' "
		 "-H 'Content-Type: application/offset+octet-stream' -H 'Expect:' -H 'Authorization: Bearer %s' "
		 "--data-binary @%s '%s%s' >/dev/null 2>&1 &",
		 t, clip, e2e_base, loc);
	e2e_sh("%s", cmd);
	long long part = 0;
	char parts[700];
	snprintf(parts, sizeof parts, "cat %s/uploads/*.part 2>/dev/null | wc -c", e2e_data);
	for (int i = 0; i < 200 && part < size / 4; i++) {
		usleep(50 * 1000);
		o = sh_text(parts);
		part = atoll(o);
		free(o);
	}
	CHECK(part > 0 && part < size, "killed in the middle: %lld of %lld bytes", part, size);
	e2e_kill9();
	CHECK(e2e_start_again() == 0, "restart after kill -9");
	const char *hh[] = {"Tus-Resumable: 1.0.0", NULL};
	r = e2e_req_h("HEAD", loc, t, NULL, 0, NULL, hh);
	CHECK_STATUS(r, 200);
	char *off = resp_header(&r, "Upload-Offset");
	long long at = off ? atoll(off) : -1;
	free(off);
	resp_free(&r);
	CHECK(at >= part && at < size, "HEAD after the restart: offset %lld (%lld received before the kill, of %lld)",
	      at, part, size);
	/* What was kept is the file's beginning, byte for byte. */
	snprintf(cmd, sizeof cmd, "cmp -n %lld %s %s/uploads/*.part", at, clip, e2e_data);
	CHECK(e2e_sh("%s >/dev/null 2>&1", cmd) == 0, "the kept bytes are the file's first %lld", at);
	/* Resume from there: the rest, then the lecture transcodes. */
	FILE *f = fopen(clip, "rb");
	char *data = malloc((size_t)size);
	size_t got = f ? fread(data, 1, (size_t)size, f) : 0;
	if (f)
		fclose(f);
	CHECK(got == (size_t)size, "read the clip");
	if (at >= 0 && at < size && got == (size_t)size) {
		char ho[64];
		snprintf(ho, sizeof ho, "Upload-Offset: %lld", at);
		const char *ph[] = {"Tus-Resumable: 1.0.0", ho, NULL};
		r = e2e_req_h("PATCH", loc, t, data + at, (size_t)(size - at), "application/offset+octet-stream", ph);
		CHECK_STATUS(r, 204);
		resp_free(&r);
	}
	free(data);
	/* The finished upload is accepted (probed, queued); the queue may still be busy with earlier
	   jobs (the demo lecture's transcode restarts with every restart), so "ready" is not awaited
	   here: the source it will transcode is the uploaded file, byte for byte. */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld", lec);
	r = e2e_req("GET", path, t, NULL, NULL);
	const char *st = jstr(r.json, "status") ? jstr(r.json, "status") : "";
	CHECK(!strcmp(st, "queued") || !strcmp(st, "transcoding") || !strcmp(st, "ready"),
	      "the resumed upload is accepted: %s", st);
	resp_free(&r);
	CHECK(e2e_sh("f=$(find %s -type f -size %lldc ! -name '*.part' | head -1); test -n \"$f\" && cmp -s \"$f\" %s",
		     e2e_data, size, clip) == 0 ||
		      e2e_sh("test -n \"$(find %s/media/%lld -name master.m3u8)\"", e2e_data, lec) == 0,
	      "the source kept for the transcode is the uploaded file");
	free(loc);
	free(t);
}

/* ---- kill -9 under exam load: answer saves, submits and the awards in the ledger ---- */

#define NEXAM 8
#define NQ 5
#define MAXACK 4096

typedef struct save_ack {
	long long attempt, q;
	int v;
} save_ack;

typedef struct examiner {
	long long uid;
	char *tok;
	save_ack saves[MAXACK]; /* every save answered 200 */
	int nsaves;
	long long sub_attempt[256]; /* every submit answered 200, with its score */
	int sub_score[256], nsubs, passed;
	int lost, other;
	long other_status;
	pthread_t th;
} examiner;

static struct {
	long long quiz;
	examiner e[NEXAM];
	volatile int stop;
} X;

static void *examiner_main(void *arg)
{
	examiner *e = arg;
	char path[96], body[160];
	int round = 0;
	while (!X.stop && e->nsubs < 256) {
		snprintf(path, sizeof path, "/api/v1/quizzes/%lld/attempts", X.quiz);
		resp r = e2e_req("POST", path, e->tok, NULL, NULL);
		long status = r.status;
		if (status != 200 && status != 201) {
			resp_free(&r);
			if (status < 0) {
				e->lost++;
				break; /* the server is gone */
			}
			e->other++, e->other_status = status;
			continue;
		}
		long long at = jint(r.json, "attempt_id");
		json_t *qs = json_incref(json_object_get(r.json, "questions"));
		resp_free(&r);
		size_t i;
		json_t *q;
		int dead = 0;
		json_array_foreach (qs, i, q) {
			if (X.stop || dead)
				break;
			long long qid = jint(q, "id");
			int v = (i + (size_t)round) % 3 == 0; /* 0 "对" is right, 1 "错" wrong: mostly right */
			snprintf(path, sizeof path, "/api/v1/attempts/%lld/answers", at);
			snprintf(body, sizeof body, "{\"answers\":{\"%lld\":[%d]}}", qid, v);
			r = e2e_req("PUT", path, e->tok, body, NULL);
			if (r.status == 200 && e->nsaves < MAXACK)
				e->saves[e->nsaves++] = (save_ack){at, qid, v};
			else if (r.status < 0)
				e->lost++, dead = 1;
			else if (r.status != 200)
				e->other++, e->other_status = r.status;
			resp_free(&r);
		}
		json_decref(qs);
		if (dead || X.stop)
			break;
		snprintf(path, sizeof path, "/api/v1/attempts/%lld/submit", at);
		r = e2e_req("POST", path, e->tok, "{}", NULL);
		if (r.status == 200) {
			e->sub_attempt[e->nsubs] = at;
			e->sub_score[e->nsubs++] = (int)jint(r.json, "score");
			e->passed += json_is_true(json_object_get(r.json, "passed"));
		} else if (r.status < 0) {
			e->lost++;
			resp_free(&r);
			break;
		} else {
			e->other++, e->other_status = r.status;
		}
		resp_free(&r);
		round++;
	}
	return NULL;
}

static int run_verify(char *err, size_t n)
{
	char path[700];
	snprintf(path, sizeof path, "%s/faults-verify.err", e2e_tmp);
	int st = e2e_sh("bin/dangxiao-san verify --data %s >%s.out 2>%s", e2e_data, path, path);
	char *s = e2e_sh_out("cat %s", path);
	snprintf(err, n, "%s", s);
	free(s);
	return st;
}

/* NEXAM members each start the exam, save its five answers one by one and submit, again and again
   (no attempt limit); the server is killed -9 in the middle. After the restart every save and
   every submit that was answered 200 is there as acknowledged, every member with an acknowledged
   pass has the exam's award in the ledger, and `dangxiao verify` passes. */
E2E_TEST(faults_kill9_under_exam_load_keeps_saves_submits_and_awards)
{
	char *t = e2e_login("teacher", E2E_PW), *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/courses", t, "{\"title\":\"故障考试课\",\"category\":\"党史党建\",\"credit_hours\":1}", NULL);
	CHECK_STATUS(r, 201);
	long long course = jint(r.json, "id");
	resp_free(&r);
	char path[128], body[256];
	for (int i = 0; i < NQ; i++) {
		snprintf(path, sizeof path, "/api/v1/courses/%lld/questions", course);
		snprintf(body, sizeof body, "{\"type\":\"truefalse\",\"stem\":\"故障判断题%d\",\"answer\":[0]}", i);
		r = e2e_req("POST", path, t, body, NULL);
		CHECK_STATUS(r, 201);
		resp_free(&r);
	}
	snprintf(path, sizeof path, "/api/v1/courses/%lld/quiz", course);
	r = e2e_req("PUT", path, t, "{\"num_questions\":5,\"pass_score\":60,\"time_limit_s\":1800,\"max_attempts\":0}", NULL);
	CHECK_STATUS(r, 200);
	X.quiz = jint(r.json, "id");
	resp_free(&r);
	r = e2e_publish(t, course);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char csv[NEXAM * 160] = "";
	size_t n = 0;
	for (int i = 0; i < NEXAM; i++)
		n += (size_t)snprintf(csv + n, sizeof csv - n, "faultx_%02d,考试故障成员%02d,故障测试/二支部,member,password7\n", i, i);
	r = e2e_import(adm, csv, n, NULL);
	CHECK(r.status == 200 && jint(r.json, "created") == NEXAM, "members imported: %s", r.body ? r.body : "");
	resp_free(&r);
	int ready = 0;
	for (int i = 0; i < NEXAM; i++) {
		examiner *e = &X.e[i];
		memset(e, 0, sizeof *e);
		char user[32];
		snprintf(user, sizeof user, "faultx_%02d", i);
		e->uid = (long long)e2e_sql("SELECT id FROM users WHERE username='%s'", user);
		e->tok = e2e_login(user, "password7");
		snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", course);
		r = e2e_req("POST", path, e->tok, NULL, NULL);
		ready += e->tok && (r.status == 200 || r.status == 201);
		resp_free(&r);
	}
	CHECK(ready == NEXAM, "every member enrolled: %d of %d", ready, NEXAM);
	if (ready != NEXAM)
		goto out;
	X.stop = 0;
	e2e_transport_failure_ok = 1;
	for (int i = 0; i < NEXAM; i++)
		pthread_create(&X.e[i].th, NULL, examiner_main, &X.e[i]);
	/* Until every member has submitted twice (at most 60 s), then the kill. */
	for (int w = 0; w < 600; w++) {
		int least = 1 << 30;
		for (int i = 0; i < NEXAM; i++)
			least = X.e[i].nsubs < least ? X.e[i].nsubs : least;
		if (least >= 2)
			break;
		usleep(100 * 1000);
	}
	e2e_kill9();
	usleep(200 * 1000);
	X.stop = 1;
	for (int i = 0; i < NEXAM; i++)
		pthread_join(X.e[i].th, NULL);
	e2e_transport_failure_ok = 0;
	int saves = 0, subs = 0, passes = 0, lost = 0, other = 0;
	long other_status = 0;
	for (int i = 0; i < NEXAM; i++) {
		saves += X.e[i].nsaves, subs += X.e[i].nsubs, passes += X.e[i].passed, lost += X.e[i].lost;
		other += X.e[i].other;
		if (X.e[i].other)
			other_status = X.e[i].other_status;
	}
	fprintf(stderr, "    kill -9 under exam load: %d saves and %d submits (%d passed) answered 200, %d other (e.g. %ld), %d unanswered\n",
		saves, subs, passes, other, other_status, lost);
	CHECK(subs >= NEXAM * 2 && saves >= NEXAM * NQ * 2, "the load ran: %d saves, %d submits", saves, subs);
	CHECK(lost >= 1, "the kill hit the load: %d unanswered", lost);
	CHECK(other == 0, "no other answers than 200 before the kill: %d (e.g. %ld)", other, other_status);
	CHECK(e2e_start_again() == 0, "restart after kill -9");
	int bad_saves = 0, bad_subs = 0, bad_awards = 0;
	for (int i = 0; i < NEXAM; i++) {
		examiner *e = &X.e[i];
		for (int k = 0; k < e->nsubs; k++) {
			snprintf(path, sizeof path, "/api/v1/attempts/%lld", e->sub_attempt[k]);
			r = e2e_req("GET", path, e->tok, NULL, NULL);
			if (!(r.status == 200 && json_is_true(json_object_get(r.json, "submitted")) &&
			      jint(r.json, "score") == e->sub_score[k] && !strcmp(jstr(r.json, "graded_by") ? jstr(r.json, "graded_by") : "", "submit"))) {
				bad_subs++;
				CHECK(0, "acknowledged submit of attempt %lld (score %d): %ld %.300s", e->sub_attempt[k],
				      e->sub_score[k], r.status, r.body ? r.body : "");
			}
			resp_free(&r);
		}
		long long last = 0;
		json_t *answers = NULL;
		for (int k = 0; k < e->nsaves; k++) {
			save_ack *s = &e->saves[k];
			if (s->attempt != last) {
				json_decref(answers);
				answers = NULL;
				snprintf(path, sizeof path, "/api/v1/attempts/%lld", s->attempt);
				r = e2e_req("GET", path, e->tok, NULL, NULL);
				if (r.status == 200)
					answers = json_incref(json_object_get(r.json, "answers"));
				resp_free(&r);
				last = s->attempt;
			}
			char key[24];
			snprintf(key, sizeof key, "%lld", s->q);
			json_t *a = answers ? json_object_get(answers, key) : NULL;
			if (!(json_array_size(a) == 1 && json_integer_value(json_array_get(a, 0)) == s->v)) {
				bad_saves++;
				if (bad_saves < 5)
					CHECK(0, "acknowledged save attempt %lld question %lld = %d not kept", s->attempt, s->q, s->v);
			}
		}
		json_decref(answers);
		double aw = e2e_sql("SELECT count(*) FROM ledger WHERE user_id=%lld AND rule='exam_passed'", e->uid);
		if (e->passed && aw != 1) {
			bad_awards++;
			CHECK(0, "member %lld passed (acknowledged) but has %g exam awards", e->uid, aw);
		}
	}
	CHECK(bad_saves == 0 && bad_subs == 0 && bad_awards == 0,
	      "after the restart: %d saves, %d submits, %d awards missing of what was acknowledged", bad_saves, bad_subs,
	      bad_awards);
	char err[2048];
	int st = run_verify(err, sizeof err);
	CHECK(st == 0, "dangxiao verify after kill -9: exit %d: %s", st, err);
	/* And it goes on: a member starts again and saves. */
	snprintf(path, sizeof path, "/api/v1/quizzes/%lld/attempts", X.quiz);
	r = e2e_req("POST", path, X.e[0].tok, NULL, NULL);
	CHECK(r.status == 200 || r.status == 201, "an attempt after the restart: %ld %.200s", r.status, r.body ? r.body : "");
	resp_free(&r);
out:
	for (int i = 0; i < NEXAM; i++)
		free(X.e[i].tok), X.e[i].tok = NULL;
	free(t);
	free(adm);
}

/* ---- the reminders' webhook receiver down for an hour (test clock) ---- */

static struct {
	int fd, port, got;
	pthread_t th;
} W = {.fd = -1};

static void *hook_main(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(W.fd, NULL, NULL);
		if (c < 0)
			break;
		char req[16384];
		(void)e2e_read_request(c, req, sizeof req);
		__atomic_add_fetch(&W.got, 1, __ATOMIC_SEQ_CST);
		const char out[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
		if (write(c, out, sizeof out - 1) < 0) {
			/* the client gave up */
		}
		close(c);
	}
	return NULL;
}

/* The sum of the rows' attempts reaches `want` within `ms` of real time (delivery is the outbox
   thread's, which looks every second). */
static double outbox_wait(const char *ids, const char *what, double want, int ms)
{
	double v = -1;
	for (int w = 0; w <= ms; w += 100) {
		v = e2e_sql("SELECT %s FROM remind_outbox WHERE id IN (%s)", what, ids);
		if (v >= want)
			break;
		usleep(100 * 1000);
	}
	return v;
}

/* Three reminders are queued while the receiver is down; the test clock walks an hour from one
   round of retries to the next (the waits doubling from 30 s, with jitter, never given up); then
   the receiver comes back and every reminder is delivered exactly once. */
E2E_TEST(faults_webhook_down_an_hour_then_delivered)
{
	char *adm = e2e_login("admin", E2E_PW);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &al) == 0, "a port");
	close(s);
	W.port = ntohs(a.sin_port);
	char body[256], ids[128];
	snprintf(body, sizeof body, "{\"webhook_url\":\"http://127.0.0.1:%d/hook\"}", W.port);
	resp r = e2e_req("PUT", "/api/v1/scoring/settings", adm, body, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/test/clock", adm, "{\"advance_s\":0}", NULL);
	double t0 = jnum(r.json, "now_s");
	resp_free(&r);
	long long org = (long long)e2e_sql("SELECT min(id) FROM orgs");
	long long id[3];
	char path[96];
	snprintf(path, sizeof path, "/api/v1/reminders?org_id=%lld", org);
	for (int i = 0; i < 3; i++) {
		r = e2e_req("POST", path, adm, "{}", NULL);
		CHECK_STATUS(r, 202);
		id[i] = jint(r.json, "id");
		resp_free(&r);
	}
	snprintf(ids, sizeof ids, "%lld,%lld,%lld", id[0], id[1], id[2]);
	CHECK(outbox_wait(ids, "min(attempts)", 1, 5000) >= 1, "each tried once while the receiver is down");
	/* An hour of the test clock, from one due retry to the next. */
	int steps = 0;
	double tries = e2e_sql("SELECT sum(attempts) FROM remind_outbox WHERE id IN (%s)", ids);
	for (; steps < 40; steps++) {
		/* The latest of the three due times (each has its jitter): all three are tried. */
		double next = e2e_sql("SELECT max(next_at) FROM remind_outbox WHERE id IN (%s) AND state='pending'", ids);
		if (next < 0 || next > t0 + 3600)
			break;
		e2e_clock_set_at(next);
		double now = outbox_wait(ids, "sum(attempts)", tries + 3, 5000);
		CHECK(now >= tries + 3, "a retry of each at %+.0f s", next - t0);
		if (now < tries + 3)
			break;
		tries = now;
	}
	double pending = e2e_sql("SELECT count(*) FROM remind_outbox WHERE id IN (%s) AND state='pending' AND last_error <> ''", ids);
	double most = e2e_sql("SELECT max(attempts) FROM remind_outbox WHERE id IN (%s)", ids);
	double wait = e2e_sql("SELECT max(next_at) FROM remind_outbox WHERE id IN (%s)", ids) - t0 - 3600;
	fprintf(stderr, "    webhook down for an hour: %.0f tries in all (%.0f of the busiest row), %d clock steps\n", tries,
		most, steps);
	CHECK(pending == 3, "after an hour down every reminder is pending with its error: %g", pending);
	CHECK(most >= 5 && most <= 8, "the waits doubled from 30 s: %g tries of one row in an hour", most);
	CHECK(W.got == 0, "nothing received while down");
	/* The receiver is back: at the next due time every reminder is delivered, once. */
	W.fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(W.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a.sin_port = htons((uint16_t)W.port);
	CHECK(bind(W.fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(W.fd, 16) == 0, "the receiver listens");
	pthread_create(&W.th, NULL, hook_main, NULL);
	e2e_clock_set_at(t0 + 3600 + (wait > 0 ? wait : 0) + 1);
	double sent = outbox_wait(ids, "sum(state='sent')", 3, 8000);
	CHECK(sent == 3, "delivered after the hour: %g of 3", sent);
	usleep(1500 * 1000);
	CHECK(__atomic_load_n(&W.got, __ATOMIC_SEQ_CST) == 3, "each delivered once: %d received", W.got);
	CHECK(e2e_sql("SELECT count(*) FROM remind_outbox WHERE id IN (%s) AND sent_at >= %.0f", ids, t0 + 3600) == 3,
	      "sent after the hour");
	shutdown(W.fd, SHUT_RDWR);
	close(W.fd);
	pthread_join(W.th, NULL);
	r = e2e_req("PUT", "/api/v1/scoring/settings", adm, "{\"webhook_url\":\"\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	e2e_clock_set_at(t0);
	free(adm);
}
