/* test_assess.c — cmocka unit tests for scoring/assess: year progress, status, projection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "scoring/assess.h"
#include "server/clock.h"

#define EPS 1e-12
#define DAY 86400LL

/* Unix times of 00:00 UTC on the given dates (the year tests below run with timezone UTC). */
#define T2023_01_01 1672531200LL
#define T2023_07_02 1688256000LL
#define T2023_12_31 1703980800LL
#define T2024_01_01 1704067200LL
#define T2024_07_02 1719878400LL
#define T2024_12_31 1735603200LL
#define T2025_01_01 1735689600LL
#define T2000_01_01 946684800LL
#define T2100_01_01 4102444800LL
#define T1900_01_01 (-2208988800LL)

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(assess_status_name(ST_MET), "met");
    assert_string_equal(assess_status_name(ST_ON_TRACK), "on_track");
    assert_string_equal(assess_status_name(ST_BEHIND), "behind");
    assert_string_equal(assess_status_name(ST_AT_RISK), "at_risk");
    assert_string_equal(assess_status_name((assess_status)42), "unknown");
}

static void test_year_fraction_jan1(void **state)
{
    (void)state;
    assert_float_equal(year_elapsed_fraction(2023, T2023_01_01), 0.0, EPS);
    assert_float_equal(year_elapsed_fraction(2023, T2023_01_01 - 1), 0.0, EPS);
    assert_float_equal(year_elapsed_fraction(2023, 0), 0.0, EPS);
    assert_float_equal(year_elapsed_fraction(2023, T2023_01_01 + 1), 1.0 / (365.0 * DAY), EPS);
    assert_float_equal(year_elapsed_fraction(2023, T2023_01_01 + DAY), 1.0 / 365, EPS);
    /* Next Jan 1 is the end of the year. */
    assert_float_equal(year_elapsed_fraction(2023, T2024_01_01), 1.0, EPS);
    assert_float_equal(year_elapsed_fraction(2023, T2024_01_01 + 12345), 1.0, EPS);
    assert_float_equal(year_elapsed_fraction(2024, T2024_01_01), 0.0, EPS);
}

static void test_year_fraction_jul2(void **state)
{
    (void)state;
    /* Common year: Jul 2 00:00 is day 182 of 365; noon is the exact middle. */
    assert_float_equal(year_elapsed_fraction(2023, T2023_07_02), 182.0 / 365, EPS);
    assert_float_equal(year_elapsed_fraction(2023, T2023_07_02 + DAY / 2), 0.5, EPS);
    /* Leap year: Jul 2 00:00 is day 183 of 366, exactly half. */
    assert_float_equal(year_elapsed_fraction(2024, T2024_07_02), 0.5, EPS);
}

static void test_year_fraction_dec31(void **state)
{
    (void)state;
    assert_float_equal(year_elapsed_fraction(2023, T2023_12_31), 364.0 / 365, EPS);
    assert_float_equal(year_elapsed_fraction(2024, T2024_12_31), 365.0 / 366, EPS);
    assert_float_equal(year_elapsed_fraction(2023, T2024_01_01 - 1),
                       (365.0 * DAY - 1) / (365.0 * DAY), EPS);
    assert_true(year_elapsed_fraction(2024, T2025_01_01 - 1) < 1.0);
    assert_float_equal(year_elapsed_fraction(2024, T2025_01_01), 1.0, EPS);
}

static void test_year_fraction_leap_rules(void **state)
{
    (void)state;
    /* 2024 and 2000 are leap (366 days): after 365 days the year is not over. */
    assert_float_equal(year_elapsed_fraction(2024, T2024_01_01 + 365 * DAY), 365.0 / 366, EPS);
    assert_float_equal(year_elapsed_fraction(2000, T2000_01_01 + 365 * DAY), 365.0 / 366, EPS);
    assert_float_equal(year_elapsed_fraction(2000, T2000_01_01 + 366 * DAY), 1.0, EPS);
    /* 2100 and 1900 are not (century rule). */
    assert_float_equal(year_elapsed_fraction(2100, T2100_01_01 + 365 * DAY), 1.0, EPS);
    assert_float_equal(year_elapsed_fraction(2100, T2100_01_01 + 364 * DAY), 364.0 / 365, EPS);
    assert_float_equal(year_elapsed_fraction(1900, T1900_01_01), 0.0, EPS);
    assert_float_equal(year_elapsed_fraction(1900, T1900_01_01 + 182 * DAY + DAY / 2), 0.5, EPS);
    assert_float_equal(year_elapsed_fraction(1900, T1900_01_01 + 365 * DAY), 1.0, EPS);
    /* Feb 29 2024 00:00 = day 59 of 366. */
    assert_float_equal(year_elapsed_fraction(2024, T2024_01_01 + 59 * DAY), 59.0 / 366, EPS);
    /* Far outside the year in either direction. */
    assert_float_equal(year_elapsed_fraction(2024, INT64_MIN / 2), 0.0, EPS);
    assert_float_equal(year_elapsed_fraction(2024, INT64_MAX / 2), 1.0, EPS);
}

static void test_status_met(void **state)
{
    (void)state;
    /* Quota 50 h total, 20 h of required courses. */
    assert_int_equal(assess_member(50, 20, 50, 20, 0.1), ST_MET);
    assert_int_equal(assess_member(80, 30, 50, 20, 1.0), ST_MET);
    assert_int_equal(assess_member(50, 20, 50, 20, 0.0), ST_MET);
    /* Total met but required short: not met, judged on pace instead. */
    assert_int_equal(assess_member(60, 19.99, 50, 20, 1.0), ST_ON_TRACK);
    /* Required met but total short. */
    assert_int_equal(assess_member(49.99, 20, 50, 20, 1.0), ST_BEHIND);
    /* No quota at all: trivially met. */
    assert_int_equal(assess_member(0, 0, 0, 0, 0.5), ST_MET);
}

static void test_status_on_track_boundary(void **state)
{
    (void)state;
    /* elapsed 0.5 → expected 25 h. */
    assert_int_equal(assess_member(25, 0, 50, 20, 0.5), ST_ON_TRACK);
    assert_int_equal(assess_member(30, 0, 50, 20, 0.5), ST_ON_TRACK);
    assert_int_equal(assess_member(24.999, 0, 50, 20, 0.5), ST_BEHIND);
}

static void test_status_behind_at_risk_boundary(void **state)
{
    (void)state;
    /* expected 25 → half is 12.5: exactly half is still behind, below is at risk. */
    assert_int_equal(assess_member(12.5, 0, 50, 20, 0.5), ST_BEHIND);
    assert_int_equal(assess_member(12.499, 0, 50, 20, 0.5), ST_AT_RISK);
    assert_int_equal(assess_member(0, 0, 50, 20, 0.5), ST_AT_RISK);
    /* Year over, nothing done. */
    assert_int_equal(assess_member(0, 0, 50, 20, 1.0), ST_AT_RISK);
    assert_int_equal(assess_member(25, 20, 50, 20, 1.0), ST_BEHIND);
    assert_int_equal(assess_member(24.9, 20, 50, 20, 1.0), ST_AT_RISK);
}

static void test_status_elapsed_edges(void **state)
{
    (void)state;
    /* At the very start nothing is expected yet. */
    assert_int_equal(assess_member(0, 0, 50, 20, 0.0), ST_ON_TRACK);
    /* Out-of-range elapsed is clamped to 0..1. */
    assert_int_equal(assess_member(0, 0, 50, 20, -0.5), ST_ON_TRACK);
    assert_int_equal(assess_member(30, 0, 50, 20, 3.0), ST_BEHIND);
    assert_int_equal(assess_member(0, 0, 50, 20, NAN), ST_ON_TRACK);
}

static void test_projection(void **state)
{
    (void)state;
    assert_float_equal(assess_projection(10, 0.25), 40, EPS);
    assert_float_equal(assess_projection(25, 0.5), 50, EPS);
    assert_float_equal(assess_projection(50, 1.0), 50, EPS);
    assert_float_equal(assess_projection(10, 0.0), 10, EPS);
    assert_float_equal(assess_projection(10, -1.0), 10, EPS);
    assert_float_equal(assess_projection(0, 0.3), 0, EPS);
}

/* Whole pipeline: a member with 12 h on Jul 2 2024 (half the leap year) against 50 h. */
static void test_end_to_end(void **state)
{
    (void)state;
    double e = year_elapsed_fraction(2024, T2024_07_02);
    assert_int_equal(assess_member(12, 5, 50, 20, e), ST_AT_RISK);
    assert_int_equal(assess_member(13, 5, 50, 20, e), ST_BEHIND);
    assert_int_equal(assess_member(25, 5, 50, 20, e), ST_ON_TRACK);
    assert_float_equal(assess_projection(13, e), 26, EPS);
}

/* The academy's year is its time zone's: in Shanghai 2027 starts at 2026-12-31T16:00Z. */
static void test_year_fraction_academy_zone(void **state)
{
    (void)state;
    const long long t = parse_iso("2026-12-31T16:30:00Z");
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), 0);
    assert_int_equal(year_of(t), 2027);
    assert_float_equal(year_elapsed_fraction(2027, t), 1800.0 / (365.0 * DAY), EPS);
    assert_float_equal(year_elapsed_fraction(2026, t), 1.0, EPS);
    assert_float_equal(year_elapsed_fraction(2027, parse_iso("2026-12-31T16:00:00Z")), 0.0, EPS);
    /* mid-year: 2027-07-02T04:00Z is 12:00 local, 182.5 days into 365 */
    assert_float_equal(year_elapsed_fraction(2027, parse_iso("2027-07-02T04:00:00Z")), 0.5, EPS);
    /* another setting gives another answer: in UTC that instant is still 2026 */
    assert_int_equal(clock_set_timezone("UTC"), 0);
    assert_int_equal(year_of(t), 2026);
    assert_float_equal(year_elapsed_fraction(2027, t), 0.0, EPS);
    assert_true(year_elapsed_fraction(2026, t) < 1.0);
    /* New York (UTC-5 in winter): 2027 starts at 05:00Z */
    assert_int_equal(clock_set_timezone("America/New_York"), 0);
    assert_float_equal(year_elapsed_fraction(2027, parse_iso("2027-01-01T05:00:00Z") + 3600), 3600.0 / (365.0 * DAY),
                       EPS);
}

static int zone_utc(void **state)
{
    (void)state;
    return clock_set_timezone("UTC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_year_fraction_jan1),
        cmocka_unit_test(test_year_fraction_jul2),
        cmocka_unit_test(test_year_fraction_dec31),
        cmocka_unit_test(test_year_fraction_leap_rules),
        cmocka_unit_test(test_status_met),
        cmocka_unit_test(test_status_on_track_boundary),
        cmocka_unit_test(test_status_behind_at_risk_boundary),
        cmocka_unit_test(test_status_elapsed_edges),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_year_fraction_academy_zone),
    };
    return cmocka_run_group_tests(tests, zone_utc, NULL);
}
