/* code.c — verification codes (random, Crockford base32, GF(32) check symbol), certificate numbers,
   masked names. */
#include "classes/code.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

/* Value of a typed character: the alphabet, lower case, and Crockford's aliases; -1 otherwise. */
static int symbol_value(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == 'O')
		return 0;
	if (c == 'I' || c == 'L')
		return 1;
	const char *p = c ? strchr(CODE_ALPHABET, c) : NULL;
	return p ? (int)(p - CODE_ALPHABET) : -1;
}

const char *code_err_key(code_err e)
{
	switch (e) {
	case CODE_OK:         return "classes.ok";
	case CODE_ERR_LENGTH: return "classes.code.length";
	case CODE_ERR_SYMBOL: return "classes.code.symbol";
	case CODE_ERR_CHECK:  return "classes.code.check";
	}
	return "classes.err.unknown";
}

/* Multiplication by the generator α in GF(2^5) built on the primitive polynomial x^5 + x^2 + 1:
   α has order 31, so the weights α^0..α^30 of up to 31 positions are distinct and nonzero. */
static unsigned mul_alpha(unsigned c)
{
	c <<= 1;
	if (c & 0x20)
		c ^= 0x25;
	return c;
}

/* Horner's rule: c = sum of d_i * α^(n-i) over GF(32), so that the whole code satisfies
   sum d_i α^(n-i) + c α^0 = 0 with a distinct nonzero weight on each of the n + 1 <= 31 positions
   (weights α^n..α^1 on the body, α^0 on the check symbol itself). A changed symbol adds
   (d ^ d') α^k ≠ 0; a swap of two different symbols adds (d_j ^ d_k)(α^a ^ α^b) ≠ 0. (With
   weight α^0 on the last body symbol too, swapping it with the check symbol would go unseen.) */
char code_check_symbol(const char *body, size_t n)
{
	unsigned c = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = body[i] ? strchr(CODE_ALPHABET, body[i]) : NULL;
		if (!p)
			return 0;
		c = mul_alpha(c) ^ (unsigned)(p - CODE_ALPHABET);
	}
	return CODE_ALPHABET[mul_alpha(c)];
}

/* 17 random bytes give 136 bits; the first 130 become the 26 body symbols. */
void code_new(char out[CODE_LEN + 1])
{
	if (sodium_init() < 0)
		dx_fatal("libsodium cannot be initialised");
	unsigned char r[17];
	randombytes_buf(r, sizeof r);
	for (int i = 0; i < CODE_BODY; i++) {
		int bit = i * 5, v = 0;
		for (int k = 0; k < 5; k++, bit++)
			v = v << 1 | (r[bit / 8] >> (7 - bit % 8) & 1);
		out[i] = CODE_ALPHABET[v];
	}
	out[CODE_BODY] = code_check_symbol(out, CODE_BODY);
	out[CODE_LEN] = 0;
	sodium_memzero(r, sizeof r);
}

/* Length first (so a truncated paste says so), then symbols, then the check symbol. */
code_err code_parse(const char *in, char out[CODE_LEN + 1])
{
	out[0] = 0;
	if (!in)
		return CODE_ERR_LENGTH;
	char tmp[CODE_LEN + 1];
	size_t n = 0;
	int bad = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p == '-')
			continue;
		if (n == CODE_LEN)
			return CODE_ERR_LENGTH;
		int v = symbol_value(*p);
		if (v < 0)
			bad = 1;
		tmp[n++] = v < 0 ? '?' : CODE_ALPHABET[v];
	}
	if (n != CODE_LEN)
		return CODE_ERR_LENGTH;
	if (bad)
		return CODE_ERR_SYMBOL;
	if (code_check_symbol(tmp, CODE_BODY) != tmp[CODE_BODY])
		return CODE_ERR_CHECK;
	memcpy(out, tmp, CODE_LEN);
	out[CODE_LEN] = 0;
	return CODE_OK;
}

int cert_number(char *out, size_t n, const char *prefix, int year, int64_t seq)
{
	if (!out || !prefix || !*prefix || year < 1000 || year > 9999 || seq < 1)
		return -1;
	for (const char *p = prefix; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return -1;
	int len = snprintf(out, n, "%s-%04d-%06lld", prefix, year, (long long)seq);
	if (len < 0 || (size_t)len >= n) {
		if (n)
			out[0] = 0;
		return -1;
	}
	return len;
}

/* Length of the UTF-8 sequence starting at s (validated by the caller). */
static size_t u8len(const unsigned char *s)
{
	if (*s < 0x80)
		return 1;
	if (*s < 0xE0)
		return 2;
	if (*s < 0xF0)
		return 3;
	return 4;
}

/* Separators between the parts of a name, kept in the masked form. */
static int is_separator(const char *s, size_t len)
{
	static const char *const seps[] = { " ", "-", ".", "\xC2\xB7" /* · */, "\xE2\x80\xA2" /* • */,
					    "\xE3\x83\xBB" /* ・ */, "\xEF\xBC\x8E" /* ． */, "\xE2\x80\xA7" /* ‧ */ };
	for (size_t i = 0; i < ARRAY_LEN(seps); i++)
		if (strlen(seps[i]) == len && memcmp(seps[i], s, len) == 0)
			return 1;
	return 0;
}

char *mask_name(const char *name)
{
	if (!name || !utf8_ok(name, strlen(name)))
		return xstrdup("*");
	const char *b = name, *e = name + strlen(name);
	while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	/* Count the characters that are not separators. */
	size_t letters = 0;
	for (const char *p = b; p < e; p += u8len((const unsigned char *)p))
		letters += !is_separator(p, u8len((const unsigned char *)p));
	if (letters == 0)
		return xstrdup("*");
	buf out;
	buf_init(&out);
	size_t k = 0; /* index among the letters */
	for (const char *p = b; p < e;) {
		size_t len = u8len((const unsigned char *)p);
		if (is_separator(p, len)) {
			buf_add(&out, p, len);
		} else {
			int keep = letters >= 2 && (k == 0 || (letters >= 3 && k == letters - 1));
			if (keep)
				buf_add(&out, p, len);
			else
				buf_putc(&out, '*');
			k++;
		}
		p += len;
	}
	return buf_steal(&out);
}
