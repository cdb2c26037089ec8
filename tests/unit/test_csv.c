/* test_csv.c — cmocka unit tests for the RFC 4180 CSV reader and UTF-8 helpers (server/csv.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

/* Parses a NUL-terminated literal and asserts success. */
static void parse_ok(const char *s, csv_doc *doc)
{
    assert_int_equal(csv_parse(s, strlen(s), doc), 0);
    assert_string_equal(doc->err, "");
}

/* Asserts that row i is well formed, starts on line, and has the given fields. */
static void check_row(const csv_doc *doc, int i, int line, int n, const char *const *want)
{
    assert_true(i < doc->nrows);
    const csv_row *r = &doc->rows[i];
    assert_null(r->error);
    assert_int_equal(r->line, line);
    assert_int_equal(r->nfields, n);
    assert_non_null(r->fields);
    for (int k = 0; k < n; k++)
        assert_string_equal(r->fields[k], want[k]);
}

/* Asserts that row i is a malformed record on line whose message contains needle. */
static void check_bad(const csv_doc *doc, int i, int line, const char *needle)
{
    assert_true(i < doc->nrows);
    const csv_row *r = &doc->rows[i];
    assert_int_equal(r->line, line);
    assert_int_equal(r->nfields, -1);
    assert_null(r->fields);
    assert_non_null(r->error);
    assert_non_null(strstr(r->error, needle));
}

#define ROW(doc, i, line, ...)                                                   \
    do {                                                                         \
        static const char *const w_[] = {__VA_ARGS__};                           \
        check_row((doc), (i), (line), (int)(sizeof w_ / sizeof w_[0]), w_);      \
    } while (0)

static void test_bom_stripped(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("\xEF\xBB\xBFname,branch\n张三,省委/组织部/一支部\n", &d);
    assert_int_equal(d.nrows, 2);
    ROW(&d, 0, 1, "name", "branch");
    ROW(&d, 1, 2, "张三", "省委/组织部/一支部");
    csv_free(&d);

    parse_ok("\xEF\xBB\xBF", &d); /* BOM only: empty document */
    assert_int_equal(d.nrows, 0);
    csv_free(&d);

    parse_ok("\xEF\xBB\xBF\"quoted\"", &d); /* BOM directly before a quote */
    ROW(&d, 0, 1, "quoted");
    csv_free(&d);
}

static void test_chinese_fields(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("姓名,所属支部,职务\n李四,\"省委/组织部/一支部\",书记\n", &d);
    assert_int_equal(d.nrows, 2);
    ROW(&d, 0, 1, "姓名", "所属支部", "职务");
    ROW(&d, 1, 2, "李四", "省委/组织部/一支部", "书记");
    const char *b = d.rows[1].fields[1];
    assert_true(utf8_ok(b, strlen(b)));
    assert_int_equal(utf8_chars(b), 10);
    csv_free(&d);
}

static void test_quoted_commas(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("a,\"b,c\",d\n\",\",\",,\"\n", &d);
    assert_int_equal(d.nrows, 2);
    ROW(&d, 0, 1, "a", "b,c", "d");
    ROW(&d, 1, 2, ",", ",,");
    csv_free(&d);
}

static void test_doubled_quotes(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("\"say \"\"hi\"\"\",\"\",\"\"\"\"\n", &d);
    assert_int_equal(d.nrows, 1);
    ROW(&d, 0, 1, "say \"hi\"", "", "\"");
    csv_free(&d);
}

static void test_empty_fields(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok(",\na,\n,b\n,,\n", &d);
    assert_int_equal(d.nrows, 4);
    ROW(&d, 0, 1, "", "");
    ROW(&d, 1, 2, "a", "");
    ROW(&d, 2, 3, "", "b");
    ROW(&d, 3, 4, "", "", "");
    csv_free(&d);
}

static void test_newline_in_quotes(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("1,\"第一行\n第二行\"\n2,x\n3,\"a\r\nb\rc\"\r\n4,y", &d);
    assert_int_equal(d.nrows, 4);
    ROW(&d, 0, 1, "1", "第一行\n第二行");
    ROW(&d, 1, 3, "2", "x");
    ROW(&d, 2, 4, "3", "a\r\nb\rc"); /* spans lines 4, 5, 6 */
    ROW(&d, 3, 7, "4", "y");
    csv_free(&d);
}

static void test_crlf(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("a,b\r\nc,\"d\"\r\n\r\ne,f\r\n", &d);
    assert_int_equal(d.nrows, 3);
    ROW(&d, 0, 1, "a", "b");
    ROW(&d, 1, 2, "c", "d");
    ROW(&d, 2, 4, "e", "f");
    csv_free(&d);

    parse_ok("a\rb\r\rc", &d); /* lone CR line ends */
    assert_int_equal(d.nrows, 3);
    ROW(&d, 0, 1, "a");
    ROW(&d, 1, 2, "b");
    ROW(&d, 2, 4, "c");
    csv_free(&d);
}

static void test_missing_final_newline(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("a,b\nc,d", &d);
    assert_int_equal(d.nrows, 2);
    ROW(&d, 1, 2, "c", "d");
    csv_free(&d);

    parse_ok("x,\"y\"", &d);
    ROW(&d, 0, 1, "x", "y");
    csv_free(&d);

    parse_ok("x,", &d);
    ROW(&d, 0, 1, "x", "");
    csv_free(&d);
}

static void test_blank_lines_skipped(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("\n\na\n\r\n\nb\n\n", &d);
    assert_int_equal(d.nrows, 2);
    ROW(&d, 0, 3, "a");
    ROW(&d, 1, 6, "b");
    csv_free(&d);

    parse_ok("", &d);
    assert_int_equal(d.nrows, 0);
    csv_free(&d);

    assert_int_equal(csv_parse(NULL, 0, &d), 0);
    assert_int_equal(d.nrows, 0);
    csv_free(&d);
    csv_free(&d); /* idempotent */
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    csv_doc d;
    parse_ok("姓名,支部\n张三,\"省委\n李四,组织部\n王五,一支部\n", &d);
    assert_int_equal(d.nrows, 4);
    ROW(&d, 0, 1, "姓名", "支部");
    check_bad(&d, 1, 2, "unterminated");
    assert_non_null(strstr(d.rows[1].error, "field 2"));
    ROW(&d, 2, 3, "李四", "组织部");
    ROW(&d, 3, 4, "王五", "一支部");
    csv_free(&d);

    parse_ok("a\n\"", &d); /* a lone quote as the last byte */
    assert_int_equal(d.nrows, 2);
    check_bad(&d, 1, 2, "unterminated");
    csv_free(&d);
}

static void test_stray_quote_resyncs(void **state)
{
    (void)state;
    csv_doc d;
    /* The quote opened on line 1 closes on line 3 and is followed by text: line 1 is reported,
       lines 2 and 3 are re-read on their own and kept. */
    parse_ok("1,\"x\n2,y\n3,\"z\"\n", &d);
    assert_int_equal(d.nrows, 3);
    check_bad(&d, 0, 1, "after closing quote on line 3");
    ROW(&d, 1, 2, "2", "y");
    ROW(&d, 2, 3, "3", "z");
    csv_free(&d);

    parse_ok("a,b\"c,d\r\ne,f\r\n\"g\"h,i\nj\n", &d);
    assert_int_equal(d.nrows, 4);
    check_bad(&d, 0, 1, "quote inside an unquoted field");
    ROW(&d, 1, 2, "e", "f");
    check_bad(&d, 2, 3, "after closing quote");
    ROW(&d, 3, 4, "j");
    csv_free(&d);

    /* a multi-line record broken after its first line: error reported at its start line */
    parse_ok("ok\n\"a\nb\" c\nd\n", &d);
    assert_int_equal(d.nrows, 4);
    ROW(&d, 0, 1, "ok");
    check_bad(&d, 1, 2, "field 1");
    check_bad(&d, 2, 3, "quote inside an unquoted field");
    ROW(&d, 3, 4, "d");
    csv_free(&d);
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char in[] = "a,b\0c\nd\n\"e\0\"\nf";
    csv_doc d;
    assert_int_equal(csv_parse(in, sizeof in - 1, &d), 0);
    assert_int_equal(d.nrows, 4);
    check_bad(&d, 0, 1, "NUL");
    ROW(&d, 1, 2, "d");
    check_bad(&d, 2, 3, "NUL");
    ROW(&d, 3, 4, "f");
    csv_free(&d);
}

/* Builds "a,<n x fill>[,b]\n" optionally quoting the long field. */
static char *long_field_line(size_t n, int quoted)
{
    char *s = malloc(n + 16);
    assert_non_null(s);
    size_t k = 0;
    s[k++] = 'a';
    s[k++] = ',';
    if (quoted)
        s[k++] = '"';
    memset(s + k, 'x', n);
    k += n;
    if (quoted)
        s[k++] = '"';
    memcpy(s + k, ",b\n", 4);
    return s;
}

static void test_field_too_long(void **state)
{
    (void)state;
    csv_doc d;
    for (int quoted = 0; quoted <= 1; quoted++) {
        char *s = long_field_line(CSV_MAX_FIELD_LEN, quoted);
        parse_ok(s, &d);
        assert_int_equal(d.nrows, 1);
        assert_int_equal(strlen(d.rows[0].fields[1]), CSV_MAX_FIELD_LEN);
        assert_string_equal(d.rows[0].fields[2], "b");
        csv_free(&d);
        free(s);

        s = long_field_line(CSV_MAX_FIELD_LEN + 1, quoted);
        size_t n = strlen(s);
        char *two = malloc(n + 8);
        assert_non_null(two);
        memcpy(two, "h1,h2\n", 6);
        memcpy(two + 6, s, n + 1);
        assert_int_equal(csv_parse(two, strlen(two), &d), -1);
        assert_int_equal(d.err_line, 2);
        assert_non_null(strstr(d.err, "field 2"));
        assert_non_null(strstr(d.err, "4096"));
        assert_int_equal(d.nrows, 0);
        assert_null(d.rows);
        csv_free(&d);
        free(two);
        free(s);
    }

    /* An unterminated quote swallowing more than the limit is a bad row, not a global failure. */
    size_t big = 3 * CSV_MAX_FIELD_LEN;
    char *s = malloc(big + 16);
    assert_non_null(s);
    memcpy(s, "\"open\n", 6);
    for (size_t i = 6; i < big; i++)
        s[i] = (i % 10 == 9) ? '\n' : 'y';
    s[big] = '\0';
    assert_int_equal(csv_parse(s, big, &d), 0);
    assert_true(d.nrows > 1);
    check_bad(&d, 0, 1, "unterminated");
    ROW(&d, 1, 2, "yyy");
    csv_free(&d);
    free(s);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    char line[4 * (CSV_MAX_FIELDS + 2)];
    csv_doc d;
    size_t k = 0;
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        line[k++] = 'f', line[k++] = ',';
    line[k - 1] = '\n';
    line[k] = '\0';
    parse_ok(line, &d);
    assert_int_equal(d.rows[0].nfields, CSV_MAX_FIELDS);
    csv_free(&d);

    line[k - 1] = ',';
    line[k++] = 'g';
    line[k++] = '\n';
    line[k] = '\0';
    assert_int_equal(csv_parse(line, k, &d), -1);
    assert_int_equal(d.err_line, 1);
    assert_non_null(strstr(d.err, "64"));
    csv_free(&d);
}

static void test_too_many_rows(void **state)
{
    (void)state;
    size_t n = (size_t)CSV_MAX_ROWS + 1;
    char *s = malloc(2 * n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[2 * i] = 'r', s[2 * i + 1] = '\n';
    csv_doc d;
    assert_int_equal(csv_parse(s, 2 * (n - 1), &d), 0);
    assert_int_equal(d.nrows, CSV_MAX_ROWS);
    assert_int_equal(d.rows[CSV_MAX_ROWS - 1].line, CSV_MAX_ROWS);
    csv_free(&d);

    assert_int_equal(csv_parse(s, 2 * n, &d), -1);
    assert_int_equal(d.err_line, CSV_MAX_ROWS + 1);
    assert_non_null(strstr(d.err, "rows"));
    assert_int_equal(d.nrows, 0);
    csv_free(&d);
    free(s);
}

static void test_utf8_ok(void **state)
{
    (void)state;
#define OK(lit) assert_int_equal(utf8_ok(lit, sizeof lit - 1), 1)
#define BAD(lit) assert_int_equal(utf8_ok(lit, sizeof lit - 1), 0)
    OK("");
    OK("plain ascii, 123");
    OK("省委/组织部/一支部");
    OK("\xC2\x80");               /* U+0080 */
    OK("\xDF\xBF");               /* U+07FF */
    OK("\xE0\xA0\x80");           /* U+0800 */
    OK("\xED\x9F\xBF");           /* U+D7FF, just below the surrogates */
    OK("\xEE\x80\x80");           /* U+E000 */
    OK("\xEF\xBB\xBF");           /* BOM */
    OK("\xF0\x9F\x98\x80");       /* U+1F600 */
    OK("\xF4\x8F\xBF\xBF");       /* U+10FFFF */
    BAD("\xC0\x80");              /* overlong NUL */
    BAD("\xC1\xBF");              /* overlong */
    BAD("\xE0\x80\x80");          /* overlong 3-byte */
    BAD("\xE0\x9F\xBF");          /* overlong 3-byte */
    BAD("\xF0\x80\x80\x80");      /* overlong 4-byte */
    BAD("\xF0\x8F\xBF\xBF");      /* overlong 4-byte */
    BAD("\xED\xA0\x80");          /* U+D800 surrogate */
    BAD("\xED\xBF\xBF");          /* U+DFFF surrogate */
    BAD("\xE4\xB8");              /* truncated 中 */
    BAD("ab\xE4");                /* truncated at end */
    BAD("\xE4\xB8x");             /* bad continuation */
    BAD("\xF4\x90\x80\x80");      /* U+110000 */
    BAD("\xF5\x80\x80\x80");
    BAD("\xF8\x88\x80\x80\x80");
    BAD("\xFF");
    BAD("\x80");                  /* stray continuation */
    BAD("a\xBF" "b");
#undef OK
#undef BAD
    /* length is honoured: the valid prefix of a truncated sequence */
    assert_int_equal(utf8_ok("中\xE4\xB8", 3), 1);
    assert_int_equal(utf8_ok("中\xE4\xB8", 5), 0);
}

static void test_utf8_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars("张三"), 2);
    assert_int_equal(utf8_chars("省委/组织部/一支部"), 10);
    assert_int_equal(utf8_chars("a\xC2\x80\xF0\x9F\x98\x80z"), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bom_stripped),
        cmocka_unit_test(test_chinese_fields),
        cmocka_unit_test(test_quoted_commas),
        cmocka_unit_test(test_doubled_quotes),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_newline_in_quotes),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_missing_final_newline),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_stray_quote_resyncs),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_field_too_long),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_too_many_rows),
        cmocka_unit_test(test_utf8_ok),
        cmocka_unit_test(test_utf8_chars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
