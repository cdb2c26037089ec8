/* auth.h — passwords (Argon2id), session tokens (stored hashed), login throttling. */
#ifndef DX_AUTH_H
#define DX_AUTH_H
#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* Call once before threads start (sodium_init). 0 or -1. */
int auth_init(void);
void auth_set_secure_cookie(int on);
/* Argon2id hash string (crypto_pwhash_str) into out[128]; 0 or -1. */
int password_hash(const char *pw, char out[128]);
/* 1 when pw matches the stored hash. */
int password_check(const char *pw, const char *hash);
/* A 256-bit random token as 64 hex characters into out[65]. */
void token_new(char out[65]);
/* SHA-256 of the token, hex, into out[65]: what the sessions table stores. */
void token_hash(const char *token, char out[65]);
/* Resolves a session token to the user (allocated in r's arena), or NULL. */
user *session_lookup(req *r, const char *token);
/* Login throttling (per username and address, per address, per username; see auth.c).
   login_attempt_begin: 0 when the attempt may check its password (s is then filled and
   login_attempt_end must follow), else the seconds to wait (nothing counted). */
typedef struct login_slot {
	struct thr_ent *e[3];
} login_slot;
int login_attempt_begin(const char *username, const char *addr, double now, login_slot *s);
/* Ends an attempt: ok = the password was right. Returns the tries left before a wait (0 when the
   next attempt must wait; *wait, if given, gets the seconds). */
int login_attempt_end(login_slot *s, int ok, double now, int *wait);
/* The wait after `over` failures past the free tries: login_delay_s doubled `over` times, capped. */
double login_delay(int over, double cap);
/* Forgets every counter (tests). */
void login_throttle_reset(void);
/* The client's address as text (IPv6: its /64) into out[64], from the connection. */
void client_address(req *r, char out[64]);
/* Password length rules, in characters (and bytes, as a bound on hashing work). */
#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_CHARS 256
#define PASSWORD_MAX_BYTES 1024
/* NULL for an acceptable password, else the catalog key of the reason
   ("err.weak_password": too short, "err.password_too_long"). */
const char *password_weak(const char *pw);
/* 1 when next is a same-origin path to go to after login: a single "/" followed by anything but
   "/" or "\", no backslash, control character or whitespace, also after percent-decoding. */
int login_next_ok(const char *next);
#endif
