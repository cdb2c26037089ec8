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
/* Login throttling: 1 when the username has 5 failures within 15 minutes. */
int login_throttled(const char *username);
/* Minimum acceptable password: 8+ characters. Returns NULL or an English reason. */
const char *password_weak(const char *pw);
#endif
