/* rating.h — course ratings (two-way evaluation), for the pages of other modules. */
#ifndef DX_SCORING_RATING_H
#define DX_SCORING_RATING_H
#include <stdint.h>

/* The average stars of a course and how many members rated it (*n 0: no rating, *avg 0). */
void rating_average(int64_t course, double *avg, int64_t *n);
/* Offers the ratings to the courses module's pages (courses/courses.h course_rating_ops): from the
   module's init. */
void rating_register(void);
#endif
