/* test_credit.c — cmocka unit tests for courses/credit: coverage sets, JSON, heartbeat rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "courses/credit.h"

#define EPS 1e-9

/* A fresh session: anchored at t=1000 s, position 0, 600 s lecture, nothing studied today. */
static hb_state mkstate(double duration)
{
    hb_state st = { .last_at = 1000, .last_pos = 0, .duration = duration,
                    .today_study_s = 0, .max_rate = 1.0 };
    return st;
}

static void assert_cov(const cov_set *c, const double *pairs, int n)
{
    assert_int_equal(c->n, n);
    for (int k = 0; k < n; k++) {
        assert_float_equal(c->iv[k].start, pairs[2 * k], EPS);
        assert_float_equal(c->iv[k].end, pairs[2 * k + 1], EPS);
    }
}

/* Sorted, disjoint, non-touching, non-empty. */
static void assert_invariant(const cov_set *c)
{
    for (int k = 0; k < c->n; k++) {
        assert_true(c->iv[k].start < c->iv[k].end);
        if (k)
            assert_true(c->iv[k - 1].end < c->iv[k].start);
    }
}

/* ------------------------------------------------------------- interval merging */

static void test_cov_empty(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    assert_int_equal(c.n, 0);
    assert_float_equal(cov_length(&c), 0, EPS);
    assert_float_equal(cov_uncovered(&c, 0, 10), 10, EPS);
    cov_free(&c);
    cov_free(&c);                    /* freeing twice is harmless */
    assert_int_equal(c.n, 0);
}

static void test_cov_touching_merge(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    cov_add(&c, 0, 10);
    cov_add(&c, 10, 20);             /* touches on the right */
    cov_add(&c, -5, 0);              /* touches on the left */
    assert_cov(&c, (double[]){ -5, 20 }, 1);
    assert_float_equal(cov_length(&c), 25, EPS);
    cov_free(&c);
}

static void test_cov_contained_and_containing(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    cov_add(&c, 10, 50);
    cov_add(&c, 20, 30);             /* contained: no change */
    assert_cov(&c, (double[]){ 10, 50 }, 1);
    cov_add(&c, 10, 50);             /* identical: no change */
    assert_cov(&c, (double[]){ 10, 50 }, 1);
    cov_add(&c, 60, 70);
    cov_add(&c, 80, 90);
    cov_add(&c, 5, 100);             /* swallows all three */
    assert_cov(&c, (double[]){ 5, 100 }, 1);
    cov_free(&c);
}

static void test_cov_disjoint_insert_positions(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    cov_add(&c, 40, 50);
    cov_add(&c, 0, 10);              /* front */
    cov_add(&c, 80, 90);             /* back */
    cov_add(&c, 20, 30);             /* middle */
    assert_cov(&c, (double[]){ 0, 10, 20, 30, 40, 50, 80, 90 }, 4);
    cov_add(&c, 25, 45);             /* bridges two */
    assert_cov(&c, (double[]){ 0, 10, 20, 50, 80, 90 }, 3);
    cov_add(&c, 50, 80);             /* touches both ends */
    assert_cov(&c, (double[]){ 0, 10, 20, 90 }, 2);
    assert_float_equal(cov_length(&c), 80, EPS);
    cov_free(&c);
}

static void test_cov_ignores_empty_and_nonfinite(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    cov_add(&c, 5, 5);
    cov_add(&c, 9, 3);
    cov_add(&c, NAN, 3);
    cov_add(&c, 0, INFINITY);
    cov_add(&c, -INFINITY, 1);
    assert_int_equal(c.n, 0);
    cov_free(&c);
}

/* Many intervals in scrambled order, checked against a per-second bitmap. */
static void test_cov_many_out_of_order(void **state)
{
    (void)state;
    enum { N = 1000 };
    unsigned char ref[N] = { 0 };
    cov_set c;
    cov_init(&c);
    unsigned seed = 12345;
    for (int k = 0; k < 400; k++) {
        seed = seed * 1103515245u + 12345u;
        int a = (int)((seed >> 8) % N);
        seed = seed * 1103515245u + 12345u;
        int len = 1 + (int)((seed >> 8) % 7);
        int b = a + len > N ? N : a + len;
        cov_add(&c, a, b);
        for (int s = a; s < b; s++)
            ref[s] = 1;
        assert_invariant(&c);
    }
    double want = 0;
    for (int s = 0; s < N; s++)
        want += ref[s];
    assert_float_equal(cov_length(&c), want, EPS);
    for (int s = 0; s < N; s++)
        assert_float_equal(cov_uncovered(&c, s, s + 1), ref[s] ? 0 : 1, EPS);
    assert_float_equal(cov_uncovered(&c, 0, N), N - want, EPS);
    /* Descending single seconds end up as one interval. */
    cov_set d;
    cov_init(&d);
    for (int s = 99; s >= 0; s--)
        cov_add(&d, s, s + 1);
    assert_cov(&d, (double[]){ 0, 100 }, 1);
    cov_free(&d);
    cov_free(&c);
}

static void test_cov_uncovered(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    cov_add(&c, 10, 20);
    cov_add(&c, 30, 40);
    assert_float_equal(cov_uncovered(&c, 0, 50), 30, EPS);
    assert_float_equal(cov_uncovered(&c, 12, 18), 0, EPS);
    assert_float_equal(cov_uncovered(&c, 15, 35), 10, EPS);
    assert_float_equal(cov_uncovered(&c, 40, 45), 5, EPS);
    assert_float_equal(cov_uncovered(&c, 45, 40), 0, EPS);
    cov_free(&c);
}

/* ----------------------------------------------------------------------- JSON */

static void test_json_round_trip(void **state)
{
    (void)state;
    cov_set c, d;
    cov_init(&c);
    cov_init(&d);
    char *j = cov_to_json(&c);
    assert_string_equal(j, "[]");
    assert_int_equal(cov_from_json(&d, j), 0);
    assert_int_equal(d.n, 0);
    free(j);

    cov_add(&c, 30, 45);
    cov_add(&c, 0, 15.5);
    j = cov_to_json(&c);
    assert_string_equal(j, "[[0,15.5],[30,45]]");
    assert_int_equal(cov_from_json(&d, j), 0);
    assert_cov(&d, (double[]){ 0, 15.5, 30, 45 }, 2);
    free(j);

    /* Awkward values must come back bit-exact. */
    cov_free(&c);
    double v[] = { 0.1, 1.0 / 3, 1e-7, 2.0 / 3, 123456.789, 123456.7891, 1e300, 1.5e301 };
    for (size_t k = 0; k + 1 < sizeof v / sizeof v[0]; k += 2)
        cov_add(&c, v[k], v[k + 1]);
    j = cov_to_json(&c);
    assert_int_equal(cov_from_json(&d, j), 0);
    assert_int_equal(d.n, c.n);
    for (int k = 0; k < c.n; k++) {
        assert_true(d.iv[k].start == c.iv[k].start);
        assert_true(d.iv[k].end == c.iv[k].end);
    }
    free(j);
    cov_free(&c);
    cov_free(&d);
}

static void test_json_lenient_forms(void **state)
{
    (void)state;
    cov_set d;
    cov_init(&d);
    assert_int_equal(cov_from_json(&d, " [ [ 0 , 1.5e1 ] ,\n[30,45],[10,20] ]\t"), 0);
    assert_cov(&d, (double[]){ 0, 20, 30, 45 }, 2);     /* unsorted, overlapping: merged */
    assert_int_equal(cov_from_json(&d, "[[5,5]]"), 0);  /* empty interval: valid, ignored */
    assert_int_equal(d.n, 0);
    assert_int_equal(cov_from_json(&d, "[[-0,2E+1]]"), 0);
    assert_cov(&d, (double[]){ 0, 20 }, 1);
    assert_false(signbit(d.iv[0].start));
    cov_free(&d);
}

static void test_json_garbage_rejected(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", " ", "[", "]", "[[", "[]]", "[] x", "[],", "{}", "null", "[[1]]", "[[1,2,3]]",
        "[[1,2],]", "[,[1,2]]", "[[1,2][3,4]]", "[[1 2]]", "[[1,,2]]", "[1,2]", "[[[1,2]]]",
        "[[NaN,1]]", "[[nan,1]]", "[[0,inf]]", "[[0,Infinity]]", "[[0,1e999]]", "[[-1,2]]",
        "[[-0.5,2]]", "[[3,2]]", "[[0x10,20]]", "[[1.,2]]", "[[.5,2]]", "[[1e,2]]", "[[+1,2]]",
        "[[01,2]]", "[[1,2]]\x01", "[[\"1\",2]]", "[[1,2]] [[3,4]]", "[[ 1 , 2 ]", "[[1,-2]]",
    };
    cov_set d;
    cov_init(&d);
    cov_add(&d, 7, 9);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        if (cov_from_json(&d, bad[k]) != -1)
            fail_msg("accepted garbage: \"%s\"", bad[k]);
        assert_cov(&d, (double[]){ 7, 9 }, 1);          /* untouched on failure */
    }
    assert_int_equal(cov_from_json(&d, NULL), -1);
    char nul_inside[] = "[[1,2]]\0[[3";
    assert_int_equal(cov_from_json(&d, nul_inside), 0); /* C string ends at the NUL */
    assert_cov(&d, (double[]){ 1, 2 }, 1);
    cov_free(&d);
}

/* ------------------------------------------------------------------ heartbeats */

static void test_hb_too_soon_boundary(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    hb_state before = st;
    hb_outcome o = credit_heartbeat(&st, &c, 1004.999, 4.9, 1);
    assert_int_equal(o.result, HB_TOO_SOON);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_int_equal(o.coverage_changed, 0);
    assert_memory_equal(&st, &before, sizeof st);        /* not re-anchored */
    assert_int_equal(c.n, 0);
    /* Still measured from the original anchor: exactly 5 s is accepted. */
    o = credit_heartbeat(&st, &c, 1005, 5, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 5, EPS);
    assert_int_equal(o.coverage_changed, 1);
    assert_float_equal(st.last_at, 1005, EPS);
    assert_float_equal(st.last_pos, 5, EPS);
    /* A clock going backwards is also "too soon". */
    o = credit_heartbeat(&st, &c, 900, 6, 1);
    assert_int_equal(o.result, HB_TOO_SOON);
    cov_free(&c);
}

static void test_hb_gap_boundary(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1060, 60, 1);   /* exactly 60 s: fine */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 60, EPS);
    assert_cov(&c, (double[]){ 0, 60 }, 1);

    o = credit_heartbeat(&st, &c, 1120.5, 120, 1);           /* 60.5 s: a gap */
    assert_int_equal(o.result, HB_REANCHOR_GAP);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_int_equal(o.coverage_changed, 0);
    assert_cov(&c, (double[]){ 0, 60 }, 1);
    assert_float_equal(st.last_at, 1120.5, EPS);
    assert_float_equal(st.last_pos, 120, EPS);
    assert_float_equal(st.today_study_s, 60, EPS);

    o = credit_heartbeat(&st, &c, 1130.5, 130, 1);           /* resumes from the new anchor */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);
    assert_cov(&c, (double[]){ 0, 60, 120, 130 }, 2);
    cov_free(&c);
}

static void test_hb_seek_16x(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 160, 1);  /* 16x */
    assert_int_equal(o.result, HB_REANCHOR_SEEK);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_int_equal(o.coverage_changed, 0);
    assert_int_equal(c.n, 0);
    assert_float_equal(st.last_pos, 160, EPS);
    assert_float_equal(st.last_at, 1010, EPS);
    assert_float_equal(st.today_study_s, 0, EPS);
    o = credit_heartbeat(&st, &c, 1020, 170, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);
    assert_cov(&c, (double[]){ 160, 170 }, 1);
    assert_float_equal(cov_uncovered(&c, 0, 160), 160, EPS); /* skipped part never covered */
    cov_free(&c);
    /* Sustained 16x playback never earns anything nor covers anything. */
    st = mkstate(10000);
    for (int k = 1; k <= 20; k++) {
        o = credit_heartbeat(&st, &c, 1000 + 10 * k, 160.0 * k, 1);
        assert_int_equal(o.result, HB_REANCHOR_SEEK);
        assert_float_equal(o.credited_s, 0, EPS);
    }
    assert_int_equal(c.n, 0);
    assert_float_equal(st.today_study_s, 0, EPS);
}

static void test_hb_backward_seek(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    st.last_pos = 100;
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 99.9, 1);
    assert_int_equal(o.result, HB_REANCHOR_SEEK);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_int_equal(c.n, 0);
    assert_float_equal(st.last_pos, 99.9, EPS);
    assert_float_equal(st.last_at, 1010, EPS);
    cov_free(&c);
}

static void test_hb_slack_boundary(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 12, 1);   /* 10*1 + 2: accepted */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);               /* min(wall, advance) */
    assert_cov(&c, (double[]){ 0, 10 }, 1);                  /* coverage: no faster than real time */

    o = credit_heartbeat(&st, &c, 1020, 24.001, 1);          /* just over the slack */
    assert_int_equal(o.result, HB_REANCHOR_SEEK);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_cov(&c, (double[]){ 0, 10 }, 1);
    cov_free(&c);
}

/* A script that posts advance = wall + 2 (the slack) every 5 s must not cover the lecture faster
   than real time: 100 such heartbeats over 500 s cover 500 s, not 700 s. */
static void test_hb_slack_gives_no_extra_coverage(void **state)
{
    (void)state;
    hb_state st = mkstate(3600);
    cov_set c;
    cov_init(&c);
    double t = 1000, p = 0;
    for (int i = 0; i < 100; i++) {
        t += 5;
        p += 7;
        hb_outcome o = credit_heartbeat(&st, &c, t, p, 1);
        assert_int_equal(o.result, HB_CREDITED);
        assert_float_equal(o.credited_s, 5, EPS);
    }
    assert_true(cov_length(&c) <= 500 + EPS);
    assert_float_equal(st.today_study_s, 500, EPS);
    cov_free(&c);
}

static void test_hb_max_rate_2(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    /* At the default rate a 2x advance is a seek. */
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 20, 1);
    assert_int_equal(o.result, HB_REANCHOR_SEEK);

    st = mkstate(600);
    st.max_rate = 2.0;
    o = credit_heartbeat(&st, &c, 1010, 20, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);               /* wall-clock bounded */
    assert_cov(&c, (double[]){ 0, 20 }, 1);
    o = credit_heartbeat(&st, &c, 1020, 42, 1);              /* 10*2 + 2 */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);
    o = credit_heartbeat(&st, &c, 1030, 64.01, 1);           /* over 2x + slack */
    assert_int_equal(o.result, HB_REANCHOR_SEEK);
    assert_cov(&c, (double[]){ 0, 40 }, 1);                  /* 20 + 10 s × 2, not the slack */
    cov_free(&c);
}

static void test_hb_bad_max_rate_means_default(void **state)
{
    (void)state;
    double rates[] = { 0, -3, NAN, INFINITY };
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        hb_state st = mkstate(600);
        st.max_rate = rates[k];
        cov_set c;
        cov_init(&c);
        assert_int_equal(credit_heartbeat(&st, &c, 1010, 12, 1).result, HB_CREDITED);
        assert_int_equal(credit_heartbeat(&st, &c, 1020, 24.5, 1).result, HB_REANCHOR_SEEK);
        cov_free(&c);
    }
}

static void test_hb_credit_is_min(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 7, 1);    /* slow playback / buffering */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 7, EPS);
    o = credit_heartbeat(&st, &c, 1016, 15, 1);              /* advance 8 > wall 6 (slack) */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 6, EPS);               /* coverage [7, 13]: 6 s of real time */
    o = credit_heartbeat(&st, &c, 1026, 15, 1);              /* stalled: playing, no advance */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_int_equal(o.coverage_changed, 0);
    assert_float_equal(st.today_study_s, 13, EPS);
    assert_cov(&c, (double[]){ 0, 13 }, 1);
    cov_free(&c);
}

static void test_hb_rewatch_no_coverage(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    double t = 1000;
    for (int p = 10; p <= 30; p += 10)
        assert_int_equal(credit_heartbeat(&st, &c, t += 10, p, 1).result, HB_CREDITED);
    assert_cov(&c, (double[]){ 0, 30 }, 1);
    assert_int_equal(credit_heartbeat(&st, &c, t += 10, 0, 1).result, HB_REANCHOR_SEEK);
    hb_outcome o = credit_heartbeat(&st, &c, t += 10, 10, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);               /* study time still counts */
    assert_int_equal(o.coverage_changed, 0);
    assert_cov(&c, (double[]){ 0, 30 }, 1);
    o = credit_heartbeat(&st, &c, t += 10, 20, 1);
    assert_int_equal(o.coverage_changed, 0);
    o = credit_heartbeat(&st, &c, t += 10, 30, 1);
    assert_int_equal(o.coverage_changed, 0);
    o = credit_heartbeat(&st, &c, t += 10, 40, 1);           /* partly new */
    assert_int_equal(o.coverage_changed, 1);
    assert_cov(&c, (double[]){ 0, 40 }, 1);
    cov_free(&c);
}

static void test_hb_daily_cap(void **state)
{
    (void)state;
    hb_state st = mkstate(60);
    st.today_study_s = 55;
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 10, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 5, EPS);
    assert_float_equal(st.today_study_s, 60, EPS);
    o = credit_heartbeat(&st, &c, 1020, 20, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_float_equal(st.today_study_s, 60, EPS);
    assert_int_equal(o.coverage_changed, 1);                 /* coverage is not capped */
    assert_cov(&c, (double[]){ 0, 20 }, 1);

    /* Whole lecture watched twice in a day: credited exactly once. */
    st = mkstate(60);
    cov_free(&c);
    double total = 0, t = 1000;
    for (int round = 0; round < 2; round++) {
        if (round)
            credit_heartbeat(&st, &c, t += 10, 0, 1);        /* seek back to the start */
        for (int p = 10; p <= 60; p += 10)
            total += credit_heartbeat(&st, &c, t += 10, p, 1).credited_s;
    }
    assert_float_equal(total, 60, EPS);
    assert_float_equal(st.today_study_s, 60, EPS);

    /* Already above the cap (e.g. duration shortened): nothing, never negative. */
    st = mkstate(60);
    st.today_study_s = 90;
    o = credit_heartbeat(&st, &c, 1010, 10, 1);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_float_equal(st.today_study_s, 90, EPS);
    cov_free(&c);
}

static void test_hb_completion_once(void **state)
{
    (void)state;
    hb_state st = mkstate(100);
    cov_set c;
    cov_init(&c);
    double t = 1000;
    hb_outcome o;
    for (int p = 10; p <= 90; p += 10) {
        o = credit_heartbeat(&st, &c, t += 10, p, 1);
        assert_int_equal(o.became_complete, 0);
    }
    o = credit_heartbeat(&st, &c, t += 5, 94.9, 1);
    assert_int_equal(o.became_complete, 0);
    assert_false(lecture_complete(&c, 100));
    o = credit_heartbeat(&st, &c, t += 5, 95, 1);           /* exactly 95 % */
    assert_int_equal(o.result, HB_CREDITED);
    assert_int_equal(o.became_complete, 1);
    assert_true(lecture_complete(&c, 100));
    o = credit_heartbeat(&st, &c, t += 5, 100, 1);
    assert_int_equal(o.coverage_changed, 1);
    assert_int_equal(o.became_complete, 0);                 /* only on the transition */
    credit_heartbeat(&st, &c, t += 10, 0, 1);
    o = credit_heartbeat(&st, &c, t += 10, 10, 1);
    assert_int_equal(o.became_complete, 0);
    assert_float_equal(coverage_fraction(&c, 100), 1.0, EPS);
    cov_free(&c);
}

static void test_hb_completion_with_holes(void **state)
{
    (void)state;
    /* 95 % made of scattered pieces, finished by a heartbeat that fills the last hole. */
    hb_state st = mkstate(100);
    cov_set c;
    cov_init(&c);
    cov_add(&c, 0, 40);
    cov_add(&c, 50, 95);
    st.last_pos = 40;
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 50, 1);
    assert_int_equal(o.result, HB_CREDITED);
    assert_int_equal(o.became_complete, 1);
    assert_cov(&c, (double[]){ 0, 95 }, 1);
    cov_free(&c);
}

static void test_hb_paused_reanchors(void **state)
{
    (void)state;
    hb_state st = mkstate(600);
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1010, 10, 1);
    assert_int_equal(o.result, HB_CREDITED);
    o = credit_heartbeat(&st, &c, 1040, 12, 0);              /* paused at 12 */
    assert_int_equal(o.result, HB_REANCHOR_PAUSED);
    assert_float_equal(o.credited_s, 0, EPS);
    assert_int_equal(o.coverage_changed, 0);
    assert_float_equal(st.last_at, 1040, EPS);
    assert_float_equal(st.last_pos, 12, EPS);
    assert_cov(&c, (double[]){ 0, 10 }, 1);
    /* A paused beat after a long gap is reported as paused, still no credit. */
    o = credit_heartbeat(&st, &c, 1200, 12, 0);
    assert_int_equal(o.result, HB_REANCHOR_PAUSED);
    /* Paused beats still obey the 5 s rule. */
    o = credit_heartbeat(&st, &c, 1203, 12, 0);
    assert_int_equal(o.result, HB_TOO_SOON);
    assert_float_equal(st.last_at, 1200, EPS);
    o = credit_heartbeat(&st, &c, 1210, 22, 1);              /* resume from the pause anchor */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 10, EPS);
    assert_cov(&c, (double[]){ 0, 10, 12, 22 }, 2);
    assert_float_equal(st.today_study_s, 20, EPS);
    cov_free(&c);
}

static void test_hb_invalid_positions(void **state)
{
    (void)state;
    double bad[] = { NAN, -NAN, INFINITY, -INFINITY, -0.001, -1, 605.001, 1e9, 1e308 };
    hb_state st = mkstate(600);
    st.last_pos = 100;
    st.today_study_s = 42;
    cov_set c;
    cov_init(&c);
    cov_add(&c, 0, 100);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        hb_state before = st;
        for (int playing = 0; playing <= 1; playing++) {
            hb_outcome o = credit_heartbeat(&st, &c, 1010, bad[k], playing);
            assert_int_equal(o.result, HB_INVALID);
            assert_float_equal(o.credited_s, 0, EPS);
            assert_int_equal(o.coverage_changed, 0);
            assert_int_equal(o.became_complete, 0);
            assert_memory_equal(&st, &before, sizeof st);
            assert_cov(&c, (double[]){ 0, 100 }, 1);
        }
    }
    /* Invalid wins over too-soon. */
    assert_int_equal(credit_heartbeat(&st, &c, 1001, NAN, 1).result, HB_INVALID);
    /* A non-finite server time is invalid too. */
    assert_int_equal(credit_heartbeat(&st, &c, NAN, 105, 1).result, HB_INVALID);
    assert_int_equal(credit_heartbeat(&st, &c, INFINITY, 105, 1).result, HB_INVALID);
    assert_float_equal(st.last_at, 1000, EPS);
    cov_free(&c);
}

static void test_hb_position_edges_and_clamp(void **state)
{
    (void)state;
    hb_state st = mkstate(100);
    st.last_pos = 97;
    cov_set c;
    cov_init(&c);
    hb_outcome o = credit_heartbeat(&st, &c, 1008, 105, 1);  /* duration + 5: allowed */
    assert_int_equal(o.result, HB_CREDITED);
    assert_float_equal(o.credited_s, 8, EPS);
    assert_cov(&c, (double[]){ 97, 100 }, 1);                /* clamped to [0, duration] */
    assert_float_equal(st.last_pos, 105, EPS);
    /* Beyond the end: nothing new to cover. */
    o = credit_heartbeat(&st, &c, 1013, 105, 1);
    assert_int_equal(o.coverage_changed, 0);
    assert_int_equal(c.n, 1);
    /* Position 0 is valid. */
    o = credit_heartbeat(&st, &c, 1020, 0, 0);
    assert_int_equal(o.result, HB_REANCHOR_PAUSED);
    cov_free(&c);
}

static void test_hb_invalid_duration(void **state)
{
    (void)state;
    double durs[] = { 0, -10, NAN, INFINITY };
    for (size_t k = 0; k < sizeof durs / sizeof durs[0]; k++) {
        hb_state st = mkstate(durs[k]);
        hb_state before = st;
        cov_set c;
        cov_init(&c);
        assert_int_equal(credit_heartbeat(&st, &c, 1010, 0, 1).result, HB_INVALID);
        assert_memory_equal(&st, &before, sizeof st);
        cov_free(&c);
    }
}

/* ------------------------------------------------------------ fraction, guide */

static void test_coverage_fraction(void **state)
{
    (void)state;
    cov_set c;
    cov_init(&c);
    assert_float_equal(coverage_fraction(&c, 100), 0, EPS);
    cov_add(&c, 0, 25);
    cov_add(&c, 50, 75);
    assert_float_equal(coverage_fraction(&c, 100), 0.5, EPS);
    assert_float_equal(coverage_fraction(&c, 0), 0, EPS);
    assert_float_equal(coverage_fraction(&c, -5), 0, EPS);
    assert_float_equal(coverage_fraction(&c, NAN), 0, EPS);
    assert_float_equal(coverage_fraction(&c, 60), 35.0 / 60, EPS); /* beyond duration ignored */
    cov_add(&c, 0, 1000);
    assert_float_equal(coverage_fraction(&c, 100), 1, EPS);
    assert_true(lecture_complete(&c, 100));
    assert_false(lecture_complete(&c, 0));
    cov_free(&c);
    cov_add(&c, 0, 94.99);
    assert_false(lecture_complete(&c, 100));
    cov_add(&c, 94.99, 95);
    assert_true(lecture_complete(&c, 100));
    cov_free(&c);
}

static void test_credit_hours_guide(void **state)
{
    (void)state;
    assert_float_equal(credit_hours_guide(0, 0), 0.25, EPS);
    assert_float_equal(credit_hours_guide(899.99, 0), 0.25, EPS);
    assert_float_equal(credit_hours_guide(900, 0), 0.5, EPS);
    assert_float_equal(credit_hours_guide(1799.99, 0), 0.5, EPS);
    assert_float_equal(credit_hours_guide(1800, 0), 1.0, EPS);
    assert_float_equal(credit_hours_guide(36000, 0), 1.0, EPS);
    assert_float_equal(credit_hours_guide(0, 1), 0.75, EPS);
    assert_float_equal(credit_hours_guide(900, 1), 1.0, EPS);
    assert_float_equal(credit_hours_guide(1800, 1), 1.5, EPS);
}

static void test_hb_result_names(void **state)
{
    (void)state;
    assert_string_equal(hb_result_name(HB_CREDITED), "credited");
    assert_string_equal(hb_result_name(HB_REANCHOR_PAUSED), "paused");
    assert_string_equal(hb_result_name(HB_REANCHOR_GAP), "gap");
    assert_string_equal(hb_result_name(HB_REANCHOR_SEEK), "seek");
    assert_string_equal(hb_result_name(HB_TOO_SOON), "too_soon");
    assert_string_equal(hb_result_name(HB_INVALID), "invalid");
    assert_string_equal(hb_result_name((hb_result)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cov_empty),
        cmocka_unit_test(test_cov_touching_merge),
        cmocka_unit_test(test_cov_contained_and_containing),
        cmocka_unit_test(test_cov_disjoint_insert_positions),
        cmocka_unit_test(test_cov_ignores_empty_and_nonfinite),
        cmocka_unit_test(test_cov_many_out_of_order),
        cmocka_unit_test(test_cov_uncovered),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_lenient_forms),
        cmocka_unit_test(test_json_garbage_rejected),
        cmocka_unit_test(test_hb_too_soon_boundary),
        cmocka_unit_test(test_hb_gap_boundary),
        cmocka_unit_test(test_hb_seek_16x),
        cmocka_unit_test(test_hb_backward_seek),
        cmocka_unit_test(test_hb_slack_boundary),
        cmocka_unit_test(test_hb_slack_gives_no_extra_coverage),
        cmocka_unit_test(test_hb_max_rate_2),
        cmocka_unit_test(test_hb_bad_max_rate_means_default),
        cmocka_unit_test(test_hb_credit_is_min),
        cmocka_unit_test(test_hb_rewatch_no_coverage),
        cmocka_unit_test(test_hb_daily_cap),
        cmocka_unit_test(test_hb_completion_once),
        cmocka_unit_test(test_hb_completion_with_holes),
        cmocka_unit_test(test_hb_paused_reanchors),
        cmocka_unit_test(test_hb_invalid_positions),
        cmocka_unit_test(test_hb_position_edges_and_clamp),
        cmocka_unit_test(test_hb_invalid_duration),
        cmocka_unit_test(test_coverage_fraction),
        cmocka_unit_test(test_credit_hours_guide),
        cmocka_unit_test(test_hb_result_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
