/* code.h — certificate verification codes, printed certificate numbers and masked holder names. */
#ifndef DX_CLASSES_CODE_H
#define DX_CLASSES_CODE_H
#include <stddef.h>
#include <stdint.h>

/* A verification code is CODE_BODY symbols of Crockford base32 (5 random bits each: 130 bits from
   libsodium's randombytes_buf) followed by one check symbol from the same alphabet, CODE_LEN in
   all, upper case, no padding, no hyphens: the canonical form used in /verify/{code}. */
#define CODE_BODY 26
#define CODE_LEN  (CODE_BODY + 1)
/* The 32 symbols, in value order (no I, L, O, U). */
#define CODE_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

typedef enum {
	CODE_OK = 0,
	CODE_ERR_LENGTH,   /* not CODE_LEN symbols (after dropping hyphens) */
	CODE_ERR_SYMBOL,   /* a character outside the alphabet and its aliases */
	CODE_ERR_CHECK,    /* every symbol valid but the check symbol does not match: a typo */
} code_err;

/* "classes.code.length" etc. (for a typed-in form; the public /verify page answers every
   failure with the same "not found", so it gives no hint which codes exist). */
const char *code_err_key(code_err e);

/* A fresh random code into out (CODE_LEN + 1 bytes, NUL-terminated). Aborts if libsodium cannot
   be initialised (no randomness is a bug of the host, not an input error). */
void code_new(char out[CODE_LEN + 1]);
/* The check symbol of n body symbols (canonical, upper case): the GF(32) polynomial checksum
   described in docs/classes.md. It catches every single-symbol change and every swap of two
   symbols. Returns 0 if a symbol is outside the alphabet. */
char code_check_symbol(const char *body, size_t n);
/* Reads a code typed or scanned by a person: case-insensitive, Crockford aliases accepted
   (O→0, I and L→1), hyphens ignored. On CODE_OK the canonical form is in out (CODE_LEN + 1 bytes);
   on any error out is "". NULL in is CODE_ERR_LENGTH. */
code_err code_parse(const char *in, char out[CODE_LEN + 1]);

/* The certificate number printed on paper, e.g. "DX-2026-000123": prefix, year, a sequence
   number of at least 6 digits. It identifies; it does not authenticate (the code does).
   Returns the length, or -1 when out (n bytes) is too small, the prefix is empty or not
   [A-Z0-9], the year is outside 1000..9999 or seq < 1. */
int cert_number(char *out, size_t n, const char *prefix, int year, int64_t seq);

/* The holder's name as the public verification page shows it (malloc'd): surrounding spaces
   trimmed; separators (space, '·', '•', '・', '-', '.') kept; of the other characters, with three
   or more the first and the last are kept and those between become '*', with two the second
   becomes '*', one becomes '*': 张三 → 张*, 李小明 → 李*明,
   欧阳小明 → 欧**明, "John Smith" → "J*** ****h", 阿依古丽·买买提 → 阿***·**提; a name of one
   character becomes "*". Empty or invalid UTF-8 input gives "*" (never echoes the bytes). */
char *mask_name(const char *name);
#endif
