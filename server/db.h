/* db.h — the SQLite layer: one connection per thread, cached prepared statements, typed binding.
 *
 * Every query binds its parameters through a type string, one letter per '?':
 *   'i' int64_t   'd' double   's' const char * (NULL binds NULL)   'n' NULL (no argument)
 *   'b' a blob: two arguments, const void *bytes and int length (hashes, signatures)
 * so the safe call is the short one:  db_exec("UPDATE users SET name=? WHERE id=?", "si", name, id);
 * Statements are cached per thread, keyed by the address of the SQL text, so pass string literals.
 * A loop owns its statement (db_prepare … db_finalize), so loops nest freely, even over the same
 * SQL; db_query and the single-row helpers borrow the cached one, and borrowing one that is still
 * being stepped aborts (unless NDEBUG).
 */
#ifndef DX_DB_H
#define DX_DB_H
#include <sqlite3.h>
#include <stdint.h>

/* Sets the database file used by every thread's connection (call once at start). */
void db_set_path(const char *path);
const char *db_path(void);
/* This thread's connection, opened on first use (busy_timeout, WAL, synchronous=NORMAL, FKs). */
sqlite3 *db(void);
/* Closes this thread's connection and its cached statements. */
void db_close_thread(void);
/* Runs the numbered migrations up to the latest (PRAGMA user_version). 0 or -1. */
int db_migrate(void);
/* Runs the migrations up to schema version `want` only (tests of one migration). 0 or -1. */
int db_migrate_upto(int want);
int db_schema_version(void);

/* A statement a loop owns, as Fossil's Stmt:
 *   db_stmt q;
 *   sqlite3_stmt *st = db_prepare(&q, "SELECT id, name FROM t WHERE org = ?", "i", org);
 *   while (db_step(st) == 1)   (or db_step_s(&q))
 *           … sqlite3_column_int64(st, 0) … db_col_text(st, 1) …
 *   db_finalize(&q);
 * Nothing else uses it until db_finalize: a nested loop or helper over the same SQL gets a
 * statement of its own. (It is the cached statement when that one is free, so a loop costs no
 * prepare in the common case.) */
typedef struct db_stmt {
	sqlite3_stmt *st;
} db_stmt;
/* Prepares and binds q; returns q->st for the column reads. */
sqlite3_stmt *db_prepare(db_stmt *q, const char *sql, const char *types, ...);
/* db_step of q->st. */
int db_step_s(db_stmt *q);
/* Gives q's statement back (the cache's is reset, one of its own finalized); q->st becomes NULL. */
void db_finalize(db_stmt *q);
/* A single-row read: the cached statement, bound, lent until db_done; step it once or twice with
   db_step, read the columns, then db_done. Not for loops (use db_prepare): while it is lent,
   using the same SQL again (a nested call) is a bug that aborts unless NDEBUG. */
sqlite3_stmt *db_query(const char *sql, const char *types, ...);
/* SQLITE_ROW → 1, SQLITE_DONE → 0, error → -1 (logged), constraint violation → -2. */
int db_step(sqlite3_stmt *st);
/* Gives back a db_query statement (always call when finished with it). */
void db_done(sqlite3_stmt *st);
/* Executes a statement to completion. Returns the number of changed rows, or -1 on error
   (-2 on a constraint violation, so callers can answer 409). */
int db_exec(const char *sql, const char *types, ...);
/* First column of the first row as int64/double/malloc'd text, or dflt/NULL when there is no row. */
int64_t db_int(int64_t dflt, const char *sql, const char *types, ...);
double db_double(double dflt, const char *sql, const char *types, ...);
char *db_text(const char *sql, const char *types, ...);
int db_exists(const char *sql, const char *types, ...);
int64_t db_last_id(void);
/* Column helpers that never return NULL for text. */
const char *db_col_text(sqlite3_stmt *st, int i);
/* Write transactions: BEGIN IMMEDIATE, taken in turns on a process-wide mutex (so writers of this
   process queue without sleeping). db_begin returns 0, or -1 with nothing begun (the database
   stayed locked by another process for ~10 s, or an I/O error): the caller must not write and
   must not call db_commit/db_rollback then. Every successful db_begin ends in db_commit or
   db_rollback; db_commit returns 0, or -1 after rolling everything back itself. A writing
   statement outside db_begin (autocommit) takes its turn on the same mutex for its own run. */
int db_begin(void) __attribute__((warn_unused_result));
int db_commit(void) __attribute__((warn_unused_result));
void db_rollback(void);
/* 1 when this thread's last db_commit failed because the disk is full (SQLITE_FULL): callers answer
   507 disk_full instead of a retry-later 503. */
int db_commit_full(void);
/* 1 while this thread has the write turn (inside db_begin, or an autocommit write is open). */
int db_holds_write(void);
/* A thread that checkpoints the WAL every 200 ms, so that no request pays for a checkpoint;
   connections opened after the start stop checkpointing on commit. 0 or -1. */
int db_checkpointer_start(void);
void db_checkpointer_stop(void);
/* Runs raw SQL without parameters (migrations, pragmas). */
int db_exec_raw(const char *sql);
/* The last error message of this thread's connection. */
const char *db_errmsg(void);
#endif
