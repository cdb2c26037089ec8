/* question.h — a bank question as a plain struct, its validation and its JSON form (pure, no DB). */
#ifndef DX_QUIZ_QUESTION_H
#define DX_QUIZ_QUESTION_H
#include <stdint.h>

#include <jansson.h>

/* Limits. Lengths are in Unicode code points, counted after trimming. */
#define Q_STEM_MAX        2000
#define Q_OPTION_MAX      500
#define Q_MIN_OPTIONS     2   /* single, multiple */
#define Q_MAX_OPTIONS     10  /* also bounds option letters A..J in the import formats */
#define Q_MAX_BLANKS      10
#define Q_MAX_ACCEPTED    10  /* accepted strings per blank */
#define Q_ACCEPTED_MAX    200
#define Q_EXPLANATION_MAX 4000
#define Q_MAX_TAGS        10
#define Q_TAG_MAX         20

typedef enum { Q_SINGLE, Q_MULTIPLE, Q_TRUEFALSE, Q_FILL, Q_TYPE_UNKNOWN = -1 } q_type;

/* One blank of a fill-in question: the strings accepted for it (compared after folding, grade.h). */
typedef struct q_blank {
	int n;
	char **accepted;
} q_blank;

/* A question. Every pointer is malloc'd and owned by the struct (q_free).
   Choice types (single, multiple, truefalse) use options + answer (0-based option indexes);
   fill uses blanks and has no options. A truefalse question has the options 对 (0) and 错 (1)
   unless it names two of its own; its answer is one index. */
typedef struct question {
	int64_t id;        /* 0 until stored */
	q_type type;
	char *stem;
	int noptions;
	char **options;
	int nanswer;
	int *answer;       /* option indexes, in any order (grading compares sets) */
	int nblanks;
	q_blank *blanks;
	char *explanation; /* never NULL once parsed; "" when none */
	int ntags;
	char **tags;
	int retired;       /* used by a submitted attempt and then deleted: kept, never drawn again */
} question;

/* Validation outcome: a code, the catalog key of its Chinese message (qv_key), the field
   ("type", "stem", "options", "answer", "explanation", "tags") and the 0-based index of the
   option, answer entry, blank or tag concerned (-1 when the whole field is meant). */
typedef enum {
	QV_OK = 0,
	QV_FIELD_TYPE,         /* a JSON field of the wrong JSON type */
	QV_NOT_UTF8,
	QV_TYPE_UNKNOWN,
	QV_STEM_EMPTY,
	QV_STEM_TOO_LONG,
	QV_TOO_FEW_OPTIONS,
	QV_TOO_MANY_OPTIONS,
	QV_OPTION_EMPTY,
	QV_OPTION_TOO_LONG,
	QV_OPTION_DUPLICATE,   /* two options that fold to the same text */
	QV_TF_OPTIONS,         /* truefalse with other than 0 or 2 options */
	QV_FILL_OPTIONS,       /* fill with options */
	QV_NO_ANSWER,          /* no right option, or a fill question without blanks */
	QV_SINGLE_MANY,        /* single or truefalse with more than one right option */
	QV_ANSWER_RANGE,       /* option index out of range */
	QV_ANSWER_DUPLICATE,   /* the same index twice */
	QV_BLANK_EMPTY,        /* a blank without a non-empty accepted string */
	QV_TOO_MANY_BLANKS,
	QV_TOO_MANY_ACCEPTED,
	QV_ACCEPTED_TOO_LONG,
	QV_EXPLANATION_TOO_LONG,
	QV_TOO_MANY_TAGS,
	QV_TAG_INVALID,        /* empty or longer than Q_TAG_MAX */
	QV_COUNT
} qv_code;

typedef struct q_error {
	qv_code code;
	const char *field;
	int index;
} q_error;

/* Stable English name of a type ("single", "multiple", "truefalse", "fill"), "unknown" otherwise. */
const char *q_type_name(q_type t);
/* Type from its English name or its Chinese one (单选/单选题, 多选/多选题, 判断/判断题,
   填空/填空题), ignoring surrounding spaces and ASCII case; Q_TYPE_UNKNOWN otherwise. */
q_type q_type_parse(const char *s);
/* Catalog key of the Chinese message for a code, e.g. "quiz.err.no_answer". */
const char *qv_key(qv_code c);

/* A zeroed question (type Q_TYPE_UNKNOWN, explanation NULL). */
void q_init(question *q);
/* Frees everything q owns and leaves it as after q_init. */
void q_free(question *q);
/* Deep copy of src into *dst (dst need not be initialised). */
void q_copy(question *dst, const question *src);

/* Appends a copy of a string to a list (the list helpers of the parsers). */
void q_add_option(question *q, const char *text);
void q_add_answer(question *q, int index);
void q_add_tag(question *q, const char *text);
/* Appends an empty blank and returns its index; q_add_accepted adds a string to blank b. */
int q_add_blank(question *q);
void q_add_accepted(question *q, int b, const char *text);

/* Trims every text (ASCII and Unicode spaces, grade.h q_trim), drops empty and duplicate tags and
   gives an option-less truefalse question the options 对 and 错. Call before q_validate. */
void q_normalize(question *q);

/* Checks every rule in the order of the fields (type, stem, options, answer, blanks,
   explanation, tags) and reports the first broken one. 0 when valid, else -1 with *err set. */
int q_validate(const question *q, q_error *err);

/* Parses {"type","stem","options","answer","explanation","tags"} (options, explanation and tags
   optional), normalizes and validates. For choice types "answer" is a list of option indexes;
   for fill it is a list with one entry per blank, each a string (the one accepted answer) or a
   list of strings (accepted alternatives). *q is initialised here; on failure it is freed and
   -1 returned with *err set; 0 on success. */
int q_from_json(const json_t *obj, question *q, q_error *err);

/* The question as JSON in the shape q_from_json reads (a fill blank is always a list of
   strings), plus "id" when non-zero. With with_answer = 0, "answer" and "explanation" are left
   out: what a member may see before submitting (options still in stored order; shuffling is
   grade.h's q_perm). New reference. */
json_t *q_to_json(const question *q, int with_answer);
#endif
