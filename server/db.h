/* db.h — the SQLite layer: one connection per thread, cached prepared statements, typed binding.
 *
 * Every query binds its parameters through a type string, one letter per '?':
 *   'i' int64_t   'd' double   's' const char * (NULL binds NULL)   'n' NULL (no argument)
 * so the safe call is the short one:  db_exec("UPDATE users SET name=? WHERE id=?", "si", name, id);
 * Statements are cached per thread, keyed by the SQL text, so pass string literals.
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

/* Prepared, bound statement from the cache; step it with db_step, then db_done. */
sqlite3_stmt *db_query(const char *sql, const char *types, ...);
/* SQLITE_ROW → 1, SQLITE_DONE → 0, error → -1 (logged). */
int db_step(sqlite3_stmt *st);
/* Resets a cached statement for reuse (always call when finished with a db_query result). */
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
   process queue without sleeping); every db_begin ends in db_commit or db_rollback. */
int db_begin(void);
int db_commit(void);
void db_rollback(void);
/* A thread that checkpoints the WAL every 200 ms, so that no request pays for a checkpoint;
   connections opened after the start stop checkpointing on commit. 0 or -1. */
int db_checkpointer_start(void);
void db_checkpointer_stop(void);
/* Runs raw SQL without parameters (migrations, pragmas). */
int db_exec_raw(const char *sql);
/* The last error message of this thread's connection. */
const char *db_errmsg(void);
#endif
