/* routes.h — the scoring module's route tables and the pieces its pages share. */
#ifndef DX_SCORING_ROUTES_H
#define DX_SCORING_ROUTES_H
#include "http.h"
#include "util.h"

extern const route rules_routes[], me_routes[], rating_routes[];

/* The table rows of every point rule in force today: name, points, unit, daily cap, since. */
void rules_rows_html(buf *b);
#endif
