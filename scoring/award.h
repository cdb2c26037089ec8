/* award.h — the scoring module's listener of domain events (server/events.h). */
#ifndef DX_SCORING_AWARD_H
#define DX_SCORING_AWARD_H
#include "events.h"
#include "http.h"

/* Awards the event's points and credit hours (module.on_event): 0, or -1 to fail the event. */
int scoring_on_event(const dx_event *e);
/* POST /api/v1/test/event (test clock only). */
extern const route scoring_test_routes[];
#endif
