/* seed.h — the demo academy created on the first `make run`. */
#ifndef DX_SEED_H
#define DX_SEED_H
/* Creates the demo organisations, one user per role and some members (and, as modules add them,
   courses, lectures, quizzes); prints the logins. Does nothing when users exist. 0 or -1. */
int seed_demo(const char *data_dir);
#endif
