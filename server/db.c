/* db.c — per-thread SQLite connections with a statement cache and type-string binding. */
#include "db.h"
#include "util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *g_path;

/* Per-thread state: the connection and a small open-addressing cache of statements keyed by
   the address of the SQL text (pass literals: their addresses are stable; the text is not
   compared). A cached statement serves one user at a time: db_query and the single-row helpers
   borrow it (LENT) until db_done, a loop's db_prepare takes it (OWNED) until db_finalize; a
   second user while it is taken gets a statement of its own, except that borrowing one still
   LENT is a bug (its first user is still reading rows) and aborts unless NDEBUG. */
#define STMT_CACHE 256
enum { SLOT_FREE, SLOT_LENT, SLOT_OWNED };
struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
	int busy;
};
static _Thread_local sqlite3 *t_db;
/* Write transactions of this process take turns on a mutex instead of meeting SQLite's lock:
   SQLite's default busy handler sleeps 1, 2, 5, 10… ms between tries, which under many small
   writers (heartbeats) made p99 latency hundreds of milliseconds. Every writer takes its turn:
   db_begin for a transaction, and a writing statement in autocommit mode for its own run (from
   the bind to db_done/db_finalize). */
static pthread_mutex_t g_write_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int t_in_write;   /* inside db_begin … db_commit/db_rollback */
static _Thread_local int t_auto_write; /* an autocommit write statement holds the mutex */
/* With the background checkpointer running, connections do not checkpoint on commit. */
static int g_bg_checkpoint;
static _Thread_local struct stmt_slot *t_cache;
/* Statements handed out and not yet given back: the slot they came from (NULL: prepared for this
   user alone, finalized when given back) and whether they hold the write mutex. */
#define OUT_MAX 32
struct out_stmt {
	sqlite3_stmt *st;
	struct stmt_slot *slot;
	int locked, owned;
};
static _Thread_local struct out_stmt t_out[OUT_MAX];
static _Thread_local int t_nout;
static void give_back(sqlite3_stmt *st, int owned);
/* A key whose destructor closes a thread's connection when the thread ends (libmicrohttpd's pool
   threads at shutdown, finished workers), so nothing is left open or leaked. */
static pthread_key_t g_close_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;
static void close_at_exit(void *unused)
{
	(void)unused;
	db_close_thread();
}
static void make_key(void)
{
	pthread_key_create(&g_close_key, close_at_exit);
}

void db_set_path(const char *path)
{
	free(g_path);
	g_path = xstrdup(path);
}

const char *db_path(void)
{
	return g_path;
}

/* Waits for a lock held by another connection (another process, or an autocommit statement of
   another thread) in short steps, for up to about 10 s. */
static int busy_wait(void *ud, int tries)
{
	(void)ud;
	if (tries >= 20000)
		return 0;
	usleep(tries < 20 ? 50 : 500);
	return 1;
}

sqlite3 *db(void)
{
	if (t_db)
		return t_db;
	if (!g_path)
		dx_fatal("db_set_path not called");
	if (sqlite3_open_v2(g_path, &t_db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		dx_fatal("cannot open database %s: %s", g_path, sqlite3_errmsg(t_db));
	/* The busy handler first: the WAL switch itself may meet a lock. */
	sqlite3_busy_handler(t_db, busy_wait, NULL);
	sqlite3_exec(t_db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	if (g_bg_checkpoint)
		sqlite3_exec(t_db, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
	sqlite3_exec(t_db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	sqlite3_exec(t_db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	sqlite3_exec(t_db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
	t_cache = xcalloc(STMT_CACHE, sizeof(struct stmt_slot));
	pthread_once(&g_key_once, make_key);
	pthread_setspecific(g_close_key, (void *)1);
	return t_db;
}

void db_close_thread(void)
{
	if (!t_db)
		return;
	while (t_nout > 0)
		give_back(t_out[t_nout - 1].st, t_out[t_nout - 1].owned);
	for (int i = 0; i < STMT_CACHE; i++)
		if (t_cache[i].st)
			sqlite3_finalize(t_cache[i].st);
	free(t_cache);
	t_cache = NULL;
	sqlite3_close_v2(t_db);
	t_db = NULL;
}

const char *db_errmsg(void)
{
	return sqlite3_errmsg(db());
}

static sqlite3_stmt *prepare_alone(sqlite3 *c, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK)
		dx_fatal("SQL prepare failed: %s\n  in: %s", sqlite3_errmsg(c), sql);
	return st;
}

/* The statement for sql, taken for one user (how: SLOT_LENT or SLOT_OWNED) and recorded as out. */
static sqlite3_stmt *take(const char *sql, int how)
{
	sqlite3 *c = db();
	if (t_nout == OUT_MAX)
		dx_fatal("more than %d statements open at once (a missing db_done or db_finalize?)", OUT_MAX);
	struct out_stmt *o = &t_out[t_nout];
	*o = (struct out_stmt){.owned = how == SLOT_OWNED};
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
	for (int probe = 0; probe < 8; probe++) {
		struct stmt_slot *s = &t_cache[(h + probe) % STMT_CACHE];
		if (!s->sql) {
			if (sqlite3_prepare_v3(c, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK)
				dx_fatal("SQL prepare failed: %s\n  in: %s", sqlite3_errmsg(c), sql);
			s->sql = sql;
		} else if (s->sql != sql) {
			continue;
		}
		if (s->busy == SLOT_LENT && how == SLOT_LENT) {
#ifndef NDEBUG
			dx_fatal("a cached statement is used again while it is still being stepped "
				 "(a loop wants db_prepare/db_finalize)\n  in: %s", sql);
#endif
		} else if (s->busy == SLOT_FREE) {
			s->busy = how;
			o->slot = s;
			o->st = s->st;
		}
		break;
	}
	/* Taken, or the cache neighbourhood is full: a statement of this user's own. */
	if (!o->st)
		o->st = prepare_alone(c, sql);
	t_nout++;
	return o->st;
}

/* Gives back a statement from take(): resets a cached one, finalizes one of its own, and ends the
   autocommit write's turn on the mutex. */
static void give_back(sqlite3_stmt *st, int owned)
{
	for (int i = t_nout - 1; i >= 0; i--) {
		struct out_stmt *o = &t_out[i];
		if (o->st != st)
			continue;
		if (o->owned != owned)
			dx_fatal("%s of a statement from %s", owned ? "db_finalize" : "db_done",
				 o->owned ? "db_prepare" : "db_query");
		if (o->slot) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			o->slot->busy = SLOT_FREE;
		} else {
			sqlite3_finalize(st);
		}
		if (o->locked) {
			t_auto_write = 0;
			pthread_mutex_unlock(&g_write_mu);
		}
		t_out[i] = t_out[--t_nout];
		return;
	}
	dx_fatal("%s of a statement that is not open", owned ? "db_finalize" : "db_done");
}

/* A statement that writes takes its turn on the write mutex: inside db_begin the thread has it;
   in autocommit mode it is taken until the statement is given back. A write inside a transaction
   opened some other way (a plain BEGIN) would wait for the mutex while holding SQLite's lock:
   a bug, caught here. */
static void write_turn(void)
{
	struct out_stmt *o = &t_out[t_nout - 1];
	if (t_in_write || t_auto_write || sqlite3_stmt_readonly(o->st))
		return;
	if (!sqlite3_get_autocommit(db()))
		dx_fatal("a write inside a transaction not begun by db_begin\n  in: %s", sqlite3_sql(o->st));
	pthread_mutex_lock(&g_write_mu);
	t_auto_write = 1;
	o->locked = 1;
}

static sqlite3_stmt *vbind(const char *sql, int how, const char *types, va_list ap)
{
	sqlite3_stmt *st = take(sql, how);
	int n = types ? (int)strlen(types) : 0;
	if (n != sqlite3_bind_parameter_count(st))
		dx_fatal("SQL bind count %d != %d in: %s", n, sqlite3_bind_parameter_count(st), sql);
	for (int i = 0; i < n; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'n':
			sqlite3_bind_null(st, i + 1);
			break;
		case 'b': { /* two arguments: const void *bytes, int length */
			const void *p = va_arg(ap, const void *);
			int len = va_arg(ap, int);
			sqlite3_bind_blob(st, i + 1, p, len, SQLITE_TRANSIENT);
			break;
		}
		default:
			dx_fatal("bad SQL bind type '%c'", types[i]);
		}
	}
	write_turn();
	return st;
}

sqlite3_stmt *db_query(const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = vbind(sql, SLOT_LENT, types, ap);
	va_end(ap);
	return st;
}

int db_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) != SQLITE_CONSTRAINT)
		fprintf(stderr, "dangxiao: SQL error %d: %s in: %s\n", rc, sqlite3_errmsg(db()), sqlite3_sql(st));
	return (rc & 0xff) == SQLITE_CONSTRAINT ? -2 : -1;
}

void db_done(sqlite3_stmt *st)
{
	if (st)
		give_back(st, 0);
}

sqlite3_stmt *db_prepare(db_stmt *q, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	q->st = vbind(sql, SLOT_OWNED, types, ap);
	va_end(ap);
	return q->st;
}

int db_step_s(db_stmt *q)
{
	return db_step(q->st);
}

void db_finalize(db_stmt *q)
{
	if (q->st)
		give_back(q->st, 1);
	q->st = NULL;
}

int db_holds_write(void)
{
	return t_in_write || t_auto_write;
}

int db_exec(const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = vbind(sql, SLOT_LENT, types, ap);
	va_end(ap);
	int rc;
	while ((rc = db_step(st)) == 1)
		;
	db_done(st);
	return rc < 0 ? rc : sqlite3_changes(db());
}

int64_t db_int(int64_t dflt, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = vbind(sql, SLOT_LENT, types, ap);
	va_end(ap);
	int64_t v = dflt;
	if (db_step(st) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	db_done(st);
	return v;
}

double db_double(double dflt, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = vbind(sql, SLOT_LENT, types, ap);
	va_end(ap);
	double v = dflt;
	if (db_step(st) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	db_done(st);
	return v;
}

char *db_text(const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = vbind(sql, SLOT_LENT, types, ap);
	va_end(ap);
	char *v = NULL;
	if (db_step(st) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	db_done(st);
	return v;
}

int db_exists(const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = vbind(sql, SLOT_LENT, types, ap);
	va_end(ap);
	int v = db_step(st) == 1;
	db_done(st);
	return v;
}

int64_t db_last_id(void)
{
	return sqlite3_last_insert_rowid(db());
}

const char *db_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

int db_exec_raw(const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db(), sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "dangxiao: SQL error: %s\n", err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int db_begin(void)
{
	if (t_in_write || t_auto_write)
		dx_fatal("db_begin inside a write transaction");
	pthread_mutex_lock(&g_write_mu);
	t_in_write = 1;
	if (db_exec_raw("BEGIN IMMEDIATE") < 0) {
		t_in_write = 0;
		pthread_mutex_unlock(&g_write_mu);
		return -1;
	}
	return 0;
}

static void end_write(void)
{
	if (t_in_write) {
		t_in_write = 0;
		pthread_mutex_unlock(&g_write_mu);
	}
}

static _Thread_local int t_commit_full; /* the last db_commit failed with SQLITE_FULL */

int db_commit(void)
{
	int rc = db_exec_raw("COMMIT");
	t_commit_full = rc < 0 && sqlite3_errcode(db()) == SQLITE_FULL;
	if (rc < 0 && !sqlite3_get_autocommit(db()))
		sqlite3_exec(db(), "ROLLBACK", NULL, NULL, NULL); /* a failed commit changes nothing */
	end_write();
	return rc;
}

int db_commit_full(void)
{
	return t_commit_full;
}

void db_rollback(void)
{
	if (!sqlite3_get_autocommit(db()))
		sqlite3_exec(db(), "ROLLBACK", NULL, NULL, NULL);
	end_write();
}

/* ---- background checkpoints ---- */

static dx_thread g_ckpt = DX_THREAD_INIT;

static void checkpointer(dx_thread *t)
{
	/* PASSIVE: copies what it can without waiting for readers or blocking writers. */
	while (dx_thread_sleep(t, 200))
		sqlite3_wal_checkpoint_v2(db(), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	db_close_thread();
}

int db_checkpointer_start(void)
{
	g_bg_checkpoint = 1;
	return dx_thread_start(&g_ckpt, checkpointer);
}

void db_checkpointer_stop(void)
{
	if (!g_bg_checkpoint)
		return;
	dx_thread_stop(&g_ckpt);
	g_bg_checkpoint = 0;
}
